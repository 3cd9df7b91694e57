"""The effort plan's use cases on a stored toy world: preview (nothing stored), apply (new data set).

The toy world (tests/toy.py): a1 (A, TAM 1,000.00, revenue 250.00: 25%, contested) in R1's home
cell; a2 (B, 500.50 / 100.25) and a3 (C remote, 99.99 / 0) in ring cell 0, whose share is
100.25 / 600.49 = 16.7%: contested too. R2 owns ring cell 0.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from planning.callplan import default_call_plan
from planning.share_classes import EffortRule, ShareClass, ShareSettings, Thresholds
from services import datasets, editing, market_share
from services.market_share import Level, classes_from_files, settings_from_file
from services.workspace import PlanFiles

SEC = 1 / 3600
RULES = (
    # contested A: every other week instead of weekly (a1: 52 h -> 26 h, in R1's home cell)
    EffortRule(ShareClass.CONTESTED, "A", 26.0, 60.0, "field"),
    # contested C: four calls of 30 min (a3: 3 h -> 2 h)
    EffortRule(ShareClass.CONTESTED, "C", 4.0, 30.0, "remote"),
)


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'plans.sqlite'}"


@pytest.fixture
def working(url, toy):
    _, sid = editing.ensure_scenarios(
        url, "toy", toy.accounts, toy.reps, default_call_plan(), resolution=7
    )
    return sid


def test_the_tab_reads_the_classes_of_a_scenario(url, working):
    view = market_share.scenario_classes(url, working)
    assert view.settings == ShareSettings()
    table = view.territories.set_index("rep_id")
    assert table.loc["R1", "class"] == "contested"
    assert table.loc["R2", "contested_accounts"] == 2
    assert table.loc["R2", "contested_tam"] == pytest.approx(600.49)
    assert len(view.rules) == 12 and not any(r["overridden"] for r in view.rules)
    assert view.regions.set_index("region").loc["No region", "accounts"] == 3


def test_preview_shows_every_reps_workload_before_anything_is_stored(url, working):
    before = {d.id for d in editing.open_store(url).datasets()}
    preview = market_share.preview_settings(url, working, ShareSettings(Thresholds(), RULES))
    effect = preview.effect.set_index("rep_id")
    assert effect.loc["R1", "change_hours"] == pytest.approx(-26.0, abs=SEC)
    assert effect.loc["R2", "change_hours"] == pytest.approx(-1.0, abs=SEC)
    assert effect.loc["R1", "workload_now_hours"] == pytest.approx(52.0, abs=SEC)
    assert effect.loc["TOTAL", "change_hours"] == pytest.approx(-27.0, abs=2 * SEC)
    assert len(preview.changes) == 2
    assert {d.id for d in editing.open_store(url).datasets()} == before  # nothing stored


def test_apply_makes_a_data_set_and_carries_the_plan_over(url, working):
    settings = ShareSettings(Thresholds(), RULES)
    edit = market_share.apply_settings(url, working, settings)
    derived = edit.derived
    assert derived is not None
    assert derived.hours_after == pytest.approx(derived.hours_before - 27.0, abs=2 * SEC)
    assert "effort plan edited" in derived.name
    _, old_plan, _ = editing.load(url, working)
    board, new_plan, _ = editing.load(url, derived.scenario_id)
    assert np.array_equal(old_plan.owner, new_plan.owner)
    assert board.market.share == settings
    # a second apply of the same settings on the new scenario changes nothing
    assert market_share.apply_settings(url, derived.scenario_id, settings).derived is None
    # a later call-plan edit keeps the effort plan with the data set
    values = {s: {"visits_per_year": v, "minutes_per_visit": m, "channel": c}
              for s, v, m, c in [("A", 52, 60, "field"), ("B", 24, 45, "field"),
                                 ("C", 12, 15, "remote")]}  # fmt: skip
    travel = {"circuity": 1.3, "speed_kmh": 60.0, "visits_per_trip": 4.0}
    again = datasets.edit_call_plan(url, derived.scenario_id, values, travel)
    assert again.derived is not None
    board2, _, _ = editing.load(url, again.derived.scenario_id)
    assert board2.market.share == settings


def test_thresholds_alone_reclass_the_ground_without_changing_workload(url, working):
    edit = market_share.apply_settings(url, working, ShareSettings(Thresholds(20.0, 10.0)))
    assert edit.changes == ("stronghold threshold 60% → 20%", "base threshold 40% → 10%")
    assert edit.derived is not None
    assert edit.derived.hours_after == pytest.approx(edit.derived.hours_before)
    view = market_share.scenario_classes(url, edit.derived.scenario_id)
    table = view.territories.set_index("rep_id")
    assert table.loc["R1", "class"] == "stronghold"  # 25% >= 20%
    assert table.loc["R2", "class"] == "base"  # 16.7% >= 10%


def test_classes_from_files_with_an_effort_file(tmp_path, toy):
    accounts, reps = tmp_path / "accounts.csv", tmp_path / "reps.csv"
    toy.accounts.to_csv(accounts, index=False)
    toy.reps.to_csv(reps, index=False)
    effort = tmp_path / "effort.json"
    effort.write_text(json.dumps({"effort": [r.as_json() for r in RULES]}), encoding="utf-8")
    settings = settings_from_file(effort, None, 20.0)
    assert settings.thresholds == Thresholds(60.0, 20.0) and settings.effort == RULES
    files = PlanFiles(accounts, reps, boundary="hull")
    table = classes_from_files(files, Level.TERRITORY, settings, resolution=7).set_index("rep_id")
    assert table.loc["R1", "class"] == "base"  # 25% >= 20%: a1 is base, the contested rule
    assert table.loc["R1", "workload_hours"] == pytest.approx(52.0, abs=SEC)  # does not apply
    plain = settings_from_file(effort, None, None)
    table = classes_from_files(files, Level.TERRITORY, plain, resolution=7).set_index("rep_id")
    assert table.loc["R1", "workload_hours"] == pytest.approx(26.0, abs=SEC)
    cells = classes_from_files(files, Level.CELL, plain, resolution=7)
    assert cells["class"].tolist() == ["contested", "contested"]
