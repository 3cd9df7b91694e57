"""The Data tab's core (services.datasets): edits make new data sets, plans carry over exactly.

Numbers are worked out by hand on the toy world (tests/conftest.py): a1 is an
A account (52 visits x 60 min = 52 h) in R1's home cell; a2 (B: 12 x 45 min =
9 h) and a3 (C, remote: 12 x 15 min = 3 h) sit in ring cell 0, owned by R2.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data import import_check, uploads
from data.readers import read_raw
from layouts.data_tab import report_view
from planning import callplan, callplan_edits, team
from planning.callplan import TravelModel, default_call_plan
from planning.edit_values import EditError
from services import datasets, editing

HOUR = 3600


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'plans.sqlite'}"


@pytest.fixture
def working(url, toy):
    _, sid = editing.ensure_scenarios(
        url, "toy", toy.accounts, toy.reps, default_call_plan(), resolution=7
    )
    return sid


def visit_hours(url, sid) -> dict[str, float]:
    board, plan, _ = editing.load(url, sid)
    ids = board.market.rep_ids
    return {str(r): plan.tally.visit_s[i + 1] / HOUR for i, r in enumerate(ids)}


def owners_by_id(url, sid) -> np.ndarray:
    board, plan, _ = editing.load(url, sid)
    ids = np.append(board.market.rep_ids, "-")
    return ids[plan.owner]  # owner -1 reads "-"


# --- pure parts ------------------------------------------------------------------------


def test_carried_owner_remaps_by_rep_id_and_unassigns_the_removed():
    owner = np.array([0, 1, -1, 2, 1])
    got = team.carried_owner(owner, ["R1", "R2", "R3"], ["R1", "R3", "R4"])
    assert got.tolist() == [0, -1, -1, 1, -1]
    got = team.carried_owner(owner, ["R1", "R2", "R3"], ["R0", "R1", "R2", "R3"])
    assert got.tolist() == [1, 2, -1, 3, 2]


def test_default_travel_adds_no_columns_and_other_travel_round_trips():
    plan = default_call_plan()
    assert list(callplan_edits.call_plan_with_travel(plan, TravelModel()).columns) == list(
        plan.columns
    )
    travel = TravelModel(circuity=1.5, speed_kmh=50.0, visits_per_trip=2.0)
    stored = callplan_edits.call_plan_with_travel(plan, travel)
    assert callplan.travel_of(stored) == travel
    assert callplan.travel_of(plan) == TravelModel()
    assert (
        callplan.travel_of(callplan_edits.call_plan_with_travel(stored, TravelModel()))
        == TravelModel()
    )


def test_call_plan_from_values_and_its_refusals():
    values = {
        "A": {"visits_per_year": 104, "minutes_per_visit": 60, "channel": "field"},
        "B": {"visits_per_year": "12", "minutes_per_visit": 45, "channel": "field"},
        "C": {"visits_per_year": 12, "minutes_per_visit": 15, "channel": "remote"},
    }
    plan = callplan_edits.call_plan_from_values(values)
    assert plan.loc["A", "visits_per_year"] == 104.0 and plan.loc["B", "visits_per_year"] == 12.0
    changes = callplan_edits.call_plan_changes(
        default_call_plan(), plan, TravelModel(), TravelModel()
    )
    assert changes == ["A visits/year 52 → 104"]
    with pytest.raises(EditError, match="segment B visits/year must be a number >= 0"):
        callplan_edits.call_plan_from_values(
            {**values, "B": {**values["B"], "visits_per_year": -1}}
        )
    with pytest.raises(EditError, match="segment C channel must be field or remote"):
        callplan_edits.call_plan_from_values({**values, "C": {**values["C"], "channel": "fax"}})
    with pytest.raises(EditError, match=r"speed \(km/h\) must be above zero"):
        callplan_edits.travel_from_values({"circuity": 1.3, "speed_kmh": 0, "visits_per_trip": 4})


def test_new_rep_row_checks_the_form():
    row = team.new_rep_row(
        {"rep_id": " R9 ", "name": "", "home_lat": 48.1, "home_lon": 11.5, "capacity_hours": 1600},
        ["R1"],
    )
    assert row == {"rep_id": "R9", "name": "R9", "home_lat": 48.1, "home_lon": 11.5,
                   "capacity_hours": 1600.0}  # fmt: skip
    with pytest.raises(EditError, match="'R1' is taken"):
        team.new_rep_row({**row, "rep_id": "R1"}, ["R1"])
    with pytest.raises(EditError, match="not a latitude, longitude pair"):
        team.new_rep_row({**row, "home_lat": 148.1}, [])
    with pytest.raises(EditError, match="capacity must be above zero"):
        team.new_rep_row({**row, "capacity_hours": 0}, [])


def test_row_choices_exclude_beats_a_fix_beats_accept():
    got = import_check.row_choices(
        {2: "exclude", 3: "accept", 4: "accept", 5: "none"},
        {2: {"lat": "1"}, 3: {"lat": "52.5"}, 5: {"lat": ""}},
    )
    assert got == {2: "exclude", 3: {"lat": "52.5"}, 4: "accept"}


# --- call plan and travel --------------------------------------------------------------


def test_doubling_a_visits_doubles_a_visit_hours_and_keeps_every_cell(url, working):
    before = visit_hours(url, working)
    assert before == {"R1": 52.0, "R2": 12.0}
    plan = default_call_plan()
    plan.loc["A", "visits_per_year"] = 104.0
    derived = datasets.apply_call_plan(url, working, plan, TravelModel())
    assert visit_hours(url, derived.scenario_id) == {"R1": 104.0, "R2": 12.0}
    assert derived.hours_after - derived.hours_before == pytest.approx(52.0)  # R1 lives there
    old, new = (editing.open_store(url).scenario(s) for s in (working, derived.scenario_id))
    assert np.array_equal(old.owner, new.owner) and np.array_equal(old.locked, new.locked)
    assert old.area_id == new.area_id and old.dataset_id != new.dataset_id
    assert new.parent_id == working and new.name == "Working plan (call plan edited)"
    # the same edit again: the same data set, a second scenario on it
    again = datasets.apply_call_plan(url, working, plan, TravelModel())
    assert again.dataset_id == derived.dataset_id and again.name.endswith("edited) 2")


def test_an_unchanged_call_plan_makes_nothing(url, working):
    assert datasets.apply_call_plan(url, working, default_call_plan(), TravelModel()) is None


def test_travel_is_stored_with_the_data_set_and_the_scenario(url, working):
    travel = TravelModel(circuity=1.5, speed_kmh=50.0, visits_per_trip=2.0)
    derived = datasets.apply_call_plan(url, working, default_call_plan(), travel)
    _, _, stored = datasets.current_inputs(url, derived.scenario_id)
    assert callplan.travel_of(stored) == travel
    record = editing.open_store(url).scenario(derived.scenario_id)
    assert record.settings["travel"] == {"circuity": 1.5, "speed_kmh": 50.0, "visits_per_trip": 2.0}
    board, _, _ = editing.load(url, derived.scenario_id)
    assert derived.travel_used == (board.market.travel == travel)


# --- the team --------------------------------------------------------------------------


def test_removing_a_rep_unassigns_exactly_its_cells(url, working, toy):
    old = editing.open_store(url).scenario(working).owner
    derived = datasets.apply_team(url, working, toy.reps[toy.reps["rep_id"] == "R1"])
    new = editing.open_store(url).scenario(derived.scenario_id).owner
    assert np.array_equal(new, np.where(old == 1, -1, old))
    assert derived.unassigned_cells == int((old == 1).sum()) + int((old == -1).sum())
    accounts, reps, _ = datasets.current_inputs(url, derived.scenario_id)
    assert reps["rep_id"].tolist() == ["R1"]
    assert accounts["rep_id"].isna().tolist() == [False, True, True]  # a2, a3 had R2
    assert visit_hours(url, derived.scenario_id) == {"R1": 52.0}


def test_adding_a_rep_keeps_every_owner(url, working, toy):
    before = owners_by_id(url, working)
    new_rep = team.new_rep_row(
        {"rep_id": "R0", "name": "New", "home_lat": 45.0, "home_lon": -93.0,
         "capacity_hours": 80}, toy.reps["rep_id"],
    )  # fmt: skip
    rows = [*toy.reps.to_dict("records"), new_rep]
    reps = datasets.reps_from_rows(rows)
    assert reps["rep_id"].tolist() == ["R0", "R1", "R2"]  # R0 sorts first: positions shift
    changes = team.team_changes(toy.reps, reps)
    assert changes.added == ("R0",) and not changes.removed and changes.text() == "added R0"
    derived = datasets.apply_team(url, working, reps)
    assert np.array_equal(owners_by_id(url, derived.scenario_id), before)
    assert visit_hours(url, derived.scenario_id) == {"R0": 0.0, "R1": 52.0, "R2": 12.0}


def test_a_capacity_change_is_named_and_stored(url, working, toy):
    rows = toy.reps.to_dict("records")
    rows[1]["capacity_hours"] = 75.0
    reps = datasets.reps_from_rows(rows)
    assert team.team_changes(toy.reps, reps).text() == "R2 capacity 50 → 75 h/yr"
    derived = datasets.apply_team(url, working, reps)
    board, _, _ = editing.load(url, derived.scenario_id)
    assert board.market.capacity_s.tolist() == [150 * HOUR, 75 * HOUR]
    assert datasets.apply_team(url, working, datasets.reps_from_rows(toy.reps.to_dict("records")))
    assert datasets.cells_of(url, working, ["R2"]) == int(
        (editing.open_store(url).scenario(working).owner == 1).sum()
    )


def test_a_team_that_fails_validation_says_why():
    with pytest.raises(EditError, match="the team cannot be used: .*capacity"):
        datasets.reps_from_rows(
            [{"rep_id": "R1", "name": "A", "home_lat": 45, "home_lon": -93, "capacity_hours": -5}]
        )
    with pytest.raises(EditError, match="at least one rep"):
        datasets.reps_from_rows([])


# --- importing -------------------------------------------------------------------------

GERMAN = ["Kundennummer", "Firma", "Nordwert", "Ostwert", "Klasse", "Potenzial", "Umsatz"]


def german_csv(path: Path, n: int = 40) -> Path:
    """``n`` accounts around Munich, headers a person types; rows 5, 9 and 30 are bad."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "Kundennummer": [f"K{i:03d}" for i in range(n)],
            "Firma": [f"Praxis {i}" for i in range(n)],
            "Nordwert": np.round(48.1 + rng.uniform(-0.2, 0.2, n), 5).astype(str),
            "Ostwert": np.round(11.5 + rng.uniform(-0.3, 0.3, n), 5).astype(str),
            "Klasse": rng.choice(["A", "B", "C"], n),
            "Potenzial": np.round(rng.uniform(1000, 90000, n), 2).astype(str),
            "Umsatz": np.round(rng.uniform(0, 900, n), 2).astype(str),
        }
    )
    frame.loc[3, "Nordwert"] = "abc"  # spreadsheet row 5 (header is row 1)
    frame.loc[7, "Ostwert"] = ""  # row 9
    frame.loc[28, "Klasse"] = "Z"  # row 30
    frame.to_csv(path, index=False)
    return path


