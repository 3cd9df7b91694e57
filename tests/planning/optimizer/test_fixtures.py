"""``cli.py balance-instance`` reaches the MILP's proven optima stored as fixtures (issue 13 point 5).

The fixtures (``tests/planning/fixtures/milp_*.json``) come from
``python -m benchmarks.milp_fixtures``: each names a seeded instance
(:func:`planning.optimizer.synthetic.seeded_instance`), its tolerance, the
least cost and the fewest moved units HiGHS proved. Here the instance is
written as the CLI's CSV files and balanced with ``--exact always`` within the
fixture's time limit; the plan must match the optimum (cost within 0.1 %,
moved units exactly) and keep every rule: tolerance, one piece per
territory, locks.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cli
from planning.optimizer.constraints import excess_pieces
from planning.optimizer.instance import Instance
from planning.optimizer.synthetic import seeded_instance

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures").glob("milp_*.json"))


def write_instance(instance: Instance, folder: Path) -> dict[str, str]:
    """The CLI's four CSV files of ``instance``; returns flag -> path."""
    units = pd.DataFrame({"unit_id": instance.unit_ids})
    for k, name in enumerate(instance.measure_names):
        units[name] = instance.measures[:, k]
    units["current_rep"] = instance.rep_ids[instance.current]
    units["locked"] = np.where(instance.locked, "true", "")
    cost = pd.DataFrame(
        {
            "unit_id": np.repeat(instance.unit_ids, instance.n_reps),
            "rep_id": np.tile(instance.rep_ids, instance.n_units),
            "cost": instance.cost.ravel(),
        }
    )
    a, b = instance.edges
    adjacency = pd.DataFrame({"unit_a": instance.unit_ids[a], "unit_b": instance.unit_ids[b]})
    tables = {
        "units": units,
        "reps": pd.DataFrame({"rep_id": instance.rep_ids}),
        "cost": cost,
        "adjacency": adjacency,
    }
    paths = {}
    for flag, table in tables.items():
        path = folder / f"{flag}.csv"
        table.to_csv(path, index=False)
        paths[flag] = str(path)
    return paths


def test_there_are_fixtures_from_20_to_200_units():
    sizes = [json.loads(p.read_text())["params"]["n_units"] for p in FIXTURES]
    assert len(sizes) >= 3 and min(sizes) == 20 and max(sizes) >= 200


def proven_cases() -> list[tuple[Path, str]]:
    """Every (fixture, objective) with a proven optimum.

    The fewest moved units is proven up to 40 units only: at 100 units HiGHS
    left a 36 % gap after 600 s (anchored flows: plan 14, bound 9) and found
    no plan in 900 s with lazy cuts or one flow (docs/benchmarks.md), so the
    100- and 200-unit fixtures hold the least cost alone.
    """
    cases = []
    for path in FIXTURES:
        fixture = json.loads(path.read_text())
        cases.append((path, "cost"))
        if fixture["optimum_moved_units"] is not None:
            cases.append((path, "disruption"))
    return cases


CASES = proven_cases()


def test_the_fewest_moved_units_is_proven_up_to_40_units():
    with_moves = {json.loads(p.read_text())["params"]["n_units"] for p, m in CASES
                  if m == "disruption"}  # fmt: skip
    assert max(with_moves) == 40 and min(with_moves) == 20


@pytest.mark.parametrize(("path", "minimize"), CASES, ids=[f"{p.stem}-{m}" for p, m in CASES])
def test_balance_instance_reaches_the_proven_optimum(path, minimize, tmp_path, capsys):
    fixture = json.loads(path.read_text())
    params = fixture["params"]
    instance = seeded_instance(**params)
    files = write_instance(instance, tmp_path)
    out = tmp_path / "plan.csv"
    argv = ["balance-instance"]
    for flag, value in files.items():
        argv += [f"--{flag}", value]
    argv += ["--balance", "workload", "--tolerance", str(fixture["tolerance"]),
             "--minimize", minimize, "--exact", "always", "--mode", "rebalance",
             "--time-limit", str(fixture["time_limit"]), "--out", str(out)]  # fmt: skip
    if params.get("travel_per_unit"):
        argv += ["--cost-counts-toward", "workload"]
    start = time.perf_counter()
    assert cli.main(argv) == 0
    took = time.perf_counter() - start
    printed = capsys.readouterr().out
    plan = pd.read_csv(out, dtype=str)
    rep_of = {r: i for i, r in enumerate(instance.rep_ids)}
    order = {u: i for i, u in enumerate(instance.unit_ids)}
    owner = np.empty(instance.n_units, np.int64)
    owner[[order[u] for u in plan["unit_id"]]] = [rep_of[r] for r in plan["rep_id"]]

    # Every rule holds.
    load = np.bincount(owner, weights=instance.measures[:, 0], minlength=instance.n_reps)
    if params.get("travel_per_unit"):
        load += np.bincount(owner, weights=instance.cost[np.arange(instance.n_units), owner],
                            minlength=instance.n_reps)  # fmt: skip
    deviation = load / load.mean() - 1
    assert np.abs(deviation).max() <= fixture["tolerance"] + 1e-9
    assert excess_pieces(instance, owner) == 0
    assert (owner[instance.locked] == instance.current[instance.locked]).all()
    assert took < fixture["time_limit"] + 10  # the model build and the files on top of the limit

    # The proven optimum is reached.
    if minimize == "cost":
        cost = float(instance.cost[np.arange(instance.n_units), owner].sum())
        assert cost <= fixture["optimum_cost"] * 1.001 + 1e-9
        assert cost >= fixture["optimum_cost"] - 1e-6  # nobody beats a proven optimum
    else:
        moved = int((owner != instance.current).sum())
        assert moved == fixture["optimum_moved_units"]
    assert "proven optimal" in printed and "gap: 0.00%" in printed
