"""``cli.py targets`` end to end on the toy world's files (issue 14 section 4).

Toy world (tests/toy.py): R1 owns the centre (TAM 1,000.00, revenue 250.00), R2 ring cell 0
(TAM 500.50 + 99.99 = 600.49, revenue 100.25). R1 is in North / N1, R2 in South (no district).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.toy import toy_accounts_and_reps

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True
    )


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    accounts, reps = toy_accounts_and_reps()
    reps["region"] = ["North", "South"]
    reps["district"] = ["N1", ""]
    accounts.to_csv(tmp_path / "accounts.csv", index=False)
    reps.to_csv(tmp_path / "reps.csv", index=False)
    return str(tmp_path / "accounts.csv"), str(tmp_path / "reps.csv")


def test_targets_csv_by_tam_rounded_to_thousands(files):
    accounts, reps = files
    out = run_cli("targets", "--accounts", accounts, "--reps", reps, "--resolution", "7",
                  "--total", "10000", "--driver", "tam", "--round", "1000")  # fmt: skip
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(io.StringIO(out.stdout), keep_default_na=False)
    assert table.columns[0] == "rep_id"
    # 10,000 x 1,000.00 / 1,600.49 = 6,248.05 and 3,751.95: down to 6,000 and 3,000, the 1,000
    # left to the larger remainder (R2's 751.95)
    assert list(table["rep_id"]) == [
        "R1", "R2", "North / N1", "South / No district", "North", "South", "TOTAL",
    ]  # fmt: skip
    rows = table.set_index("rep_id")
    assert rows.loc["R1", "target"] == 6000
    assert rows.loc["R2", "target"] == 4000
    assert rows.loc["North", "target"] == 6000 and rows.loc["South", "target"] == 4000
    assert rows.loc["TOTAL", "target"] == 10000
    assert rows.loc["R1", "required_growth"] == pytest.approx(6000 / 250 - 1)
    assert rows.loc["R2", "target_per_tam"] == pytest.approx(4000 / 600.49)


def test_targets_json_growth_driver_with_override(files):
    accounts, reps = files
    out = run_cli("targets", "--accounts", accounts, "--reps", reps, "--resolution", "7",
                  "--total", "1000", "--driver", "growth", "--growth", "0.05",
                  "--override", "R2=300", "--format", "json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    rows = {r["rep_id"]: r for r in json.loads(out.stdout)}
    assert rows["R2"]["target"] == 300
    assert rows["R1"]["target"] == 700  # the rest of the total
    assert rows["TOTAL"]["target"] == 1000


def test_infeasible_floor_is_one_error_line(files):
    accounts, reps = files
    out = run_cli("targets", "--accounts", accounts, "--reps", reps, "--resolution", "7",
                  "--total", "100", "--driver", "tam", "--floor", "0")  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.startswith("error: the growth floor needs at least 350.25")


def test_rep_named_like_a_formula_is_neutralised(files, tmp_path):
    accounts, reps = files
    frame = pd.read_csv(reps)
    frame.loc[0, "name"] = "=1+2"
    frame.to_csv(reps, index=False)
    out = run_cli("targets", "--accounts", accounts, "--reps", reps, "--resolution", "7",
                  "--total", "100", "--driver", "revenue")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "'=1+2" in out.stdout
