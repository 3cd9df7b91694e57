"""Minimise after feasibility: subproblems over touching territories only ever improve a balanced plan."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from planning.optimizer import Settings, balance
from planning.optimizer.constraints import excess_pieces, locks_kept
from planning.optimizer.lns import improve, touching_pairs
from planning.optimizer.synthetic import seeded_instance


def test_touching_pairs_follow_the_borders():
    instance = seeded_instance(30, 3, seed=2)
    owner = np.zeros(30, np.int64)
    owner[:10] = 1
    pairs = touching_pairs(instance, owner)
    assert set(pairs) <= {(0, 1)} and pairs  # rep 2 owns nothing; 0 and 1 touch somewhere


def test_improve_never_worsens_and_keeps_every_rule():
    instance = seeded_instance(60, 4, seed=5, locked_share=0.1)
    settings = Settings(tolerance=0.05, cost_weight=1.0, disruption_weight=0.0,
                        compactness_weight=0.0, time_limit=20, seed=0)  # fmt: skip
    plain = balance(instance, settings)
    assert plain.within_tolerance
    owner, improved = improve(instance, settings, plain.assignment, deadline=None,
                              rng=np.random.default_rng(0))  # fmt: skip
    better = balance(instance, replace(settings, improve=True))
    for plan in (owner, better.assignment):
        assert excess_pieces(instance, plan) == 0 and locks_kept(instance, plan)
    assert better.within_tolerance
    assert better.objective.secondary <= plain.objective.secondary + 1e-12
    assert better.bound is not None and better.bound <= better.objective.secondary
    if improved:
        assert any("touching territories" in m for m in better.messages)


def test_improvement_reports_progress_with_elapsed_time_and_objective():
    instance = seeded_instance(60, 4, seed=5, locked_share=0.1)
    settings = Settings(tolerance=0.05, cost_weight=1.0, disruption_weight=0.0,
                        compactness_weight=0.0, time_limit=20, seed=0, improve=True)  # fmt: skip
    seen: list[dict] = []
    result = balance(instance, settings, progress=seen.append)
    improving = [s for s in seen if s.get("phase") == "improve"]
    assert improving  # this seed's search plan is improved 4 times
    for state in improving:
        assert state["elapsed"] >= 0 and state["objective"] > 0 and "worst_deviation" in state
    assert improving[-1]["objective"] == result.objective.secondary