def test_check_import_lists_every_problem_and_counts_follow_the_choices(tmp_path):
    raw = read_raw(german_csv(tmp_path / "kunden.csv"), kind="accounts")
    suggested = import_check.suggested_columns(raw.frame.columns, "accounts")
    assert suggested["Nordwert"] is None and suggested["Kundennummer"] == "account_id"
    header = import_check.check_import(raw, "accounts", suggested)
    assert header.report.refused and header.counts["imported"] == 0
    assert "missing required column(s) 'lat', 'lon'" in header.problems["reason"].iloc[0]

    mapping = {**suggested, "Nordwert": "lat", "Ostwert": "lon"}
    checked = import_check.check_import(raw, "accounts", mapping)
    assert checked.problems["row"].tolist() == [5, 9, 30]
    assert checked.problems["column"].tolist() == ["lat", "lon", "segment"]
    assert checked.counts == {"read": 40, "imported": 0, "excluded": 40, "with problems": 3}

    choices = {5: {"lat": "48.2"}, 9: "exclude", 30: "exclude", 99: "exclude"}
    chosen = import_check.check_import(raw, "accounts", mapping, choices=choices)
    assert chosen.counts == {"read": 40, "imported": 38, "excluded": 2, "with problems": 3}
    assert chosen.problems["outcome"].tolist() == ["fixed, imported", "excluded", "excluded"]
    assert chosen.problems["choice"].tolist() == ["fix lat=48.2", "exclude", "exclude"]
    assert chosen.frame.loc[chosen.frame["account_id"] == "K003", "lat"].item() == 48.2
    csv = import_check.report_csv([chosen]).splitlines()
    assert csv[0] == "file,row,column,severity,reason,choice,outcome"
    assert csv[2] == "kunden.csv,9,lon,error,missing coordinates: lon is empty,exclude,excluded"

    bulk = import_check.check_import(raw, "accounts", mapping, exclude_errors=True)
    assert bulk.counts == {"read": 40, "imported": 37, "excluded": 3, "with problems": 3}


