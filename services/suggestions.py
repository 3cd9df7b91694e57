"""Repair suggestions for a stored scenario (issue 17 point 1), and applying one as a move.

The suggestions are worked out by ``planning.suggestions`` on the scenario as stored; the
reps the last move touched (the top of the undo stack) are the focus. Applying one is an
ordinary move through ``services.editing.edit`` (a selection of plan cells at display
level 0), so it is logged, undoable and guarded by the version like any other.
"""

from __future__ import annotations

import logging

import numpy as np

from common.logs import timed
from planning.editing import Selection, Tool
from planning.suggestions import Suggestion, suggest
from services import editing

logger = logging.getLogger(__name__)

CELL_LEVEL = 0
"""Display level 0 holds the plan's cells themselves (``geo.lod.display_levels``)."""


def last_move_reps(url: str, scenario_id: int) -> tuple[int, ...]:
    """Rep positions the last (not undone) move took cells from or gave them to."""
    record = editing.open_store(url).undoable(scenario_id)
    if record is None:
        return ()
    reps = np.unique(np.concatenate([record.before, record.after]))
    return tuple(int(r) for r in reps if r >= 0)


def suggestions(url: str, scenario_id: int) -> tuple[int, list[Suggestion]]:
    """The scenario's version and up to five repairs of the balance its last move broke."""
    with timed(logger, "suggestions computed", scenario=scenario_id) as extra:
        record, _, plan = editing.load_with_record(url, scenario_id)
        extra["dataset"] = record.dataset_id
        found = suggest(plan, focus=last_move_reps(url, scenario_id))
        extra["found"] = len(found)
    return record.version, found


def apply_suggestion(
    url: str, scenario_id: int, version: int, cells: list[int], receiver_id: str
) -> editing.Edited:
    """Give ``cells`` to ``receiver_id`` as one ordinary move (locked cells stay put)."""
    selection = Selection(Tool.MOVE, CELL_LEVEL, np.asarray(cells, np.int64), receiver_id)
    return editing.edit(url, scenario_id, version, selection)
