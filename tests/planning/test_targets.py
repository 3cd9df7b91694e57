"""The target split (issue 14, section 2): hand-computed on four named reps, then a property test.

The four reps (money, not cents):

=====  =====  =======
rep    TAM    revenue
=====  =====  =======
R1     400    100
R2     300    150
R3     200     50
R4     100      0
=====  =====  =======
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import h3

from planning.plan import Plan, reassign
from planning.targets import (
    TargetError,
    TargetRule,
    plan_targets,
    rule_from_settings,
    rule_settings,
    split_targets,
    target_table,
)
from tests.toy import CENTRE, RING, make_accounts, make_reps, toy_market

IDS = ["R1", "R2", "R3", "R4"]
TAM = np.array([400, 300, 200, 100]) * 100
REVENUE = np.array([100, 150, 50, 0]) * 100


def split(**rule) -> list[float]:
    return (split_targets(IDS, TAM, REVENUE, TargetRule(**rule)) / 100).tolist()


def test_tam_driver_splits_by_tam_share():
    assert split(total=2000, driver="tam") == [800, 600, 400, 200]


def test_revenue_driver_splits_by_revenue_share():
    # 3,000 x 100/300, 150/300, 50/300, 0/300
    assert split(total=3000, driver="revenue") == [1000, 1500, 500, 0]


def test_blend_with_rounding_to_ten():
    # shares 0.5 x (0.4, 0.3, 0.2, 0.1) + 0.5 x (1/3, 1/2, 1/6, 0) = .3667, .4, .1833, .05
    # -> 366.67, 400, 183.33, 50; down to tens 360, 400, 180, 50 = 990; the 10 left goes to the
    # largest remainder (R1's 6.67)
    assert split(total=1000, driver="blend", blend=0.5, unit=10) == [370, 400, 180, 50]


def test_growth_driver_adds_the_rest_by_untapped_tam():
    # base revenue x 1.1 = 110, 165, 55, 0 (330); the 70 left goes by untapped TAM
    # 300, 150, 150, 100 (of 700): 30, 15, 15, 10
    assert split(total=400, driver="growth", growth=0.10) == [140, 180, 70, 10]


def test_growth_driver_lacking_total_scales_the_base_down():
    # base 110, 165, 55, 0 = 330 but only 300: every base x 300/330
    assert split(total=300, driver="growth", growth=0.10) == [100, 150, 50, 0]


def test_ceiling_clamps_and_re_splits_the_rest():
    # TAM split 400, 300, 200, 100; growth at most +100 %: R1 <= 200, R3 <= 100 (R4 has no
    # revenue, so no bound). The 700 left goes to R2 and R4 by TAM 3:1 = 525, 175; R2 <= 300
    # now: held there, R4 takes the remaining 400.
    assert split(total=1000, driver="tam", ceiling=1.0) == [200, 300, 100, 400]


def test_floor_lifts_and_re_splits_the_rest():
    # TAM split 200, 150, 100, 50; growth at least +50 %: R2 >= 225. The 275 left goes by TAM
    # 4:2:1 to R1, R3, R4 = 157.14, 78.57, 39.29 (all above their floors 150, 75, 0); in
    # whole units 157, 79, 39 (R3 has the largest remainder)
    assert split(total=500, driver="tam", floor=0.5) == [157, 225, 79, 39]


def test_infeasible_floor_is_refused_with_what_it_needs():
    # floors 150 + 225 + 75 + 0 = 450 > 300
    with pytest.raises(TargetError, match="needs at least 450.00"):
        split(total=300, driver="tam", floor=0.5)


def test_infeasible_ceiling_is_refused():
    # R4 has no revenue and no ceiling, so give it an override: the others may take at most
    # 110 + 165 + 55 = 330 of the 900 left
    with pytest.raises(TargetError, match="at most 330.00"):
        split(total=1000, driver="tam", ceiling=0.1, overrides={"R4": 100})


def test_override_is_kept_and_the_rest_re_split():
    # R1 typed at 100; the 900 left by TAM 3:2:1
    assert split(total=1000, driver="tam", overrides={"R1": 100}) == [100, 450, 300, 150]


def test_overrides_above_the_total_are_refused():
    with pytest.raises(TargetError, match="more than the total"):
        split(total=100, driver="tam", overrides={"R1": 60, "R2": 50})


def test_unknown_rep_in_overrides_is_refused():
    with pytest.raises(TargetError, match="'R9'"):
        split(total=100, driver="tam", overrides={"R9": 1})


def test_odd_amount_goes_to_one_rep_only():
    # 4,200, 3,150, 2,100, 1,050 down to thousands = 10,000; the 500 left is not a whole
    # thousand: it goes to the largest remainder (R1, 200)
    assert split(total=10_500, driver="tam", unit=1000) == [4500, 3000, 2000, 1000]


def test_no_tam_at_all_splits_equally():
    out = split_targets(IDS, np.zeros(4), np.zeros(4), TargetRule(total=100, driver="tam"))
    assert (out / 100).tolist() == [25, 25, 25, 25]


def test_rule_round_trips_through_settings():
    rule = TargetRule(total=1000, driver="blend", blend=0.3, floor=-0.1, ceiling=0.4, unit=10,
                      overrides={"R2": 250.0})  # fmt: skip
    assert rule_from_settings({"targets": rule_settings(rule)}) == rule
    assert rule_from_settings({}) is None


def test_bad_rules_are_refused():
    with pytest.raises(TargetError, match="driver"):
        TargetRule(total=1, driver="luck")
    with pytest.raises(TargetError, match="floor"):
        TargetRule(total=1, floor=0.2, ceiling=0.1)
    with pytest.raises(TargetError, match="unit"):
        TargetRule(total=1, unit=0)


# -- targets follow the cells, and roll up ----------------------------------------------------


def _world() -> tuple[Plan, Callable[[str], int]]:
    """Three reps in two regions on the toy disk: R1 (North/N1) owns the centre; R2 (North/N2)
    ring 0-2; R3 (South, no district) ring 3-5."""
    accounts = make_accounts([
        ("a1", CENTRE, "A", 400.0, 100.0, "R1", False),
        ("a2", RING[1], "B", 300.0, 150.0, "R2", False),
        ("a3", RING[4], "B", 200.0, 50.0, "R3", False),
        ("a4", RING[5], "C", 100.0, 0.0, "R3", False),
    ])  # fmt: skip
    reps = make_reps({"R1": CENTRE, "R2": RING[0], "R3": RING[3]})
    reps["region"] = ["North", "North", "South"]
    reps["district"] = ["N1", "N2", None]
    market = toy_market(accounts, reps)
    owner = np.full(market.n_cells, -1, np.int64)
    pos = {c: int(i) for i, c in enumerate(market.area.cells)}

    def at(cell: str) -> int:
        return pos[h3.str_to_int(cell)]

    owner[at(CENTRE)] = 0
    for c in RING[:3]:
        owner[at(c)] = 1
    for c in RING[3:]:
        owner[at(c)] = 2
    return Plan.from_owner(market, owner, np.zeros(market.n_cells, bool)), at


def test_targets_follow_the_cells():
    plan, at = _world()
    rule = TargetRule(total=2000, driver="tam")
    # TAM 400, 300, 300 (R3: 200 + 100) of 1,000
    assert (plan_targets(plan, rule) / 100).tolist() == [800, 600, 600]
    moved = reassign(plan, np.array([at(RING[5])]), 1)
    # R2 takes the 100 TAM cell: 400, 400, 200
    assert (plan_targets(moved, rule) / 100).tolist() == [800, 800, 400]


def test_target_table_rolls_up_to_districts_regions_and_total():
    plan, _ = _world()
    table = target_table(plan, plan_targets(plan, TargetRule(total=2000, driver="tam")))
    rows = table.set_index("rep_id")
    assert list(table["rep_id"]) == [
        "R1", "R2", "R3", "North / N1", "North / N2", "South / No district", "North", "South",
        "TOTAL",
    ]  # fmt: skip
    assert (
        rows.loc["North", "target"] == 1400 == rows.loc["R1", "target"] + rows.loc["R2", "target"]
    )
    assert rows.loc["South", "target"] == 600
    assert rows.loc["TOTAL", "target"] == 2000
    assert rows.loc["R2", "target_per_tam"] == 2.0  # 600 / 300
    assert rows.loc["R2", "required_growth"] == 3.0  # 600 / 150 - 1
    assert rows.loc["North", "required_growth"] == pytest.approx(1400 / 250 - 1)
    assert rows.loc["R1", "required_growth"] == 7.0  # 800 / 100 - 1


# -- the property test ------------------------------------------------------------------------


@st.composite
def cases(draw):
    n = draw(st.integers(1, 9))
    tam = np.array(draw(st.lists(st.integers(0, 10**9), min_size=n, max_size=n)), np.int64)
    revenue = np.array(draw(st.lists(st.integers(0, 10**9), min_size=n, max_size=n)), np.int64)
    ids = [f"R{i + 1}" for i in range(n)]
    picked = draw(st.lists(st.sampled_from(ids), unique=True, max_size=n))
    overrides = {r: draw(st.integers(0, 10**6)) / 1 for r in picked}
    floor = draw(st.none() | st.floats(-0.9, 0.5))
    ceiling = draw(st.none() | st.floats(-0.5, 2.0))
    if floor is not None and ceiling is not None and floor > ceiling:
        floor, ceiling = ceiling, floor
    rule = TargetRule(
        total=draw(st.integers(0, 10**8)) / 10,
        driver=draw(st.sampled_from(["tam", "revenue", "blend", "growth"])),
        growth=draw(st.floats(-0.5, 1.0)),
        blend=draw(st.floats(0, 1)),
        floor=floor,
        ceiling=ceiling,
        unit=draw(st.sampled_from([0.01, 1.0, 1000.0, 7.5])),
        overrides=overrides,
    )
    return ids, tam, revenue, rule


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_split_is_exact_bounded_and_keeps_overrides(case):
    """Either a refusal that is true, or: the targets add up to the total to the cent, overrides
    are kept to the cent, every other target is within its floor and ceiling give or take one
    rounding unit, and all but one are whole units."""
    ids, tam, revenue, rule = case
    fixed = np.array([r in rule.overrides for r in ids])
    typed = sum(round(v * 100) for v in rule.overrides.values())
    rest = rule.total_cents - typed
    free_rev = revenue[~fixed].astype(float)
    low = np.where(free_rev > 0, np.ceil(free_rev * (1 + (rule.floor or 0)) - 1e-9), 0)
    low = low if rule.floor is not None else np.zeros_like(free_rev)
    high = np.where(free_rev > 0, np.floor(free_rev * (1 + (rule.ceiling or 0)) + 1e-9), np.inf)
    high = np.maximum(high, low) if rule.ceiling is not None else np.full_like(free_rev, np.inf)
    try:
        out = split_targets(ids, tam, revenue, rule)
    except TargetError:
        assert (
            rest < 0
            or (not (~fixed).any() and rest != 0)
            or low.sum() > rest + 0.5
            or high.sum() < rest - 0.5
        )
        return
    assert out.sum() == rule.total_cents
    for r, v in rule.overrides.items():
        assert out[ids.index(r)] == round(v * 100)
    free = out[~fixed]
    unit = rule.unit_cents
    assert (free >= low - unit).all()
    assert (free <= high + unit).all()
    assert (free >= 0).all()
    assert int((free % unit != 0).sum()) <= 1


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["tam", "revenue", "blend", "growth"]), st.integers(0, 10**7),
       st.sampled_from([1.0, 1000.0]))  # fmt: skip
def test_every_level_adds_up_to_its_parent(driver, total, unit):
    plan, _ = _world()
    rule = TargetRule(total=total, driver=driver, growth=0.05, unit=unit)
    table = target_table(plan, plan_targets(plan, rule))
    cents = (table.set_index("rep_id")["target"] * 100).round().astype(np.int64)
    reps = table[table["level"] == "rep"]
    assert cents["North / N1"] == cents["R1"] and cents["North / N2"] == cents["R2"]
    assert cents["North"] == cents["North / N1"] + cents["North / N2"]
    assert cents["South"] == cents["South / No district"] == cents["R3"]
    assert cents["TOTAL"] == cents["North"] + cents["South"] == round(total * 100)
    assert len(reps) == 3


def test_compare_shows_target_deltas():
    from planning.compare import compare_plans

    plan, at = _world()
    moved = reassign(plan, np.array([at(RING[5])]), 1)
    rule = TargetRule(total=2000, driver="tam")
    cmp = compare_plans(plan, moved, targets=(plan_targets(plan, rule) / 100,
                                              plan_targets(moved, rule) / 100))  # fmt: skip
    assert cmp.reps["target_a"].tolist() == [800, 600, 600]
    assert cmp.reps["target_delta"].tolist() == [0, 200, -200]
    assert "target_delta" not in compare_plans(plan, moved).reps.columns


def test_typed_targets_are_read_and_written_back():
    from layouts.panel import overrides_text
    from planning.targets import parse_overrides

    typed = parse_overrides("R02=1200000; R05 = 99.5\n")
    assert typed == {"R02": 1_200_000.0, "R05": 99.5}
    assert overrides_text(typed) == "R02=1200000, R05=99.5"
    assert parse_overrides(overrides_text(typed)) == typed
    assert parse_overrides("") == {}
    with pytest.raises(TargetError, match="'R02'"):
        parse_overrides("R02")
    with pytest.raises(TargetError, match="'R02=lots'"):
        parse_overrides("R02=lots")
