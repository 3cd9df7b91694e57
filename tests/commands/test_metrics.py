"""``cli.py metrics`` end to end on real files, and plan files in and out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import h3

from common.errors import InputError
from data.planfile import read_plan_csv, write_plan_csv
from planning.baseline import baseline_plan
from planning.plan import reassign
from planning.workspace import open_plan
from tests.toy import CENTRE, DISK, RING, toy_accounts_and_reps

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True
    )


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    accounts, reps = toy_accounts_and_reps()
    accounts.to_csv(tmp_path / "accounts.csv", index=False)
    reps.to_csv(tmp_path / "reps.csv", index=False)
    return tmp_path / "accounts.csv", tmp_path / "reps.csv"


def test_metrics_csv_has_a_row_per_rep_and_team(files):
    accounts, reps = files
    out = run_cli("metrics", "--accounts", str(accounts), "--reps", str(reps), "--resolution", "7")
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(pd.io.common.StringIO(out.stdout))
    assert list(table["rep_id"]) == ["R1", "R2", "TEAM"]
    team = table.set_index("rep_id").loc["TEAM"]
    assert team["accounts"] == 3
    assert team["tam"] == 1600.49
    assert team["visit_hours"] == 52 + 9 + 3
    assert team["unassigned_accounts"] == 0
    assert team["disruption_accounts"] == 0
    assert table.set_index("rep_id").loc["R1", "workload_hours"] == 52


def test_metrics_json_reads_a_plan_file(files, tmp_path):
    accounts, reps = files
    plan_file = tmp_path / "plan.csv"
    plan_file.write_text(
        f"h3_cell,rep_id\n{CENTRE},R1\n{sorted(c for c in DISK if c != CENTRE)[0]},R1\n"
    )
    out = run_cli(
        "metrics",
        "--accounts",
        str(accounts),
        "--reps",
        str(reps),
        "--plan",
        str(plan_file),
        "--format",
        "json",
    )
    assert out.returncode == 0, out.stderr
    rows = {r["rep_id"]: r for r in json.loads(out.stdout)}
    assert rows["R1"]["accounts"] == 3
    assert rows["TEAM"]["disruption_accounts"] == pytest.approx(2 / 3)
    assert rows["TEAM"]["unassigned_accounts"] == 0
    # cells the plan does not list are unassigned, but they hold no accounts here
    assert rows["R1"]["cells"] == 2


def test_bad_accounts_file_lists_rows_and_exits_non_zero(files, tmp_path):
    accounts, reps = files
    bad = pd.read_csv(accounts)
    bad.loc[1, "lat"] = 123.0
    bad.loc[2, "segment"] = "Z"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    out = run_cli("metrics", "--accounts", str(tmp_path / "bad.csv"), "--reps", str(reps))
    assert out.returncode == 2
    assert "row 3" in out.stderr and "row 4" in out.stderr
    assert "Traceback" not in out.stderr


def test_plan_file_round_trip(files):
    accounts, reps = files
    from data.validation import load_accounts, load_reps

    rep_frame = load_reps(reps)
    plan, _ = open_plan(load_accounts(accounts, list(rep_frame["rep_id"])), rep_frame, resolution=7)
    moved = reassign(plan, np.array([0]), -1)
    # two cells hold accounts, sorted by H3 id: ring cell 0 (R2, position 1), then the centre
    # (R1, position 0); the move leaves ring cell 0 unassigned and the centre with R1
    assert [int(h) for h in plan.market.area.cells] == sorted(
        h3.str_to_int(c) for c in (CENTRE, RING[0])
    )
    assert plan.owner.tolist() == [1, 0] and moved.owner.tolist() == [-1, 0]
    path = write_plan_csv(moved, accounts.parent / "plan.csv")
    table = read_plan_csv(path, ["R1", "R2"])
    assert table.attrs["resolution"] == 7
    again, _ = open_plan(moved.market.accounts, rep_frame, assignment=table)
    assert np.array_equal(again.market.area.cells, moved.market.area.cells)
    assert np.array_equal(again.owner, moved.owner)


def test_bad_plan_rows_are_all_reported(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(f"h3_cell,rep_id\nnot-a-cell,R1\n{CENTRE},R9\n{CENTRE},R1\n872752673fffff0,\n")
    with pytest.raises(InputError) as err:
        read_plan_csv(path, ["R1", "R2"])
    reasons = {(p.row, p.column): p.reason for p in err.value.problems}
    assert "not an H3 cell" in reasons[(2, "h3_cell")]
    assert "not a known rep" in reasons[(3, "rep_id")]
    assert "first on row 3" in reasons[(4, "h3_cell")]
    assert (5, "rep_id") in reasons


def test_baseline_of_the_demo_is_unbalanced_as_promised():
    from data.demo import demo_paths
    from data.validation import load_accounts, load_reps
    from planning.metrics import rep_metrics

    accounts_path, reps_path = demo_paths()
    reps = load_reps(reps_path)
    plan, _ = baseline_plan_of(load_accounts(accounts_path, list(reps["rep_id"])), reps)
    util = rep_metrics(plan)["utilisation"]
    assert (util > 1.30).sum() >= 2
    assert (util < 0.70).sum() >= 2


def baseline_plan_of(accounts, reps):
    plan, changes = open_plan(accounts, reps)
    assert plan.market.n_cells <= 55_000
    return baseline_plan(plan.market)


def test_metrics_csv_keeps_a_formula_named_rep_as_text(tmp_path):
    # issue 12 point 1: the CLI tables are opened in spreadsheets too
    accounts, reps = toy_accounts_and_reps()
    reps.loc[reps["rep_id"] == "R2", "name"] = "=1+2"
    accounts.to_csv(tmp_path / "accounts.csv", index=False)
    reps.to_csv(tmp_path / "reps.csv", index=False)
    out = run_cli("metrics", "--accounts", str(tmp_path / "accounts.csv"),
                  "--reps", str(tmp_path / "reps.csv"), "--resolution", "7")  # fmt: skip
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(pd.io.common.StringIO(out.stdout)).set_index("rep_id")
    assert table.loc["R2", "name"] == "'=1+2"  # shown as text, not computed
    assert not any(line.startswith(("=", "+", "-", "@")) for line in out.stdout.splitlines())
