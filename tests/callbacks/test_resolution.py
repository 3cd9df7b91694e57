"""The cell-size menu and its callback (issue 12 point 7a, 7b)."""

from __future__ import annotations

import pytest
from flask import Flask

import callbacks.resolution as cb
from callbacks.context import DATABASE_URL_KEY
from geo import area as geo_area
from services import editing, resolutions
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


def test_a_size_over_the_limit_is_one_sentence_and_the_menu_goes_back(working, monkeypatch):
    url, sid = working
    cells = {s.resolution: s.cells for s in resolutions.cell_sizes(url, sid)}
    limit = cells[7] + 1
    monkeypatch.setattr(resolutions, "HARD_CELL_LIMIT", limit)
    monkeypatch.setattr(geo_area, "HARD_CELL_LIMIT", limit)
    scenario, message, value = cb.change_resolution(8, {"id": sid})
    assert scenario is cb.no_update and value == 7
    assert message == (
        f"Cell size 8 would make about {cells[8]:,} cells, over the limit of {limit:,}; "
        "choose 7 or larger cells."
    )
    options = cb.show_sizes({"id": sid})
    assert [o["label"] for o in options] == [
        "4", "5", "6", "7", "8 · too many cells", "9 · too many cells",
    ]  # fmt: skip
    assert options[4]["title"] == f"about {cells[8]:,} cells"


def test_changing_size_and_back(working):
    url, sid = working
    scenario, message, value = cb.change_resolution("5", {"id": sid})
    assert value is cb.no_update and scenario["id"] != sid
    assert message.startswith(
        "Plan carried to resolution 5 as a new scenario “Working plan @ res 5”;"
    )
    assert message.endswith("accounts changed owner in the conversion.")
    scenario, message, _ = cb.change_resolution(7, scenario)
    assert scenario == {"id": sid}
    assert message == (
        "Back to “Working plan” at resolution 7, made before for this plan and unchanged since."
    )
    with pytest.raises(cb.PreventUpdate):
        cb.change_resolution(7, {"id": sid})
