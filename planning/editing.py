"""One edit of a plan, as a value: move, lock or unlock some cells, or step through the log.

Pure: ``services.editing`` reads the scenario from the store, calls these to
make the new plan, and writes it back. Keeping the arithmetic here lets the
tests check it without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from geo.lod import DisplayLevel
from planning.arrays import frozen
from planning.market import Market
from planning.plan import Plan, reassign, split_locked
from planning.tally import moved_tally


class Tool(StrEnum):
    """What a selection on the map does to its cells (the map's tool picker sends the value).

    >>> Tool("lock") is Tool.LOCK
    True
    """

    MOVE = "move"
    LOCK = "lock"
    UNLOCK = "unlock"


ACTIONS = tuple(t.value for t in Tool)


class Step(StrEnum):
    """A walk through the scenario's log: take the last move back, or do it again."""

    UNDO = "undo"
    REDO = "redo"


@dataclass(frozen=True, eq=False)
class Board:
    """What never changes for one dataset at one tiling: the market, its baseline, its LOD."""

    dataset_id: int
    market: Market
    baseline: Plan
    levels: list[DisplayLevel]


@dataclass(frozen=True, eq=False)
class Edit:
    """The outcome of one action: the new plan and version, and what it touched."""

    plan: Plan
    version: int
    changed: np.ndarray
    skipped_locked: int = 0


@dataclass(frozen=True, eq=False)
class Selection:
    """Drawn units the user picked on the map, and what to do with their cells.

    ``units`` are unit indices of display level ``level``; ``rep_id`` is the
    receiving rep of a move (None: unassign).
    """

    tool: Tool
    level: int
    units: np.ndarray
    rep_id: str | None = None


@dataclass(frozen=True, eq=False)
class Change:
    """A plan edited in memory, before it is saved: the new plan and the cells it wrote.

    ``touched`` are the cells the store logs for the step (for a move, the
    movable ones, changed or not); ``skipped_locked`` counts the locked cells a
    move left alone.
    """

    before: Plan
    after: Plan
    touched: np.ndarray
    skipped_locked: int = 0

    @property
    def changed(self) -> np.ndarray:
        """Cells whose owner or lock really differ (what the map repaints)."""
        return changed_cells(self.before, self.after)


def selected_cells(levels: list[DisplayLevel], selection: Selection) -> np.ndarray:
    """Cell positions under the selected units (a unit of a coarse level holds many cells)."""
    return levels[selection.level].cells_of(np.asarray(selection.units, dtype=np.int64))


def edited(plan: Plan, tool: Tool | str, cells: np.ndarray, rep: int | None) -> Change:
    """Move ``cells`` (positions) to ``rep`` (a position; None: unassign), or lock/unlock them.

    A move leaves locked cells where they are and says how many it skipped.
    """
    tool = Tool(tool)
    cells = np.unique(np.asarray(cells, dtype=np.int64))
    if tool is Tool.MOVE:
        movable, locked = split_locked(plan, cells)
        after = reassign(plan, movable, -1 if rep is None else rep)
        return Change(plan, after, movable, len(locked))
    flags = plan.locked.copy()
    flags[cells] = tool is Tool.LOCK
    return Change(plan, Plan(plan.market, plan.owner, frozen(flags), plan.tally), cells)


def stepped(plan: Plan, owner: np.ndarray, locked: np.ndarray) -> Change:
    """The plan with the owners and locks an undo or redo gives back, its tally updated."""
    moved = np.flatnonzero(owner != plan.owner)
    tally = moved_tally(plan.market, plan.tally, plan.owner, owner, moved)
    after = Plan(plan.market, frozen(owner), frozen(locked), tally)
    return Change(plan, after, changed_cells(plan, after))


def changed_cells(before: Plan, after: Plan) -> np.ndarray:
    """Cells whose owner or lock flag differ between two plans of one market."""
    return np.flatnonzero((after.owner != before.owner) | (after.locked != before.locked))
