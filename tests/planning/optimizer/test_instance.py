"""The generic instance: defaults, checks, adjacency."""

from __future__ import annotations

import numpy as np
import pytest

from common.errors import PlanError
from planning.optimizer import Instance, Settings, adjacency_from_edges, grid_adjacency


def line(n_units=4, n_reps=2, **kw) -> Instance:
    return Instance(
        measures=np.arange(1.0, n_units + 1),
        measure_names=("workload",),
        cost=np.zeros((n_units, n_reps)),
        **kw,
    )


def test_adjacency_is_symmetric_without_duplicates_or_self_loops():
    indptr, indices = adjacency_from_edges([0, 1, 1, 2], [1, 0, 2, 2], 3)
    assert indptr.tolist() == [0, 1, 3, 4]
    assert indices.tolist() == [1, 0, 2, 1]


def test_grid_adjacency_has_four_neighbours_inside():
    indptr, indices = grid_adjacency(3, 3)
    degree = np.diff(indptr)
    assert degree.tolist() == [2, 3, 2, 3, 4, 3, 2, 3, 2]
    assert sorted(indices[indptr[4] : indptr[5]].tolist()) == [1, 3, 5, 7]


def test_defaults_are_neutral_and_arrays_read_only():
    inst = line()
    assert inst.current.tolist() == [-1] * 4
    assert not inst.locked.any()
    assert inst.fixed.shape == (2, 1) and not inst.fixed.any()
    assert inst.disruption_weight.tolist() == [1.0] * 4
    assert inst.share.tolist() == [0.5, 0.5]
    assert inst.cost_measure == -1
    with pytest.raises(ValueError):
        inst.measures[0, 0] = 5.0


def test_capacity_sets_shares():
    inst = line(capacity=[1.0, 3.0])
    assert inst.share.tolist() == [0.25, 0.75]


def test_adjacency_is_made_symmetric_on_construction():
    inst = line(adjacency=(np.array([0, 1, 1, 1, 1]), np.array([1])))
    assert inst.neighbours == [[1], [0], [], []]


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"current": [0, 0, 5, 0]}, "current owners must be"),
        ({"locked": [True, False, False, False]}, "locked but has no current owner"),
        ({"cost_counts_toward": "hours"}, "cost_counts_toward is 'hours'"),
        ({"capacity": [1.0, 0.0]}, "capacity must be 2 positive numbers"),
        ({"fixed": np.zeros((3, 1))}, "fixed must be finite, shape (2, 1)"),
        ({"disruption_weight": [1, 1, 1]}, "disruption_weight must have shape (4,)"),
    ],
)
def test_bad_instances_say_what_was_expected(kw, message):
    with pytest.raises(PlanError, match=message.replace("(", r"\(").replace(")", r"\)")):
        line(**kw)


def test_cost_must_cover_every_unit():
    with pytest.raises(ValueError, match=r"cost must be \(3, reps\); got shape \(2, 2\)"):
        Instance(np.ones(3), ("w",), np.ones((2, 2)))


def test_negative_measures_are_refused():
    with pytest.raises(PlanError, match="measures must be finite and >= 0"):
        Instance(np.array([1.0, -1.0]), ("w",), np.ones((2, 2)))


def test_settings_check_their_fields():
    assert Settings(balance={"workload": 1, "tam": 0.5}).balance_names == ("workload", "tam")
    with pytest.raises(PlanError, match="mode must be one of"):
        Settings(mode="greedy")
    with pytest.raises(PlanError, match="balance needs measure"):
        Settings(balance={"workload": 0.0})
    with pytest.raises(PlanError, match="tolerance must be in"):
        Settings(tolerance=-0.1)
