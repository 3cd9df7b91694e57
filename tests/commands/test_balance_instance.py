"""``cli.py balance-instance`` end to end on small CSV files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cli


def write(path, text: str) -> str:
    path.write_text(text.strip() + "\n")
    return str(path)


@pytest.fixture
def line_files(tmp_path):
    """Six units a-f in a row; R1 at a, R2 at f; e is locked to R2."""
    units = write(
        tmp_path / "units.csv",
        """
unit_id,workload,tam,current_rep,locked
a,10,5,R1,
b,12,3,R1,no
c,9,4,R1,
d,8,6,R1,
e,11,2,R2,true
f,7,5,R2,
""",
    )
    reps = write(tmp_path / "reps.csv", "rep_id,capacity\nR1,40\nR2,40")
    rows = [
        f"{u},{r},{abs(i - (0 if r == 'R1' else 5))}"
        for i, u in enumerate("abcdef")
        for r in ("R1", "R2")
    ]
    cost = write(tmp_path / "cost.csv", "unit_id,rep_id,cost\n" + "\n".join(rows))
    adjacency = write(tmp_path / "adj.csv", "unit_a,unit_b\na,b\nb,c\nc,d\nd,e\ne,f")
    return {"units": units, "reps": reps, "cost": cost, "adjacency": adjacency}


def run(files, out, *extra):
    argv = ["balance-instance"]
    for key, value in files.items():
        argv += [f"--{key}", value]
    return cli.main([*argv, "--out", str(out), *extra])


def test_small_instance_is_solved_exactly(line_files, tmp_path, capsys):
    out = tmp_path / "plan.csv"
    code = run(
        line_files,
        out,
        "--balance",
        "workload",
        "--tolerance",
        "0.1",
        "--minimize",
        "cost,disruption",
    )
    printed = capsys.readouterr().out
    assert code == 0
    plan = pd.read_csv(out)
    assert list(plan.columns) == ["unit_id", "rep_id"] and len(plan) == 6
    owner = dict(zip(plan["unit_id"], plan["rep_id"], strict=True))
    assert owner["e"] == "R2"
    # 57 hours: R1 keeps a-c (31), R2 takes d (26), 8.8 % off either way, inside 10 %.
    assert owner == {"a": "R1", "b": "R1", "c": "R1", "d": "R2", "e": "R2", "f": "R2"}
    assert "optimal (proven by exhaustive search)" in printed
    assert "disruption: 16.7% of disruption weight moved (1 of 6 units)" in printed
    assert "cost: 6.00" in printed  # 0+1+2 for R1, 2+1+0 for R2
    assert "rep R1: workload 31.00 against target 28.50 (+8.8%)" in printed
    assert "over its workload target" not in printed
    assert f"wrote 6 rows to {out}" in printed


def test_larger_instance_is_balanced_by_search(tmp_path, capsys):
    rng = np.random.default_rng(0)
    side, reps = 8, ["N", "E", "S", "W"]
    ids = [f"u{i}" for i in range(side * side)]
    work = rng.integers(5, 15, side * side)
    pd.DataFrame({"unit_id": ids, "workload": work}).to_csv(tmp_path / "u.csv", index=False)
    pd.DataFrame({"rep_id": reps}).to_csv(tmp_path / "r.csv", index=False)
    homes = [(0, 4), (4, 7), (7, 3), (3, 0)]
    cost = [
        (ids[i], rep, abs(i // side - hy) + abs(i % side - hx))
        for i in range(side * side)
        for rep, (hy, hx) in zip(reps, homes, strict=True)
    ]
    pd.DataFrame(cost, columns=["unit_id", "rep_id", "cost"]).to_csv(
        tmp_path / "c.csv", index=False
    )
    edges = [(ids[i], ids[i + 1]) for i in range(side * side) if i % side < side - 1]
    edges += [(ids[i], ids[i + side]) for i in range(side * (side - 1))]
    pd.DataFrame(edges, columns=["unit_a", "unit_b"]).to_csv(tmp_path / "a.csv", index=False)
    files = {k: str(tmp_path / f"{k[0]}.csv") for k in ("units", "reps", "cost", "adjacency")}
    out = tmp_path / "plan.csv"
    code = run(
        files,
        out,
        "--balance",
        "workload",
        "--tolerance",
        "0.05",
        "--minimize",
        "cost",
        "--seed",
        "3",
    )
    printed = capsys.readouterr().out
    assert code == 0
    # Issue 13: a search result now states its gap to the LP relaxation's bound.
    assert "mode: design" in printed and "of the best possible" in printed
    plan = pd.read_csv(out).merge(pd.DataFrame({"unit_id": ids, "w": work}))
    per_rep = plan.groupby("rep_id")["w"].sum()
    assert (abs(per_rep / per_rep.mean() - 1) <= 0.05).all()
    assert (
        sum(line.startswith("rep ") and "against target" in line for line in printed.splitlines())
        == 4
    )


def test_bad_units_file_lists_every_bad_row(line_files, tmp_path, capsys):
    line_files["units"] = write(
        tmp_path / "bad.csv",
        """
unit_id,workload,current_rep,locked
a,10,R1,
b,ten,R1,
a,3,R9,
d,-2,,yes
""",
    )
    code = run(line_files, tmp_path / "o.csv", "--balance", "workload")
    err = capsys.readouterr().err
    assert code == 2
    assert "bad.csv: 5 problem(s), nothing was imported" in err
    assert "row 3, column 'workload': expected a number, got 'ten'" in err
    assert "row 4, column 'unit_id': 'a' already on row 2" in err
    assert "row 4, column 'current_rep': unknown rep 'R9'" in err
    assert "row 5, column 'workload': expected a number >= 0, got '-2'" in err
    assert "row 5, column 'locked': locked but no current_rep" in err
    assert not (tmp_path / "o.csv").exists()


def test_missing_costs_and_bad_edges_are_refused(line_files, tmp_path, capsys):
    good_cost = line_files["cost"]
    line_files["cost"] = write(tmp_path / "cost2.csv", "unit_id,rep_id,cost\na,R1,0\na,R2,x")
    assert run(line_files, tmp_path / "o.csv", "--balance", "workload") == 2
    assert "row 3, column 'cost': expected a number, got 'x'" in capsys.readouterr().err
    line_files["cost"] = write(tmp_path / "cost3.csv", "unit_id,rep_id,cost\na,R1,0\na,R2,1")
    assert run(line_files, tmp_path / "o.csv", "--balance", "workload") == 2
    assert "no cost for unit 'b', rep 'R1'" in capsys.readouterr().err
    line_files["cost"] = good_cost
    line_files["adjacency"] = write(tmp_path / "adj2.csv", "unit_a,unit_b\na,b\nb,zz\nc,c")
    assert run(line_files, tmp_path / "o.csv", "--balance", "workload") == 2
    err = capsys.readouterr().err
    assert "row 3, column 'unit_b': unknown unit 'zz'" in err
    assert "row 4: unit 'c' next to itself" in err


def test_missing_column_and_unknown_measure(line_files, tmp_path, capsys):
    reps = line_files["reps"]
    line_files["reps"] = write(tmp_path / "reps2.csv", "name\nR1")
    assert run(line_files, tmp_path / "o.csv", "--balance", "workload") == 2
    assert "row 1, column 'rep_id': missing column" in capsys.readouterr().err
    line_files["reps"] = reps
    assert run(line_files, tmp_path / "o.csv", "--balance", "hours") == 2
    assert "unknown measure 'hours'" in capsys.readouterr().err
