"""Which drawn units an edit touched, and where they sit in the map's trace.

The map repaints only those units (feature-state on the drawn polygons), so
a move answers with a few numbers instead of a new figure. Pure arithmetic
on the display levels, tested without Dash.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo.lod import BBox, drawn_units
from planning.editing import Board
from planning.mapview import UnitFacts, unit_facts
from planning.plan import Plan


@dataclass(frozen=True, eq=False)
class Repaint:
    """The drawn units to repaint: their index in the drawn trace and their new facts."""

    positions: np.ndarray
    facts: UnitFacts


def touched_units(
    board: Board, level: int, snapped: BBox | None, changed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Units of ``level`` holding a changed cell that the view ``snapped`` draws, and their index.

    The index is the unit's place among the drawn units (the trace's
    locations are sorted unit ids); units outside the view are left out.
    """
    drawn = drawn_units(board.levels, level, snapped)
    touched = np.unique(board.levels[level].unit_of_cell[changed])
    pos = np.searchsorted(drawn, touched)
    pos = np.minimum(pos, max(len(drawn) - 1, 0))
    visible = (drawn[pos] == touched) if len(drawn) else np.zeros(len(touched), bool)
    return touched[visible], pos[visible]


def repaint(
    board: Board, plan: Plan, changed: np.ndarray, level: int, snapped: BBox | None
) -> Repaint:
    """What the map must repaint after ``changed`` cells took their state in ``plan``."""
    units, positions = touched_units(board, level, snapped, changed)
    facts = unit_facts(board.levels[level], plan, board.baseline.owner, units)
    return Repaint(positions, facts)
