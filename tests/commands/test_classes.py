"""``cli.py classes`` end to end on the toy world's files (tests/toy.py), numbers by hand.

a1 (A, TAM 1,000.00, revenue 250.00: 25%) sits in R1's home cell; a2 (B, 500.50 / 100.25) and
a3 (C, 99.99 / 0) in ring cell 0, R2's: 100.25 / 600.49 = 16.69%. With the default thresholds
both cells are contested; at 20% / 10% the first is a stronghold and the second a base.
"""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

from tests.toy import toy_accounts_and_reps

ROOT = Path(__file__).resolve().parents[2]
SEC = 1 / 3600


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "cli.py", "classes", *args, "--resolution", "7", "--boundary", "hull"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    accounts, reps = toy_accounts_and_reps()
    reps.loc[reps["rep_id"] == "R2", "name"] = "=1+2"
    accounts.to_csv(tmp_path / "accounts.csv", index=False)
    reps.to_csv(tmp_path / "reps.csv", index=False)
    return tmp_path / "accounts.csv", tmp_path / "reps.csv"


def test_by_territory_gives_share_class_and_per_class_figures(files):
    accounts, reps = files
    out = run_cli("--accounts", str(accounts), "--reps", str(reps), "--by", "territory")
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(StringIO(out.stdout)).set_index("rep_id")
    assert list(table.index) == ["R1", "R2", "UNASSIGNED", "TOTAL"]
    assert table.loc["R1", "share"] == pytest.approx(0.25)
    assert table.loc["R1", "class"] == "contested"
    assert table.loc["R2", "contested_tam"] == pytest.approx(600.49)
    assert table.loc["R2", "contested_accounts"] == 2
    assert table.loc["TOTAL", "contested_workload_hours"] == pytest.approx(
        table.loc["R1", "workload_hours"] + table.loc["R2", "workload_hours"]
    )
    assert table.loc["R2", "name"] == "'=1+2"  # formula-safe: shown as text
    assert not any(line.startswith(("=", "+", "-", "@")) for line in out.stdout.splitlines())


def test_by_cell_with_edited_thresholds_and_json(files):
    accounts, reps = files
    out = run_cli("--accounts", str(accounts), "--reps", str(reps), "--by", "cell",
                  "--stronghold", "20", "--base", "10", "--format", "json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    rows = {r["rep_id"]: r for r in json.loads(out.stdout)}
    assert rows["R1"]["class"] == "stronghold" and rows["R1"]["accounts"] == 1
    assert rows["R2"]["class"] == "base" and rows["R2"]["tam"] == pytest.approx(600.49)


def test_effort_file_changes_the_workload_and_region_rolls_up(files, tmp_path):
    accounts, reps = files
    effort = tmp_path / "effort.json"
    effort.write_text(json.dumps({"effort": [
        {"class": "contested", "segment": "C", "visits_per_year": 4, "minutes_per_visit": 30,
         "channel": "remote"},
    ]}))  # fmt: skip
    plain = run_cli("--accounts", str(accounts), "--reps", str(reps), "--by", "region")
    planned = run_cli("--accounts", str(accounts), "--reps", str(reps), "--by", "region",
                      "--effort", str(effort))  # fmt: skip
    assert plain.returncode == 0 and planned.returncode == 0, planned.stderr
    a = pd.read_csv(StringIO(plain.stdout)).set_index("region")
    b = pd.read_csv(StringIO(planned.stdout)).set_index("region")
    assert list(a.index) == ["No region", "UNASSIGNED", "TOTAL"]  # no region column: one region
    # a3: 12 x 15 min (3 h) -> 4 x 30 min (2 h)
    assert b.loc["No region", "workload_hours"] == pytest.approx(a.loc["No region", "workload_hours"] - 1.0,
                                                           abs=SEC)  # fmt: skip


def test_without_reps_every_cell_is_unassigned(files):
    accounts, _ = files
    out = run_cli("--accounts", str(accounts), "--by", "cell")
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(StringIO(out.stdout))
    assert set(table["rep_id"]) == {"UNASSIGNED"}
    assert sorted(table["accounts"]) == [1, 2]
    refused = run_cli("--accounts", str(accounts), "--plan", "x.csv")
    assert refused.returncode == 2 and "--plan needs --reps" in refused.stderr


def test_bad_thresholds_are_one_sentence(files):
    accounts, reps = files
    out = run_cli("--accounts", str(accounts), "--reps", str(reps), "--base", "70")
    assert out.returncode == 2
    assert out.stderr.startswith("error: thresholds must satisfy")


def test_by_region_uses_the_reps_region_column(tmp_path):
    accounts, reps = toy_accounts_and_reps()
    reps["region"] = ["North", "South"]
    accounts.to_csv(tmp_path / "accounts.csv", index=False)
    reps.to_csv(tmp_path / "reps.csv", index=False)
    out = run_cli("--accounts", str(tmp_path / "accounts.csv"), "--reps", str(tmp_path / "reps.csv"),
                  "--by", "region")  # fmt: skip
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(StringIO(out.stdout)).set_index("region")
    assert list(table.index) == ["North", "South", "UNASSIGNED", "TOTAL"]
    assert table.loc["North", "tam"] == pytest.approx(1000.00)  # R1's a1
    assert table.loc["South", "contested_accounts"] == 2  # R2's a2 and a3
    assert table.loc["TOTAL", "revenue"] == pytest.approx(350.25)
