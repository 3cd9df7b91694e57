"""Market-share classes and the effort plan, hand-computed on a small named world.

The world ("seven fields"): the seven cells of the toy disk, R1 at home in the centre and R2 in
ring cell 3. One account per cell, chosen to sit on the thresholds' edges:

| cell  | account | seg | TAM      | revenue | share    | class      | owner |
|-------|---------|-----|----------|---------|----------|------------|-------|
| centre| a1      | A   | 1,000.00 |  600.00 | 60% exact| stronghold | R1    |
| ring0 | a2      | B   | 1,000.00 |  400.00 | 40% exact| base       | R1    |
| ring1 | a3      | B   | 1,000.00 |  399.99 | 39.999%  | contested  | R1    |
| ring2 | a4 (+a8)| C,B | 500 + 500|    0    | 0        | frontier   | R1    |
| ring3 | a5      | C   |     0    |    0    | none     | none       | R2    |
| ring4 | a6      | A   | 1,000.00 |  599.99 | 59.999%  | base       | R2    |
| ring5 | a7      | C   |     0    |   50.00 | TAM 0    | stronghold | R2    |

a8 is a B account pinned to R2 that sits in ring2 (R1's frontier cell): it counts for R2, under
frontier, and makes ring2's TAM 1,000.00.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import h3

from geo.area import area_from_cells
from planning.callplan import default_call_plan
from planning.market import build_market
from planning.market_share import (
    cell_table,
    class_rows,
    class_sums,
    effort_effect,
    region_table,
    rep_regions,
    territory_table,
)
from planning.metrics import rep_metrics
from planning.plan import Plan, reassign
from planning.share_classes import (
    EffortRule,
    ShareClass,
    ShareError,
    ShareSettings,
    Thresholds,
    call_plan_with_share,
    classify,
    effort_from_values,
    share_settings_of,
)
from tests.toy import CENTRE, DISK, RING, haversine_km, make_accounts, make_reps

SEC = 1 / 3600


def travel_hours(visits: float, km: float) -> float:
    return visits * 2 * km * 1.3 / 60 / 4


def km(a: str, b: str) -> float:
    return haversine_km(h3.cell_to_latlng(a), h3.cell_to_latlng(b))


def world_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    accounts = make_accounts([
        ("a1", CENTRE, "A", 1000.00, 600.00, "R1", False),
        ("a2", RING[0], "B", 1000.00, 400.00, "R1", False),
        ("a3", RING[1], "B", 1000.00, 399.99, "R1", False),
        ("a4", RING[2], "C", 500.00, 0.00, "R1", False),
        ("a5", RING[3], "C", 0.00, 0.00, "R2", False),
        ("a6", RING[4], "A", 1000.00, 599.99, "R2", False),
        ("a7", RING[5], "C", 0.00, 50.00, "R2", False),
        ("a8", RING[2], "B", 500.00, 0.00, "R2", True),
    ])  # fmt: skip
    reps = make_reps({"R1": CENTRE, "R2": RING[3]}, {"R1": 150.0, "R2": 50.0})
    return accounts, reps


def world(settings: ShareSettings | None = None, reps: pd.DataFrame | None = None) -> Plan:
    accounts, default_reps = world_frames()
    call_plan = call_plan_with_share(default_call_plan(), settings or ShareSettings())
    area = area_from_cells(np.array([h3.str_to_int(c) for c in DISK], np.uint64), 7)
    market = build_market(accounts, default_reps if reps is None else reps, call_plan, area=area)
    owner = np.full(market.n_cells, -1, np.int64)
    for cell, rep in [(CENTRE, 0), *((RING[i], 0) for i in range(3)),
                      *((RING[i], 1) for i in range(3, 6))]:  # fmt: skip
        owner[market.area.positions(np.array([h3.str_to_int(cell)], np.uint64))[0]] = rep
    return Plan.from_owner(market, owner)


def pos(plan: Plan, cell: str) -> int:
    return int(plan.market.area.positions(np.array([h3.str_to_int(cell)], np.uint64))[0])


def test_classify_decides_the_edges_exactly():
    tam = np.array([100_000, 100_000, 100_000, 100_000, 100_000, 50_000, 0, 0])
    rev = np.array([60_000, 59_999, 40_000, 39_999, 1, 0, 0, 5_000])
    assert [ShareClass(c).key for c in classify(tam, rev, Thresholds())] == [
        "stronghold", "base", "base", "contested", "contested", "frontier", "none", "stronghold",
    ]  # fmt: skip
    # edited thresholds: 59.999% is a stronghold at 50%, 39.999% a base at 35%
    assert classify(tam[[1, 3]], rev[[1, 3]], Thresholds(50.0, 35.0)).tolist() == [0, 1]
    # thresholds with two decimals are exact too: 33.33% of 1,000.00 is 333.30
    assert classify(np.array([100_000]), np.array([33_330]), Thresholds(50, 33.33)).tolist() == [1]
    assert classify(np.array([100_000]), np.array([33_329]), Thresholds(50, 33.33)).tolist() == [2]


def test_thresholds_must_be_ordered():
    with pytest.raises(ShareError, match="base <= stronghold"):
        Thresholds(40.0, 60.0)
    with pytest.raises(ShareError):
        Thresholds(60.0, 0.0)


def test_every_cell_of_the_world_has_its_hand_class():
    plan = world()
    want = {CENTRE: "stronghold", RING[0]: "base", RING[1]: "contested", RING[2]: "frontier",
            RING[3]: "none", RING[4]: "base", RING[5]: "stronghold"}  # fmt: skip
    for cell, key in want.items():
        assert ShareClass(int(plan.market.cell_class[pos(plan, cell)])).key == key, cell
    cells = cell_table(plan).set_index("h3_cell")
    assert cells.loc[RING[2], "tam"] == 1000.00  # the pinned a8 counts in its cell's class
    assert cells.loc[RING[2], "accounts"] == 2
    assert cells.loc[CENTRE, "share"] == pytest.approx(0.6)
    assert np.isnan(cells.loc[RING[5], "share"])  # TAM 0: no share, yet a stronghold


def test_territory_breakdown_by_hand():
    plan = world()
    table = territory_table(plan).set_index("rep_id")
    r1, r2 = table.loc["R1"], table.loc["R2"]
    # R1: 1,000 + 1,000 + 1,000 + 500 of TAM, 600 + 400 + 399.99 of revenue: 39.9997 % contested
    assert r1["tam"] == pytest.approx(3500.00)
    assert r1["revenue"] == pytest.approx(1399.99)
    assert r1["share"] == pytest.approx(1399.99 / 3500)
    assert r1["class"] == "contested"
    # R2: a5 (0), a6 (1,000.00 / 599.99), a7 (0 / 50), pinned a8 (500 / 0): 43.3 % base
    assert r2["tam"] == pytest.approx(1500.00)
    assert r2["revenue"] == pytest.approx(649.99)
    assert r2["class"] == "base"
    # R1 per class: stronghold a1 (52 visits x 60 min at home: 52 h), frontier a4 (12 x 15 remote)
    assert r1["stronghold_accounts"] == 1 and r1["stronghold_tam"] == 1000.00
    assert r1["stronghold_workload_hours"] == pytest.approx(52.0, abs=SEC)
    b_ring0 = 9.0 + travel_hours(12, km(CENTRE, RING[0]))
    assert r1["base_workload_hours"] == pytest.approx(b_ring0, abs=SEC)
    assert r1["contested_revenue"] == pytest.approx(399.99)
    assert r1["frontier_workload_hours"] == pytest.approx(3.0, abs=SEC)
    assert r1["frontier_tam"] == 500.00  # a8 in the same cell is R2's
    # R2 per class: none a5 (3 h at home), base a6 (52 h + travel), stronghold a7 (3 h remote),
    # frontier the pinned a8 (9 h + 12 field visits to ring2 from ring3)
    assert r2["none_accounts"] == 1 and r2["none_workload_hours"] == pytest.approx(3.0, abs=SEC)
    assert r2["base_revenue"] == pytest.approx(599.99)
    assert r2["stronghold_tam"] == 0.0 and r2["stronghold_revenue"] == 50.00
    a8 = 9.0 + travel_hours(12, km(RING[3], RING[2]))
    assert r2["frontier_workload_hours"] == pytest.approx(a8, abs=SEC)
    assert r2["frontier_accounts"] == 1
    # the panel's one-territory table
    rows = class_rows(territory_table(plan), "R2").set_index("class")
    assert rows.loc["frontier", "accounts"] == 1
    assert rows.loc["none", "workload_hours"] == pytest.approx(3.0, abs=SEC)


def test_classes_add_up_to_the_rep_metrics_exactly():
    plan = world()
    sums = class_sums(plan)
    t = plan.tally
    assert np.array_equal(sums.work_s.sum(axis=1), t.visit_s + t.travel_s)
    assert np.array_equal(sums.tam.sum(axis=1), t.tam)
    assert np.array_equal(sums.revenue.sum(axis=1), t.revenue)
    assert np.array_equal(sums.accounts.sum(axis=1), t.accounts)
    table = territory_table(plan).set_index("rep_id")
    metrics = rep_metrics(plan)
    for rep in ("R1", "R2"):
        assert table.loc[rep, "workload_hours"] == pytest.approx(metrics.loc[rep, "workload_hours"])
        per_class = sum(table.loc[rep, f"{c.key}_workload_hours"] for c in ShareClass)
        assert per_class == pytest.approx(table.loc[rep, "workload_hours"])


def test_moving_a_cell_keeps_its_class_and_moves_its_workload():
    plan = world()
    moved = reassign(plan, np.array([pos(plan, RING[0])]), 1)  # R1's base cell to R2
    assert np.array_equal(moved.market.cell_class, plan.market.cell_class)
    before = territory_table(plan).set_index("rep_id")
    after = territory_table(moved).set_index("rep_id")
    assert after.loc["R1", "base_accounts"] == 0
    assert after.loc["R2", "base_accounts"] == 2
    assert after.loc["R2", "base_tam"] == pytest.approx(2000.00)
    # the cell's visits go along; its travel is now measured from R2's home
    b_from_r2 = 9.0 + travel_hours(12, km(RING[3], RING[0]))
    assert after.loc["R2", "base_workload_hours"] == pytest.approx(
        before.loc["R2", "base_workload_hours"] + b_from_r2, abs=2 * SEC
    )
    assert after.loc["TOTAL", "base_tam"] == before.loc["TOTAL", "base_tam"]


def test_regions_roll_up_the_reps():
    accounts, reps = world_frames()
    assert rep_regions(reps).tolist() == ["No region", "No region"]
    reps = reps.assign(region=["North", "South"])
    plan = world(reps=reps)
    regions = region_table(plan).set_index("region")
    assert list(regions.index) == ["North", "South", "UNASSIGNED", "TOTAL"]
    assert regions.loc["North", "tam"] == pytest.approx(3500.00)
    assert regions.loc["South", "class"] == "base"
    assert regions.loc["TOTAL", "tam"] == pytest.approx(5000.00)
    one = world()
    assert region_table(one).set_index("region").loc["No region", "accounts"] == 8


def test_effort_plan_changes_the_workload_of_its_class_only():
    now = world()
    rules = (
        # frontier C by phone, rarely: a4 goes from 12 x 15 min (3 h) to 4 x 30 min (2 h)
        EffortRule(ShareClass.FRONTIER, "C", 4.0, 30.0, "remote"),
        # stronghold C in person: a7 from 3 h remote to 12 x 45 min = 9 h plus field travel
        EffortRule(ShareClass.STRONGHOLD, "C", 12.0, 45.0, "field"),
    )
    then = world(ShareSettings(Thresholds(), rules))
    effect = effort_effect(now, then).set_index("rep_id")
    assert effect.loc["R1", "change_hours"] == pytest.approx(-1.0, abs=SEC)
    a7 = 9.0 + travel_hours(12, km(RING[3], RING[5])) - 3.0
    assert effect.loc["R2", "change_hours"] == pytest.approx(a7, abs=SEC)
    assert effect.loc["TOTAL", "change_hours"] == pytest.approx(a7 - 1.0, abs=2 * SEC)
    # the none-class C (a5) and the frontier B (a8, no rule) keep the call plan's visits
    tables = territory_table(now).set_index("rep_id"), territory_table(then).set_index("rep_id")
    for key in ("none_workload_hours", "frontier_workload_hours"):
        assert tables[0].loc["R2", key] == tables[1].loc["R2", key]
    # classes do not depend on the effort plan
    assert np.array_equal(now.market.cell_class, then.market.cell_class)


def test_settings_round_trip_through_the_call_plan():
    settings = ShareSettings(
        Thresholds(55.5, 35.0), (EffortRule(ShareClass.FRONTIER, "A", 4.0, 30.0, "remote"),)
    )
    plan = call_plan_with_share(default_call_plan(), settings)
    assert share_settings_of(plan) == settings
    # the defaults store nothing: an existing data set keeps its fingerprint
    assert "share_classes" not in call_plan_with_share(plan, ShareSettings()).columns
    assert share_settings_of(default_call_plan()) == ShareSettings()


def test_effort_from_the_editor_keeps_only_rows_that_differ():
    values = {
        ("frontier", "A"): {"visits_per_year": 4, "minutes_per_visit": 30, "channel": "remote"},
        ("stronghold", "A"): {"visits_per_year": 52, "minutes_per_visit": 60, "channel": "field"},
        ("base", "B"): {"visits_per_year": None, "minutes_per_visit": None, "channel": None},
    }
    rules = effort_from_values(values, default_call_plan())
    assert rules == (EffortRule(ShareClass.FRONTIER, "A", 4.0, 30.0, "remote"),)
    with pytest.raises(ShareError, match="channel"):
        effort_from_values({("base", "C"): {"visits_per_year": 1, "channel": "car"}},
                           default_call_plan())  # fmt: skip
