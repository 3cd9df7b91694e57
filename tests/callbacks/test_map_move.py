"""Issue 18 point 2: a move's answer is the map patch and the table; the charts follow as patches.

The split must not change what the page ends up showing: after the edit callback and the
chained charts callback, the table, summary, note and both charts are what ``panel`` gives
for the plan after the move, and the map patch holds only the units the move changed.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from dash.exceptions import PreventUpdate
from flask import Flask

import callbacks.map as cb
from callbacks.context import DATABASE_URL_KEY
from planning.editing import Selection, Step, Tool
from services import editing
from tests.planning.test_tally import world


@pytest.fixture
def working(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    _, sid = editing.ensure_scenarios(url, "test", m.accounts, m.reps, m.call_plan, resolution=7)
    server = Flask("test")
    server.config[DATABASE_URL_KEY] = url
    with server.app_context():
        yield url, sid


def applied(figure: dict[str, Any], patch: Any) -> dict[str, Any]:
    """``figure`` after the browser applies a Dash ``Patch`` of assignments."""
    out = copy.deepcopy(figure)
    operations = patch.to_plotly_json()["operations"]
    assert {op["operation"] for op in operations} == {"Assign"}
    for op in operations:
        *path, last = op["location"]
        node = out
        for key in path:
            node = node[key]
        node[last] = op["params"]["value"]
    return out


def test_a_move_answers_map_and_table_and_the_charts_follow(working):
    url, sid = working
    board, before, version = editing.load(url, sid)
    shown = cb.PanelView()
    figures_before = cb.panel(before, 10, shown, board.baseline.owner)
    cells = np.flatnonzero(before.owner == 1)[:12]
    units = board.levels[0].unit_of_cell[cells]
    view = {"scenario": sid, "level": 0, "snapped": None, "bbox": None}
    out = cb.move_outputs(url, sid, version, Selection(Tool.MOVE, 0, units, "R1"),
                          cb.MoveShown(view, "owner", 10, shown), {"id": sid})  # fmt: skip
    assert len(out) == 3 + len(cb.MOVE_PANEL) + 1
    new_version, paint, message, rows, summary, note, numbers, scenario = out
    _, after, stored_version = editing.load(url, sid)
    assert new_version == {"version": stored_version} == {"version": version + 1}
    assert message == "Moved 12 cells to R1."
    assert scenario is cb.no_update
    assert sorted(paint["idx"]) == sorted(np.unique(units).tolist())  # the level-0 units moved
    assert set(paint["owner"]) == {0} and paint["version"] == version + 1
    table, workload, tam, full_summary, full_note = cb.panel(after, 10, shown, board.baseline.owner)
    assert rows == table and note == full_note
    assert repr(summary) == repr(full_summary)
    assert numbers is out[cb.CHARTS_OUTPUT]
    # the charts: patches that turn the figures shown before the move into the full ones after
    workload_patch, tam_patch = cb.chart_outputs(numbers)
    assert applied(figures_before[1], workload_patch) == workload
    assert applied(figures_before[2], tam_patch) == tam
    assert cb.move_charts(numbers)[0].to_plotly_json() == workload_patch.to_plotly_json()


def test_an_undo_and_a_stale_tab_answer_the_same_way(working):
    url, sid = working
    board, before, version = editing.load(url, sid)
    cells = np.flatnonzero(before.owner == 2)[:5]
    units = board.levels[0].unit_of_cell[cells]
    view = {"scenario": sid, "level": 0, "snapped": None, "bbox": None}
    page = cb.MoveShown(view, "owner", 10)
    cb.move_outputs(url, sid, version, Selection(Tool.MOVE, 0, units, "R4"), page)
    undone = cb.move_outputs(url, sid, version + 1, Step.UNDO, page)
    assert undone[0] == {"version": version + 2} and undone[2] == "Undone: 5 cells."
    np.testing.assert_array_equal(editing.load(url, sid)[1].owner, before.owner)
    assert undone[3] == cb.panel(before, 10, None, board.baseline.owner)[0]
    # a tab still on the old version: nothing written, told so, the current panel shown
    stale = cb.move_outputs(url, sid, version, Selection(Tool.MOVE, 0, units, "R4"), page,
                            {"id": sid})  # fmt: skip
    assert stale[0] == {"version": version + 2} and stale[1] is cb.no_update
    assert "Someone else changed this scenario" in stale[2]
    assert stale[-1] == {"id": sid, "refresh": version + 2}
    assert editing.load(url, sid)[2] == version + 2
    assert stale[cb.CHARTS_OUTPUT]["rep_id"] == ["R1", "R2", "R3", "R4"]


def test_no_chart_numbers_no_update():
    with pytest.raises(PreventUpdate):
        cb.chart_outputs(None)
