"""Matching reps to ground on a stored toy world (issue 15 section 4).

The toy world (tests/toy.py): a1 (A, TAM 1,000.00, revenue 250.00: 25%, contested) in R1's home
cell; a2 and a3 in ring cell 0, whose share is 100.25 / 600.49 = 16.7%: contested too, R2's.
R1 is new, R2 senior: R1 holds 1 contested account of 1 ("new on contested"), R2 2 of 2
(senior on contested: no flag). Fit: 2 of the 3 contested accounts with R2 -> 2/3.
"""

from __future__ import annotations

import pandas as pd
import pytest

from data.exports import write_workbook
from planning.callplan import default_call_plan
from planning.optimizer import Settings as BalanceSettings
from services import datasets, editing, matching


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'plans.sqlite'}"


def store_toy(url, toy, levels):
    reps = toy.reps.copy()
    if levels is not None:
        reps["experience"] = pd.array([levels.get(r) for r in reps["rep_id"]], dtype="string")
    _, sid = editing.ensure_scenarios(
        url, "toy", toy.accounts, reps, default_call_plan(), resolution=7
    )
    return sid


def test_the_tab_reads_ground_and_fit_of_a_scenario(url, toy):
    sid = store_toy(url, toy, {"R1": "new", "R2": "senior"})
    view = matching.scenario_matching(url, sid)
    assert view.levels_known
    table = view.table.set_index("rep_id")
    assert table["contested_accounts"].to_dict() == {"R1": 1, "R2": 2}
    assert table.loc["R2", "contested_tam"] == pytest.approx(600.49)
    assert table["matching_flag"].to_dict() == {"R1": "new on contested", "R2": ""}
    assert (view.fit.contested, view.fit.experienced, view.fit.flagged) == (3, 2, 1)
    # R1 (new, flagged) touches R2 (senior): R2 is suggested
    assert view.suggestions == (
        "R1 (new) holds 1 contested account(s); R2 (senior, next door) could take contested cells",
    )
    # a flag share above 100% of R1's accounts is never reached
    assert matching.scenario_matching(url, sid, flag_share=1.01).fit.flagged == 0


def test_a_team_without_levels_says_so(url, toy):
    view = matching.scenario_matching(url, store_toy(url, toy, None))
    assert not view.levels_known and view.fit.share is None
    assert set(view.table["experience"]) == {""}


def test_the_team_editor_sets_a_level_as_a_new_scenario(url, toy):
    sid = store_toy(url, toy, None)
    rows = toy.reps.to_dict("records")
    rows[0]["experience"] = "Senior"
    done = datasets.edit_team(url, sid, rows, confirmed=True)
    assert done.changes.reskilled == ("R1",) and done.derived is not None
    view = matching.scenario_matching(url, done.derived.scenario_id)
    assert view.table.set_index("rep_id")["experience"].to_dict() == {"R1": "senior", "R2": ""}
    # R1 (senior) holds 1 contested account, R2 has no level: fit 1 of 1
    assert (view.fit.contested, view.fit.experienced) == (1, 1)


def test_auto_balance_reports_the_fit_before_and_after(url, toy):
    sid = store_toy(url, toy, {"R1": "new", "R2": "experienced"})
    balanced = editing.balance_to_new_scenario(url, sid, BalanceSettings(seed=1, time_limit=5.0))
    lines = [m for m in balanced.result.messages if m.startswith("Experience fit before")]
    assert len(lines) == 1
    assert "before: 67% of contested accounts" in lines[0]


def test_the_workbook_has_a_matching_sheet(url, toy, tmp_path):
    sid = store_toy(url, toy, {"R1": "new", "R2": "senior"})
    _, plan, _ = editing.load(url, sid)
    path = write_workbook(plan, tmp_path / "plan.xlsx")
    sheet = pd.read_excel(path, sheet_name="Matching")
    assert sheet["rep_id"].tolist() == ["R1", "R2"]
    assert sheet["matching_flag"].fillna("").tolist() == ["new on contested", ""]
    assert sheet["contested_accounts"].tolist() == [1, 2]
    other = f"sqlite:///{tmp_path / 'b.sqlite'}"
    plain = editing.load(other, store_toy(other, toy, None))
    assert "Matching" not in pd.ExcelFile(write_workbook(plain[1], tmp_path / "b.xlsx")).sheet_names


def test_the_command_lines_balance_reports_the_fit_too(toy, tmp_path):
    from services.balancing import balance_files
    from services.workspace import PlanFiles

    reps = toy.reps.assign(experience=["new", "senior"])
    toy.accounts.to_csv(tmp_path / "accounts.csv", index=False)
    reps.to_csv(tmp_path / "reps.csv", index=False)
    files = PlanFiles(tmp_path / "accounts.csv", tmp_path / "reps.csv", boundary="hull")
    done = balance_files(files, BalanceSettings(seed=1, time_limit=5.0), tmp_path / "out.csv",
                         resolution=7)  # fmt: skip
    lines = [m for m in done.result.messages if m.startswith("Experience fit before")]
    assert len(lines) == 1 and "67% of contested accounts" in lines[0]
