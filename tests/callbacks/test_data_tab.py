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


def test_the_team_editor_answers_in_the_pages_language(monkeypatch, working, toy):
    """The Data tab's messages follow the page's language like the other tabs' (Polish here)."""
    from layouts import i18n

    _, sid = working
    rows = toy.reps.iloc[:1].to_dict("records")
    i18n.use_language("pl")
    try:
        fake_ctx(monkeypatch, Ids.DATA_TEAM_APPLY)
        _, _, _, question, _ = cb.apply_team(1, None, rows, {"id": sid})
        fake_ctx(monkeypatch, Ids.DATA_TEAM_CONFIRM)
        _, text, _, _, _ = cb.apply_team(1, 1, rows, {"id": sid})
        fake_ctx(monkeypatch, Ids.DATA_REP_ADD)
        _, added = cb.add_rep(1, [], rows)
    finally:
        i18n.use_language("en")
    assert question.startswith("Usunąć R2 ") and "komórek stanie się nieprzypisanych" in question
    assert text.startswith("Zmieniono zespół (removed R2): obciążenie zespołu ")
    assert " h/rok, " in text and "Otwarto jako scenariusz „" in text
    assert added.startswith("Nie dodano: ")


# --- issue 11: CRM exports in the mapping editor, owners by name -------------------------


def _dropdowns(component) -> dict[str, object]:
    """Column -> the field its mapping dropdown shows, from the editor's component tree."""
    found: dict[str, object] = {}

    def walk(node) -> None:
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
            return
        node_id = getattr(node, "id", None)
        if isinstance(node_id, dict) and "column" in node_id and hasattr(node, "options"):
            found[node_id["column"]] = node.value
        children = getattr(node, "children", None)  # a Component is falsy without children
        if children is not None:
            walk(children)

    walk(component)
    return found


def _texts(node) -> str:
    """Every text of a component tree, one per line."""
    if isinstance(node, str):
        return node
    if isinstance(node, (list, tuple)):
        return "\n".join(_texts(child) for child in node)
    children = getattr(node, "children", None)
    return "" if children is None else _texts(children)


def _upload(monkeypatch, text: str, name: str) -> dict:
    contents = "data:text/csv;base64," + base64.b64encode(text.encode("utf-8")).decode()
    fake_ctx(monkeypatch, Ids.DATA_ACCOUNTS_UPLOAD)
    received, *_ = cb.receive_upload(contents, None, None, name, None, None, {}, None)
    return received


SALESFORCE_REPORT_CSV = (
    "Account ID,Account Name,Account Owner,Billing City,Billing Zip/Postal Code,"
    "Billing Country,Billing Latitude,Billing Longitude,Annual Revenue,Revenue,Rating,Segment\n"
    "0015g00000Acc01AAA,Apteka 1,Rep R1,Warszawa,00-001,Poland,52.23,21.01,1000000,10,Hot,A\n"
    "0015g00000Acc02AAA,Apteka 2,rep r2,Kraków,30-001,Poland,50.06,19.94,2000000,20,Warm,B\n"
    "0015g00000Acc03AAA,Apteka 3,Jan Kowalski,Gdańsk,80-001,Poland,54.35,18.65,3000000,30,Cold,C\n"
)


def test_a_crm_export_shows_its_mapping_and_owners_by_name_are_matched(monkeypatch, working, toy):
    received = _upload(monkeypatch, SALESFORCE_REPORT_CSV, "report.csv")
    team = {
        "rep_ids": toy.reps["rep_id"].tolist(),
        "reps": [{"rep_id": r, "name": f"Rep {r}"} for r in toy.reps["rep_id"]],
    }
    fake_ctx(monkeypatch, Ids.DATA_RECEIVED)
    state, _, mapping, report, _ = cb.check_files(
        lambda *a: None, received, 0, 0, {}, [], [], [], ["accept"], team
    )
    assert _dropdowns(mapping) == {
        "Account ID": "account_id",
        "Account Name": "name",
        "Account Owner": "rep_id",
        "Billing City": "city",
        "Billing Zip/Postal Code": "postcode",
        "Billing Country": "country",
        "Billing Latitude": "lat",
        "Billing Longitude": "lon",
        "Annual Revenue": "tam",
        "Revenue": "revenue",
        "Rating": cb.IGNORE,
        "Segment": "segment",
    }
    text = _texts(report)
    # "Rep R1" and "rep r2" are matched by name; the unknown owner is listed by its row
    assert "rep_id 'Jan Kowalski' is not a known rep: no rep has this rep_id, name" in text
    assert "'Rep R1'" not in text and "'rep r2'" not in text
    assert state["files"]["accounts"]["mapping"]["Account Owner"] == "rep_id"


