"""Disruption, defined once: the share of accounts whose owner differs from last quarter's.

**The reference is last quarter, account by account**: each account's ``rep_id`` (its owner
last quarter, ``Market.account_rep``). An account *moves* when the rep that owns it under a
plan (the owner of its cell; a pinned account always stays with its rep) is not its
``rep_id``. An account with no ``rep_id`` never moves (getting a first owner breaks no
relationship); an owned account whose cell becomes unassigned does. The share is moved
accounts over all planned accounts (pinned and unowned ones included). TAM and revenue shares
are the same ratio in money.

Every figure that says "accounts moved" reads this module: the metrics (the panel's
"moved vs last quarter", ``disruption_accounts`` in ``cli.py metrics`` and the exports, kept
exact move by move in ``planning.tally``) and the auto-balance's "Max accounts moved %" cap
(``optimizer_cap``). Issue 12 point 5: the cap used to count cells against the plan being
balanced, weighting each by all its accounts, so ``--max-disruption 0.05`` could end at 5.29 %
in the metrics.
"""

from __future__ import annotations

import numpy as np

from planning.market import Market

__all__ = [
    "moved",
    "moved_share",
    "optimizer_cap",
    "planned_accounts",
    "share",
    "staying_accounts",
]


def moved(market: Market, owner: np.ndarray, cells: np.ndarray | None = None) -> np.ndarray:
    """Accounts, TAM (cents) and revenue (cents) in ``cells`` that leave their last owner.

    ``cells`` defaults to every cell. Pinned accounts are not in any cell's sums: they never
    move. Returns an int64 array ``[accounts, tam, revenue]``.
    """
    where = np.arange(market.n_cells) if cells is None else np.asarray(cells, np.int64)
    owners = np.asarray(owner, np.int64)[where]
    stay_n, stay_tam, stay_rev = market.stay(where, owners)
    return np.array([
        int((market.cell_owned_accounts[where] - stay_n).sum()),
        int((market.cell_owned_tam[where] - stay_tam).sum()),
        int((market.cell_owned_revenue[where] - stay_rev).sum()),
    ], dtype=np.int64)  # fmt: skip


def planned_accounts(market: Market) -> int:
    """Every account in the plan: in cells (owned or not) and pinned."""
    return int(market.cell_accounts.sum() + market.pinned_accounts.sum())


def share(part: float, whole: float) -> float:
    """``part / whole``, 0 when there is nothing (no accounts, no TAM)."""
    return float(part) / float(whole) if whole else 0.0


def moved_share(market: Market, owner: np.ndarray) -> float:
    """Share of accounts whose owner under ``owner`` differs from last quarter's."""
    return share(int(moved(market, owner)[0]), planned_accounts(market))


def staying_accounts(market: Market, owner: np.ndarray) -> np.ndarray:
    """(N,) accounts in each cell whose last owner is the cell's owner under ``owner``.

    Handing the cell to another rep moves at most these (fewer when that rep owned some of
    the cell's accounts last quarter): the optimizer's disruption weight of the cell.
    """
    cells = np.arange(market.n_cells)
    return np.asarray(market.stay(cells, np.asarray(owner, np.int64))[0], np.float64)


def optimizer_cap(
    market: Market, owner: np.ndarray, cap: float, weight: np.ndarray
) -> tuple[float, int]:
    """The optimizer's cap (a share of its disruption weight) that keeps ``moved_share <= cap``.

    The optimizer counts, per cell, the ``weight`` of the cells whose owner differs from
    ``owner`` (the plan it starts from). With ``weight >= staying_accounts(market, owner)``
    the accounts moved by any plan are at most ``moved(owner)`` plus the weight the optimizer
    counts, so a budget of ``cap x planned accounts - moved(owner)`` keeps the metric within
    ``cap``: never above it, sometimes below (a cell handed to a rep who owned some of its
    accounts last quarter counts them although they come back).

    Returns the cap as a share of the weight of cells with an owner (in [0, 1]) and the
    accounts the start plan moves already.
    """
    already = int(moved(market, owner)[0])
    if cap >= 1:
        return 1.0, already  # every account may move
    budget = cap * planned_accounts(market) - already
    total = float(np.asarray(weight, np.float64)[np.asarray(owner) >= 0].sum())
    if budget <= 0 or total <= 0:
        return (1.0 if total <= 0 < budget else 0.0), already
    return min(budget / total, 1.0), already
