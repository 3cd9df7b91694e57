"""The Scenarios tab's export callback called directly with a faked ``ctx`` (issue 11, point 9)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
from flask import Flask

import callbacks.scenarios as cb
from callbacks.context import DATABASE_URL_KEY
from layouts.ids import export_button_id
from layouts.scenarios import EXPORT_LABELS
from planning.callplan import default_call_plan
from services import editing


@pytest.fixture
def working(tmp_path, toy):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    _, sid = editing.ensure_scenarios(
        url, "toy", toy.accounts, toy.reps, default_call_plan(), resolution=7
    )
    server = Flask("test")
    server.config[DATABASE_URL_KEY] = url
    with server.app_context():
        yield url, sid


def click(monkeypatch, fmt: str) -> None:
    key = json.dumps(export_button_id(fmt), separators=(",", ":"))
    monkeypatch.setattr(
        cb, "ctx", SimpleNamespace(triggered=[{"prop_id": f"{key}.n_clicks", "value": 1}])
    )


def test_owner_change_buttons_are_there():
    assert {"owner-changes", "owner-changes-salesforce", "owner-changes-hubspot"} <= set(
        EXPORT_LABELS
    )


def test_owner_changes_download_and_a_refused_crm_file_says_why(monkeypatch, working):
    url, sid = working
    store = editing.open_store(url)
    record = store.scenario(sid)
    owner = record.owner.copy()
    moved = np.zeros_like(owner)  # every cell to the first rep: some accounts change owner
    store.commit_move(sid, record.version, kind="move", cells=list(range(len(owner))),
                      before=owner, after_rep=0, owner=moved, locked=record.locked,
                      tally=None)  # fmt: skip
    click(monkeypatch, "owner-changes")
    download, message = cb.export([1], {"id": sid}, 10)
    assert download["filename"].endswith("-owner-changes.csv") and message is cb.no_update
    assert download["content"]  # base64 of a header and the changed accounts
    click(monkeypatch, "owner-changes-hubspot")
    download, message = cb.export([1], {"id": sid}, 10)
    # the toy reps have no e-mail: HubSpot could not take the file, and the message says so
    assert download is cb.no_update
    assert message.startswith("the owner-changes-hubspot file was not written: line 2 (account ")
    assert "has no email" in message
