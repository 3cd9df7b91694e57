"""Starting plans: compact starts for design from scratch (issue 13 point 3, h13shape)."""

from __future__ import annotations

import numpy as np

from planning.optimizer import Instance, Settings, balance, grid_adjacency, score
from planning.optimizer.constraints import excess_pieces
from planning.optimizer.growth import (
    compact_assignment,
    compact_start,
    deepest_units,
    hop_distances,
)
from planning.optimizer.synthetic import grid_instance


def line(n: int, n_reps: int = 1) -> Instance:
    return Instance(np.ones(n), ("workload",), np.zeros((n, n_reps)), grid_adjacency(1, n))


def test_hop_distances_count_steps():
    np.testing.assert_array_equal(hop_distances(line(5), np.array([0, 3])),
                                  [[0, 1, 2, 3, 4], [3, 2, 1, 0, 1]])  # fmt: skip


def test_the_middle_of_a_territory_is_its_unit_farthest_from_the_border():
    # the ends of the line are the area's edge (one neighbour where others have two)
    assert deepest_units(line(5), np.zeros(5, dtype=np.int64), np.array([0])).tolist() == [2]
    # two reps: 0-3 and 4-8; their middles are 1 or 2, and 6
    owner = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1])
    middles = deepest_units(line(9, 2), owner, np.array([0, 0]))
    assert middles[0] in (1, 2) and middles[1] == 6


def test_the_compact_assignment_keeps_the_bands_but_for_a_few_split_units():
    """A uniform 12 x 12 square for four reps: 36 units each, the LP within 5 %."""
    inst = Instance(np.ones(144), ("workload",), np.zeros((144, 4)), grid_adjacency(12, 12))
    centres = np.array([0, 11, 132, 143])  # the corners
    owner = compact_assignment(inst, np.array([0]), 0.05, np.full(4, np.inf), -1, centres,
                               np.array([144.0]))  # fmt: skip
    assert owner is not None
    counts = np.bincount(owner, minlength=4)
    assert counts.sum() == 144 and (np.abs(counts - 36) <= 3).all(), counts
    # every unit goes to a corner no farther than any other corner that could take it
    assert owner[0] == 0 and owner[11] == 1 and owner[132] == 2 and owner[143] == 3


def test_a_compact_start_is_in_one_piece_and_nearly_balanced():
    """The nearest-home plan of this team is 93 % off; a compact start is within 15 %."""
    team = grid_instance(20, 20, 6, seed=3, travel_per_step=0.3, hexagonal=True)
    cols = np.array([0, 1])
    owner = compact_start(team, cols, 0.05, np.full(6, np.inf), -1, np.random.default_rng(0))
    assert owner is not None
    assert excess_pieces(team, owner) == 0
    load = score.loads(team, owner)
    dev = score.deviations(load, score.targets(team, load))[:, cols]
    current = score.loads(team, team.current)
    assert np.abs(score.deviations(current, score.targets(team, current))).max() > 0.9
    assert np.abs(dev).max() < 0.15


def test_a_design_says_how_many_starts_it_ran():
    team = grid_instance(12, 12, 3, seed=1, hexagonal=True)
    result = balance(team, Settings(mode="design", time_limit=2, seed=0))
    assert result.within_tolerance, result.messages
    assert any(m.startswith("designed from ") for m in result.messages), result.messages
