"""Auto-balance on the H3 planning area: a plan in, a balanced plan out.

The optimizer (``planning.optimizer``) works on a generic instance; this
module is the one place that turns a market and plan into such an instance
(cells as units, travel as the per-rep cost that counts toward workload,
H3 edges as adjacency, pinned accounts as fixed per-rep amounts) and the
optimizer's assignment back into a plan.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from planning.market import SECONDS_PER_HOUR
from planning.optimizer import BalanceResult, Instance, Settings, adjacency_from_edges, balance
from planning.plan import Plan

MEASURES = ("workload", "tam")


def plan_instance(plan: Plan) -> Instance:
    """The optimizer's view of a plan: per cell visit hours and TAM, per (cell, rep) travel hours.

    Disruption weight is the number of accounts in a cell (plus a hair, so that
    empty cells still prefer to stay put): moving a cell moves its accounts.
    """
    m = plan.market
    nb = m.area.neighbours
    rows = np.repeat(np.arange(m.n_cells), nb.shape[1])
    cols = nb.ravel()
    keep = cols > rows  # each edge once; the instance makes it symmetric
    measures = np.column_stack([m.cell_visit_s / SECONDS_PER_HOUR, m.cell_tam / 100.0])
    fixed = np.column_stack([
        (m.pinned_visit_s + m.pinned_travel_s) / SECONDS_PER_HOUR, m.pinned_tam / 100.0,
    ])  # fmt: skip
    return Instance(
        measures=measures,
        measure_names=MEASURES,
        cost=m.travel_s / SECONDS_PER_HOUR,
        adjacency=adjacency_from_edges(rows[keep], cols[keep], m.n_cells),
        cost_counts_toward="workload",
        capacity=m.capacity_s / SECONDS_PER_HOUR,
        current=np.asarray(plan.owner),
        locked=np.asarray(plan.locked),
        fixed=fixed,
        disruption_weight=m.cell_accounts + 0.01,
        rep_ids=m.rep_ids,
    )


def balance_plan(
    plan: Plan,
    settings: Settings | None = None,
    *,
    rng: np.random.Generator | int | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[dict], None] | None = None,
) -> tuple[Plan, BalanceResult]:
    """Run the optimizer on ``plan`` and return the proposal as a new plan (the old one stays)."""
    result = balance(
        plan_instance(plan), settings, rng=rng, should_stop=should_stop, progress=progress
    )
    return Plan.from_owner(plan.market, result.assignment, plan.locked), result
