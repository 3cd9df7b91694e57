"""The map's fast paths are the ones in use: feature-state repaint and a quiet selection.

Both rest on plotly.js internals (assets/hexalign-plotly-internals.js). When a plotly upgrade moves
one, the page falls back to the slow path and still works, so only these tests notice: the first
fails unless the self-check found every internal and a real lasso move re-tiled nothing; the second
breaks one internal at a time in the page, re-runs the self-check and shows that the slow path is
then recorded (with the missing internal named and warned about) and a move still lands.
"""

from __future__ import annotations

import pytest

from data.store import Store
from tests.browser.harness import lasso, open_page, serve
from tests.browser.test_map_browser import (
    expected_table,
    pick,
    shown,
    wait_version,
    working_scenario,
)

pytestmark = pytest.mark.browser

PATHS = """() => ({paintPath: window.hexalign.paintPath, selectionPath: window.hexalign.selectionPath,
                   missing: window.hexalign.missing, checks: window.hexalign.checks})"""
# Test instrumentation: count how often Plotly re-tiles the cells (sets the GeoJSON source's data).
COUNT_RETILES = """() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  const gl = gd.calcdata[0][0].trace._glTrace;
  const source = gd._fullLayout.map._subplot.map.getSource(gl.sourceId);
  const setData = source.setData.bind(source);
  window.testRetiles = 0;
  source.setData = data => { window.testRetiles += 1; return setData(data); };
}"""
# Each break imitates a plotly.js release that moved one internal, then re-runs the self-check.
BREAKS = {
    # the fill layer gets another name (plotly's own code follows it through layerList)
    "fill layer renamed": """() => {
      const gd = document.querySelector('#map .js-plotly-plot');
      const gl = gd.calcdata[0][0].trace._glTrace;
      const map = gd._fullLayout.map._subplot.map;
      const old = gl.layerList[0][1];
      const layers = map.getStyle().layers;
      const at = layers.findIndex(l => l.id === old);
      const before = at + 1 < layers.length ? layers[at + 1].id : undefined;
      map.removeLayer(old);
      map.addLayer({...layers[at], id: old + '-renamed'}, before);
      gl.layerList[0][1] = old + '-renamed';
      return window.HexalignPlotlyInternals.selfCheck();
    }""",
    # the selection restyle no longer goes through _glTrace.updateOnSelect (the hook we silence)
    "selection bypasses updateOnSelect": """() => {
      const gd = document.querySelector('#map .js-plotly-plot');
      gd._fullData[0]._module.styleOnSelect = function (_, cd) { if (cd) { cd[0].trace._glTrace.update(cd); } };
      return window.HexalignPlotlyInternals.selfCheck();
    }""",
    # the GL object is no longer kept on the trace (record only: Plotly's own selection needs it)
    "trace._glTrace gone": """() => {
      const gd = document.querySelector('#map .js-plotly-plot');
      delete gd.calcdata[0][0].trace._glTrace;
      return window.HexalignPlotlyInternals.selfCheck();
    }""",
}
# break -> (paint path, selection path, a word of the missing internal, does a move still run)
EXPECTED = {
    "fill layer renamed": ("restyle", "quiet", "fill layer", True),
    "selection bypasses updateOnSelect": ("feature-state", "plotly", "styleOnSelect", True),
    "trace._glTrace gone": ("restyle", "plotly", "_glTrace", False),
}


@pytest.fixture
def app(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    with serve(url) as base:
        store = Store(url)
        yield base, store, working_scenario(store)
        store.close()


def open_checked(browser, base: str):
    """Open the app and wait until the self-check has run on the drawn map (at the end of a draw)."""
    page = open_page(browser, base)
    page.wait_for_function("() => window.hexalign && window.hexalign.checks > 0", timeout=30_000)
    return page


def settle(page, quiet_ms: int = 1500) -> None:
    """Wait until the first view's fit is done and the map has not redrawn for ``quiet_ms``.

    The fit moves the camera once after the first draw, and the server may answer with a new
    level of detail: a redraw after the break would re-check and restore what it removed.
    """
    page.wait_for_function(
        """() => { const gd = document.querySelector('#map .js-plotly-plot');
                   const fit = gd && gd.layout && gd.layout.meta && gd.layout.meta.hexalignFit;
                   return !fit || (window.hexalign.fitted && window.hexalign.fitted.key === fit.key); }""",
        timeout=30_000,
    )
    last = -1
    for _ in range(40):
        checks = page.evaluate("() => window.hexalign.checks")
        if checks == last:
            return
        last = checks
        page.wait_for_timeout(quiet_ms)


def warned(page, warnings: list[str], word: str) -> bool:
    """Whether the page warned about the missing internal (console messages arrive a little late)."""
    for _ in range(50):
        if any("plotly.js internals missing" in w and word in w for w in warnings):
            return True
        page.wait_for_timeout(100)
    return False


def move(page, store: Store, sid: int) -> tuple[dict, dict]:
    """A real lasso move to R03; returns the last paint and the table before it, checked after it."""
    before, start = shown(page), store.scenario(sid)
    pick(page, "R03")
    lasso(page, 0.45, 0.5, 0.07)
    wait_version(page, store, sid, start.version + 1)
    assert (store.scenario(sid).owner != start.owner).sum() > 0
    after = shown(page)
    assert after != before and after == expected_table(store, sid)
    return page.evaluate("() => window.hexalign.lastPaint"), before


def test_map101_fast_paint_and_quiet_selection_are_in_use(browser, app):
    base, store, sid = app
    page = open_checked(browser, base)
    settle(page)  # after the first view's fit and its redraw
    paths = page.evaluate(PATHS)
    assert paths["checks"] >= 1, "the self-check never ran on the drawn map"
    assert paths["missing"] == [], f"plotly.js internals missing: {paths['missing']}"
    assert (paths["paintPath"], paths["selectionPath"]) == ("feature-state", "quiet")

    page.evaluate(COUNT_RETILES)
    last, _ = move(page, store, sid)
    assert last["mode"] == "feature-state" and last["n"] > 0
    assert (
        page.evaluate("() => window.testRetiles") == 0
    )  # neither the selection nor the paint re-tiled
    assert page.evaluate(PATHS)["missing"] == []
    page.close()


@pytest.mark.parametrize("broken", list(BREAKS))
def test_map102_a_missing_internal_is_recorded_warned_and_falls_back(browser, app, broken):
    base, store, sid = app
    page = open_checked(browser, base)
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    settle(page)  # the first view's fit redraws once; a late redraw would also undo the break
    assert page.evaluate(PATHS)["paintPath"] == "feature-state"

    paint_path, selection_path, word, movable = EXPECTED[broken]
    checked = page.evaluate(BREAKS[broken])
    assert (checked["paintPath"], checked["selectionPath"]) == (paint_path, selection_path)
    assert any(word in m for m in checked["missing"]), checked["missing"]
    assert page.evaluate(PATHS)["missing"] == checked["missing"], page.evaluate(PATHS)
    assert warned(page, warnings, word), warnings
    if movable:  # the slow path still moves the cells and shows the right numbers
        page.evaluate(COUNT_RETILES)
        last, _ = move(page, store, sid)
        assert last["mode"] == paint_path
        assert (
            page.evaluate("() => window.testRetiles") > 0
        )  # the slow path re-tiled: what 101 forbids
        assert page.evaluate(PATHS)["paintPath"] == paint_path
    page.close()
