"""Actuals imported into a stored data set, tracked against a scenario whose plan changed
mid-quarter, and the next quarter planned from them (issue 15), through the store.

The world: a1 (A, centre cell, R1), a2 (B, ring cell 0, R1) and a3 (C, ring cell 3, R2).
On 16 August 2026 the scenario moves a2's cell to R2, so over 2026-Q3 (92 days) R1 held
a2 for 46 days and R2 for 46. The default call plan plans A 52 a year, B and C 12: a
quarter plans 13, 3 and 3 visits.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import data.store
from planning.callplan import default_call_plan
from planning.targets import TargetRule
from services import actuals, editing, tracking
from services.targets import keep_rule
from tests.toy import CENTRE, RING, make_accounts, make_reps

ACCOUNTS = make_accounts([
    ("a1", CENTRE, "A", 400_000.0, 200_000.0, "R1", False),
    ("a2", RING[0], "B", 184_000.0, 30_000.0, "R1", False),
    ("a3", RING[3], "C", 80_000.0, 70_000.0, "R2", False),
])  # fmt: skip
REPS = make_reps({"R1": CENTRE, "R2": RING[3]}, {"R1": 1500.0, "R2": 1500.0})


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'plans.sqlite'}"


@pytest.fixture
def scenario(url, monkeypatch):
    dataset, sid = editing.ensure_scenarios(url, "toy", ACCOUNTS, REPS, default_call_plan(),
                                            resolution=7)  # fmt: skip
    keep_rule(url, sid, TargetRule(total=600_000, driver="tam", overrides={"R1": 400_000}))
    board, plan, version = editing.load(url, sid)
    cell = int(board.market.account_cell[1])
    monkeypatch.setattr(data.store, "_now",
                        lambda: dt.datetime(2026, 8, 16, 9, 30, tzinfo=dt.UTC))  # fmt: skip
    editing.apply(url, sid, version, "move", np.array([cell]), 1)
    monkeypatch.undo()
    return dataset, sid


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_import_report_replace_and_track(url, scenario, tmp_path):
    dataset, sid = scenario
    revenue = _write(tmp_path / "rev.csv", "Kundennummer,Month,Umsatz\n"
                     "a1,2026-07,30000\na1,2026-08,30000\na2,2026-Q3,9200\na3,2026-Q3,20000\n"
                     "zz,2026-07,5\na3,2026-10,1\na1,2026-09,-4\n")  # fmt: skip
    visits = _write(tmp_path / "visits.csv", "date,account_id,rep_id,channel\n"
                    + "".join(f"2026-07-{d:02d},a1,R1,field\n" for d in range(1, 11))
                    + "2026-08-01,a2,R1,field\n2026-08-20,a2,R2,field\n2026-09-10,a2,R2,remote\n"
                    + "2026-10-01,a3,R2,remote\n2026-09-01,a3,R9,remote\n")  # fmt: skip
    check = actuals.check_files(url, dataset, "2026-Q3", {"revenue": revenue, "visits": visits})
    assert check.lines()[:2] == [
        "rev.csv: 7 rows read, 4 kept, 3 excluded (listed by row)",
        "visits.csv: 15 rows read, 13 kept, 2 excluded (listed by row)",
    ]
    assert not check.replacement.replaces
    report = check.report().splitlines()
    assert report[0] == "file,row,column,reason"
    assert "rev.csv,6,account_id,unknown account 'zz'" in report
    assert "visits.csv,15,date,2026-10-01 lies outside 2026-Q3" in report
    assert "visits.csv,16,rep_id,unknown rep 'R9'" in report
    assert actuals.store_checked(url, check) == "2026-Q3: stored 4 revenue rows, 13 visits rows."
    assert actuals.periods(url, sid) == ["2026-Q3"]

    result = tracking.scenario_tracking(url, sid, "2026-Q3")
    assert result.split_accounts == 1
    r1, r2 = result.level("rep").loc["R1"], result.level("rep").loc["R2"]
    assert r1["revenue"] == pytest.approx(64_600) and r2["revenue"] == pytest.approx(24_600)
    assert r1["target"] == pytest.approx(100_000) and r2["target"] == pytest.approx(50_000)
    assert r1["attainment"] == pytest.approx(0.646)
    assert r1["visits_made"] == 11 and r1["visits_planned"] == pytest.approx(14.5)
    assert r2["call_compliance"] == pytest.approx(2 / 4.5)
    assert (r2["planned_accounts"], r2["visited_accounts"]) == (2, 1)
    assert result.level("total").loc["TOTAL", "coverage"] == pytest.approx(2 / 3)

    view = tracking.tracking_view(url, sid, "2026-Q3", "rep", {"attainment": 0.6}, "R2")
    assert view.table.set_index("rep_id")["flag"].to_dict() == {
        "R1": "", "R2": "attainment 49% < 60%"}  # fmt: skip
    assert view.trend["period"].tolist() == ["2026-Q3"]
    assert "1 account(s) changed owner" in view.note
    cells = tracking.cell_metric(url, sid, "2026-Q3", "attainment")
    board, plan, _ = editing.load(url, sid)
    assert cells[board.market.account_cell[0]] == pytest.approx(0.646)

    again = _write(tmp_path / "rev2.csv", "account_id,period,revenue\na1,2026-Q3,60000\n"
                   "a2,2026-Q3,1000\n")  # fmt: skip
    check2 = actuals.check_files(url, dataset, "2026-Q3", {"revenue": again})
    assert check2.replacement.sentence() == (
        "2026-Q3 already holds 3 revenue rows and 13 visits; importing replaces them: 2 revenue "
        "rows change (0 new, 1 gone, 1 with another amount), visits 13 -> 13."
    )
    actuals.store_checked(url, check2)
    assert editing.open_store(url).actual_revenue(dataset, "2026-Q3").to_dict() == {
        "a1": 60_000.0, "a2": 1000.0}  # fmt: skip


def test_plan_next_quarter_starts_from_the_actuals(url, scenario, tmp_path):
    dataset, sid = scenario
    revenue = _write(tmp_path / "rev.csv", "account_id,period,revenue\na1,2026-Q3,60000\n")
    actuals.store_checked(url, actuals.check_files(url, dataset, "2026-Q3", {"revenue": revenue}))
    made = tracking.plan_next_quarter(url, sid)
    assert made.name.endswith("plan for 2026-Q4") and made.updated_accounts == 1
    accounts, _, _ = editing.open_store(url).load_dataset(made.dataset_id)
    assert accounts.set_index("account_id")["revenue"].to_dict() == {
        "a1": 240_000.0, "a2": 30_000.0, "a3": 70_000.0}  # fmt: skip
    _, now, _ = editing.load(url, sid)
    _, nxt, _ = editing.load(url, made.scenario_id)
    assert nxt.owner.tolist() == now.owner.tolist()
    assert nxt.tally.revenue[1:].sum() == pytest.approx(340_000 * 100)


def test_map_values_fall_back_to_the_latest_period(url, scenario, tmp_path):
    dataset, sid = scenario
    assert tracking.rep_values(url, sid, "attainment", None).size == 0  # nothing imported
    revenue = _write(tmp_path / "rev.csv", "account_id,period,revenue\na1,2026-Q3,50000\n")
    actuals.store_checked(url, actuals.check_files(url, dataset, "2026-Q3", {"revenue": revenue}))
    # a period this data set does not hold (another data set's choice): the latest one instead
    values = tracking.rep_values(url, sid, "attainment", "2025-Q1")
    # R1: a1's 50,000 and none of a2's (no revenue) of a 100,000 quarter target
    assert values.tolist() == pytest.approx([0.5, 0.0])
