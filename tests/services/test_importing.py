"""The Data tab's use cases (services.importing, services.datasets) without a browser.

One session: the German accounts file of ``tests/services/test_datasets.py`` arrives,
is checked as suggested (refused: lat/lon unknown), then mapped with row
choices and kept, then stored on the toy world's database.
"""

from __future__ import annotations

import base64

import pytest

from common.errors import FileUnreadableError
from planning.callplan import default_call_plan
from planning.edit_values import EditError
from services import datasets, editing, importing
from tests.services.test_datasets import german_csv


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("HEXALIGN_UPLOADS_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def working(tmp_path, toy):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    _, sid = editing.ensure_scenarios(
        url, "toy", toy.accounts, toy.reps, default_call_plan(), resolution=7
    )
    return url, sid


def data_url(path) -> str:
    return "data:text/csv;base64," + base64.b64encode(path.read_bytes()).decode()


def test_a_session_receives_checks_keeps_and_uses_a_file(uploads, working, tmp_path):
    assert importing.check_uploads(importing.CheckRequest(token=None)) is None  # nothing yet
    received = importing.receive(
        None, "accounts", "kunden.csv", data_url(german_csv(tmp_path / "k.csv"))
    )
    assert received.error is None and (uploads / received.token / "accounts").is_dir()

    seen: list[tuple[float, str]] = []
    phase = lambda start, span: lambda f, m: seen.append((start + span * f, m))  # noqa: E731
    first = importing.check_uploads(importing.CheckRequest(token=None, received=received), phase)
    assert seen[0] == (0.0, "reading…")
    assert first.files["accounts"]["mapping"]["Nordwert"] is None
    assert first.checks["accounts"].report.refused

    request = importing.CheckRequest(
        token=first.token,
        files=first.files,
        mapping_edits={"accounts": {"Nordwert": "lat", "Ostwert": "lon"}},
        decisions={"accounts": {9: "exclude", 30: "exclude"}},
        fixes={"accounts": {5: {"lat": "48.2"}}},
        use=True,
    )
    kept = importing.check_uploads(request)
    assert kept.checks["accounts"].counts == {"read": 40, "imported": 38, "excluded": 2,
                                               "with problems": 3}  # fmt: skip
    assert first.files["accounts"]["mapping"]["Nordwert"] is None  # the request is not changed
    assert kept.stored == importing.Stored(first.token, ("accounts",), "kunden")
    assert importing.report_text(first.token).startswith("file,row,column,severity")

    url, sid = working
    used = importing.use_checked(url, sid, first.token, ["accounts"], "kunden")
    assert (used.accounts, used.reps, used.cleared) == (38, 2, 0)
    assert editing.open_store(url).scenario(used.scenario_id).dataset_id == used.dataset_id


def test_an_upload_that_is_no_file_is_named_and_forgotten(uploads):
    received = importing.receive(None, "reps", "team.csv", "not a data url")
    assert received.error == "team.csv did not arrive as a file upload."
    out = importing.check_uploads(importing.CheckRequest(token=None, received=received))
    assert out.unreadable == (("reps", "team.csv did not arrive as a file upload."),)
    assert out.checks == {} and out.files == {}


def test_removing_a_rep_asks_first_then_applies(working, toy):
    url, sid = working
    rows = toy.reps.iloc[:1].to_dict("records")
    asked = datasets.edit_team(url, sid, rows, confirmed=False)
    assert asked.needs_confirmation and asked.derived is None
    assert asked.removing == (("R2", str(toy.reps["name"].iloc[1])),)
    assert asked.cells == datasets.cells_of(url, sid, ["R2"])
    done = datasets.edit_team(url, sid, rows, confirmed=True)
    assert done.derived is not None and done.changes.removed == ("R2",)
    # the cells R2 owned (counted before the yes) are the new scenario's unassigned cells
    assert asked.cells > 0 and done.derived.unassigned_cells == asked.cells
    assert not datasets.edit_team(url, sid, toy.reps.to_dict("records"), confirmed=False).changes
    with pytest.raises(EditError, match="at least one rep"):
        datasets.edit_team(url, sid, [], confirmed=True)


def test_an_unchanged_call_plan_is_no_edit(working):
    url, sid = working
    plan = default_call_plan()
    values = {s: plan.loc[s].to_dict() for s in plan.index}
    travel = {"circuity": 1.3, "speed_kmh": 60.0, "visits_per_trip": 4.0}
    edit = datasets.edit_call_plan(url, sid, values, travel)
    assert edit == datasets.CallPlanEdit((), None)


def test_check_file_writes_the_report(tmp_path):
    path = german_csv(tmp_path / "kunden.csv")
    report = importing.check_file(
        path, "accounts", importing.ImportOptions(exclude_bad_rows=True),
        report_path=tmp_path / "report.csv",
    )  # fmt: skip
    assert report.refused  # Nordwert/Ostwert are not known without a mapping
    assert (tmp_path / "report.csv").read_text().startswith("row,column,severity")


# --- issue 12 point 8: the upload limit and abandoned folders ----------------------------


def test_an_upload_over_the_limit_gets_one_sentence_in_the_data_tab(uploads, monkeypatch):
    monkeypatch.setenv("HEXALIGN_MAX_UPLOAD_MB", "1")
    payload = b"account_id,lat\n" + b"a,1\n" * (3 * 1024 * 1024 // 8)
    contents = "data:text/csv;base64," + base64.b64encode(payload).decode()
    received = importing.receive(None, "accounts", "big.csv", contents)
    assert received.error == "big.csv is 1.5 MB; the limit is 1.0 MB (HEXALIGN_MAX_UPLOAD_MB)."
    assert not (uploads / received.token / "accounts").exists()
    outcome = importing.check_uploads(importing.CheckRequest(token=None, received=received))
    assert outcome is not None and outcome.unreadable == (("accounts", received.error),)
    assert outcome.files == {}


def test_a_request_refused_at_the_door_reaches_the_report_too(uploads, monkeypatch):
    monkeypatch.setenv("HEXALIGN_MAX_UPLOAD_MB", "200")
    refused = importing.refused_upload(312 * 1024 * 1024)
    assert (
        refused.error == "The file is about 312 MB; the limit is 200 MB (HEXALIGN_MAX_UPLOAD_MB)."
    )
    outcome = importing.check_uploads(importing.CheckRequest(token=None, received=refused))
    assert outcome is not None and outcome.unreadable == (("upload", refused.error),)


def test_a_new_session_clears_abandoned_upload_folders(uploads, tmp_path):
    import os
    import time

    stale = uploads / "0123456789abcdef"
    (stale / "accounts").mkdir(parents=True)
    day_ago = time.time() - 25 * 3600
    os.utime(stale, (day_ago, day_ago))
    received = importing.receive(
        None, "accounts", "k.csv", data_url(german_csv(tmp_path / "k.csv"))
    )
    assert received.error is None and (uploads / received.token).is_dir()
    assert not stale.exists()


def test_cli_check_refuses_a_file_over_the_limit_in_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("HEXALIGN_MAX_UPLOAD_MB", "1")
    path = tmp_path / "big.csv"
    path.write_bytes(b"account_id,lat\n" + b"a,1\n" * (3 * 1024 * 1024 // 8))
    with pytest.raises(FileUnreadableError) as err:
        importing.check_file(path, "accounts", importing.ImportOptions())
    assert str(err.value) == "big.csv is 1.5 MB; the limit is 1.0 MB (HEXALIGN_MAX_UPLOAD_MB)."
