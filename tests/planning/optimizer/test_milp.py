"""The MILP (HiGHS) against the brute force of test_exact on tiny worlds, and ``exact=True``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from planning.optimizer import Settings, balance
from planning.optimizer.constraints import excess_pieces, locks_kept
from planning.optimizer.milp import relative_gap, solve_milp
from planning.optimizer.synthetic import grid_instance, seeded_instance
from tests.planning.optimizer.test_exact import CASES, brute_force

# test_exact's worlds at a tolerance some plan meets (the MILP's bands are hard constraints).
TOLERANCE = {
    "rebalance 2x3, three reps": 0.3,
    "design line, two measures": 0.4,
    "locked unit, travel, capacity": 0.2,
    "disruption cap, weighted units": 0.1,
    "tolerance nobody can meet": 0.2,
    "pinned amounts, no contiguity": 0.4,
}


@pytest.mark.parametrize("method", ["cuts", "flow", "anchored"])
@pytest.mark.parametrize("name", list(TOLERANCE))
def test_milp_proves_the_brute_force_optimum(name, method):
    inst, settings = CASES[name]
    settings = replace(settings, tolerance=TOLERANCE[name])
    (imbalance, secondary), _ = brute_force(inst, settings)
    assert imbalance == 0  # these worlds have a plan inside tolerance
    solved = solve_milp(inst, settings, time_limit=30, method=method)
    assert solved.status == "optimal" and solved.proven
    assert solved.objective == pytest.approx(secondary, abs=1e-9)
    assert solved.bound == pytest.approx(secondary, abs=1e-6)
    again = balance(inst, replace(settings, exact=False))  # heuristic alone, for the rules
    for owner in (solved.owner, again.assignment):
        assert locks_kept(inst, owner)
    assert excess_pieces(inst, solved.owner) == 0 or not settings.contiguity


def test_milp_says_infeasible_when_no_plan_is_inside_tolerance():
    inst, settings = CASES["tolerance nobody can meet"]
    solved = solve_milp(inst, settings, time_limit=30)
    assert solved.status == "infeasible" and solved.owner is None and not solved.proven


def test_gap_is_relative_and_zero_only_when_closed():
    assert relative_gap(2.0, 1.5) == pytest.approx(0.25)
    assert relative_gap(1.0, 1.0) == 0.0
    assert relative_gap(1.0, None) is None


@pytest.mark.parametrize("minimize", ["cost", "disruption"])
def test_exact_always_is_never_worse_than_the_heuristic(minimize):
    """``exact=True`` beyond exhaustive reach: local search, then the MILP; the better is kept."""
    inst = grid_instance(5, 6, 3, seed=1)
    weights = {"cost_weight": 1.0, "disruption_weight": 0.0, "compactness_weight": 0.0}
    if minimize == "disruption":
        weights = {"cost_weight": 0.0, "disruption_weight": 1.0, "compactness_weight": 0.0}
    settings = Settings(tolerance=0.05, time_limit=30, seed=0, **weights)
    heuristic = balance(inst, replace(settings, exact=False))
    exact = balance(inst, replace(settings, exact=True))
    assert exact.within_tolerance and exact.contiguous.all()
    assert exact.objective.secondary <= heuristic.objective.secondary + 1e-12
    assert exact.optimal and exact.gap == 0.0 and exact.status == "proven optimal"
    assert exact.bound == pytest.approx(exact.objective.secondary)
    # hand-checked optimum: 2 of 30 units move (disruption) / cost share 0.5197 (cost)
    if minimize == "disruption":
        assert exact.units_moved == 2
    assert np.isfinite(exact.bound)


def test_distance_to_centre_alone_gives_the_least_cost_plan():
    """The compactness proxy sums each unit's distance to its rep's home: least cost, here."""
    instance = seeded_instance(20, 3, seed=0, locked_share=0.1)
    plain = Settings(tolerance=0.05, cost_weight=0.0, disruption_weight=0.0,
                     compactness_weight=0.0, time_limit=20)  # fmt: skip
    by_centre = solve_milp(instance, plain, centre_weight=1.0)
    by_cost = solve_milp(instance, replace(plain, cost_weight=1.0))
    assert by_centre.proven and by_cost.proven
    least = instance.cost.min(axis=1).sum()
    cost = instance.cost[np.arange(20), by_centre.owner].sum()
    assert cost == pytest.approx(instance.cost[np.arange(20), by_cost.owner].sum())
    assert by_centre.objective == pytest.approx(cost / least)


def test_exact_always_beyond_the_milp_size_says_so(monkeypatch):
    import planning.optimizer.search as search

    monkeypatch.setattr(search, "MILP_MAX_PAIRS", 10)
    inst = grid_instance(5, 6, 3, seed=1)
    result = balance(inst, Settings(tolerance=0.05, time_limit=10, seed=0, exact=True))
    assert result.within_tolerance and result.bound is None and not result.optimal
    assert any("more than the MILP takes here (10)" in m for m in result.messages)
