"""A plan: who owns each cell of the planning area. A value; moves make new plans.

``owner[cell]`` holds a rep position or ``UNASSIGNED``; pinned accounts stay
with their rep whatever the owner of their cell (see ``planning.market``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from planning.market import UNASSIGNED, Market
from planning.tally import Tally, full_tally, moved_tally


@dataclass(frozen=True, eq=False)
class Plan:
    """Cell owners on a market, with their tally kept up to date."""

    market: Market
    owner: np.ndarray
    locked: np.ndarray
    tally: Tally = field(repr=False)

    @classmethod
    def from_owner(
        cls, market: Market, owner: np.ndarray, locked: np.ndarray | None = None
    ) -> Plan:
        """Build a plan and count it from scratch."""
        owner = np.asarray(owner, dtype=np.int64).copy()
        if owner.shape != (market.n_cells,):
            raise ValueError(
                f"owner has {owner.shape} entries, the area has {market.n_cells} cells"
            )
        if ((owner < UNASSIGNED) | (owner >= market.n_reps)).any():
            raise ValueError(f"owner values must be -1..{market.n_reps - 1}")
        locked = (
            np.zeros(market.n_cells, bool) if locked is None else np.asarray(locked, bool).copy()
        )
        owner.flags.writeable = False
        locked.flags.writeable = False
        return cls(market, owner, locked, full_tally(market, owner))

    def account_owner(self) -> np.ndarray:
        """Owner of every account: its cell's owner, or its rep when pinned."""
        m = self.market
        return np.where(m.account_pinned, m.account_rep, self.owner[m.account_cell])


def split_locked(plan: Plan, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cells (positions) that may move, and those a lock keeps where they are."""
    cells = np.unique(np.asarray(cells, dtype=np.int64))
    is_locked = plan.locked[cells]
    return cells[~is_locked], cells[is_locked]


def reassign(plan: Plan, cells: np.ndarray, rep: int) -> Plan:
    """Give ``cells`` (positions) to ``rep`` (a position, or ``UNASSIGNED``).

    Locked cells are skipped (callers report them via ``split_locked``). The
    metrics update touches only the cells that really change owner.
    """
    if not UNASSIGNED <= rep < plan.market.n_reps:
        raise ValueError(f"rep position {rep} is outside 0..{plan.market.n_reps - 1}")
    movable, _ = split_locked(plan, cells)
    changed = movable[plan.owner[movable] != rep]
    if len(changed) == 0:
        return plan
    owner = plan.owner.copy()
    owner[changed] = rep
    owner.flags.writeable = False
    tally = moved_tally(plan.market, plan.tally, plan.owner, owner, changed)
    return Plan(plan.market, owner, plan.locked, tally)


def set_locked(plan: Plan, cells: np.ndarray, locked: bool = True) -> Plan:
    """Lock (or unlock) cells so that moves leave them where they are."""
    flags = plan.locked.copy()
    flags[np.asarray(cells, dtype=np.int64)] = locked
    flags.flags.writeable = False
    return Plan(plan.market, plan.owner, flags, plan.tally)
