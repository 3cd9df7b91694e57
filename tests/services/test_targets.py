"""Targets kept with a scenario, the team's regions, and auto-balance limited to one region,
through the store as the app does them (issue 14)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from common.errors import ReadOnlyScenarioError
from planning.optimizer import Settings
from planning.targets import TargetRule, default_rule
from services import editing, hierarchy, targets
from tests.planning.test_tally import world


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'plans.sqlite'}"


@pytest.fixture
def scenario(url):
    m = world()
    reps = m.reps.copy()
    reps["region"] = pd.array(["West", "West", "East", "East"], dtype="string")
    reps["district"] = pd.array(["W1", "W2", "E1", None], dtype="string")
    return editing.ensure_scenarios(url, "test", m.accounts, reps, m.call_plan, resolution=7)


def test_rule_is_kept_with_the_scenario_and_carried_by_a_balance(url, scenario):
    _, sid = scenario
    _, plan, _ = editing.load(url, sid)
    assert targets.scenario_rule(url, sid) == default_rule(plan)
    rule = TargetRule(total=1_000_000, driver="tam", unit=1000, overrides={"R2": 100_000})
    targets.keep_rule(url, sid, rule)
    assert targets.scenario_rule(url, sid) == rule
    money = targets.rep_targets(plan, rule)
    assert money.sum() == 1_000_000 and money[1] == 100_000


def test_a_baseline_keeps_no_rule(url, scenario):
    dataset, _ = scenario
    base = next(s.id for s in editing.open_store(url).scenarios(dataset) if s.baseline)
    with pytest.raises(ReadOnlyScenarioError):
        targets.keep_rule(url, base, TargetRule(total=1))


def test_team_groups(url, scenario):
    _, sid = scenario
    regions, districts = hierarchy.team_groups(url, sid)
    assert regions == ["West", "East"]
    assert districts == ["West / W1", "West / W2", "East / E1", "East / No district"]


def test_balance_limited_to_one_region_keeps_the_other_regions_cells(url, scenario):
    _, sid = scenario
    _, before, _ = editing.load(url, sid)
    balanced = editing.balance_to_new_scenario(
        url, sid, Settings(tolerance=0.05, time_limit=10, seed=1), region="East"
    )
    assert balanced.name.endswith("(East)")
    _, after, _ = editing.load(url, balanced.scenario_id)
    east = np.isin(before.owner, [2, 3])
    assert np.array_equal(after.owner[~east], before.owner[~east])
    assert np.isin(after.owner[east], [2, 3]).all()
    record = editing.scenario(url, balanced.scenario_id)
    assert record.settings["autobalance"]["region"] == "East"
