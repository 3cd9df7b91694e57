"""Contiguity checks, fragments repair and the batch piece count against plain BFS."""

from __future__ import annotations

from collections import deque

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from planning.optimizer import Instance, Settings, adjacency_from_edges, grid_adjacency
from planning.optimizer.constraints import (
    excess_pieces,
    locks_kept,
    relaxed_plan,
    relaxed_plan_exists,
    removal_keeps_connected,
    territory_pieces,
)
from planning.optimizer.exact import excess_pieces_batch
from planning.optimizer.repair import merge_fragments


def grid(rows, cols, n_reps=3, **kw) -> Instance:
    n = rows * cols
    return Instance(np.ones(n), ("w",), np.zeros((n, n_reps)), grid_adjacency(rows, cols), **kw)


def bfs_pieces(neighbours, owner, rep) -> int:
    """Plain BFS count of the pieces of ``rep`` (the test's own, independent of the optimizer)."""
    left = {u for u, o in enumerate(owner) if o == rep}
    pieces = 0
    while left:
        pieces += 1
        queue = deque([left.pop()])
        while queue:
            u = queue.popleft()
            for v in neighbours[u]:
                if v in left:
                    left.remove(v)
                    queue.append(v)
    return pieces


# A 3x3 grid: rep 0 has an L and a stray corner, rep 1 the middle column, rep 2 the rest.
#   0 1 0
#   0 1 2
#   0 1 2
THREE = np.array([0, 1, 0, 0, 1, 2, 0, 1, 2])


def test_pieces_of_a_hand_drawn_plan():
    inst = grid(3, 3)
    labels, pieces = territory_pieces(inst, THREE)
    assert pieces.tolist() == [2, 1, 1]
    assert labels[0] == labels[3] == labels[6] != labels[2]
    assert excess_pieces(inst, THREE) == 1


def test_islands_are_no_excess():
    # Two separate 1x2 strips (no edge between units 1 and 2): rep 0 owns one unit on each.
    inst = Instance(np.ones(4), ("w",), np.zeros((4, 2)), grid_adjacency(1, 4))
    a, b = inst.edges
    keep = ~((a == 1) & (b == 2))
    islands = Instance(
        np.ones(4), ("w",), np.zeros((4, 2)), adjacency_from_edges(a[keep], b[keep], 4)
    )
    owner = np.array([0, 1, 0, 1])
    assert territory_pieces(islands, owner)[1].tolist() == [2, 2]
    assert excess_pieces(islands, owner) == 0
    assert excess_pieces(inst, owner) == 2


def test_removal_check_on_hand_cases():
    inst = grid(3, 3)
    owner = THREE.tolist()
    assert removal_keeps_connected(inst.neighbours, owner, 6)  # end of the L
    assert not removal_keeps_connected(inst.neighbours, owner, 4)  # middle of rep 1's column
    assert removal_keeps_connected(inst.neighbours, owner, 7)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=20, max_size=20), st.integers(0, 19))
def test_removal_check_matches_bfs(owner, u):
    inst = grid(4, 5)
    rep = owner[u]
    before = bfs_pieces(inst.neighbours, owner, rep)
    after_owner = list(owner)
    after_owner[u] = -1
    after = bfs_pieces(inst.neighbours, after_owner, rep)
    # "Keeps connected" means u's own piece does not split: the count does not grow.
    assert removal_keeps_connected(inst.neighbours, owner, u) == (after <= before)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2), min_size=12, max_size=12), min_size=1, max_size=8))
def test_batch_excess_pieces_matches_one_by_one(plans):
    inst = grid(3, 4)
    owners = np.array(plans)
    expected = [excess_pieces(inst, p) for p in owners]
    assert excess_pieces_batch(inst, owners).tolist() == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=30, max_size=30), st.sets(st.integers(0, 29)))
