"""Lower bounds for the balance benchmark (issue 13 point 4): accounts moved and travel.

Both come from one linear programme over the large case: every free cell is
shared (fractionally) among the reps, every rep's workload (visit hours plus its
travel to the cells it holds, plus pinned work) stays within ``tolerance`` of its
capacity share of the team total, which itself moves with travel. Its optimum
bounds from below every plan within tolerance, because every such plan is a
feasible point of it: contiguity and integrality are relaxed (a plan that keeps
territories in one piece can only do worse), locked cells stay put.

The LP is solved on a restricted set of reps per cell (the current owner, the
reps that owned some of its accounts last quarter and the ``NEAREST`` nearest by
travel) with HiGHS; the bound printed is not that restricted optimum but the
Lagrangian bound of the FULL problem (every rep for every cell) at the restricted
problem's duals: valid whatever the restriction, and equal to the LP optimum
when no left-out rep prices in (columns that do are added and the LP solved
again, ``ROUNDS`` times at most).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from planning.optimizer.instance import Instance

NEAREST = 8
"""Reps per cell, by travel, in the first restricted LP."""

ROUNDS = 6
"""Most LP solves while left-out reps price in (column generation)."""

SLACK = 1e-6
"""The band is widened by this (relative) so rounding in the metrics cannot cut a plan off."""


@dataclass(frozen=True)
class LpBound:
    """A lower bound and how it was reached."""

    bound: float  # valid lower bound of the objective over plans within tolerance
    restricted: float  # optimum of the last restricted LP (>= bound)
    rounds: int  # LP solves
    columns: int  # (cell, rep) columns in the last LP


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
    rows = np.arange(instance.n_units)
    load = np.repeat(instance.measures[:, k][:, None], n_reps, axis=1)
    if instance.cost_measure == k:
        load = load + instance.cost
    fixed = instance.fixed[:, k].astype(float).copy()
    constant = 0.0
    locked = instance.locked & (instance.current >= 0)
    np.add.at(fixed, instance.current[locked], load[locked, instance.current[locked]])
    constant += float(objective[locked, instance.current[locked]].sum())
    free = np.flatnonzero(~locked)
    a_free, o_free = load[free], objective[free]

    # first columns: current owner, the cheapest reps by objective, the nearest by travel
    allowed = np.zeros((len(free), n_reps), dtype=bool)
    current = instance.current[free]
    has = current >= 0
    allowed[np.flatnonzero(has), current[has]] = True
    allowed[o_free < o_free.min(axis=1, keepdims=True) + 1e-12] = True
    near = np.argsort(instance.cost[free], axis=1, kind="stable")[:, :nearest]
    allowed[np.repeat(np.arange(len(free)), near.shape[1]), near.ravel()] = True

    f_total = float(fixed.sum())
    best = (-np.inf, np.inf)
    rounds = 0
    for rounds in range(1, ROUNDS + 1):  # noqa: B007 - rounds is reported
        cu, cr = np.nonzero(allowed)
        n_x = len(cu)
        # variables: x (n_x), T (1)
        cost = np.concatenate([o_free[cu, cr], [0.0]])
        coef = a_free[cu, cr]
        eq_rows = np.concatenate([cu, np.full(n_x, len(free)), [len(free)]])
        eq_cols = np.concatenate([np.arange(n_x), np.arange(n_x), [n_x]])
        eq_vals = np.concatenate([np.ones(n_x), -coef, [1.0]])
        a_eq = sparse.csr_matrix((eq_vals, (eq_rows, eq_cols)), shape=(len(free) + 1, n_x + 1))
        b_eq = np.concatenate([np.ones(len(free)), [f_total]])
        ub_rows = np.concatenate([cr, n_reps + cr, np.arange(n_reps), n_reps + np.arange(n_reps)])
        ub_cols = np.concatenate([np.arange(n_x), np.arange(n_x), np.full(2 * n_reps, n_x)])
        ub_vals = np.concatenate(
            [coef, -coef, -(1 + tol) * share, (1 - tol) * share]
        )
        a_ub = sparse.csr_matrix((ub_vals, (ub_rows, ub_cols)), shape=(2 * n_reps, n_x + 1))
        b_ub = np.concatenate([-fixed, fixed])
        bounds = np.zeros((n_x + 1, 2))
        bounds[:, 1] = np.inf
        bounds[n_x] = (0.0, np.inf)
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                      method="highs")  # fmt: skip
        if res.status != 0:
            raise RuntimeError(f"band LP: {res.message}")
        upper = np.maximum(-res.ineqlin.marginals[:n_reps], 0.0)
        lower = np.maximum(-res.ineqlin.marginals[n_reps:], 0.0)
        nu = float((1 - tol) * (lower * share).sum() - (1 + tol) * (upper * share).sum())
        price = upper - lower + nu  # per unit of load on each rep
        reduced = o_free + price[None, :] * a_free
        lagrangian = (
            float(reduced.min(axis=1).sum()) + float(((upper - lower) * fixed).sum())
            + nu * f_total + constant
        )  # fmt: skip
        best = (max(best[0], lagrangian), float(res.fun) + constant)
        # left-out reps that price below every allowed one join the next LP
        allowed_min = np.where(allowed, reduced, np.inf).min(axis=1)
        better = (reduced < allowed_min[:, None] - 1e-9) & ~allowed
        if not better.any() or best[1] - best[0] <= 1e-9 * max(abs(best[1]), 1.0):
            break
        allowed |= better
    return LpBound(best[0], best[1], rounds, int(allowed.sum()))


def moved_matrix(market, n_units: int) -> np.ndarray:
    """``(U, R)`` accounts of each cell that change owner if the cell goes to each rep."""
    n_reps = market.n_reps
    cells = np.repeat(np.arange(n_units), n_reps)
    reps = np.tile(np.arange(n_reps), n_units)
    stay = market.stay(cells, reps)[0].reshape(n_units, n_reps)
    return market.cell_owned_accounts[:, None].astype(float) - stay
