"""Reps rolled up to districts and regions (issue 14 section 3).

Every level equals the sum of the one below; ratios are recomputed from the sums; balance can be
judged inside each region; auto-balance can be limited to one region.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planning.baseline import baseline_plan
from planning.hierarchy import (
    NO_DISTRICT,
    NO_REGION,
    SUMMED,
    balance_region,
    group_keys,
    group_of_cells,
    rep_groups,
    roll_up,
    within_regions,
)
from planning.market import build_market
from planning.metrics import rep_metrics, team_metrics
from planning.optimizer import Settings
from planning.plan import Plan
from tests.planning.test_tally import world


@pytest.fixture(scope="module")
def plan() -> Plan:
    """The tally tests' world (four reps, pinned and ownerless accounts) with a hierarchy:
    R1, R2 in West (districts W1, W2); R3 in East (E1); R4 in East with no district."""
    m = world()
    reps = m.reps.copy()
    reps["region"] = pd.array(["West", "West", "East", "East"], dtype="string")
    reps["district"] = pd.array(["W1", "W2", "E1", None], dtype="string")
    market = build_market(m.accounts, reps, area=m.area)
    return baseline_plan(market)[0]


def test_blank_region_and_district_form_one_region():
    reps = pd.DataFrame({"rep_id": ["R1", "R2"], "region": [None, " "]})
    groups = rep_groups(reps)
    assert list(groups["region"]) == [NO_REGION, NO_REGION]
    assert list(groups["district"]) == [NO_DISTRICT, NO_DISTRICT]
    assert group_keys(reps, "district") == [f"{NO_REGION} / {NO_DISTRICT}"] * 2


def test_each_level_is_the_sum_of_the_one_below(plan):
    reps = rep_metrics(plan)
    districts = roll_up(plan, reps, "district")
    regions = roll_up(plan, reps, "region")
    assert list(districts["rep_id"]) == ["West / W1", "West / W2", "East / E1",
                                         f"East / {NO_DISTRICT}"]  # fmt: skip
    assert list(regions["rep_id"]) == ["West", "East"]
    for column in [c for c in SUMMED if c in reps.columns]:
        d = districts[column].to_numpy(float)
        r = regions[column].to_numpy(float)
        rep = reps[column].to_numpy(float)
        # reps -> districts (one rep each here), districts -> regions, regions -> team
        assert d == pytest.approx(rep, rel=1e-12), column
        assert r == pytest.approx([d[0] + d[1], d[2] + d[3]], rel=1e-12), column
        assert r.sum() == pytest.approx(rep.sum(), rel=1e-12), column
    team = team_metrics(plan)
    assert regions["accounts"].sum() == team["accounts"] - team["unassigned_accounts"]
    assert regions["tam"].sum() == pytest.approx(team["tam"] - team["unassigned_tam"])


def test_ratios_are_recomputed_from_the_sums(plan):
    reps = rep_metrics(plan)
    west = roll_up(plan, reps, "region").loc["West"]
    w = reps.loc[["R1", "R2"]]
    assert west["utilisation"] == pytest.approx(
        w["workload_hours"].sum() / w["capacity_hours"].sum()
    )
    assert west["market_share"] == pytest.approx(w["revenue"].sum() / w["tam"].sum())
    assert west["workload_deviation"] == pytest.approx(
        w["workload_hours"].sum() / w["workload_target_hours"].sum() - 1
    )
    assert west["max_home_km"] == w["max_home_km"].max()
    assert west["mean_home_km"] == pytest.approx(
        (w["mean_home_km"] * w["workload_hours"]).sum() / w["workload_hours"].sum()
    )
    assert west["name"] == "2 reps"


def test_region_shape_is_measured_on_the_union_of_its_cells(plan):
    regions = roll_up(plan, rep_metrics(plan), "region")
    cells = group_of_cells(plan, "region")
    # the union's area over its cells equals the sum over the reps' cells
    assert (cells >= 0).sum() == regions["cells"].sum()
    # a region is never in more pieces than its reps together
    reps = rep_metrics(plan)
    assert (
        regions.loc["West", "contiguity_components"]
        <= reps.loc[["R1", "R2"], "contiguity_components"].sum()
    )
    assert 0 < regions.loc["West", "polsby_popper"] <= 1


def test_fair_share_within_regions(plan):
    reps = rep_metrics(plan)
    inside = within_regions(plan, reps, 0.10)
    west = reps.loc[["R1", "R2"]]
    share = west["capacity_hours"] / west["capacity_hours"].sum()
    assert inside.loc[["R1", "R2"], "workload_target_hours"].to_numpy() == pytest.approx(
        (west["workload_hours"].sum() * share).to_numpy()
    )
    # the region's fair shares add up to the region's own workload (no unassigned work in it)
    assert inside["workload_target_hours"].sum() == pytest.approx(reps["workload_hours"].sum())
    assert inside.loc["R1", "workload_deviation"] == pytest.approx(
        reps.loc["R1", "workload_hours"] / inside.loc["R1", "workload_target_hours"] - 1
    )


def test_balance_limited_to_one_region_leaves_the_others_alone(plan):
    proposal, result = balance_region(plan, "West", Settings(tolerance=0.05, time_limit=10,
                                                             seed=1), rng=1)  # fmt: skip
    owner, before = np.asarray(proposal.owner), np.asarray(plan.owner)
    west = np.isin(before, [0, 1])
    assert np.array_equal(owner[~west], before[~west])  # East and unassigned cells stay
    assert np.isin(owner[west], [0, 1]).all()  # West's cells stay in West
    assert (owner[west] != before[west]).any()  # and something moved inside it
    inside = within_regions(proposal, rep_metrics(proposal), 0.05)
    before_dev = within_regions(plan, rep_metrics(plan), 0.05).loc[["R1", "R2"]]
    assert (
        inside.loc[["R1", "R2"], "workload_deviation"].abs().max()
        <= before_dev["workload_deviation"].abs().max()
    )
    assert abs(result.worst_deviation) <= before_dev["workload_deviation"].abs().max() + 1e-9


def test_unknown_region_is_refused(plan):
    with pytest.raises(ValueError, match="no rep is in region 'North'"):
        balance_region(plan, "North")
