"""The map's layer switch (issue 15 overlay): the map callbacks on the overlay layer.

The "inside and out" world of tests/planning/test_overlay.py: field reps F1, F2; overlay reps
O1, O2 serving every remote C account (o1 at the centre with no owner, o2 on ring 0 with O1,
o3 on ring 3 pinned to O2). Last quarter's overlay: ring 0 is O1's, the centre and ring 3
nobody's (no owner, a pin); every other cell has no overlay account.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from flask import Flask

import h3

import callbacks.map as cb
from callbacks.context import DATABASE_URL_KEY, DEFAULT_DATASET_KEY, DEFAULT_SCENARIO_KEY
from layouts.ids import Ids
from planning.callplan import default_call_plan
from planning.overlay import Layer
from services import editing, maps, overlay
from tests.planning.test_overlay import frames
from tests.toy import CENTRE, RING


@pytest.fixture
def page(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    accounts, reps = frames()
    dataset, sid = editing.ensure_scenarios(url, "io", accounts, reps, default_call_plan(),
                                            resolution=7)  # fmt: skip
    server = Flask(__name__)
    server.config.update({DATABASE_URL_KEY: url, DEFAULT_SCENARIO_KEY: sid,
                          DEFAULT_DATASET_KEY: dataset})  # fmt: skip
    with server.app_context():
        yield url, sid, dataset, monkeypatch


def position(url: str, sid: int, cell: str) -> int:
    """The position of ``cell`` in the scenario's planning area (both layers share it)."""
    b, _, _ = editing.load(url, sid)
    return int(b.market.area.positions(np.array([h3.str_to_int(cell)], np.uint64))[0])


def unit(url: str, sid: int, cell: str) -> int:
    """The level-0 unit (a cell) of ``cell`` on the scenario's board."""
    b, _, _ = editing.load(url, sid)
    return int(b.levels[0].unit_of_cell[position(url, sid, cell)])


def c_accounts(rows: list[dict]) -> dict[str, int]:
    return {r["rep_id"]: r["accounts_c"] for r in rows}


