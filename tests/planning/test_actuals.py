"""Actuals rows checked one by one: every bad row named by its spreadsheet row (issue 15)."""

from __future__ import annotations

import pandas as pd
import pytest

from planning.actuals import (
    PeriodError,
    check_revenue,
    check_visits,
    parse_amount,
    parse_period,
    replacement,
    revenue_by_account,
)

Q3 = parse_period("2026-Q3")
ACCOUNTS = ["a1", "a2", "a3"]


def test_periods_parse_months_and_quarters_only():
    assert parse_period("2026-07").label == "2026-07"
    assert parse_period(" 2026-q3 ").label == "2026-Q3"
    with pytest.raises(PeriodError, match="2026-13"):
        parse_period("2026-13")


@pytest.mark.parametrize(("text", "value"), [("1234.5", 1234.5), ("1,234.50", 1234.5),
                                             ("1.234,50", 1234.5), ("12,5", 12.5), (7, 7.0),
                                             ("x", None), ("", None)])  # fmt: skip
def test_amounts(text, value):
    assert parse_amount(text) == value


def test_revenue_rows_kept_or_listed_with_the_reason():
    frame = pd.DataFrame({
        "account_id": ["a1", "a2", "zz", "a3", "a1", "a2", "", "a1"],
        "period": ["2026-07", "2026-Q3", "2026-07", "2026-07", "2026-10", "2026-Q3", "", "2026-07"],
        "revenue": ["100", "50,5", "10", "-3", "5", "9", "", "1"],
    })  # fmt: skip
    checked = check_revenue(frame, Q3, ACCOUNTS)
    assert checked.kept[["account_id", "revenue", "row"]].values.tolist() == [
        ["a1", 100.0, 2], ["a2", 50.5, 3]]  # fmt: skip
    report = checked.report()
    assert report.values.tolist() == [
        [4, "account_id", "unknown account 'zz'"],
        [5, "revenue", "negative revenue -3.00"],
        [6, "period", "period 2026-10 lies outside 2026-Q3"],
        [7, "account_id", "a2 already has revenue for 2026-Q3 (row 3)"],
        [8, "", "blank row"],
        [9, "account_id", "a1 already has revenue for 2026-07 (row 2)"],
    ]
    assert len(checked.kept) + checked.excluded == checked.rows == 8
    assert revenue_by_account(checked.kept).to_dict() == {"a1": 100.0, "a2": 50.5}


def test_visit_rows_need_a_date_inside_the_period_a_known_rep_and_a_channel():
    frame = pd.DataFrame({
        "date": ["2026-07-03", "2026-06-30", "2026-08-01", "bad", "2026-09-30"],
        "account_id": ["a1", "a1", "a9", "a2", "a3"],
        "rep_id": ["Ann", "Ann", "Ann", "Zed", "Bob"],
        "channel": ["Field", "remote", "field", "phone", "remote"],
    })  # fmt: skip
    checked = check_visits(frame, Q3, ACCOUNTS, ["Ann", "Bob"])
    assert checked.kept["row"].tolist() == [2, 6]
    assert checked.kept["channel"].tolist() == ["field", "remote"]
    reasons = checked.report().values.tolist()
    assert reasons == [
        [3, "date", "2026-06-30 lies outside 2026-Q3"],
        [4, "account_id", "unknown account 'a9'"],
        [5, "date", "'bad' is not a date (2026-07-14)"],
        [5, "rep_id", "unknown rep 'Zed'"],
        [5, "channel", "channel 'phone' must be field or remote"],
    ]
    assert checked.excluded == 3


def test_replacement_says_how_many_rows_change():
    stored = pd.Series({"a1": 100.0, "a2": 50.0})
    new = pd.Series({"a1": 100.0, "a2": 60.0, "a3": 1.0})
    r = replacement(Q3, stored, new, visits_before=10, visits_after=12)
    assert (r.revenue_added, r.revenue_gone, r.revenue_changed) == (1, 0, 1)
    assert r.replaces and r.rows_changing == 4
    assert r.sentence() == (
        "2026-Q3 already holds 2 revenue rows and 10 visits; importing replaces them: 2 revenue "
        "rows change (1 new, 0 gone, 1 with another amount), visits 10 -> 12."
    )
    fresh = replacement(Q3, pd.Series(dtype=float), new, 0, 5)
    assert not fresh.replaces
