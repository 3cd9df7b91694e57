"""The pure parts of an edit: the plan it makes, the units the map repaints, the payload read.

No store and no browser: ``services.editing`` and ``callbacks.map`` only wire these together.
"""

from __future__ import annotations

import numpy as np
import pytest

from callbacks.map import _requested
from geo.lod import display_levels, drawn_units, quantise
from layouts.ids import Ids
from layouts.main import UNASSIGNED_VALUE
from planning.baseline import baseline_plan
from planning.editing import Board, Selection, Step, Tool, edited, selected_cells, stepped
from planning.repaint import repaint, touched_units
from planning.tally import full_tally
from tests.planning.test_tally import world


@pytest.fixture(scope="module")
def board() -> Board:
    market = world(8)
    plan, _ = baseline_plan(market)
    return Board(1, market, plan, display_levels(market.area))


def test_a_move_leaves_locked_cells_and_counts_them(board):
    locked = edited(board.baseline, Tool.LOCK, np.arange(5), None).after
    change = edited(locked, "move", np.arange(10), 2)
    assert change.skipped_locked == 5 and change.touched.tolist() == list(range(5, 10))
    assert (change.after.owner[5:10] == 2).all()
    assert np.array_equal(change.after.owner[:5], board.baseline.owner[:5])
    assert change.after.tally.equals(full_tally(board.market, change.after.owner))
    assert set(change.changed) <= set(range(5, 10))


def test_lock_and_unlock_change_flags_only(board):
    change = edited(board.baseline, Tool.LOCK, np.array([3, 1, 3]), None)
    assert change.touched.tolist() == [1, 3] and change.changed.tolist() == [1, 3]
    assert np.array_equal(change.after.owner, board.baseline.owner)
    back = edited(change.after, Tool.UNLOCK, np.array([1]), None)
    assert back.after.locked[[1, 3]].tolist() == [False, True]


def test_a_step_recounts_only_what_moved_and_stays_exact(board):
    plan = board.baseline
    owner, locked = plan.owner.copy(), plan.locked.copy()
    owner[:7], locked[7] = -1, True
    change = stepped(plan, owner, locked)
    assert change.after.tally.equals(full_tally(board.market, owner))
    expected = np.flatnonzero((owner != plan.owner) | (locked != plan.locked))
    assert np.array_equal(change.changed, expected) and np.array_equal(change.touched, expected)


def test_a_selection_at_a_coarse_level_holds_every_cell_of_its_units(board):
    level = len(board.levels) - 1
    units = np.array([0, 1])
    cells = selected_cells(board.levels, Selection(Tool.MOVE, level, units))
    assert set(board.levels[level].unit_of_cell[cells]) == {0, 1}
    assert len(cells) == int(np.isin(board.levels[level].unit_of_cell, units).sum())


def test_repaint_names_the_touched_units_by_their_place_in_the_drawn_trace(board):
    area = board.market.area
    snapped = quantise((float(area.lon.min()), float(area.lat.min()),
                        float(area.lon.mean()), float(area.lat.mean())))  # fmt: skip
    drawn = drawn_units(board.levels, 0, snapped)
    outside = np.setdiff1d(np.arange(board.market.n_cells), drawn)
    assert len(outside) > 0  # the view leaves part of the area out
    changed = np.array([drawn[3], drawn[0], outside[0]])
    units, positions = touched_units(board, 0, snapped, changed)
    assert units.tolist() == sorted([int(drawn[0]), int(drawn[3])])
    assert drawn[positions].tolist() == units.tolist()
    patch = repaint(board, board.baseline, changed, 0, snapped)
    assert np.array_equal(patch.positions, positions)
    assert np.array_equal(patch.facts.units, units)


def test_the_whole_area_drawn_repaints_every_touched_unit(board):
    changed = np.array([0, 5, 9])
    units, positions = touched_units(board, 0, None, changed)
    drawn = drawn_units(board.levels, 0, None)
    assert np.array_equal(drawn[positions], units) and len(units) == 3


@pytest.mark.parametrize(
    "trigger, key, expected",
    [(Ids.UNDO, None, Step.UNDO), (Ids.REDO, None, Step.REDO),
     (Ids.KEY_COMMAND, {"cmd": "redo"}, Step.REDO), (Ids.KEY_COMMAND, {"cmd": "x"}, None),
     (Ids.KEY_COMMAND, None, None), (None, None, None)],
)  # fmt: skip
def test_the_payload_names_an_undo_or_a_redo(trigger, key, expected):
    assert _requested(trigger, key, None, "move", "R1") is expected


def test_the_payload_of_a_lasso_becomes_a_selection():
    selection = _requested(Ids.SELECTION, None, {"units": [4, 2], "level": 1}, "lock", "R2")
    assert isinstance(selection, Selection) and selection.tool is Tool.LOCK
    assert selection.units.tolist() == [4, 2] and selection.level == 1
    assert selection.rep_id == "R2"
    unassign = _requested(Ids.SELECTION, None, {}, "move", UNASSIGNED_VALUE)
    assert unassign.rep_id is None and len(unassign.units) == 0
