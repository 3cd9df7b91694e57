"""Issue 14: region and district come in with the reps file and are edited in the team editor."""

from __future__ import annotations

import pandas as pd
import pytest

from data.validation import validate_reps
from planning import team
from planning.callplan import default_call_plan
from services import datasets, editing, hierarchy


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'plans.sqlite'}"


def test_reps_file_keeps_region_and_district():
    raw = pd.DataFrame({
        "rep_id": ["R1", "R2"], "name": ["A", "B"], "home_lat": ["45", "45.1"],
        "home_lon": ["-93", "-93.1"], "capacity_hours": ["100", "100"],
        "Region": ["North", ""], "District": ["N1", " "],
    })  # fmt: skip
    reps = validate_reps(raw)
    assert reps["region"].tolist()[0] == "North" and pd.isna(reps["region"].iloc[1])
    assert reps["district"].tolist()[0] == "N1" and pd.isna(reps["district"].iloc[1])


def test_team_editor_changes_region_and_district(url, toy):
    _, sid = editing.ensure_scenarios(
        url, "toy", toy.accounts, toy.reps, default_call_plan(), resolution=7
    )
    rows = [{**r, "region": "", "district": ""} for r in toy.reps.to_dict("records")]
    rows[0].update(region="North", district="N1")
    rows[1].update(region="South")
    reps = datasets.reps_from_rows(rows)
    changes = team.team_changes(toy.reps, reps)
    assert changes.regrouped == ("R1", "R2")
    assert changes.text() == "new region or district for R1, R2"
    edit = datasets.edit_team(url, sid, rows, confirmed=False)
    assert edit.derived is not None
    regions, districts = hierarchy.team_groups(url, edit.derived.scenario_id)
    assert regions == ["North", "South"]
    assert districts == ["North / N1", "South / No district"]
    # unchanged rows are no change
    again = [{**r} for r in rows]
    assert not datasets.edit_team(url, edit.derived.scenario_id, again, confirmed=False).changes


def test_add_rep_form_takes_region_and_district():
    row = team.new_rep_row(
        {"rep_id": "R9", "home_lat": 1, "home_lon": 2, "capacity_hours": 3, "region": " East ",
         "district": "E2"}, [],
    )  # fmt: skip
    assert row["region"] == "East" and row["district"] == "E2"
