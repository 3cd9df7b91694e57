"""Auto-balance on the H3 planning area: a plan in, a balanced plan out.

The optimizer (``planning.optimizer``) works on a generic instance; this
module is the one place that turns a market and plan into such an instance
(cells as units, travel as the per-rep cost that counts toward workload,
H3 edges as adjacency, pinned accounts as fixed per-rep amounts) and the
optimizer's assignment back into a plan.

"Max accounts moved %" (``Settings.disruption_cap`` as the user gives it) is a share of
accounts whose owner differs from last quarter's, as the metrics count it
(``planning.disruption``). The optimizer counts disruption weight per cell against the plan
it starts from; ``balance_plan`` turns the user's cap into the optimizer's
(``planning.disruption.optimizer_cap``) so that the proposal's metric stays within it, and
reports the metric's figure in ``BalanceResult.disruption``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from planning import disruption
from planning.market import SECONDS_PER_HOUR
from planning.metrics import rep_metrics
from planning.optimizer import BalanceResult, Instance, Settings, adjacency_from_edges, balance
from planning.optimizer.result import shape_statements
from planning.plan import Plan

MEASURES = ("workload", "tam")
EMPTY_WEIGHT = 0.01
"""Disruption weight every cell carries on top of its accounts (an empty cell prefers to stay)."""


def plan_instance(plan: Plan, experience_weight: float = 0.0) -> Instance:
    """The optimizer's view of a plan: per cell visit hours and TAM, per (cell, rep) travel hours.

    ``experience_weight`` above 0 makes new reps on contested ground cost something
    (``planning.matching.experience_preference``, issue 15); at 0 the instance is as before.
    Disruption weight is the number of the cell's accounts that are with their last
    quarter's owner under this plan (``planning.disruption.staying_accounts``: handing the
    cell on moves at most these), plus a hair, so that empty cells still prefer to stay put.
    """
    # here, not at the top: planning.matching -> market_share -> hierarchy imports this module
    from planning.matching import experience_preference

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
        disruption_weight=disruption.staying_accounts(m, plan.owner) + EMPTY_WEIGHT,
        rep_ids=m.rep_ids,
        preference=experience_preference(plan, experience_weight),  # issue 15
    )


def balance_plan(
    plan: Plan,
    settings: Settings | None = None,
    *,
    rng: np.random.Generator | int | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[dict], None] | None = None,
    experience_weight: float = 0.0,
) -> tuple[Plan, BalanceResult]:
    """Run the optimizer on ``plan`` and return the proposal as a new plan (the old one stays).

    ``settings.disruption_cap`` is the share of accounts that may end with another owner than
    last quarter's; ``result.disruption`` is that share for the proposal (the metrics' figure).
    ``experience_weight`` (issue 15) prefers experienced reps on contested ground.
    """
    settings = settings or Settings()
    instance = plan_instance(plan, experience_weight)
    asked = settings.disruption_cap if settings.mode == "rebalance" else None
    inner, already = settings, 0
    if asked is not None:
        cap, already = disruption.optimizer_cap(
            plan.market, plan.owner, asked, instance.disruption_weight
        )
        inner = replace(settings, disruption_cap=cap)
    result = balance(instance, inner, rng=rng, should_stop=should_stop, progress=progress)
    proposal = Plan.from_owner(plan.market, result.assignment, plan.locked)
    result = _table_compactness(instance, inner, result, proposal)
    result = _in_accounts(result, proposal, asked, already)
    if settings.mode == "design" and settings.disruption_cap is not None:
        # issue 13 point 3 (h13b): say that the cap does not bind a design from scratch
        note = (
            f"design draws territories from scratch: the cap on accounts moved "
            f"({settings.disruption_cap:.0%}) does not apply; {result.disruption:.1%} of "
            "accounts change owner against last quarter"
        )
        result = replace(result, messages=(*result.messages, note))
    return proposal, result


def _table_compactness(
    instance: Instance, settings: Settings, result: BalanceResult, proposal: Plan
) -> BalanceResult:
    """The shape sentences with the rep table's Polsby-Popper, so the two agree (issue 13).

    The optimizer judges shapes on its cell graph (within 0.003 of the table's
    figure on the demo); the table measures the cells' true outlines. The
    sentences are written again from the table's figure, in the same place.
    """
    if not (settings.contiguity and settings.shape_rules):
        return result
    worst = None if result.within_tolerance else abs(result.worst_deviation)
    graph = shape_statements(instance, result.assignment, worst)
    table_pp = rep_metrics(proposal)["polsby_popper"].to_numpy(dtype=float)
    table = shape_statements(instance, result.assignment, worst, pp=table_pp)
    if table == graph:
        return result
    messages = list(result.messages)
    at = next((i for i, m in enumerate(messages) if m in graph), len(messages))
    kept = [m for m in messages if m not in graph]
    at = min(at, len(kept))
    return replace(result, messages=(*kept[:at], *table, *kept[at:]))


def _in_accounts(
    result: BalanceResult, proposal: Plan, cap: float | None, already: int
) -> BalanceResult:
    """The result with its disruption as the metrics count it, and the cap said in accounts."""
    share = disruption.moved_share(proposal.market, proposal.owner)
    # the optimizer's own cap sentence (planning/optimizer/result.py) speaks of its weight share
    messages = [m for m in result.messages if "of disruption weight moved" not in m]
    if cap is not None and share > cap + 1e-12:
        total = disruption.planned_accounts(proposal.market)
        messages.append(
            f"{share:.1%} of accounts change owner against last quarter, above the cap of "
            f"{cap:.1%}: the plan balanced moves {already:,} of {total:,} accounts already, "
            "and auto-balance never adds to a cap it cannot meet"
            if already > cap * total
            else f"{share:.1%} of accounts change owner against last quarter, above the cap of "
            f"{cap:.1%}"
        )
    return replace(result, disruption=share, messages=tuple(messages))
