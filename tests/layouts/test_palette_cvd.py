"""Owner colours stay apart under the common colour-vision deficiencies (issue 16 point 5).

How it is checked: each colour is passed through the Machado et al. (2009) simulation of
protanopia, deuteranopia and tritanopia (full severity) and compared in CIELAB with CIEDE2000;
a difference of 10 reads clearly as "another colour" on a map's areas.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from layouts.palette import REP_COLOURS, UNASSIGNED_COLOUR
from tests.layouts.colour_vision import MACHADO, ciede2000, distance, lab, simulate

VISIONS = (None, *MACHADO)
APART = 10.0  # CIEDE2000
TEAM = 12  # the demo's team, and the size the palette is tuned for


def closest(colours: list[str], vision: str | None) -> tuple[float, str, str]:
    return min((distance(a, b, vision), a, b) for a, b in itertools.combinations(colours, 2))


def test_ciede2000_matches_sharma_2005_pairs():
    assert ciede2000(
        np.array([50, 2.6772, -79.7751]), np.array([50, 0, -82.7485])
    ) == pytest.approx(2.0425, abs=1e-4)
    assert ciede2000(np.array([50, 2.5, 0]), np.array([73, 25, -18])) == pytest.approx(
        27.1492, abs=1e-4
    )


def test_simulation_merges_red_and_green_for_deuteranopes_only():
    red, green = "#D55E00", "#009E73"
    assert distance("#FF0000", "#00FF00", None) > 80
    assert distance("#FF0000", "#00FF00", "deuteranopia") < distance("#FF0000", "#00FF00", None) / 2
    assert lab(simulate("#FFFFFF", "tritanopia"))[0] == pytest.approx(
        100, abs=0.5
    )  # white stays white
    assert distance(red, green, "protanopia") > APART


@pytest.mark.parametrize("vision", VISIONS, ids=lambda v: v or "normal")
def test_a_team_of_twelve_and_unassigned_stay_apart(vision):
    colours = [*REP_COLOURS[:TEAM], UNASSIGNED_COLOUR]
    gap, a, b = closest(colours, vision)
    assert gap >= APART, f"{a} and {b} are only {gap:.1f} apart ({vision or 'normal vision'})"


def test_past_twelve_reps_colours_are_still_distinct_for_normal_vision():
    """Beyond 12 reps a dichromat cannot tell every pair apart: the legend and hover name them."""
    gap, a, b = closest(list(REP_COLOURS), None)
    assert len(set(REP_COLOURS)) == 24 and gap > 3, (a, b, gap)