def test_two_candidate_columns_show_both_and_the_check_names_them(monkeypatch, working):
    text = "account_id,name,Latitude,Lat,lon,segment,tam,revenue\nA1,x,52.2,52.2,21.0,A,1,1\n"
    received = _upload(monkeypatch, text, "a.csv")
    fake_ctx(monkeypatch, Ids.DATA_RECEIVED)
    _, _, mapping, report, _ = cb.check_files(
        lambda *a: None, received, 0, 0, {}, [], [], [], ["accept"], None
    )
    shown = _dropdowns(mapping)
    assert shown["Latitude"] == shown["Lat"] == "lat"
    assert "the mapping gives columns 'Latitude', 'Lat' the same field 'lat'" in _texts(report)


def test_a_boundary_upload_is_received_and_chosen(monkeypatch, working):
    # issue 11 point 3: the planning-area control's upload goes to the session's folder
    ring = [[13.0, 52.0], [14.0, 52.0], [14.0, 53.0], [13.0, 53.0], [13.0, 52.0]]
    geojson = ('{"type": "Polygon", "coordinates": [' + str(ring) + "]}").encode()
    contents = "data:application/geo+json;base64," + base64.b64encode(geojson).decode()
    received, cleared, area = cb.receive_boundary(contents, "square.geojson", {}, None)
    assert received["kind"] == "boundary" and received["error"] is None
    assert cleared is None and area == "upload"
    with pytest.raises(cb.PreventUpdate):
        cb.receive_boundary(None, None, {}, None)


# --- issue 12 point 7e: the reps file chosen right after the accounts file ----------------


def _data_url(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode("utf-8")).decode()


def _both(tmp_path, toy) -> tuple[str, str]:
    accounts = _data_url(german_csv(tmp_path / "k.csv").read_text(encoding="utf-8"))
    reps = _data_url(toy.reps.to_csv(index=False))
    return accounts, reps


def test_a_dropped_upload_answer_keeps_both_files(monkeypatch, working, tmp_path, toy):
    # the browser dropped the accounts upload's answer (a newer request of the same callback
    # came): the accounts file is still in the page and arrives with the reps file
    accounts, reps = _both(tmp_path, toy)
    fake_ctx(monkeypatch, Ids.DATA_REPS_UPLOAD)
    received, *cleared = cb.receive_upload(
        accounts, reps, None, "kunden.csv", "team.csv", None, {}, None
    )
    assert received["kind"] == "reps" and received["error"] is None
    assert cleared == [None, None, cb.no_update]
    fake_ctx(monkeypatch, Ids.DATA_RECEIVED)
    state, files, *_ = cb.check_files(lambda _: None, received, 0, 0, {}, [], [], [], [], None)
    assert sorted(state["files"]) == ["accounts", "reps"]
    assert "kunden.csv" in _texts(files) and "team.csv" in _texts(files)


def test_a_dropped_check_answer_keeps_both_files(monkeypatch, working, tmp_path, toy):
    # the accounts file was received, but the check it started was dropped when the reps
    # file started another: the page's list never learnt of the accounts file
    accounts, reps = _both(tmp_path, toy)
    fake_ctx(monkeypatch, Ids.DATA_ACCOUNTS_UPLOAD)
    first, *_ = cb.receive_upload(accounts, None, None, "kunden.csv", None, None, {}, None)
    fake_ctx(monkeypatch, Ids.DATA_REPS_UPLOAD)
    second, *_ = cb.receive_upload(None, reps, None, None, "team.csv", None, {}, first)
    assert second["token"] == first["token"]
    fake_ctx(monkeypatch, Ids.DATA_RECEIVED)
    state, files, mapping, report, _ = cb.check_files(
        lambda _: None, second, 0, 0, {}, [], [], [], [], None
    )
    assert sorted(state["files"]) == ["accounts", "reps"]
    assert state["files"]["accounts"]["name"] == "kunden.csv"
    assert "kunden.csv" in _texts(report) and "team.csv" in _texts(report)
