"""Issue 18 point 1: the page runs the partial plotly.js, never Dash's full plotly.min.js.

``assets/plotly/plotly-partial.min.js`` (core, bar, choroplethmap, scattermap) is preloaded by the
page's head and run by assets/hexalign-plotly-early.js, which sets ``window.Plotly`` before any
graph mounts; dcc's Graph then never fetches the 4.8 MB plotly.min.js. The map, the panel's
charts, a tab's chart mounted later and the modebar's PNG download all work with it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

import app as hexalign_app
from tests.browser.harness import MAP_READY, Callbacks, serve
from tests.layouts.test_plotly_bundle import FULL, listed_traces, version_of

pytestmark = pytest.mark.browser

TYPES = """sel => { const gd = document.querySelector(sel + ' .js-plotly-plot');
  return gd && gd._fullData ? gd._fullData.map(t => t.type) : null; }"""
# a bar chart of its own, with the modebar's buttons (the app's charts hide theirs)
SCRATCH_CHART = """() => { const div = document.createElement('div'); div.id = 'scratch-chart';
  div.style.cssText = 'position:fixed;left:0;top:0;width:400px;height:300px;z-index:9999;background:#fff';
  document.body.appendChild(div);
  return window.Plotly.newPlot(div, [{type: 'bar', x: ['a', 'b'], y: [1, 2]}], {},
                               {displayModeBar: true}).then(() => div._fullData[0].type); }"""


@pytest.fixture
def app(tmp_path):
    with serve(f"sqlite:///{tmp_path / 'plans.sqlite'}") as base:
        yield base


def test_bundle001_the_page_runs_the_partial_plotly_js_only(browser, app):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(urlsplit(request.url).path))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    callbacks = Callbacks(page)
    page.goto(app + "/")
    page.wait_for_function(MAP_READY, timeout=180_000)
    page.wait_for_function("() => window.hexalign && window.hexalign.fitted", timeout=60_000)
    callbacks.wait_quiet(page)
    # the bundle, at the installed plotly's version, with the listed trace types
    # fetched once (the head's preload, then the early script's tag) and run once: Dash does
    # not add it to the page's scripts (assets_path_ignore)
    assert requested.count("/" + hexalign_app.PLOTLY_BUNDLE) == 1, requested
    tags = (
        "() => Array.from(document.scripts).filter(s => s.src.includes('/assets/plotly/')).length"
    )
    assert page.evaluate(tags) == 1
    assert page.evaluate("() => window.Plotly.version") == version_of(FULL)
    registered = page.evaluate("() => Object.keys(window.Plotly.PlotSchema.get().traces)")
    assert set(registered) == listed_traces()
    # the map (MapLibre drew it: MAP_READY) and the panel's charts
    assert page.evaluate(TYPES, "#map") == ["choroplethmap", "scattermap"]
    assert set(page.evaluate(TYPES, "#workload-chart")) == {"bar", "scatter"}
    assert set(page.evaluate(TYPES, "#tam-chart")) == {"bar"}
    # a graph mounted later (the Tracking tab's trend) uses the same plotly.js
    page.locator("#sections").get_by_text("Tracking", exact=True).click()
    page.wait_for_function(f"() => ({TYPES})('#tracking-trend')", timeout=60_000)
    assert set(page.evaluate(TYPES, "#tracking-trend")) == {"scatter"}
    # the modebar's "Download plot as a PNG" (plotly.js's toImage) gives a picture
    assert page.evaluate(SCRATCH_CHART) == "bar"
    page.hover("#scratch-chart")
    with page.expect_download(timeout=60_000) as download:
        page.locator('#scratch-chart .modebar-btn[data-title="Download plot as a PNG"]').click()
    with open(download.value.path(), "rb") as picture:
        assert picture.read(8) == b"\x89PNG\r\n\x1a\n"
    page.wait_for_timeout(500)
    assert [p for p in requested if p.endswith("/plotly.min.js")] == []
    assert errors == []
    context.close()


def test_bundle002_without_the_bundle_the_page_falls_back_to_dashs_plotly_js(browser, app):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.route("**/" + hexalign_app.PLOTLY_BUNDLE, lambda route: route.abort())
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(app + "/")
    page.wait_for_function(MAP_READY, timeout=180_000)
    assert page.evaluate("() => window.Plotly.version") == version_of(FULL)
    assert "densitymap" in page.evaluate("() => Object.keys(window.Plotly.PlotSchema.get().traces)")
    assert [w for w in warnings if "plotly-partial.min.js not loaded" in w], warnings
    page.close()
