"""The Auto-balance outcome states the gap when a bound was proven (issue 13 point 7)."""

from __future__ import annotations

from dataclasses import replace

from callbacks.balance_tab import optimality_lines
from planning.optimizer import Settings, balance
from planning.optimizer.synthetic import seeded_instance


def test_gap_line_only_with_a_bound():
    instance = seeded_instance(20, 3, seed=1, locked_share=0.1)
    settings = Settings(tolerance=0.05, cost_weight=1.0, disruption_weight=0.0,
                        compactness_weight=0.0, time_limit=20)  # fmt: skip
    exact = balance(instance, replace(settings, exact=True))
    assert optimality_lines(exact) == [
        f"Objective {exact.objective.secondary:.4g}: proven optimal."
    ]
    unbounded = replace(exact, bound=None, gap=None)
    assert optimality_lines(unbounded) == []
    loose = replace(exact, bound=exact.objective.secondary * 0.9, gap=0.1, optimal=False)
    assert optimality_lines(loose)[0].endswith("within 10.00% of the best possible (bound "
                                               f"{exact.objective.secondary * 0.9:.6g}).")  # fmt: skip


def test_minimize_choice_sets_the_weights_and_turns_improvement_on():
    from callbacks.balance_tab import balance_settings

    travel = balance_settings("rebalance", ["workload"], 5, None, 0.5, 60, 0, "travel")
    assert (travel.cost_weight, travel.disruption_weight, travel.compactness_weight) == (
        1.0, 0.0, 0.5)  # fmt: skip
    compact = balance_settings("rebalance", ["workload"], 5, None, 0.5, 60, 0, "compactness")
    assert (compact.cost_weight, compact.disruption_weight, compact.compactness_weight) == (
        0.0, 0.0, 1.0)  # fmt: skip
    moved = balance_settings("rebalance", ["workload"], 5, None, 2, 60, 0, "disruption")
    assert (moved.cost_weight, moved.disruption_weight, moved.compactness_weight) == (0.0, 1.0, 2.0)
    assert travel.improve and compact.improve and moved.improve
    before = balance_settings("rebalance", ["workload"], 5, None, 2, 60, 0)
    assert not before.improve and before.disruption_weight == 1.0 and before.cost_weight == 0.0


def test_progress_names_the_objective_and_bound_when_known():
    from callbacks.balance_tab import progress_objective

    assert progress_objective({"phase": "balance"}) == ""
    assert (
        progress_objective({"objective": 0.61234, "bound": 0.6}) == ", objective 0.6123, bound 0.6"
    )
