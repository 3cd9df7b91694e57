"""The Data tab's callbacks called directly with a faked ``ctx``: payload in, one service call out.

The files and numbers are those of ``tests/services/test_datasets.py`` (the German
accounts file, the toy world).
"""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest
from flask import Flask

import callbacks.data_tab as cb
from callbacks.context import DATABASE_URL_KEY
from layouts.ids import Ids, choice_id, fix_id, map_field_id
from planning.callplan import default_call_plan
from services import editing
from tests.services.test_datasets import german_csv


@pytest.fixture
def working(tmp_path, toy, monkeypatch):
    monkeypatch.setenv("HEXALIGN_UPLOADS_DIR", str(tmp_path / "uploads"))
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    _, sid = editing.ensure_scenarios(
        url, "toy", toy.accounts, toy.reps, default_call_plan(), resolution=7
    )
    server = Flask("test")
    server.config[DATABASE_URL_KEY] = url
    with server.app_context():
        yield url, sid


def fake_ctx(monkeypatch, triggered_id, states_list=()):
    monkeypatch.setattr(
        cb, "ctx", SimpleNamespace(triggered_id=triggered_id, states_list=list(states_list))
    )


def states(make_id, items):
    return [{"id": make_id(*key), "value": value} for key, value in items]


def test_payload_helpers_read_the_wildcard_states(monkeypatch):
    fake_ctx(monkeypatch, Ids.DATA_CHECK, [
        states(map_field_id, [(("accounts", "Nordwert"), "lat"), (("accounts", "X"), cb.IGNORE)]),
        states(choice_id, [(("accounts", 9), "exclude"), (("accounts", 12), None)]),
        states(fix_id, [(("accounts", 5, "lat"), " 48.2 "), (("accounts", 6, "lon"), "")]),
    ])  # fmt: skip
    assert cb.mapping_values() == {"accounts": {"Nordwert": "lat", "X": None}}
    assert cb.row_decisions() == {"accounts": {9: "exclude"}}
    assert cb.row_fixes() == {"accounts": {5: {"lat": "48.2"}}}


def test_upload_check_and_use_through_the_callbacks(monkeypatch, working, tmp_path):
    url, sid = working
    contents = (
        "data:text/csv;base64,"
        + base64.b64encode(german_csv(tmp_path / "k.csv").read_bytes()).decode()
    )
    fake_ctx(monkeypatch, Ids.DATA_ACCOUNTS_UPLOAD)
    received, *cleared = cb.receive_upload(contents, None, None, "kunden.csv", None, None, {}, None)
    assert received["kind"] == "accounts" and received["error"] is None
    assert cleared == [None, cb.no_update, cb.no_update]

    progress = []
    fake_ctx(monkeypatch, Ids.DATA_RECEIVED)
    state, files, mapping, report, result = cb.check_files(
        progress.append, received, 0, 0, {}, [], [], [], ["accept"], None
    )
    assert state["token"] == received["token"] and state["runs"] == 1
    assert progress[0] == ("0", "100", "reading…") and progress[-1] == ("100", "100", "checked")
    assert "data-missing='lat,lon'" in str(mapping) and result is cb.no_update

    fake_ctx(monkeypatch, Ids.DATA_USE, [
        states(map_field_id, [(("accounts", "Nordwert"), "lat"), (("accounts", "Ostwert"), "lon")]),
        states(choice_id, [(("accounts", 5), "exclude"), (("accounts", 9), "exclude"),
                           (("accounts", 30), "exclude")]),
    ])  # fmt: skip
    state, _, _, report, result = cb.check_files(
        progress.append, received, 0, 1, state, [], [], [], ["accept"], None
    )
    assert "B(children='37', data-count='imported')" in str(report)
    assert result["kinds"] == ["accounts"] and result["name"] == "kunden"

    scenario, message, _ = cb.use_data(result, {"id": sid})
    assert message.startswith(
        "Now planning on “kunden”: 37 accounts, 2 reps, scenario “Working plan – kunden”"
    )
    store = editing.open_store(url)
    assert store.scenario(scenario["id"]).dataset_id != store.scenario(sid).dataset_id


def test_apply_team_asks_before_removing_a_rep(monkeypatch, working, toy):
    _, sid = working
    rows = toy.reps.iloc[:1].to_dict("records")
    fake_ctx(monkeypatch, Ids.DATA_TEAM_APPLY)
    _, _, displayed, question, _ = cb.apply_team(1, None, rows, {"id": sid})
    assert displayed and question.startswith("Remove R2 ")
    fake_ctx(monkeypatch, Ids.DATA_TEAM_CONFIRM)
    scenario, text, displayed, _, _ = cb.apply_team(1, 1, rows, {"id": sid})
    assert not displayed and text.startswith("Team changed (removed R2)")
    assert scenario["id"] != sid
