"""Issue 16 point 7: no two owner colours near-identical, measured by CIEDE2000 in CIELAB."""

from __future__ import annotations

import itertools

from layouts.palette import MIN_DELTA_E2000, REP_COLOURS, UNASSIGNED_COLOUR, rep_colour
from tests.layouts.colour_vision import distance  # one CIEDE2000 (checked against Sharma 2005)


def test_no_two_owner_colours_are_near_identical():
    colours = [*REP_COLOURS, UNASSIGNED_COLOUR]
    closest = min((distance(a, b, None), a, b) for a, b in itertools.combinations(colours, 2))
    assert closest[0] >= MIN_DELTA_E2000, closest


def test_the_two_light_blues_of_r02_and_r10_are_gone():
    assert distance(rep_colour(1), rep_colour(9), None) > 20
    assert len(set(REP_COLOURS)) == 24
