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
    assert shown.geometry is not None and shown.geometry["type"] in {"Polygon", "MultiPolygon"}
    ring = (shown.geometry["coordinates"] if shown.geometry["type"] == "Polygon"
            else shown.geometry["coordinates"][0])[0]  # fmt: skip
    assert ring[0] == ring[-1] and len(ring) > 7  # one closed outline around the moved patch
    back = before_after.flip(url, baseline, working, showing=baseline)
    assert back.shown == working


def test_no_outline_when_nothing_changed():
    assert before_after.outline_geometry(np.array([], dtype=np.uint64)) is None


def test_one_outline_around_a_patch_of_cells():
    import h3.api.numpy_int as h3i

    centre = h3i.latlng_to_cell(52.0, 13.0, 7)
    patch = np.asarray(h3i.grid_disk(centre, 1), dtype=np.uint64)  # 7 cells
    shape = before_after.outline_geometry(patch)
    assert shape == {"type": "Polygon", "coordinates": shape["coordinates"]}
    assert len(shape["coordinates"]) == 1  # no holes
    assert len(shape["coordinates"][0]) == 18 + 1  # the flower's outer ring, closed
