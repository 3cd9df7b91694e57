"""Issue 14: the panel at rep, district and region level, fair share per scope, with targets."""

from __future__ import annotations

from callbacks.map import PanelView, panel
from planning.targets import TargetRule, rule_settings
from tests.planning.test_targets import _world

RULE = rule_settings(TargetRule(total=2000, driver="tam"))


def test_region_level_sums_the_reps_targets_and_says_how_balance_is_judged():
    plan, _ = _world()
    rows, workload, tam, summary, note = panel(plan, 10, PanelView("region", "region", RULE))
    assert [r["rep_id"] for r in rows] == ["North", "South"]
    assert [r["target"] for r in rows] == ["1,400", "600"]  # TAM 700 and 300 of 1,000
    assert rows[0]["name"] == "2 reps"
    assert workload["data"][1]["x"] == ["North", "South"]
    assert "balance judged within each region" in note
    assert "Targets: 2,000 split by TAM, rounded to 1." in note


def test_rep_level_shows_target_share_of_tam_and_required_growth():
    plan, _ = _world()
    rows, *_, note = panel(plan, 10, PanelView("rep", "team", RULE))
    r2 = next(r for r in rows if r["rep_id"] == "R2")
    # TAM 300, revenue 150: target 600, 200 % of TAM, growth +300 %
    assert (r2["target"], r2["target_per_tam"], r2["required_growth"]) == ("600", "200.0%",
                                                                             "+300.0%")  # fmt: skip
    assert "balance judged team-wide" in note


def test_a_rule_that_cannot_be_met_blanks_the_targets_and_says_why():
    bad = rule_settings(TargetRule(total=10, driver="tam", floor=0.0))
    rows, *_, note = panel(plan := _world()[0], 10, PanelView(targets=bad))
    assert plan is not None
    assert {r["target"] for r in rows} == {"–"}
    assert note.startswith("Showing reps; balance judged team-wide") and "Targets not split" in note
