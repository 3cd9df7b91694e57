"""Exhaustive search against a brute force written here, from scratch, on tiny worlds."""

from __future__ import annotations

import itertools
from collections import deque

import numpy as np
import pytest

from planning.optimizer import Instance, Settings, balance, grid_adjacency


def connected(neighbours, plan, rep) -> bool:
    members = [u for u, r in enumerate(plan) if r == rep]
    if not members:
        return True
    seen, queue = {members[0]}, deque([members[0]])
    while queue:
        u = queue.popleft()
        for v in neighbours[u]:
            if plan[v] == rep and v not in seen:
                seen.add(v)
                queue.append(v)
    return len(seen) == len(members)


def brute_force(inst: Instance, s: Settings):
    """Best (imbalance, secondary) over every plan that keeps the hard rules, by plain loops."""
    n_units, n_reps = inst.n_units, inst.n_reps
    share = (
        [1 / n_reps] * n_reps if inst.capacity is None else list(inst.capacity / sum(inst.capacity))
    )
    cols = [inst.measure_names.index(n) for n in s.balance_names]
    kc = (
        -1 if inst.cost_counts_toward is None else inst.measure_names.index(inst.cost_counts_toward)
    )
    edges = [(u, v) for u in range(n_units) for v in inst.neighbours[u] if u < v]
    cost_ref = sum(sum(inst.cost[u]) / n_reps for u in range(n_units))
    had_owner = [u for u in range(n_units) if inst.current[u] >= 0]
    weight_total = sum(inst.disruption_weight[u] for u in had_owner)
    # Capacity binds unless even the cheapest plan overloads the whole team.
    least = inst.measures[:, kc].sum() + inst.fixed[:, kc].sum() + inst.cost.min(axis=1).sum()
    binds = s.max_capacity and least <= sum(inst.capacity)
    best, best_plans = None, []
    for plan in itertools.product(range(n_reps), repeat=n_units):
        if any(plan[u] != inst.current[u] for u in range(n_units) if inst.locked[u]):
            continue
        if s.contiguity and not all(connected(inst.neighbours, plan, r) for r in range(n_reps)):
            continue
        load = [list(inst.fixed[r]) for r in range(n_reps)]
        for u, r in enumerate(plan):
            for k in range(inst.n_measures):
                load[r][k] += inst.measures[u, k] + (inst.cost[u, r] if k == kc else 0.0)
        if binds and any(load[r][kc] > inst.capacity[r] + 1e-9 for r in range(n_reps)):
            continue
        moved = sum(inst.disruption_weight[u] for u in had_owner if plan[u] != inst.current[u])
        if s.mode == "rebalance" and s.disruption_cap is not None:
            if moved > s.disruption_cap * weight_total + 1e-9:
                continue
        imbalance = 0.0
        for k, w in zip(cols, s.balance_weights, strict=True):
            total = sum(load[r][k] for r in range(n_reps))
            for r in range(n_reps):
                dev = load[r][k] / (total * share[r]) - 1
                imbalance += 1e6 * w * max(abs(dev) - s.tolerance, 0.0) ** 2
        cost = sum(inst.cost[u, r] for u, r in enumerate(plan)) / cost_ref
        cut = sum(plan[u] != plan[v] for u, v in edges) / len(edges)
        secondary = s.cost_weight * cost + s.compactness_weight * cut
        if s.mode == "rebalance":
            secondary += s.disruption_weight * moved / weight_total
        key = (imbalance, secondary)
        if best is None or key < best:
            best, best_plans = key, [plan]
        elif key == best:
            best_plans.append(plan)
    return best, best_plans


def world(rows, cols, n_reps, seed, **kw) -> Instance:
    rng = np.random.default_rng(seed)
    n = rows * cols
    return Instance(
        measures=rng.integers(1, 10, size=(n, 2)).astype(float),
        measure_names=("workload", "tam"),
        cost=rng.uniform(0, 3, size=(n, n_reps)).round(2),
        adjacency=grid_adjacency(rows, cols),
        current=kw.pop("current", rng.integers(0, n_reps, n)),
        **kw,
    )


