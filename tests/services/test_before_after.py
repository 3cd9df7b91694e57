"""Issue 16 point 2: before/after pairs and the cells that change owner between them."""

from __future__ import annotations

import numpy as np
import pytest

from services import before_after, editing
from tests.planning.test_tally import world


@pytest.fixture
def two(tmp_path):
    """The baseline and the working plan, after moving cells 0..19 to rep 2."""
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    baseline, working = editing.ensure_scenarios(
        url, "test", m.accounts, m.reps, m.call_plan, resolution=7
    )
    _, plan, version = editing.load(url, working)
    editing.apply(url, working, version, "move", np.arange(20), 2)
    moved = int((np.asarray(plan.owner)[:20] != 2).sum())  # cells 0..19 not already rep 2's
    return url, baseline, working, moved


def test_pairable_lists_both_and_names_the_baseline(two):
    url, baseline, working, _ = two
    choices, base = before_after.pairable(url, working)
    assert base == baseline
    assert {i for i, _ in choices} == {baseline, working}


def test_changed_cells_are_the_moved_ones(two):
    url, baseline, working, moved = two
    changed, cells = before_after.changed_cells(url, baseline, working)
    assert moved > 0 and len(changed) == moved
    assert set(changed.tolist()) <= set(cells[:20].tolist())


def test_flip_shows_the_other_side_with_an_outline(two):
    url, baseline, working, moved = two
    shown = before_after.flip(url, baseline, working, showing=working)
    assert shown.shown == baseline and shown.changed == moved
    assert shown.geometry is not None and len(shown.geometry["coordinates"]) == moved
    ring = shown.geometry["coordinates"][0][0]
    assert ring[0] == ring[-1] and len(ring) == 7  # a closed hexagon
    back = before_after.flip(url, baseline, working, showing=baseline)
    assert back.shown == working


def test_no_outline_when_nothing_changed():
    assert before_after.outline_geometry(np.array([], dtype=np.uint64)) is None
