"""Scores on a four-unit line worked out by hand.

Units 0-1-2-3 in a row; workload 1, 2, 3, 4; TAM 10, 0, 0, 10. Rep 0 lives at
unit 0, rep 1 at unit 3, and travel costs one hour per step, added to the
workload of whoever owns the unit. Pinned accounts give rep 1 one fixed hour.
Today rep 0 owns 0-1-2 and rep 1 owns 3; the plan scored gives unit 2 to rep 1.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from planning.optimizer import Instance, Settings, grid_adjacency, score

PLAN = np.array([0, 0, 1, 1])


@pytest.fixture
def line() -> Instance:
    return Instance(
        measures=np.array([[1.0, 10], [2, 0], [3, 0], [4, 10]]),
        measure_names=("workload", "tam"),
        cost=np.array([[0.0, 3], [1, 2], [2, 1], [3, 0]]),
        adjacency=grid_adjacency(1, 4),
        cost_counts_toward="workload",
        current=[0, 0, 0, 1],
        fixed=[[0.0, 0], [1, 0]],
        capacity=[5.0, 5.0],
    )


def test_loads_add_travel_and_fixed_amounts(line):
    # rep 0: (1 + 0) + (2 + 1) = 4 hours; rep 1: (3 + 1) + (4 + 0) + 1 fixed = 9.
    assert score.loads(line, PLAN).tolist() == [[4.0, 10.0], [9.0, 10.0]]


def test_targets_split_totals_by_share(line):
    load = score.loads(line, PLAN)
    assert score.targets(line, load).tolist() == [[6.5, 10.0], [6.5, 10.0]]


def test_deviation_and_imbalance(line):
    load = score.loads(line, PLAN)
    dev = score.deviations(load, score.targets(line, load))
    assert dev[:, 0] == pytest.approx([-5 / 13, 5 / 13])
    assert dev[:, 1].tolist() == [0.0, 0.0]
    settings = Settings(tolerance=0.05)
    # Two reps each 5/13 - 5 % beyond the band, squared, scaled.
    assert score.imbalance(line, settings, dev) == pytest.approx(2e6 * (5 / 13 - 0.05) ** 2)
    tam_only = Settings(balance={"tam": 1.0})
    assert score.imbalance(line, tam_only, dev) == 0.0


def test_objective_parts(line):
    settings = Settings(cost_weight=2.0, compactness_weight=3.0, disruption_weight=4.0)
    obj = score.objective(line, settings, PLAN)
    assert obj.cost == pytest.approx(2 / 6)  # costs 0+1+1+0 over 4 units x mean 1.5
    assert obj.compactness == pytest.approx(1 / 3)  # edge 1-2 of three is cut
    assert obj.disruption == pytest.approx(1 / 4)  # unit 2 changed owner
    assert obj.secondary == pytest.approx(2 * 2 / 6 + 3 / 3 + 4 / 4)
    design_settings = Settings(mode="design", disruption_weight=4.0, compactness_weight=0.0)
    design = score.objective(line, design_settings, PLAN)
    assert design.secondary == 0.0


def test_capacity_overflow_counts_only_when_asked(line):
    roomy = dataclasses.replace(line, capacity=[8.0, 7.0])
    load = score.loads(roomy, PLAN)  # 4 and 9 hours
    assert score.capacity_overflow(roomy, Settings(max_capacity=True), load) == 2.0
    assert score.capacity_overflow(roomy, Settings(), load) == 0.0


def test_capacity_no_plan_can_meet_is_lifted(line):
    # Any plan carries at least 10 hours + 1 fixed + 2 of cheapest travel = 13 > 5 + 5.
    settings = Settings(max_capacity=True)
    assert score.least_capacity_load(line, settings) == 13.0
    assert score.capacity_ceiling(line, settings).tolist() == [np.inf, np.inf]
    assert score.capacity_overflow(line, settings, score.loads(line, PLAN)) == 0.0


def test_batches_score_like_single_plans(line):
    rng = np.random.default_rng(3)
    plans = rng.integers(0, 2, size=(50, 4))
    settings = Settings(cost_weight=1.0, compactness_weight=1.0)
    batch = score.objective(line, settings, plans)
    for i, plan in enumerate(plans):
        one = score.objective(line, settings, plan)
        assert batch.imbalance[i] == pytest.approx(one.imbalance)
        assert batch.secondary[i] == pytest.approx(one.secondary)
    assert score.loads(line, plans).shape == (50, 2, 2)


def test_unassigned_units_count_for_nobody(line):
    assert score.loads(line, [0, -1, -1, 1]).tolist() == [[1.0, 10.0], [5.0, 10.0]]


def test_a_preference_adds_to_the_secondary_objective_and_to_no_measure():
    """Issue 15 (h15d): ``Instance.preference`` is a cost of its own, counted toward nothing."""
    base = dict(measures=[[1.0], [1.0]], measure_names=("w",), cost=[[0.0, 2.0], [2.0, 0.0]],
                cost_counts_toward="w")  # fmt: skip
    plain = Instance(**base)
    preferred = Instance(**base, preference=[[0.0, 0.0], [0.0, 0.25]])
    settings = Settings(balance=(("w", 1.0),), compactness_weight=0.0, contiguity=False)
    owner = np.array([0, 1])
    assert score.objective(preferred, settings, owner).secondary == pytest.approx(0.25)
    assert score.objective(plain, settings, owner).secondary == 0.0
    assert score.loads(preferred, owner).tolist() == score.loads(plain, owner).tolist()
    with pytest.raises(Exception, match="preference must be finite"):
        Instance(**base, preference=[[0.0, 0.0]])
