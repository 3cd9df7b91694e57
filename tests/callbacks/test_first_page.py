"""Issue 18 point 1: the first page's map and panel come with the layout; closed tabs stay quiet."""

from __future__ import annotations

import json
from types import SimpleNamespace

from dash import dcc
from dash._callback import GLOBAL_CALLBACK_LIST
from flask import Flask

import app
import callbacks.map as cb
from callbacks.first_page import first_page
from layouts.first_page import fetched_urls
from layouts.ids import Ids
from layouts.main import main_layout
from services import editing


def _ids(component) -> set[str]:
    """Every string id in a component tree."""
    found = set()
    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(node)
            continue
        if not hasattr(node, "to_plotly_json"):
            continue
        if isinstance(getattr(node, "id", None), str):
            found.add(node.id)
        stack.append(getattr(node, "children", None))
    return found


def _outputs(spec: str) -> set[str]:
    """Component ids of a callback's output spec ("a.b" or "..a.b...c.d..")."""
    parts = spec.strip(".").split("...") if spec.startswith("..") else [spec]
    return {p.rsplit(".", 1)[0] for p in parts if not p.startswith("{")}


def test_no_callback_of_the_closed_sections_alone_fires_at_page_load():
    # the sections (tabs under the table) are closed at load: a callback that only fills them
    # must not cost the first page a request
    page = main_layout(["R1"], ["Ann"], 1, 6, sections=[(t, b()) for t, b in app.SECTIONS])
    tabs = next(c for c in page.children if isinstance(c, dcc.Tabs))
    assert tabs.value == ""
    hidden = _ids(tabs.children)
    assert {Ids.SCENARIO_LIST, Ids.HISTORY, Ids.TRACKING_TABLE, Ids.TRACKING_PERIOD} <= hidden
    firing = [
        cb_["output"]
        for cb_ in GLOBAL_CALLBACK_LIST
        if not cb_.get("prevent_initial_call")
        and (outs := _outputs(cb_["output"]))
        and outs <= hidden
    ]
    assert firing == []


def test_the_layout_carries_the_first_map_and_panel_and_the_load_calls_draw_nothing(
    served, monkeypatch
):
    url, working = served
    first = first_page(url, working)
    assert first is not None
    # what draw_map and refresh_panel answer at load without a first page
    monkeypatch.setattr(cb, "ctx", SimpleNamespace(triggered_id=None))
    figure, view, name, _resolution, _camera = cb.draw_map(
        {"id": working}, "owner", None, None, None, None, None, None
    )
    version, table, *_ = cb.refresh_panel({"id": working}, 10, None, None,
                                          first.targets_kept, None)  # fmt: skip
    assert first.figure["data"][0]["locations"] == figure["data"][0]["locations"]
    assert first.figure["data"][0]["z"] == figure["data"][0]["z"]
    # what the first map fetches once drawn, named for the layout answer's header
    urls = fetched_urls(first)
    assert urls[0] == figure["data"][0]["geojson"] and urls[0].startswith("/geo/")
    assert [u.rsplit("/", 1)[1].split("-")[0] for u in urls[1:]] == [
        "land.json", "regions", "coasts.json", "borders.json", "towns.json"
    ]  # fmt: skip
    assert (first.scenario_name, first.version, first.table) == (name, version, table)
    assert first.view["scenario"] == working and first.view[cb.FIRST_KEY] is True
    assert {k: v for k, v in first.view.items() if k != cb.FIRST_KEY} == view
    # in the page: the map's figure, the table's rows, the stores
    page = main_layout(["R1"], ["Ann"], working, 7, first=first)
    layout = json.loads(json.dumps(page.to_plotly_json(), default=lambda o: o.to_plotly_json()))
    text = json.dumps(layout)
    assert json.dumps(first.figure["data"][0]["locations"]) in text
    assert json.dumps(first.table[0]) in text
    # the page's load calls then send nothing
    passed = cb.draw_map({"id": working}, "owner", None, None, None, None, first.view,
                         first.camera)  # fmt: skip
    assert passed == (cb.no_update, first.view, cb.no_update, cb.no_update, cb.no_update)
    passed_on = cb.refresh_panel({"id": working}, 10, None, None, first.targets_kept, None,
                                 first.view, first.version)  # fmt: skip
    assert passed_on == (first.version, *(cb.no_update for _ in cb.PANEL))  # for the ledger
    # ... unless the page remembered another scenario, or something changed since
    other = editing.open_store(url).duplicate_scenario(working, "Plan B")
    remembered = cb.draw_map({"id": other}, "owner", None, None, None, None, first.view,
                             first.camera)  # fmt: skip
    assert isinstance(remembered[0], dict) and remembered[1]["scenario"] == other
    monkeypatch.setattr(cb, "ctx", SimpleNamespace(triggered_id=Ids.COLOUR_MODE))
    redrawn = cb.draw_map({"id": working}, "workload", None, None, None, None, first.view,
                          first.camera)  # fmt: skip
    assert isinstance(redrawn[0], dict) and cb.FIRST_KEY not in redrawn[1]


def test_the_remembered_scenario_is_read_from_the_layout_requests_cookie(served):
    # the page's early script sends the scenario its browser remembers; a deleted or garbled one
    # is ignored (the landing scenario is drawn, and check_scenario corrects the store)
    url, working = served
    other = editing.open_store(url).duplicate_scenario(working, "Plan B")
    server = Flask(__name__)
    for cookie, want in ((str(other), other), ("999999", None), ("x", None), ("", None)):
        headers = {"Cookie": f"{app.REMEMBERED_COOKIE}={cookie}"}
        with server.test_request_context("/_dash-layout", headers=headers):
            assert app.remembered_scenario(url) == want, cookie
    meta = json.loads(app.first_page_meta()["content"])
    assert meta == {"store": Ids.SCENARIO.value, "cookie": app.REMEMBERED_COOKIE}
