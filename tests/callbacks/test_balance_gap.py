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
