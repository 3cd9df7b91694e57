"""The map's edit callback called directly with a faked ``ctx``: what a stale tab is told."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from flask import Flask

import callbacks.map as cb
from callbacks.context import DATABASE_URL_KEY, DEFAULT_DATASET_KEY, DEFAULT_SCENARIO_KEY
from layouts.ids import Ids
from services import editing
from tests.planning.test_tally import world


def test_a_move_from_a_tab_showing_a_deleted_scenario_is_refused_and_said(monkeypatch, tmp_path):
    # issue 12 point 2: delete the newest scenario, create another; the tab that still shows the
    # deleted one (id and version 1) lassoes: nothing is written into the new plan, the page says
    # why and lands on a scenario that exists
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    dataset, working = editing.ensure_scenarios(
        url, "north", m.accounts, m.reps, m.call_plan, resolution=7
    )
    store = editing.open_store(url)
    newest = store.duplicate_scenario(working, "Plan B")
    store.delete_scenario(newest)
    successor = store.duplicate_scenario(working, "Plan B")
    assert successor != newest
    server = Flask(__name__)
    server.config.update({DATABASE_URL_KEY: url, DEFAULT_SCENARIO_KEY: working,
                          DEFAULT_DATASET_KEY: dataset})  # fmt: skip
    monkeypatch.setattr(cb, "ctx", SimpleNamespace(triggered_id=Ids.SELECTION))
    rep = str(m.reps["rep_id"].iloc[1])
    selection = {"units": list(range(10)), "level": 0}
    view = {"scenario": newest, "level": 0, "snapped": None, "bbox": None, "dataset": dataset}
    with server.app_context():
        out = cb.edit(selection, None, None, None, rep, "move", {"id": newest}, {"version": 1},
                      view, "owner", 10)  # fmt: skip
    version, paint, message, *_panel, scenario = out
    assert (version, paint) == (cb.no_update, cb.no_update)
    assert message == cb.DELETED_MEANWHILE
    assert scenario == {"id": working}
    record = store.scenario(successor)
    assert (record.version, store.moves(successor)) == (1, [])
    np.testing.assert_array_equal(record.owner, store.scenario(working).owner)
