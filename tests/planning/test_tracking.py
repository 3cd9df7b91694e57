"""Tracking on a small named world, every figure worked out by hand (issue 15).

2026-Q3 runs 1 July - 30 September: 92 days, a quarter of a year. Ann and Bob sit in
North / N1, Cat in South / S1; annual targets 400,000, 200,000 and 100,000, so the
quarter asks 100,000, 50,000 and 25,000.

Accounts (one cell each): a1 (A, Ann all quarter), a2 (B, Ann until 15 August, Bob from
16 August: 46 days each), a3 (C, Bob; moved to Cat in October, after the quarter),
a4 (C, Cat). The call plan: A 52 visits a year, B 12, C 12, so a quarter plans 13, 3, 3.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from planning.actuals import parse_period
from planning.tracking import OwnerChange, TrackingInput, flags, owner_spans, track, trend

Q3 = parse_period("2026-Q3")
ANN, BOB, CAT = 0, 1, 2
REPS = pd.DataFrame({
    "rep_id": ["Ann", "Bob", "Cat"],
    "name": ["Ann", "Bob", "Cat"],
    "region": ["North", "North", "South"],
    "district": ["N1", "N1", "S1"],
})  # fmt: skip
OWNER_NOW = np.array([ANN, BOB, CAT, CAT])  # a3 went to Cat on 5 October
CHANGES = [
    OwnerChange(dt.date(2026, 6, 1), np.array([0]), np.array([BOB]), np.array([ANN])),
    OwnerChange(dt.date(2026, 8, 16), np.array([1]), np.array([ANN]), np.array([BOB])),
    OwnerChange(dt.date(2026, 10, 5), np.array([2]), np.array([BOB]), np.array([CAT])),
]


def _visits() -> tuple[np.ndarray, np.ndarray]:
    days = [dt.date(2026, 7, d) for d in range(1, 11)]  # a1: ten visits by Ann's days
    accounts = [0] * 10
    days += [dt.date(2026, 8, 1), dt.date(2026, 8, 20), dt.date(2026, 9, 10)]  # a2
    accounts += [1, 1, 1]
    days += [dt.date(2026, 7, 2), dt.date(2026, 8, 2), dt.date(2026, 9, 2)]  # a4
    accounts += [3, 3, 3]
    return np.array(days, dtype="datetime64[D]"), np.array(accounts)


def _input(previous: bool = True) -> TrackingInput:
    days, accounts = _visits()
    return TrackingInput(
        period=Q3,
        rep_ids=["Ann", "Bob", "Cat"],
        reps=REPS,
        segment=np.array(["A", "B", "C", "C"]),
        tam=np.array([400_000.0, 184_000.0, 80_000.0, 120_000.0]),
        planned_per_year=np.array([52.0, 12.0, 12.0, 12.0]),
        spans=owner_spans(Q3, OWNER_NOW, CHANGES),
        revenue=np.array([60_000.0, 9_200.0, 20_000.0, 30_000.0]),
        previous_revenue=np.array([50_000.0, 0.0, 20_000.0, 30_000.0]) if previous else None,
        visit_day=days,
        visit_account=accounts,
        targets=np.array([400_000.0, 200_000.0, 100_000.0]),
    )


def test_period_labels_and_neighbours():
    assert Q3.start == dt.date(2026, 7, 1) and Q3.end == dt.date(2026, 10, 1)
    assert Q3.days == 92 and Q3.year_fraction == 0.25
    assert Q3.previous().label == "2026-Q2" and Q3.next().label == "2026-Q4"
    assert parse_period("2026-01").previous().label == "2025-12"
    assert Q3.holds(parse_period("2026-08")) and not Q3.holds(parse_period("2026-10"))


def test_owner_spans_undo_later_moves_and_cut_at_the_move_day():
    spans = owner_spans(Q3, OWNER_NOW, CHANGES)
    assert [d for d, _ in spans] == [dt.date(2026, 7, 1), dt.date(2026, 8, 16)]
    assert spans[0][1].tolist() == [ANN, ANN, BOB, CAT]  # the October move undone
    assert spans[1][1].tolist() == [ANN, BOB, BOB, CAT]


def test_rep_figures_follow_the_owner_of_each_day():
    result = track(_input())
    reps = result.level("rep")
    assert result.split_accounts == 1  # a2
    ann, bob, cat = reps.loc["Ann"], reps.loc["Bob"], reps.loc["Cat"]
    # Ann: a1 60,000 + half of a2's 9,200; target 100,000
    assert ann["revenue"] == pytest.approx(64_600)
    assert ann["target"] == pytest.approx(100_000)
    assert ann["attainment"] == pytest.approx(0.646)
    # visits: ten on a1 and a2's 1 August one; planned 13 + half of 3
    assert ann["visits_made"] == 11 and ann["visits_planned"] == pytest.approx(14.5)
    assert ann["call_compliance"] == pytest.approx(11 / 14.5)
    assert ann["call_compliance_A"] == pytest.approx(10 / 13)
    assert ann["call_compliance_B"] == pytest.approx(1 / 1.5)
    assert (ann["planned_accounts"], ann["visited_accounts"], ann["coverage"]) == (2, 2, 1.0)
    # Bob: half of a2 + a3 20,000; a2 visited twice in his days, a3 never
    assert bob["revenue"] == pytest.approx(24_600)
    assert bob["attainment"] == pytest.approx(24_600 / 50_000)
    assert bob["visits_made"] == 2 and bob["visits_planned"] == pytest.approx(4.5)
    assert bob["call_compliance"] == pytest.approx(2 / 4.5)
    assert (bob["planned_accounts"], bob["visited_accounts"], bob["coverage"]) == (2, 1, 0.5)
    assert cat["attainment"] == pytest.approx(1.2)
    assert cat["call_compliance"] == pytest.approx(1.0) and cat["coverage"] == 1.0
    # market share on the quarter's TAM: Ann holds 100,000 + 23,000 of it
    assert ann["market_share"] == pytest.approx(64_600 / 123_000)
    assert ann["market_share_previous"] == pytest.approx(50_000 / 123_000)
    assert ann["market_share_change"] == pytest.approx(14_600 / 123_000)


def test_levels_are_sums_and_split_accounts_count_once_above_the_rep():
    result = track(_input())
    n1 = result.level("district").loc["North / N1"]
    assert n1["revenue"] == pytest.approx(89_200) and n1["target"] == pytest.approx(150_000)
    assert n1["attainment"] == pytest.approx(89_200 / 150_000)
    assert n1["call_compliance"] == pytest.approx(13 / 19)
    assert (n1["planned_accounts"], n1["visited_accounts"]) == (3, 2)  # a2 once
    north = result.level("region").loc["North"]
    assert north["revenue"] == pytest.approx(89_200)
    total = result.level("total").loc["TOTAL"]
    assert total["revenue"] == pytest.approx(119_200)
    assert total["attainment"] == pytest.approx(119_200 / 175_000)
    assert total["call_compliance"] == pytest.approx(16 / 22)
    assert total["coverage"] == pytest.approx(0.75)


def test_no_previous_period_and_no_targets_leave_the_ratios_empty():
    inp = _input(previous=False)
    result = track(TrackingInput(**{**inp.__dict__, "targets": None}))
    ann = result.level("rep").loc["Ann"]
    assert np.isnan(ann["market_share_change"]) and np.isnan(ann["attainment"])
    assert ann["call_compliance"] == pytest.approx(11 / 14.5)


def test_flags_name_the_metrics_below_the_threshold():
    reps = track(_input()).level("rep")
    flagged = flags(reps, {"attainment": 0.6, "call_compliance": 0.5})
    assert flagged["Ann"] == ""
    assert flagged["Bob"] == "attainment 49% < 60%; call compliance 44% < 50%"
    assert flagged["Cat"] == ""


def test_trend_lists_a_rep_over_the_periods():
    q3 = track(_input())
    inp = _input()
    q2 = track(TrackingInput(**{**inp.__dict__, "period": Q3.previous(),
                                "spans": owner_spans(Q3.previous(), OWNER_NOW, CHANGES),
                                "visit_day": np.zeros(0, "datetime64[D]"),
                                "visit_account": np.zeros(0, np.int64)}))  # fmt: skip
    frame = trend([q3, q2], "Bob")
    assert frame["period"].tolist() == ["2026-Q2", "2026-Q3"]
    assert frame["call_compliance"].tolist()[0] == 0.0