CASES = {
    "rebalance 2x3, three reps": (
        world(2, 3, 3, seed=1),
        Settings(tolerance=0.1, cost_weight=0.5, compactness_weight=1.0),
    ),
    "design line, two measures": (
        world(1, 6, 3, seed=2),
        Settings(mode="design", balance={"workload": 1, "tam": 2}, tolerance=0.15, cost_weight=1),
    ),
    "locked unit, travel, capacity": (
        world(
            3,
            3,
            2,
            seed=3,
            current=[0, 0, 0, 0, 1, 1, 1, 1, 1],
            locked=[True, False, False, False, False, False, False, False, True],
            cost_counts_toward="workload",
            capacity=[24.0, 30.0],  # binds: without it the best plan moves one unit, not three
        ),
        Settings(tolerance=0.2, max_capacity=True, disruption_weight=2.0),
    ),
    "disruption cap, weighted units": (
        world(
            2,
            4,
            2,
            seed=7,
            current=[0, 0, 0, 1, 0, 0, 0, 1],
            disruption_weight=[1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0],
        ),
        Settings(tolerance=0.02, disruption_cap=0.25),
    ),
    "tolerance nobody can meet": (
        world(2, 3, 2, seed=4),
        Settings(tolerance=0.0, compactness_weight=0.0),
    ),
    "pinned amounts, no contiguity": (
        world(2, 3, 3, seed=5, fixed=[[6.0, 0], [0, 0], [0, 9.0]]),
        Settings(tolerance=0.05, contiguity=False, balance={"workload": 1, "tam": 1}),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_exact_mode_finds_the_brute_force_optimum(name):
    inst, settings = CASES[name]
    (imbalance, secondary), plans = brute_force(inst, settings)
    result = balance(inst, settings)
    assert result.optimal and not result.stopped_early
    assert "optimal (proven by exhaustive search)" in result.messages
    assert result.objective.imbalance == pytest.approx(imbalance, rel=1e-9, abs=1e-9)
    assert result.objective.secondary == pytest.approx(secondary, rel=1e-9, abs=1e-12)
    assert tuple(result.assignment.tolist()) in plans


def test_local_search_never_beats_the_proven_optimum():
    inst, settings = CASES["rebalance 2x3, three reps"]
    exact = balance(inst, settings)
    local = balance(inst, Settings(**{**settings.__dict__, "exact": False}))
    assert not local.optimal
    key = (local.objective.imbalance, local.objective.secondary)
    assert key >= (exact.objective.imbalance, exact.objective.secondary)


def test_too_big_for_auto_goes_local():
    inst, settings = CASES["rebalance 2x3, three reps"]
    result = balance(inst, Settings(tolerance=0.1, exact_limit=100))
    assert not result.optimal


def test_stopping_exact_search_early_is_not_optimal():
    inst = world(2, 5, 3, seed=6)  # 3^10 plans: several chunks
    result = balance(inst, Settings(tolerance=0.1), should_stop=lambda: True)
    assert result.stopped_early and not result.optimal
    assert all(connected(inst.neighbours, result.assignment.tolist(), r) for r in range(3))


def test_capacity_no_plan_can_meet_is_reported():
    inst = world(
        3,
        3,
        2,
        seed=3,
        current=[0, 0, 0, 0, 1, 1, 1, 1, 1],
        locked=[True, False, False, False, False, False, False, False, True],
        cost_counts_toward="workload",
        capacity=[22.0, 32.0],
    )
    settings = Settings(tolerance=0.2, max_capacity=True)
    assert brute_force(inst, settings) == (None, [])
    result = balance(inst, settings)
    assert result.optimal  # the least overflow, proven
    assert any("above capacity" in m for m in result.messages)


def test_progress_is_reported_per_chunk():
    inst = world(2, 5, 3, seed=6)
    seen = []
    result = balance(inst, Settings(tolerance=0.1), progress=seen.append)
    assert result.optimal and result.iterations == len(seen) == 2  # 3^10 plans in chunks of 2^15
    assert seen[-1]["phase"] == "exact"
    assert seen[-1]["worst_deviation"] == pytest.approx(result.worst_deviation)
