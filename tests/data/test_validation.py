"""Validation: clean frames in the schema shape, or every bad row at once by spreadsheet row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from common.errors import InputError, RowProblem
from data.validation import (
    load_accounts,
    load_call_plan,
    load_reps,
    natural_key,
    validate_accounts,
    validate_call_plan,
    validate_reps,
)
from planning.callplan import default_call_plan

ACCOUNTS_HEADER = "account_id,name,lat,lon,segment,tam,revenue,rep_id,pinned"
GOOD = "A1,Pharmacy One,48.85,2.35,A,1000,500,R1,yes"
REPS_HEADER = "rep_id,name,home_lat,home_lon,capacity_hours,region"
CALL_PLAN_HEADER = "segment,visits_per_year,minutes_per_visit,channel"


def write(tmp_path, name, *lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def refusal(load, path, *args):
    with pytest.raises(InputError) as err:
        load(path, *args)
    return err.value.problems


def where(problems):
    return [(p.row, p.column) for p in problems]


# --- accounts: the happy path ----------------------------------------------------------


def test_valid_accounts_round_trip_with_schema_dtypes(tmp_path):
    path = write(
        tmp_path,
        "accounts.csv",
        ACCOUNTS_HEADER,
        GOOD,
        " A2 ,Clinic, -33.9 , 151.2 ,b,0,0,,",
        "A3,Lab,0,-180,c,2.5e3,10.25,R10,FALSE",
    )
    accounts = load_accounts(path, rep_ids=["R1", "R10"])
    assert list(accounts.columns) == [
        "account_id",
        "name",
        "lat",
        "lon",
        "segment",
        "tam",
        "revenue",
        "rep_id",
        "pinned",
    ]
    assert accounts.dtypes.astype(str).to_dict() == {
        "account_id": "str",
        "name": "str",
        "lat": "float64",
        "lon": "float64",
        "segment": "str",
        "tam": "float64",
        "revenue": "float64",
        "rep_id": "string",
        "pinned": "bool",
    }
    assert isinstance(accounts.index, pd.RangeIndex)
    assert accounts["account_id"].tolist() == ["A1", "A2", "A3"]
    assert accounts["lat"].tolist() == [48.85, -33.9, 0.0]
    assert accounts["lon"].tolist() == [2.35, 151.2, -180.0]
    assert accounts["segment"].tolist() == ["A", "B", "C"]
    assert accounts["tam"].tolist() == [1000.0, 0.0, 2500.0]
    assert accounts["revenue"].tolist() == [500.0, 0.0, 10.25]
    assert accounts["rep_id"].tolist() == ["R1", pd.NA, "R10"]
    assert accounts["pinned"].tolist() == [True, False, False]


@pytest.mark.parametrize(
    "word, pinned",
    [("true", True), ("Yes", True), ("1", True), ("false", False), ("NO", False)]
    + [("0", False), ("", False)],
)
def test_pinned_words(word, pinned):
    raw = pd.DataFrame([GOOD.split(",")], columns=ACCOUNTS_HEADER.split(","))
    raw["pinned"] = word
    assert validate_accounts(raw)["pinned"].tolist() == [pinned]


def test_optional_columns_may_be_absent():
    raw = pd.DataFrame([GOOD.split(",")[:7]], columns=ACCOUNTS_HEADER.split(",")[:7])
    accounts = validate_accounts(raw)
    assert accounts["rep_id"].dtype == "string"
    assert accounts["rep_id"].isna().all()
    assert accounts["pinned"].tolist() == [False]


def test_extra_columns_are_left_out():
    raw = pd.DataFrame([[*GOOD.split(","), "x"]], columns=[*ACCOUNTS_HEADER.split(","), "note"])
    assert "note" not in validate_accounts(raw).columns


def test_accounts_from_parquet_with_typed_columns(tmp_path):
    frame = pd.DataFrame(
        {
            "account_id": ["A1", "A2"],
            "name": ["One", "Two"],
            "lat": [48.85, -33.9],
            "lon": [2.35, 151.2],
            "segment": ["a", "B"],
            "tam": [1000, 0],
            "revenue": [500.0, 0.5],
            "rep_id": ["R1", None],
            "pinned": [True, False],
        }
    )
    frame.to_parquet(tmp_path / "accounts.parquet")
    accounts = load_accounts(tmp_path / "accounts.parquet", rep_ids=["R1"])
    assert accounts["segment"].tolist() == ["A", "B"]
    assert accounts["tam"].tolist() == [1000.0, 0.0]
    assert accounts["tam"].dtype == np.float64
    assert accounts["rep_id"].tolist() == ["R1", pd.NA]
    assert accounts["pinned"].tolist() == [True, False]


def test_parquet_problems_are_found_too(tmp_path):
    frame = pd.DataFrame(
        {
            "account_id": ["A1", "A2"],
            "name": ["One", "Two"],
            "lat": [95.0, np.nan],
            "lon": [2.35, 151.2],
            "segment": ["A", "B"],
            "tam": [1000.0, -1.0],
            "revenue": [500.0, 0.5],
        }
    )
    frame.to_parquet(tmp_path / "accounts.parquet")
    problems = refusal(load_accounts, tmp_path / "accounts.parquet")
    assert where(problems) == [(2, "lat"), (3, "lat"), (3, "tam")]
    assert "outside [-90, 90]" in problems[0].reason
    assert "missing coordinates" in problems[1].reason
    assert "negative" in problems[2].reason


def test_semicolon_accounts(tmp_path):
    path = write(
        tmp_path, "accounts.csv", ACCOUNTS_HEADER.replace(",", ";"), GOOD.replace(",", ";")
    )
    accounts = load_accounts(path)
    assert accounts.loc[0, "lat"] == 48.85
    assert accounts.loc[0, "rep_id"] == "R1"


def test_trailing_blank_rows_are_skipped_but_still_counted(tmp_path):
    path = write(
        tmp_path, "accounts.csv", ACCOUNTS_HEADER, GOOD, "", ",,,,,,,,", "A2,x,1,1,Q,1,1,,"
    )
    with pytest.raises(InputError) as err:
        load_accounts(path)
    assert where(err.value.problems) == [(5, "segment")]
    path = write(tmp_path, "ok.csv", ACCOUNTS_HEADER, GOOD, "", ",,,,,,,,")
    assert load_accounts(path)["account_id"].tolist() == ["A1"]


# --- accounts: one problem at a time ---------------------------------------------------


def bad_row(**cells):
    values = dict(zip(ACCOUNTS_HEADER.split(","), GOOD.split(","), strict=True))
    values.update(cells)
    return ",".join(values.values())


@pytest.mark.parametrize(
    "cells, column, reason",
    [
        ({"account_id": ""}, "account_id", "account_id is empty"),
        ({"lat": ""}, "lat", "missing coordinates: lat is empty"),
        ({"lon": " "}, "lon", "missing coordinates: lon is empty"),
        ({"lat": '"48,85"'}, "lat", "lat '48,85' is not a number"),
        ({"lon": "east"}, "lon", "lon 'east' is not a number"),
        ({"lat": "nan"}, "lat", "lat 'nan' is not a number"),
        ({"lat": "90.5"}, "lat", "lat 90.5 is outside [-90, 90]"),
        ({"lat": "-91"}, "lat", "lat -91 is outside [-90, 90]"),
        ({"lon": "180.01"}, "lon", "lon 180.01 is outside [-180, 180]"),
        ({"segment": "D"}, "segment", "segment 'D' is not one of A, B, C"),
        ({"segment": ""}, "segment", "segment is empty; expected one of A, B, C"),
        ({"tam": "-1"}, "tam", "tam -1 is negative"),
        ({"revenue": "-0.01"}, "revenue", "revenue -0.01 is negative"),
        ({"tam": "1.2.3"}, "tam", "tam '1.2.3' is not a number"),
        ({"revenue": "$5"}, "revenue", "revenue '$5' is not a number"),
        ({"tam": "inf"}, "tam", "tam 'inf' is not a number"),
        ({"revenue": ""}, "revenue", "revenue is empty"),
        ({"tam": ""}, "tam", "tam is empty"),
        ({"rep_id": "R9"}, "rep_id", "rep_id 'R9' is not a known rep"),
        ({"rep_id": ""}, "pinned", "pinned account has no rep_id"),
        ({"pinned": "maybe"}, "pinned", "pinned 'maybe' is not one of true/yes/1/false/no/0"),
    ],
)
def test_each_problem_is_reported_on_its_row(tmp_path, cells, column, reason):
    path = write(
        tmp_path, "accounts.csv", ACCOUNTS_HEADER, GOOD.replace("A1", "A0"), bad_row(**cells)
    )
    problems = refusal(load_accounts, path, ["R1"])
    assert where(problems) == [(3, column)]
    assert reason in problems[0].reason


def test_unknown_rep_is_only_checked_when_reps_are_given(tmp_path):
    path = write(tmp_path, "accounts.csv", ACCOUNTS_HEADER, bad_row(rep_id="R9"))
    assert load_accounts(path)["rep_id"].tolist() == ["R9"]


def test_missing_columns_are_a_header_problem(tmp_path):
    path = write(tmp_path, "accounts.csv", "account_id,name,Breadth,lon,segment", "A1,x,1,2,A")
    problems = refusal(load_accounts, path)
    assert len(problems) == 1
    assert problems[0].row == 1
    assert "'lat', 'tam', 'revenue'" in problems[0].reason
    assert "found 'account_id', 'name', 'Breadth'" in problems[0].reason


def test_repeated_column_is_a_header_problem(tmp_path):
    path = write(tmp_path, "accounts.csv", ACCOUNTS_HEADER + ",lat", GOOD + ",1")
    problems = refusal(load_accounts, path)
    assert [(p.row, p.reason) for p in problems] == [(1, "column(s) 'lat' appear more than once")]


def test_header_only_file_is_refused(tmp_path):
    problems = refusal(load_accounts, write(tmp_path, "accounts.csv", ACCOUNTS_HEADER))
    assert [(p.row, p.reason) for p in problems] == [(1, "no accounts under the header")]


def test_duplicate_ids_name_both_rows(tmp_path):
    path = write(
        tmp_path,
        "accounts.csv",
        ACCOUNTS_HEADER,
        GOOD,
        bad_row(account_id="A2"),
        bad_row(account_id="A1"),
        bad_row(account_id="A2"),
        bad_row(account_id="A1"),
    )
    problems = refusal(load_accounts, path)
    assert [str(p) for p in problems] == [
        "row 4, column 'account_id': duplicate account_id 'A1'; first on row 2",
        "row 5, column 'account_id': duplicate account_id 'A2'; first on row 3",
        "row 6, column 'account_id': duplicate account_id 'A1'; first on row 2",
    ]


def test_every_bad_row_is_listed_at_once(tmp_path):
    path = write(
        tmp_path,
        "accounts.csv",
        ACCOUNTS_HEADER,
        bad_row(account_id="A1", lat="abc"),  # row 2
        bad_row(account_id="A2"),  # row 3: fine
        bad_row(account_id="A3", segment="Z", revenue="-5", lon=""),  # row 4: three problems
        bad_row(account_id="A4"),  # row 5: fine
        bad_row(account_id="A5", tam="", rep_id="nobody"),  # row 6: two problems
    )
    with pytest.raises(InputError) as err:
        load_accounts(path, rep_ids=["R1"])
    assert where(err.value.problems) == [
        (2, "lat"),
        (4, "lon"),
        (4, "segment"),
        (4, "revenue"),
        (6, "tam"),
        (6, "rep_id"),
    ]
    message = str(err.value)
    assert message.splitlines()[0] == "accounts.csv: 6 problem(s), nothing was imported"
    assert "row 4, column 'segment': segment 'Z' is not one of A, B, C" in message


def test_every_problem_is_a_row_problem(tmp_path):
    path = write(tmp_path, "accounts.csv", ACCOUNTS_HEADER, bad_row(lat="x"))
    assert all(isinstance(p, RowProblem) for p in refusal(load_accounts, path))


def test_many_bad_rows_are_numbered_exactly():
    n = 2_000
    raw = pd.DataFrame([GOOD.split(",")] * n, columns=ACCOUNTS_HEADER.split(","))
    raw["account_id"] = [f"A{i}" for i in range(n)]
    raw.loc[::7, "lat"] = "north"
    raw.loc[3::11, "revenue"] = "-1"
    with pytest.raises(InputError) as err:
        validate_accounts(raw, source="big")
    expected = sorted(
        [(i + 2, "lat") for i in range(0, n, 7)] + [(i + 2, "revenue") for i in range(3, n, 11)]
    )
    assert where(err.value.problems) == expected


@settings(deadline=None)  # a far point loads the towns table once per process (issue 11 pt 7)
@given(st.lists(st.floats(-90, 90), min_size=1, max_size=30))
def test_coordinates_parse_back_to_the_same_float(lats):
    raw = pd.DataFrame([GOOD.split(",")] * len(lats), columns=ACCOUNTS_HEADER.split(","))
    raw["account_id"] = [f"A{i}" for i in range(len(lats))]
    raw["lat"] = [repr(x) for x in lats]
    assert validate_accounts(raw)["lat"].tolist() == lats


def test_input_frame_is_not_modified():
    raw = pd.DataFrame([bad_row(segment="b").split(",")], columns=ACCOUNTS_HEADER.split(","))
    before = raw.copy()
    validate_accounts(raw)
    assert_frame_equal(raw, before)


# --- reps ------------------------------------------------------------------------------


def test_reps_sorted_naturally_with_names_filled(tmp_path):
    path = write(
        tmp_path,
        "reps.csv",
        REPS_HEADER,
        "R10,Ten,48.1,2.1,1600,North",
        "R2,,48.2,2.2,1500.5,",
        "R1,One,-48.3,-2.3,1000,South",
    )
    reps = load_reps(path)
    assert reps["rep_id"].tolist() == ["R1", "R2", "R10"]
    assert reps["name"].tolist() == ["One", "R2", "Ten"]
    assert reps["capacity_hours"].tolist() == [1000.0, 1500.5, 1600.0]
    assert reps["region"].tolist() == ["South", pd.NA, "North"]
    assert reps.dtypes.astype(str).to_dict() == {
        "rep_id": "str",
        "name": "str",
        "home_lat": "float64",
        "home_lon": "float64",
        "capacity_hours": "float64",
        "region": "string",
    }
    assert reps.index.tolist() == [0, 1, 2]


def test_region_is_optional(tmp_path):
    path = write(tmp_path, "reps.csv", "rep_id,name,home_lat,home_lon,capacity_hours", "R1,a,1,2,3")
    reps = load_reps(path)
    assert reps["region"].isna().all()
    assert reps["region"].dtype == "string"


@pytest.mark.parametrize(
    "row, column, reason",
    [
        (",x,1,2,1600,", "rep_id", "rep_id is empty"),
        ("R3,x,,,1600,", "home_lat", "rep without a home base"),
        ("R3,x,,2,1600,", "home_lat", "home_lat is empty; a rep needs a home base"),
        ("R3,x,1,,1600,", "home_lon", "home_lon is empty; a rep needs a home base"),
        ("R3,x,north,2,1600,", "home_lat", "home_lat 'north' is not a number"),
        ("R3,x,1,200,1600,", "home_lon", "home_lon 200 is outside [-180, 180]"),
        ("R3,x,1,2,0,", "capacity_hours", "capacity_hours 0 must be greater than 0"),
        ("R3,x,1,2,-5,", "capacity_hours", "capacity_hours -5 must be greater than 0"),
        ("R3,x,1,2,,", "capacity_hours", "capacity_hours is empty"),
        ("R3,x,1,2,lots,", "capacity_hours", "capacity_hours 'lots' is not a number"),
        ("R1,x,1,2,1600,", "rep_id", "duplicate rep_id 'R1'; first on row 2"),
    ],
)
def test_each_rep_problem_is_reported_on_its_row(tmp_path, row, column, reason):
    path = write(tmp_path, "reps.csv", REPS_HEADER, "R1,One,1,2,1600,", row)
    problems = refusal(load_reps, path)
    assert where(problems) == [(3, column)]
    assert reason in problems[0].reason


def test_reps_missing_column(tmp_path):
    path = write(tmp_path, "reps.csv", "rep_id,name,home_lat,home_lon", "R1,a,1,2")
    problems = refusal(load_reps, path)
    assert [(p.row, p.column) for p in problems] == [(1, None)]
    assert "'capacity_hours'" in problems[0].reason


def test_no_reps_is_refused(tmp_path):
    problems = refusal(load_reps, write(tmp_path, "reps.csv", REPS_HEADER))
    assert problems[0].row == 1
    assert "no reps" in problems[0].reason


@pytest.mark.parametrize(
    "ids",
    [["R10", "R2", "R1"], ["r2", "R10", "R1"], ["R", "R2", "R10", "S1"], ["A2B10", "A2B9", "A10"]],
)
def test_natural_key_orders_numbers_by_value(ids):
    expected = {
        ("R10", "R2", "R1"): ["R1", "R2", "R10"],
        ("r2", "R10", "R1"): ["R1", "r2", "R10"],
        ("R", "R2", "R10", "S1"): ["R", "R2", "R10", "S1"],
        ("A2B10", "A2B9", "A10"): ["A2B9", "A2B10", "A10"],
    }[tuple(ids)]
    assert sorted(ids, key=natural_key) == expected


def test_natural_key_breaks_ties_by_the_id_itself():
    assert sorted(["R2", "R02", "R002"], key=natural_key) == ["R002", "R02", "R2"]
    assert natural_key("R2") != natural_key("R02")


# --- call plan -------------------------------------------------------------------------


def test_call_plan_matches_default_shape(tmp_path):
    path = write(
        tmp_path,
        "plan.csv",
        CALL_PLAN_HEADER,
        "c,12,15,Remote",
        "A,52,60,field",
        "B,12,45,field",
    )
    assert_frame_equal(load_call_plan(path), default_call_plan())


@pytest.mark.parametrize(
    "row, column, reason",
    [
        ("C,-1,15,remote", "visits_per_year", "visits_per_year -1 is negative"),
        ("C,12,,remote", "minutes_per_visit", "minutes_per_visit is empty"),
        ("C,weekly,15,remote", "visits_per_year", "visits_per_year 'weekly' is not a number"),
        ("C,12,15,email", "channel", "channel 'email' is not one of field, remote"),
        ("C,12,15,", "channel", "channel is empty"),
        ("D,12,15,remote", "segment", "segment 'D' is not one of A, B, C"),
        ("B,12,15,remote", "segment", "duplicate segment 'B'; first on row 3"),
    ],
)
def test_each_call_plan_problem(tmp_path, row, column, reason):
    path = write(tmp_path, "plan.csv", CALL_PLAN_HEADER, "A,52,60,field", "B,12,45,field", row)
    problems = [p for p in refusal(load_call_plan, path) if p.row != 1]
    assert where(problems) == [(4, column)]
    assert reason in problems[0].reason


def test_call_plan_needs_every_segment(tmp_path):
    path = write(tmp_path, "plan.csv", CALL_PLAN_HEADER, "B,12,45,field")
    problems = refusal(load_call_plan, path)
    assert [(p.row, p.column, p.reason) for p in problems] == [
        (1, "segment", "segment A has no row; expected one per A, B, C"),
        (1, "segment", "segment C has no row; expected one per A, B, C"),
    ]


def test_zero_visits_is_allowed():
    raw = pd.DataFrame(
        {
            "segment": ["A", "B", "C"],
            "visits_per_year": ["0", "12", "12"],
            "minutes_per_visit": ["60", "0", "15"],
            "channel": ["field", "field", "remote"],
        }
    )
    plan = validate_call_plan(raw)
    assert plan.loc["A", "visits_per_year"] == 0.0
    assert plan.loc["B", "minutes_per_visit"] == 0.0


def test_source_names_the_input_in_direct_calls():
    raw = pd.DataFrame({"rep_id": ["R1"]})
    with pytest.raises(InputError) as err:
        validate_reps(raw, source="team.xlsx")
    assert err.value.source == "team.xlsx"
    assert str(err.value).startswith("team.xlsx: 1 problem(s)")