def test_the_report_shows_counts_that_add_up(tmp_path):
    raw = read_raw(german_csv(tmp_path / "kunden.csv"), kind="accounts")
    mapping = {**import_check.suggested_columns(raw.frame.columns, "accounts"),
               "Nordwert": "lat", "Ostwert": "lon"}  # fmt: skip
    c = import_check.check_import(raw, "accounts", mapping, choices={9: "exclude"})
    view = report_view("accounts", c.report.source, c.counts, dict(c.report.excluded_because),
                       c.report.refused, c.problems, {9: "exclude"}, {}, 1)  # fmt: skip
    text = str(view)
    assert "B(children='40', data-count='read')" in text and "data-row='30'" in text
    assert c.counts["imported"] + c.counts["excluded"] == c.counts["read"] == 40


def test_stashed_upload_is_read_once_under_its_own_name(tmp_path):
    source = german_csv(tmp_path / "kunden.csv")
    contents = "data:text/csv;base64," + base64.b64encode(source.read_bytes()).decode()
    folder = tmp_path / "upload"
    uploads.stash_upload(folder, "accounts", "Kunden 2025.csv", contents)
    raw = uploads.read_upload(folder, "accounts")
    assert raw.source == "Kunden 2025.csv" and len(raw.frame) == 40
    assert (folder / "accounts.raw.pkl").exists()
    with pytest.raises(uploads.FileUnreadableError, match="did not arrive as a file upload"):
        uploads.stash_upload(folder, "accounts", "x.csv", "not a data url")
    broken = "data:;base64," + base64.b64encode(b"PK\x03\x04 not a workbook").decode()
    uploads.stash_upload(folder, "accounts", "../Besuche.xlsx", broken)
    assert not (folder / "accounts.raw.pkl").exists()  # the new upload replaced the old
    with pytest.raises(uploads.FileUnreadableError, match=r"^Besuche\.xlsx is not an Excel"):
        uploads.read_upload(folder, "accounts")


def test_use_import_fills_in_the_current_team_and_clears_unknown_owners(url, working, toy):
    accounts, reps, _ = datasets.current_inputs(url, working)
    moved = accounts.assign(lat=accounts["lat"] + 0.001)
    dataset_id, sid, cleared = datasets.use_import(url, working, "moved", moved, None)
    assert cleared == 0 and editing.open_store(url).scenario(sid).dataset_id == dataset_id
    _, team, _ = datasets.current_inputs(url, sid)
    assert team["rep_id"].tolist() == ["R1", "R2"]
    _, sid2, cleared = datasets.use_import(url, working, "one rep", None, reps.iloc[:1])
    assert cleared == 2  # a2 and a3 belonged to R2
    assert sid2 != sid