def test_merge_fragments_leaves_one_piece_per_rep_and_keeps_locks(owner, locked_units):
    owner = np.array(owner)
    locked = np.zeros(30, dtype=bool)
    # lock at most one unit per rep so contiguity stays reachable
    for u in sorted(locked_units):
        if not locked[owner == owner[u]].any():
            locked[u] = True
    inst = grid(5, 6, current=owner, locked=locked)
    merged = merge_fragments(inst, owner)
    assert locks_kept(inst, merged)
    for r in range(3):
        assert bfs_pieces(inst.neighbours, merged.tolist(), r) <= 1


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=30, max_size=30), st.integers(0, 29), st.integers(0, 8))
def test_a_limited_check_may_say_no_but_never_a_wrong_yes(owner, u, limit):
    inst = grid(5, 6)
    exact = removal_keeps_connected(inst.neighbours, owner, u)
    limited = removal_keeps_connected(inst.neighbours, owner, u, limit)
    assert exact or not limited


# -- the LP relaxation behind the stop sentences (issue 13 point 3, h13shape) ----------------


def far_tam_world() -> Instance:
    """Four units in a row; TAM only in units 2 and 3, which rep A reaches at 5 h of travel each.

    Workload 1 h a unit plus travel; capacity 3 h each, so TAM targets are 1
    each (equal shares of 2). Rep A needs TAM of at least 0.95: 0.95 of units
    2-3 at 1 + 5 h apiece is 5.7 h, above its ceiling of 3 h, however the
    units are split.
    """
    cost = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 0.0], [5.0, 0.0]])
    return Instance(
        measures=np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0]]),
        measure_names=("workload", "tam"), cost=cost, adjacency=grid_adjacency(1, 4),
        cost_counts_toward="workload", capacity=np.array([3.0, 3.0]),
        current=np.array([0, 0, 1, 1]), rep_ids=["A", "B"],
    )  # fmt: skip


def test_the_relaxation_proves_a_capacity_ceiling_rules_out_the_tolerance():
    inst = far_tam_world()
    settings = Settings(balance=(("tam", 1.0),), tolerance=0.05, max_capacity=True)
    assert relaxed_plan_exists(inst, settings) is False
    lifted = Settings(balance=(("tam", 1.0),), tolerance=0.05, max_capacity=False)
    assert relaxed_plan_exists(inst, lifted) is True  # e.g. one TAM unit each


def test_the_relaxation_proves_a_cap_on_units_moved_rules_out_the_tolerance():
    """Rep 1 owns nothing of workload 1, 1, 2 and needs at least 1.9 of its target of 2.

    Unit 2 carries the most workload per unit of disruption weight (2 per 1):
    the least weight moved is 0.95 of 3, 31.7 %.
    """
    inst = Instance(np.array([1.0, 1.0, 2.0]), ("workload",), np.zeros((3, 2)),
                    grid_adjacency(1, 3), current=np.zeros(3, dtype=np.int64))  # fmt: skip
    assert relaxed_plan_exists(inst, Settings(disruption_cap=0.31)) is False
    assert relaxed_plan_exists(inst, Settings(disruption_cap=0.32)) is True
    assert relaxed_plan_exists(inst, Settings(disruption_cap=0.31, mode="design")) is True
    assert relaxed_plan_exists(inst, Settings(disruption_cap=0.31), with_cap=False) is True


def test_the_relaxations_plan_keeps_the_most_weight_with_its_owner():
    """The same three units: rep 1 needs 1.9 of workload, and unit 2 (2 per unit of weight) is
    the cheapest way to give it: 0.95 of unit 2 moves, everything else stays (issue 13)."""
    inst = Instance(np.array([1.0, 1.0, 2.0]), ("workload",), np.zeros((3, 2)),
                    grid_adjacency(1, 3), current=np.zeros(3, dtype=np.int64))  # fmt: skip
    exists, shares = relaxed_plan(inst, Settings(disruption_cap=0.32), keep_current=True)
    assert exists is True and shares is not None
    np.testing.assert_allclose(shares, [[1, 0], [1, 0], [0.05, 0.95]], atol=1e-7)
    assert relaxed_plan(inst, Settings(disruption_cap=0.31), keep_current=True) == (False, None)
