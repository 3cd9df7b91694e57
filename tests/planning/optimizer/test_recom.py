"""Recombination (issue 13 point 3): spanning-tree re-splits of touching pairs, and the shape rules.

The shape rules are checked on generated teams (20 x 20 hexagons, 6 reps at
random homes, travel counting toward workload, nearest-home start plans with
Polsby-Popper 0.32-0.36 at worst) for every mode and balance choice: every rep
within 5 %, every territory one piece, none below Polsby-Popper 0.15, no
one-cell corridor; a design at least as compact (cut edges) as the plan it
replaces.
"""

from __future__ import annotations

import numpy as np
import pytest

from planning.optimizer import Settings, balance, score
from planning.optimizer.constraints import excess_pieces, locks_kept, territory_pieces
from planning.optimizer.recom import Recombination
from planning.optimizer.shape import MIN_POLSBY_POPPER, corridor_units, polsby_popper
from planning.optimizer.synthetic import grid_instance, seeded_instance

MODES = ("rebalance", "design")
MEASURES = (("workload",), ("tam",), ("workload", "tam"))


@pytest.fixture(scope="module")
def results():
    """Each generated team balanced once per mode and measure choice (3 s each, fixed seeds)."""
    out = {}
    for team_seed in (1, 3):
        team = grid_instance(20, 20, 6, seed=team_seed, travel_per_step=0.3, hexagonal=True)
        for mode in MODES:
            for measures in MEASURES:
                settings = Settings(balance=tuple((m, 1.0) for m in measures), mode=mode,
                                    tolerance=0.05, time_limit=3, seed=0)  # fmt: skip
                out[team_seed, mode, measures] = team, balance(team, settings)
    return out


CASES = [(s, mode, m) for s in (1, 3) for mode in MODES for m in MEASURES]


@pytest.mark.parametrize(("team_seed", "mode", "measures"), CASES)
def test_every_mode_signs_off_on_shapes(results, team_seed, mode, measures):
    team, result = results[team_seed, mode, measures]
    assert result.within_tolerance, result.messages
    _, pieces = territory_pieces(team, result.assignment)
    assert (pieces == 1).all()
    pp = polsby_popper(team, result.assignment)
    assert pp.min() >= MIN_POLSBY_POPPER, pp.round(3)
    assert not corridor_units(team, result.assignment).any()


def cut(team, owner) -> int:
    a, b = team.edges
    return int((owner[a] != owner[b]).sum())


@pytest.mark.parametrize(
    ("team_seed", "measures"),
    [
        (1, ("workload",)),
        (1, ("tam",)),
        (1, ("workload", "tam")),
        (3, ("workload",)),
        (3, ("tam",)),
    ],
)
def test_design_is_at_least_as_compact_as_the_plan_it_replaces(results, team_seed, measures):
    team, result = results[team_seed, "design", measures]
    assert cut(team, result.assignment) <= cut(team, team.current)


@pytest.mark.parametrize("team_seed", [2, 3])
def test_a_design_on_two_measures_is_as_compact_as_the_plan_it_replaces(team_seed):
    """Workload and TAM together (issue 13 point 3, h13shape): 132 and 138 cut edges before.

    The nearest-home plans cut 127 and 119 edges. Each design search starts
    from a compact, nearly balanced LP plan and its recombination walks
    along equally good splits; 10 s (the app gives 60) is what these two
    teams need on a busy machine to reach it (3 s reach 121-127).
    """
    team = grid_instance(20, 20, 6, seed=team_seed, travel_per_step=0.3, hexagonal=True)
    settings = Settings(balance=(("workload", 1.0), ("tam", 1.0)), mode="design",
                        tolerance=0.05, time_limit=10, seed=0)  # fmt: skip
    result = balance(team, settings)
    assert result.within_tolerance, result.messages
    assert cut(team, result.assignment) <= cut(team, team.current)
    _, pieces = territory_pieces(team, result.assignment)
    assert (pieces == 1).all()
    assert polsby_popper(team, result.assignment).min() >= MIN_POLSBY_POPPER
    assert not corridor_units(team, result.assignment).any()


