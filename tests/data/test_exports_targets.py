"""Issue 14: the xlsx Summary and the territories carry each rep's target, the panel's number."""

from __future__ import annotations

import pandas as pd

from data.exports import territories_frame, write_workbook
from planning.baseline import baseline_plan
from planning.targets import TargetRule, rule_settings
from tests.toy import make_toy


def test_summary_and_territories_hold_the_targets(tmp_path):
    toy = make_toy()
    plan, _ = baseline_plan(toy.market)
    # TAM 1,000.00 and 600.49: 10,000 split to 6,248.05 / 3,751.95, in thousands 6,000 / 4,000
    settings = {"targets": rule_settings(TargetRule(total=10_000, driver="tam", unit=1000))}
    path = write_workbook(plan, tmp_path / "plan.xlsx", settings=settings)
    summary = pd.read_excel(path, sheet_name="Summary").set_index("Rep ID")
    assert summary.loc["R1", "Target (currency)"] == 6000
    assert summary.loc["R2", "Target (currency)"] == 4000
    assert summary.loc["TEAM", "Target (currency)"] == 10000
    assert summary.loc["R1", "Required growth over revenue (%)"] == 6000 / 250 - 1
    frame = territories_frame(plan, settings=settings)
    assert frame["target"].tolist() == [6000, 4000]


def test_without_a_kept_rule_the_default_is_revenue_plus_five_percent(tmp_path):
    toy = make_toy()
    plan, _ = baseline_plan(toy.market)
    frame = territories_frame(plan)
    # revenue 250.00 + 100.25 = 350.25; x 1.05 = 367.76 -> a total of 368 in whole units:
    # bases 262.50 and 105.26, the 0.24 left by untapped TAM (750.00 : 500.24): 262.64 and
    # 105.36; down to 262 and 105, the unit left to the larger remainder (R1's .64)
    assert frame["target"].tolist() == [263, 105]
