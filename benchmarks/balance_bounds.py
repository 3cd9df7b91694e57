"""Lower bounds for the balance benchmark (issue 13 point 4): accounts moved and travel.

Both come from one linear programme over a case: every free cell is shared
(fractionally) among the reps, every rep's workload (visit hours plus its travel
to the cells it holds, plus pinned work) stays within ``tolerance`` of its
capacity share of the team total, which itself moves with travel. Its optimum
bounds from below every plan within tolerance, because every such plan is a
feasible point of it: contiguity and integrality are relaxed (a plan that keeps
territories in one piece can only do worse), locked cells stay put.

Solving it whole (52,088 cells x 50 reps) takes HiGHS about nine minutes here,
too long for the benchmark. So a smaller LP is solved on groups of cells (same
last owner, same nearest other rep, similar workload per unit of objective),
each group's cells moving together, on the group's ``NEAREST`` nearest reps
(and every rep that prices in, ``ROUNDS`` solves at most). The bound printed
is not that LP's optimum (a restriction: it may lie above the true one) but
the Lagrangian bound of the FULL cell-level problem (every rep for every cell)
at its duals: valid whatever the grouping, and tight when the duals are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from planning.optimizer.instance import Instance

NEAREST = 10
"""Reps per group, by travel, in the first restricted LP."""

ROUNDS = 8
"""Most LP solves while left-out reps price in (column generation)."""

RATIO_BINS = 24
"""Groups per (last owner, nearest other rep) by workload per unit of objective."""

PENALTY = 100.0
"""Price of a unit of load outside the band in the restricted LP, over (largest objective
coefficient / median cell load): a restriction too tight to be feasible still gives duals."""

SLACK = 1e-6
"""The band is widened by this (relative) so rounding in the metrics cannot cut a plan off."""


@dataclass(frozen=True)
class LpBound:
    """A lower bound and how it was reached."""

    bound: float  # valid lower bound of the objective over plans within tolerance
    restricted: float  # optimum of the last grouped LP (inf if it needed slack)
    rounds: int  # LP solves
    groups: int  # groups of cells in the LP


def band_lp_bound(
    instance: Instance,
    objective: np.ndarray,
    tolerance: float,
    measure: str = "workload",
    nearest: int = NEAREST,
) -> LpBound:
    """Least ``sum objective[c, owner[c]]`` over fractional plans with every rep within band.

    ``objective`` is ``(U, R)``; a locked cell counts at its current owner.
    The band is on ``measure`` (travel added where the instance counts cost
    toward it), targets are the capacity shares of the team total.
    """
    k = instance.measure_index(measure)
    n_reps = instance.n_reps
    share = instance.share
    tol = tolerance + SLACK
    load = np.repeat(instance.measures[:, k][:, None], n_reps, axis=1)
    if instance.cost_measure == k:
        load = load + instance.cost
    fixed = instance.fixed[:, k].astype(float).copy()
    locked = instance.locked & (instance.current >= 0)
    np.add.at(fixed, instance.current[locked], load[locked, instance.current[locked]])
    constant = float(objective[locked, instance.current[locked]].sum())
    free = np.flatnonzero(~locked)
    a_free, o_free = load[free], np.asarray(objective, dtype=float)[free]
    f_total = float(fixed.sum())

    group = _groups(instance, free, a_free, o_free)
    n_groups = int(group.max()) + 1 if len(group) else 0
    a_group = np.zeros((n_groups, n_reps))
    o_group = np.zeros((n_groups, n_reps))
    np.add.at(a_group, group, a_free)
    np.add.at(o_group, group, o_free)
    cost_group = np.zeros((n_groups, n_reps))
    np.add.at(cost_group, group, instance.cost[free])

    allowed = np.zeros((n_groups, n_reps), dtype=bool)
    current = np.zeros(n_groups, dtype=np.int64)
    current[group] = np.maximum(instance.current[free], 0)
    allowed[np.arange(n_groups), current] = True
    allowed[o_group <= o_group.min(axis=1, keepdims=True) + 1e-12] = True
    near = np.argsort(cost_group, axis=1, kind="stable")[:, :nearest]
    allowed[np.repeat(np.arange(n_groups), near.shape[1]), near.ravel()] = True

    positive = a_free[a_free > 0]
    scale = float(np.median(positive)) if len(positive) else 1.0
    penalty = PENALTY * float(np.abs(o_free).max() or 1.0) / scale
    best_bound, restricted, rounds = -np.inf, np.inf, 0
    for rounds in range(1, ROUNDS + 1):  # noqa: B007 - rounds is reported
        upper, lower, value = _solve(a_group, o_group, allowed, fixed, share, tol, penalty)
        nu = float((1 - tol) * (lower * share).sum() - (1 + tol) * (upper * share).sum())
        price = upper - lower + nu  # per hour of load on each rep
        # the Lagrangian of the full cell-level problem at these multipliers: a valid bound
        full = o_free + price[None, :] * a_free
        lagrangian = (
            float(full.min(axis=1).sum()) + float(((upper - lower) * fixed).sum())
            + nu * f_total + constant
        )  # fmt: skip
        best_bound, restricted = max(best_bound, lagrangian), value + constant
        reduced = o_group + price[None, :] * a_group
        allowed_min = np.where(allowed, reduced, np.inf).min(axis=1)
        better = (reduced < allowed_min[:, None] - 1e-9) & ~allowed
        if not better.any():
            break
        allowed |= better
    return LpBound(best_bound, restricted, rounds, n_groups)


def _groups(instance: Instance, free: np.ndarray, a_free, o_free) -> np.ndarray:
    """Group label of each free cell: last owner, nearest other rep, bin of load per objective."""
    cost = instance.cost[free].copy()
    current = np.maximum(instance.current[free], 0)
    cost[np.arange(len(free)), current] = np.inf
    other = np.argmin(cost, axis=1)
    here = a_free[np.arange(len(free)), current]
    spread = o_free.max(axis=1) - o_free.min(axis=1)
    ratio = np.log1p(here) - np.log1p(spread)
    edges = np.quantile(ratio, np.linspace(0, 1, RATIO_BINS + 1)[1:-1]) if len(free) else []
    bins = np.searchsorted(edges, ratio)
    key = (current * instance.n_reps + other) * RATIO_BINS + bins
    return np.unique(key, return_inverse=True)[1].ravel()


def _solve(a_group, o_group, allowed, fixed, share, tol, penalty):
    """The grouped LP on ``allowed`` columns: band duals ``(upper, lower)`` (>= 0) and its value."""
    n_groups, n_reps = a_group.shape
    cu, cr = np.nonzero(allowed)
    n_x = len(cu)
    # variables: x (n_x), the team total T (1), slack below and above each band (2R)
    cost = np.concatenate([o_group[cu, cr], [0.0], np.full(2 * n_reps, penalty)])
    coef = a_group[cu, cr]
    width = n_x + 1 + 2 * n_reps
    eq_rows = np.concatenate([cu, np.full(n_x, n_groups), [n_groups]])
    eq_cols = np.concatenate([np.arange(n_x), np.arange(n_x), [n_x]])
    eq_vals = np.concatenate([np.ones(n_x), -coef, [1.0]])
    a_eq = sparse.csr_matrix((eq_vals, (eq_rows, eq_cols)), shape=(n_groups + 1, width))
    b_eq = np.concatenate([np.ones(n_groups), [float(fixed.sum())]])
    band = np.arange(2 * n_reps)
    ub_rows = np.concatenate([cr, n_reps + cr, band, band])
    ub_cols = np.concatenate([np.arange(n_x), np.arange(n_x), np.full(2 * n_reps, n_x),
                              n_x + 1 + band])  # fmt: skip
    ub_vals = np.concatenate(
        [coef, -coef, -(1 + tol) * share, (1 - tol) * share, -np.ones(2 * n_reps)]
    )
    a_ub = sparse.csr_matrix((ub_vals, (ub_rows, ub_cols)), shape=(2 * n_reps, width))
    b_ub = np.concatenate([-fixed, fixed])
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None),
                  method="highs")  # fmt: skip
    if res.status != 0:
        raise RuntimeError(f"band LP: {res.message}")
    upper = np.maximum(-res.ineqlin.marginals[:n_reps], 0.0)
    lower = np.maximum(-res.ineqlin.marginals[n_reps:], 0.0)
    slack = float(res.x[n_x + 1 :].sum())
    return upper, lower, float(res.fun) if slack <= 1e-9 else np.inf


def moved_matrix(market, n_units: int) -> np.ndarray:
    """``(U, R)`` accounts of each cell that change owner if the cell goes to each rep."""
    n_reps = market.n_reps
    cells = np.repeat(np.arange(n_units), n_reps)
    reps = np.tile(np.arange(n_reps), n_units)
    stay = market.stay(cells, reps)[0].reshape(n_units, n_reps)
    return market.cell_owned_accounts[:, None].astype(float) - stay