def test_a_lasso_on_the_overlay_layer_moves_overlay_owners_and_never_the_field(page):
    url, sid, dataset, monkeypatch = page
    _, field_before, field_version = editing.load(url, sid)
    # the panel on the overlay layer: the overlay reps' own balance and both versions
    version, rows, *_ = cb.refresh_panel({"id": sid}, 10, layer="overlay")
    assert version == {"version": field_version, "overlay": 0}
    assert c_accounts(rows) == {"O1": 1, "O2": 1}
    _, field_rows, *_ = cb.refresh_panel({"id": sid}, 10, layer="field")
    assert [r["rep_id"] for r in field_rows] == ["F1", "F2"]

    monkeypatch.setattr(cb, "ctx", SimpleNamespace(triggered_id=Ids.SELECTION))
    ring0 = unit(url, sid, RING[0])
    view = {"scenario": sid, "level": 0, "snapped": None, "bbox": None, "dataset": dataset}
    out = cb.edit({"units": [ring0], "level": 0}, None, None, None, "O2", "move", {"id": sid},
                  version, view, "owner", 10, layer="overlay")  # fmt: skip
    new_version, paint, message, rows, *_rest, scenario = out
    assert new_version == {"version": field_version, "overlay": 1}
    assert message == "Moved 1 cells to O2."
    assert c_accounts(rows) == {"O1": 0, "O2": 2}  # o2 went from O1 to O2
    assert paint["owner"] == [1] and paint["version"] == 1  # the cell now O2's (position 1)
    assert scenario is cb.no_update
    # the overlay row holds it; the field layer: same owners, same version, same panel
    state = overlay.load_overlay(url, sid)
    assert state.version == 1
    assert overlay.overlay_metrics(url, sid).set_index("rep_id")["accounts"].to_dict() == {
        "O1": 0, "O2": 2}  # fmt: skip
    _, field_after, version_after = editing.load(url, sid)
    assert version_after == field_version
    np.testing.assert_array_equal(field_after.owner, field_before.owner)
    _, field_rows_after, *_ = cb.refresh_panel({"id": sid}, 10, layer="field")
    assert field_rows_after == field_rows

    # a stale overlay version is told, nothing is written
    out = cb.edit({"units": [ring0], "level": 0}, None, None, None, "O1", "move", {"id": sid},
                  version, view, "owner", 10, layer="overlay")  # fmt: skip
    assert out[0] == {"version": field_version, "overlay": 1} and out[1] is cb.no_update
    assert "changed the overlay meanwhile" in out[2]
    assert overlay.load_overlay(url, sid).version == 1
    # issue 15 (h15d; this used to say "field layer only"): undo on the overlay layer takes the
    # overlay move back (the Undo button, then the redo key), the field layer untouched
    monkeypatch.setattr(cb, "ctx", SimpleNamespace(triggered_id=Ids.UNDO))
    out = cb.edit(None, 1, None, None, "O1", "move", {"id": sid}, new_version, view, "owner", 10,
                  layer="overlay")  # fmt: skip
    undone, paint, message, rows, *_ = out
    assert undone == {"version": field_version, "overlay": 2}
    assert message == "Undone (overlay): 1 cells." and paint["owner"] == [0]  # O1's again
    assert c_accounts(rows) == {"O1": 1, "O2": 1}
    assert editing.load(url, sid)[2] == field_version
    monkeypatch.setattr(cb, "ctx", SimpleNamespace(triggered_id=Ids.KEY_COMMAND))
    out = cb.edit(None, None, None, {"cmd": "redo"}, "O1", "move", {"id": sid}, undone, view,
                  "owner", 10, layer="overlay")  # fmt: skip
    assert out[0] == {"version": field_version, "overlay": 3} and out[1]["owner"] == [1]
    assert c_accounts(out[3]) == {"O1": 0, "O2": 2}
    out = cb.edit(None, None, None, {"cmd": "redo"}, "O1", "move", {"id": sid}, out[0], view,
                  "owner", 10, layer="overlay")  # fmt: skip
    assert out[2] == "Nothing to redo." and out[0] is cb.no_update
    new_version = {"version": field_version, "overlay": 3}
    # a field rep picked on the overlay layer is refused in words
    monkeypatch.setattr(cb, "ctx", SimpleNamespace(triggered_id=Ids.SELECTION))
    out = cb.edit({"units": [ring0], "level": 0}, None, None, None, "F1", "move", {"id": sid},
                  new_version, view, "owner", 10, layer="overlay")  # fmt: skip
    assert out[2] == "'F1' is not an overlay rep" and out[0] is cb.no_update


def test_the_overlay_layer_draws_overlay_owners_and_lists_overlay_reps(page):
    url, sid, _, _ = page
    # the area is the three cells with accounts; ring 3's only overlay account is pinned to O2,
    # so the overlay counts no movable account there. A lasso gives that cell to O1:
    overlay.move_overlay(url, sid, np.array([position(url, sid, RING[3])]), "O1", 0)
    plan = overlay.load_overlay(url, sid).plan
    assert plan.owner[position(url, sid, RING[3])] == 0  # O1's in the plan
    field = maps.map_drawing(url, sid, None)
    over = maps.map_drawing(url, sid, None, layer=Layer.OVERLAY)
    assert list(over.board.market.rep_ids) == ["O1", "O2"]
    owner = dict(zip(over.facts.units.tolist(), over.facts.owner.tolist(), strict=True))
    field_owner = dict(zip(field.facts.units.tolist(), field.facts.owner.tolist(), strict=True))
    assert owner[unit(url, sid, RING[0])] == 0  # O1, as last quarter
    assert owner[unit(url, sid, CENTRE)] == -1  # its overlay account has no owner
    assert owner[unit(url, sid, RING[3])] == -1  # no overlay account to serve: drawn grey
    assert field_owner[unit(url, sid, CENTRE)] == 0  # the field layer: F1's (f1)
    options, *_ = cb.rep_widgets({"id": sid}, "overlay", "F1")
    assert [o["value"] for o in options if o["value"] != cb.UNASSIGNED_VALUE] == ["O1", "O2"]
    options, *_ = cb.rep_widgets({"id": sid}, "field", "F1")
    assert "F1" in [o["value"] for o in options] and "O1" not in [o["value"] for o in options]