def test_a_step_keeps_balance_locks_and_one_piece_and_never_worsens_the_shape():
    instance = seeded_instance(120, 4, seed=3, locked_share=0.1)
    settings = Settings(tolerance=0.1, seed=0, time_limit=5, shape_rules=False)
    owner = balance(instance, settings).assignment.copy()
    assert score.objective(instance, settings, owner).imbalance == 0
    recom = Recombination(instance, settings, np.random.default_rng(0),
                          ceiling=score.capacity_ceiling(instance, settings), cap_col=-1)  # fmt: skip
    before = score.objective(instance, settings, owner).secondary
    accepted = recom.run(owner, deadline=None)
    assert recom.tried > 0
    load = score.loads(instance, owner)
    dev = np.abs(score.deviations(load, score.targets(instance, load)))[:, 0]
    assert dev.max() <= 0.1 + 1e-9
    assert locks_kept(instance, owner)
    assert excess_pieces(instance, owner) == 0
    if accepted:  # each accepted step improved shape or, with shape equal, the objective
        assert score.objective(instance, settings, owner).secondary <= before + 1.0


def test_a_lace_territory_is_re_split_compactly():
    """A territory drawn as a comb one cell wide (Polsby-Popper far below 0.15) gets a compact shape."""
    team = grid_instance(10, 10, 2, seed=0, hexagonal=True)
    # rep 1 owns the odd columns of rows 0-8 joined along row 9: a comb of one-cell teeth
    owner = np.zeros(100, dtype=np.int64)
    for r in range(10):
        for c in range(10):
            if r == 9 or c % 2 == 1:
                owner[r * 10 + c] = 1
    assert corridor_units(team, owner).any()
    settings = Settings(mode="design", tolerance=0.5, seed=0)
    recom = Recombination(team, settings, np.random.default_rng(0),
                          ceiling=np.full(2, np.inf), cap_col=-1)  # fmt: skip
    assert recom.run(owner, deadline=None) > 0
    assert polsby_popper(team, owner).min() >= MIN_POLSBY_POPPER
    assert not corridor_units(team, owner).any()
    _, pieces = territory_pieces(team, owner)
    assert (pieces == 1).all()


def _halves(rows: int = 8, cols: int = 8):
    """A hexagonal grid with one unit of workload per cell; last quarter rep 0 held the left half."""
    from planning.optimizer import Instance
    from planning.optimizer.synthetic import hex_adjacency

    n = rows * cols
    column = np.arange(n) % cols
    return Instance(
        measures=np.ones((n, 1)),
        measure_names=("workload",),
        cost=np.zeros((n, 2)),
        adjacency=hex_adjacency(rows, cols),
        current=(column >= cols // 2).astype(np.int64),
    ), column


def test_thrift_hands_cells_back_once_shapes_are_signable():
    """Issue 13 point 4: with compact shapes, re-splits move fewer accounts, balance and shape kept.

    The plan gave column 3 (8 of rep 0's 32 cells) to rep 1: loads 24 / 40, within 30 % of 32.
    Every cell carries one account's weight, so the plan moves 8; handing cells back lowers that.
    """
    team, column = _halves()
    owner = team.current.copy()
    owner[column == 3] = 1
    settings = Settings(tolerance=0.3, seed=0)
    recom = Recombination(team, settings, np.random.default_rng(0),
                          ceiling=np.full(2, np.inf), cap_col=-1)  # fmt: skip
    before = float(score.moved_weight(team, owner))
    assert before == 8.0
    assert recom.update_thrift(owner)  # two blocks: mean Polsby-Popper far above 0.315
    recom.run(owner, deadline=None, max_passes=8)
    assert float(score.moved_weight(team, owner)) < before
    load = score.loads(team, owner)
    assert np.abs(score.deviations(load, score.targets(team, load))).max() <= 0.3 + 1e-9
    _, pieces = territory_pieces(team, owner)
    assert (pieces == 1).all()
    assert polsby_popper(team, owner).min() >= MIN_POLSBY_POPPER
    assert not corridor_units(team, owner).any()


def test_thrift_waits_while_a_territory_is_below_the_floor_and_never_runs_in_design():
    team, column = _halves(10, 10)
    comb = np.zeros(100, dtype=np.int64)
    comb[(np.arange(100) // 10 == 9) | (column % 2 == 1)] = 1  # lace, as in the test above
    rng = np.random.default_rng(0)
    rebalance = Recombination(team, Settings(tolerance=0.5), rng, ceiling=np.full(2, np.inf),
                              cap_col=-1)  # fmt: skip
    assert not rebalance.update_thrift(comb)
    assert rebalance.update_thrift(team.current)
    design = Recombination(team, Settings(tolerance=0.5, mode="design"), rng,
                           ceiling=np.full(2, np.inf), cap_col=-1)  # fmt: skip
    assert not design.update_thrift(team.current)
