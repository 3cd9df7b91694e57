"""Last quarter's plan from the accounts' owners, and plans across resolutions."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import pandas as pd

import h3.api.numpy_int as h3i

from planning.market import UNASSIGNED, Market
from planning.plan import Plan


@dataclass(frozen=True)
class OwnerChanges:
    """Accounts (and their money) whose owner a derived plan changed."""

    accounts: int
    tam: float
    revenue: float


def baseline_plan(market: Market) -> tuple[Plan, OwnerChanges]:
    """Each cell goes to the rep owning most of its visit hours; report who that overrides.

    Ties go to the lower rep position (reps are in natural rep_id order).
    Empty cells go to the owner of the nearest owned cell (breadth-first over
    the tiling, lower rep first on ties) so territories are areas, not dots;
    that moves no account. Accounts whose cell goes to another rep are
    counted, not silently reassigned: they are the plan's disruption.
    """
    # issue 18: from the (cell, last owner) table, the unpinned owned accounts' sums, which a
    # market built from per-cell totals holds too (the same sums as per account)
    cells, reps = np.divmod(market.stay_key, market.n_reps + 1)
    reps = reps - 1
    hours = np.zeros((market.n_cells, market.n_reps), np.int64)
    count = np.zeros((market.n_cells, market.n_reps), np.int64)
    np.add.at(hours, (cells, reps), market.stay_visit_s)
    np.add.at(count, (cells, reps), market.stay_accounts)
    owner = _majority(hours, count)
    empty = market.cell_accounts == 0
    owner[empty] = UNASSIGNED
    owner = fill_empty(market, owner, empty)
    plan = Plan.from_owner(market, owner)
    return plan, changes_of(plan)


def changes_of(plan: Plan) -> OwnerChanges:
    """Accounts, TAM and revenue that leave last quarter's owner under ``plan``."""
    t = plan.tally
    return OwnerChanges(t.moved_accounts, t.moved_tam / 100.0, t.moved_revenue / 100.0)


def fill_empty(market: Market, owner: np.ndarray, fillable: np.ndarray) -> np.ndarray:
    """Give unassigned ``fillable`` cells to the nearest owned neighbour, breadth first."""
    owner = owner.copy()
    nb = market.area.neighbours
    frontier = deque(
        int(c) for c in np.flatnonzero(owner >= 0)[np.argsort(owner[owner >= 0], kind="stable")]
    )
    while frontier:
        c = frontier.popleft()
        for n in nb[c]:
            if n >= 0 and owner[n] == UNASSIGNED and fillable[n]:
                owner[n] = owner[c]
                frontier.append(int(n))
    return owner


def convert_plan(plan: Plan, target: Market) -> tuple[Plan, OwnerChanges]:
    """Carry a plan to a market at another resolution (same accounts and reps).

    Finer cells inherit their parent's owner exactly. A coarser cell goes to
    the rep that held most of its workload (then most of its cells; ties to
    the lower rep). Returns the accounts whose owner the conversion changed.

    Both markets hold the same accounts, except those outside the planning area at one
    resolution only (a coastal account near the limit, ``planning.market.SNAP_KM``): those are
    matched by ``account_id`` and count as changed (planned on one side only).
    """
    src = plan.market
    outside = src.outside_accounts + target.outside_accounts
    if target.n_reps != src.n_reps or (
        not outside and len(target.account_cell) != len(src.account_cell)
    ):
        raise ValueError("convert_plan needs the same accounts and reps on both markets")
    res_from, res_to = src.area.resolution, target.area.resolution
    owner = np.full(target.n_cells, UNASSIGNED, np.int64)
    if res_to >= res_from:
        parents = np.array(
            [h3i.cell_to_parent(int(c), res_from) for c in target.area.cells], np.uint64
        )
        pos = src.area.positions(parents)
        owner[pos >= 0] = plan.owner[pos[pos >= 0]]
    else:
        parents = np.array([h3i.cell_to_parent(int(c), res_to) for c in src.area.cells], np.uint64)
        tpos = target.area.positions(parents)
        own = plan.owner
        ok = (tpos >= 0) & (own >= 0)
        cells = np.flatnonzero(ok)
        work = src.cell_visit_s[cells] + src.travel_s[cells, own[cells]]
        by_work = np.zeros((target.n_cells, src.n_reps), np.int64)
        by_count = np.zeros((target.n_cells, src.n_reps), np.int64)
        np.add.at(by_work, (tpos[cells], own[cells]), work)
        np.add.at(by_count, (tpos[cells], own[cells]), 1)
        owner = _majority(by_work, by_count)
    owner = fill_empty(target, owner, target.cell_accounts == 0)
    converted = Plan.from_owner(target, owner)
    before = plan.account_owner()
    after = converted.account_owner()
    accounts = src.accounts
    if not outside:
        diff = before != after
        return converted, OwnerChanges(
            int(diff.sum()),
            float(accounts["tam"].to_numpy()[diff].sum()),
            float(accounts["revenue"].to_numpy()[diff].sum()),
        )
    # issue 11 point 3: match by id; planned on one side only counts as changed
    at = pd.Index(target.accounts["account_id"].astype(str)).get_indexer(
        accounts["account_id"].astype(str)
    )
    diff = (at < 0) | (before != after[np.maximum(at, 0)])
    gained = np.ones(len(target.accounts), bool)
    gained[at[at >= 0]] = False
    new = target.accounts
    return converted, OwnerChanges(
        int(diff.sum()) + int(gained.sum()),
        float(accounts["tam"].to_numpy()[diff].sum() + new["tam"].to_numpy()[gained].sum()),
        float(accounts["revenue"].to_numpy()[diff].sum() + new["revenue"].to_numpy()[gained].sum()),
    )


def _majority(primary: np.ndarray, secondary: np.ndarray) -> np.ndarray:
    """Per row, the column with most ``primary``, ties to the lower column.

    Rows where ``primary`` is all zero fall back to most ``secondary`` (a cell
    of zero-hour accounts still has owners); rows with neither stay unassigned.
    """
    by_primary = primary.argmax(axis=1)
    by_secondary = secondary.argmax(axis=1)
    has_primary = primary.max(axis=1, initial=0) > 0
    has_secondary = secondary.max(axis=1, initial=0) > 0
    return np.where(has_primary, by_primary, np.where(has_secondary, by_secondary, UNASSIGNED))
