"""Issue 18 point 1: the first map comes with the page's layout; closed tabs send no request.

A new page used to draw its map only after two rounds of callbacks, and the callbacks of the
closed tabs (Scenarios, Tracking) competed with it for the server's workers. Now the layout holds
the landing scenario's figure and panel: ``draw_map``'s and ``refresh_panel``'s calls at load
answer nothing, the closed tabs send nothing, and the ledger and suggestions follow the first map.
"""

from __future__ import annotations

import json
import math
from urllib.parse import urlsplit

import pytest

from tests.browser.harness import MAP_READY, serve

pytestmark = pytest.mark.browser

UPDATE = "/_dash-update-component"
CLOSED_TABS = ("scenario-list.", "scenario-history.", "compare-table.", "tracking-period.",
               "tracking-table.", "tracking-files.")  # fmt: skip
MAP_LOADED = """() => { const gd = document.querySelector('#map .js-plotly-plot');
  const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
  return !!(sub && sub.map && sub.map.loaded()); }"""
# When the first map was loaded, on the clock of request.timing (ms since the epoch).
WATCH_LOADED = f"""(() => {{
  const poll = () => {{
    if (({MAP_LOADED})()) {{ window.testLoadedAt = performance.timeOrigin + performance.now(); }}
    else {{ setTimeout(poll, 10); }}
  }};
  poll();
}})()"""


@pytest.fixture
def app(tmp_path):
    with serve(f"sqlite:///{tmp_path / 'plans.sqlite'}") as base:
        yield base


def test_first001_the_layout_draws_the_map_and_closed_tabs_send_nothing(browser, app):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    finished: list = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.add_init_script(WATCH_LOADED)
    page.goto(app + "/")
    page.wait_for_function(MAP_READY, timeout=180_000)
    page.wait_for_function("() => window.hexalign && window.hexalign.fitted", timeout=60_000)
    # the suggestions follow the first map (the layout's version, settled once the map loaded)
    page.wait_for_function(
        "() => (document.querySelector('#suggestions') || {textContent: ''}).textContent.trim()",
        timeout=60_000,
    )
    page.wait_for_timeout(1500)  # anything else the load sends
    calls: list[tuple[float, str, int, str]] = []  # (sent, outputs, status, body)
    layouts: list[dict] = []
    for request in finished:  # read after the events (no page call inside a handler)
        response = request.response()
        path = urlsplit(request.url).path
        if path == UPDATE:
            body = response.text() if response and response.status == 200 else ""
            calls.append((request.timing["startTime"], json.loads(request.post_data)["output"],
                          response.status if response else 0, body))  # fmt: skip
        elif path == "/_dash-layout" and response:
            layouts.append(response.json())
    assert len(calls) > 5, calls
    assert layouts, "no layout request seen"
    layout = json.dumps(layouts[0])
    assert '"locations"' in layout and '"geojson"' in layout  # the map's figure is in it
    outputs = [o for _, o, _, _ in calls]
    assert not [o for o in outputs if any(t in o for t in CLOSED_TABS)], outputs
    # draw_map and refresh_panel were asked once at load each and drew nothing: the view only
    # (for the level badge), the panel's version only (for the ledger and the suggestions)
    drawn = [c for c in calls if "map.figure" in c[1]]
    panels = [c for c in calls if "rep-table.data" in c[1] and "version-store.data@" not in c[1]]
    assert len(panels) == 1 and panels[0][2] == 200, outputs
    assert list(json.loads(panels[0][3])["response"]) == ["version-store"], panels[0][3]
    assert drawn and list(json.loads(drawn[0][3])["response"]) == ["view-store"], drawn[0][3]
    assert page.evaluate("() => document.querySelector('#level-badge').innerText.trim()")
    # later draws only follow the map's own camera (the browser's refit), never a second figure
    # for the same view; the cell size unchanged: no change_resolution request
    assert not [o for o in outputs if o.startswith("..scenario-store.data@") and "message" in o
                and "resolution" in o], outputs  # fmt: skip
    assert page.evaluate(MAP_LOADED)
    # the suggestions were asked for only once the first map was drawn
    loaded_at = page.evaluate("() => window.testLoadedAt")
    asked = [c[0] for c in calls if c[1].startswith("..suggestions.children")]
    assert asked and min(asked) >= loaded_at - 1, (asked, loaded_at)
    # the cells' polygons, the basemap layers and the towns named in the layout were asked for
    # as soon as it came, ahead of the load's callbacks (not queued behind them)
    figure = next(c for c in _components(layouts[0]) if c.get("props", {}).get("id") == "map")
    named = {figure["props"]["figure"]["data"][0]["geojson"],
             *(layer["source"] for layer in figure["props"]["figure"]["layout"]["map"]["layers"]),
             figure["props"]["figure"]["layout"]["meta"]["hexalign"]["towns"]}  # fmt: skip
    assert set(page.evaluate("() => window.hexalign.prefetched")) == named
    first_sent: dict[str, float] = {}
    for request in finished:  # in the order they finished: keep the earliest start per path
        path = urlsplit(request.url).path
        first_sent[path] = min(first_sent.get(path, math.inf), request.timing["startTime"])
    assert max(first_sent[path] for path in named) < min(c[0] for c in calls), (
        first_sent,
        calls[0],
    )
    page.close()


def _components(node):
    """Every component in a layout's JSON, depth first."""
    if isinstance(node, dict):
        if "props" in node:
            yield node
        for value in node.values():
            yield from _components(value)
    elif isinstance(node, list):
        for value in node:
            yield from _components(value)
