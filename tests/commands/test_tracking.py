"""``cli.py track`` end to end on the toy world's files (issue 15 section 5).

Toy world (tests/toy.py): R1 owns a1 (A, revenue 250), R2 owns a2 (B, 100.25) and a3 (C, 0).
The default call plan plans 52 A, 12 B and 12 C visits a year: 13, 3 and 3 in a quarter.
Targets follow the default rule, revenue + 5 %: a year's 262.50 for R1 (65.625 a quarter).
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
def files(tmp_path: Path) -> dict[str, str]:
    accounts, reps = toy_accounts_and_reps()
    reps["region"] = ["North", "South"]
    accounts.to_csv(tmp_path / "accounts.csv", index=False)
    reps.to_csv(tmp_path / "reps.csv", index=False)
    (tmp_path / "revenue.csv").write_text(
        "Account,Quarter,Umsatz\na1,2026-Q3,100\na2,2026-07,30\na3,2026-09,5\nzz,2026-Q3,1\n"
    )
    visits = "date,account_id,rep_id,channel\n" + "".join(
        f"2026-07-{d:02d},a1,R1,field\n" for d in range(1, 11)
    )
    (tmp_path / "visits.csv").write_text(visits + "2026-08-03,a2,R2,remote\n")
    return {k: str(tmp_path / f"{k}.csv") for k in ("accounts", "reps", "revenue", "visits")}


def test_track_prints_reps_then_levels_and_lists_bad_rows(files):
    out = run_cli("track", "--accounts", files["accounts"], "--reps", files["reps"],
                  "--actuals", files["revenue"], "--visits", files["visits"],
                  "--period", "2026-Q3", "--resolution", "7")  # fmt: skip
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(io.StringIO(out.stdout), keep_default_na=False).set_index("rep_id")
    assert out.stdout.startswith("rep_id,level,")
    assert list(table.index) == ["R1", "R2", "North / No district", "South / No district",
                                 "North", "South", "TOTAL"]  # fmt: skip
    r1, r2, total = table.loc["R1"], table.loc["R2"], table.loc["TOTAL"]
    assert r1["revenue"] == 100 and r2["revenue"] == 35
    assert r1["visits_made"] == 10 and r1["visits_planned"] == 13
    assert r1["call_compliance"] == pytest.approx(10 / 13)
    assert r2["visits_planned"] == 6 and r2["call_compliance"] == pytest.approx(1 / 6)
    assert (r2["planned_accounts"], r2["visited_accounts"], r2["coverage"]) == (2, 1, 0.5)
    assert r1["target"] == pytest.approx(262.5 / 4, abs=0.25)  # the rule rounds to whole units
    assert r1["attainment"] == pytest.approx(100 / r1["target"])
    assert total["revenue"] == 135 and total["coverage"] == pytest.approx(2 / 3)
    assert "revenue.csv row 5, column account_id: unknown account 'zz'" in out.stderr


def test_track_json_and_a_bad_period(files):
    out = run_cli("track", "--accounts", files["accounts"], "--reps", files["reps"],
                  "--visits", files["visits"], "--period", "2026-Q3", "--format", "json",
                  "--resolution", "7")  # fmt: skip
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows[0]["rep_id"] == "R1" and rows[0]["revenue"] == 0
    bad = run_cli("track", "--accounts", files["accounts"], "--reps", files["reps"],
                  "--visits", files["visits"], "--period", "Q3")  # fmt: skip
    assert bad.returncode == 2 and "not a period" in bad.stderr
