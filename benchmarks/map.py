"""Map benchmark (issue 4 §5): the real app in headless Chromium, demo data and 1M accounts.

For each data set (figures prefixed ``demo_`` and ``large_``) the app runs
under gunicorn with 2 workers on a fresh SQLite file, and one Chromium
drives it through ``tests.browser.harness``:

- ``initial_load_ms``: navigation to the map drawn (MapLibre loaded,
  calcdata present, table filled) for the first page after the server
  started (< 2,000 ms, issue 18; < 4,000 ms before). Issue 18 point 5: the
  server is started ``STARTS`` times on the same database (the first start
  imports the data, the others find it stored) and the figure is the median
  of those first pages, ``initial_load_ms_spread`` their max - min, so that
  one noisy run neither passes nor fails it. If a map stays blank (a race in
  ``draw_map``, see docs/benchmarks.md) the page is opened again, the time
  keeps running, and ``initial_load_blank_count`` counts them over all starts.
  ``initial_load_warm_ms``: median of three more pages, each a new browser
  context with an empty cache.
- ``server_start_s`` (``server_start_1m_s`` for the 1M accounts, < 5 s, issue 18): launch of
  gunicorn until ``/`` answers, median of the starts after the first, with its
  spread; ``server_first_start_s`` (``server_first_start_1m_s``): the first start, which
  reads, validates and stores the data.
- ``initial_payload_mb``: response headers + bodies as transferred
  (compressed as served, geometry included) until drawn plus 1 s.
- ``max_polygons_drawn``: the most choropleth locations at once over wheel
  zooms from the overview to the finest level, pans and zooms out (<= 5,000).
  ``view_resets_count``: redraws that threw the map back to the initial
  zoom (the benchmark then restores the user's view).
- ``move_500_*`` (issue 18 point 2): at the finest level, a real lasso (mouse
  drag) sized from the drawn cells' projected centroids to hold about 500
  cells, moved ``MOVE_REPEATS`` times, each time to a rep that owns none of
  them. ``roundtrip_ms``: median over the moves of mouseup to the map
  repainted and the table re-rendered (target < 300 ms; the charts follow in a
  chained callback and are not waited for); ``roundtrip_ms_spread``: slowest
  minus fastest move; ``payload_kb``: request and response headers + bodies of
  every ``_dash-update-component`` call of the median move until the page is
  quiet; ``move_cells_count``: cells whose owner changed (first move).
- ``move_500_server_ms``: in this process, on the same database, the server's
  work for a 500-cell lasso at the finest level: the ``edit`` callback
  (``callbacks.map.move_outputs``: one scenario read, ``editing.edit`` with
  the store write, the map patch and the table) and the chained charts
  callback (``callbacks.map.chart_outputs``), with the JSON encoding of both
  answers; median of ``SERVER_REPEATS`` patches (target < 30 ms at 1M
  accounts), ``move_500_server_ms_spread`` the range of the middle two thirds
  of them (the slowest and fastest sixth are the machine, not the code).

Progress, per-request sizes and gunicorn's request times go to stderr.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from plotly.io.json import to_json_plotly

from benchmarks.core import patch
from benchmarks.synthetic import synthetic_team
from data.store import Store
from geo.lod import quantise
from planning.editing import Selection, Tool
from services import editing
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, MAP_READY, drag, serve

Figure = tuple[str, float, str]

WORKERS = 2
VIEWPORT = {"width": 1600, "height": 1000}
MOVE_CELLS = 500
LASSO_VERTICES = 20
SERVER_REPEATS = 21
MOVE_REPEATS = 5  # issue 18 point 5: the median of several lassos, with the spread
MOVE_TARGET_MS, SERVER_TARGET_MS = 300, 30  # issue 18 point 2 (logged beside the figures)
WARM_OPENS = 3
STARTS = 6  # issue 18: first pages after a start, the median's sample (>= 5)
WHEEL_STEP = -400  # about +0.5 zoom per wheel event in MapLibre
MAX_ZOOM_STEPS = 16
QUIET_MS = 1000
STILL_MS = 500
TOLERANCE_PCT = 10
UPDATE_PATH = "/_dash-update-component"

DRAWN = """() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  const m = gd._fullLayout.map._subplot.map;
  const geo = gd.data[0].geojson;
  const parts = new URL(geo, location.href).pathname.split('/');  // /geo/fmt/tiling/LEVEL/view
  return {locations: gd.data[0].locations.length, calcdata: gd.calcdata[0].length,
          level: Number(parts[parts.length - 2]), geojson: geo, zoom: m.getZoom(),
          loaded: m.loaded()};
}"""

# The drawn figure is the latest one, its geometry fetched, the map still.
SETTLED = """() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  const m = gd._fullLayout.map._subplot.map;
  const geo = new URL(gd.data[0].geojson, location.href).href;
  return gd.calcdata[0].length === gd.data[0].locations.length
         && performance.getEntriesByName(geo).length > 0 && m.loaded() && !m.isMoving();
}"""

# The page is up, the table filled, and the map has no trace: the blank-map race.
BLANK = """() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  return !!gd && !(gd.data && gd.data.length)
         && document.querySelectorAll('#rep-table tbody tr td').length > 0;
}"""

# The last view the user asked for (plotly sends map._derived only for user moves).
USER_VIEW = """() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  window.hexalignUserView = null;
  performance.setResourceTimingBufferSize(1000000);  // SETTLED looks up geometry fetches
  gd.on('plotly_relayout', ev => {
    if (ev['map._derived'] && ev['map.zoom'] !== undefined) {
      window.hexalignUserView = {zoom: ev['map.zoom'], center: ev['map.center']};
    }
  });
}"""

# Drawn units whose projected centroid (what plotly's lasso tests) is in the map, in page px.
CENTROIDS = """() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  const m = gd._fullLayout.map._subplot.map;
  const r = m.getContainer().getBoundingClientRect();
  const out = [];
  for (const d of gd.calcdata[0]) {
    if (!d.ct) { continue; }
    const p = m.project(d.ct);
    out.push([d.loc, r.left + p.x, r.top + p.y]);
  }
  return {box: [r.left, r.top, r.width, r.height], points: out};
}"""

# Timestamps of mouseup, of the repaint (data-painted-version) and of the table re-render.
WATCH_MOVE = """() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  (window.hexalignBenchObservers || []).forEach(o => o.disconnect());
  const b = window.hexalignBench = {up: null, selected: null, painted: null, table: null,
                                    charts: null, origin: performance.timeOrigin};
  if (!gd._benchSelected) {  // when plotly hands the lasso's points to Dash
    gd._benchSelected = true;
    gd.on('plotly_selected', () => {
      const c = window.hexalignBench;
      if (c.up !== null && c.selected === null) { c.selected = performance.now(); }
    });
  }
  const first = key => () => {
    if (b.up !== null && b[key] === null) { b[key] = performance.now(); }
  };
  document.addEventListener('mouseup', () => { b.up = performance.now(); },
                            {capture: true, once: true});
  const observers = [new MutationObserver(first('painted')), new MutationObserver(first('table')),
                     new MutationObserver(first('charts'))];
  observers[0].observe(gd, {attributes: true, attributeFilter: ['data-painted-version']});
  observers[1].observe(document.querySelector('#rep-table'),
                       {subtree: true, childList: true, characterData: true});
  observers[2].observe(document.querySelector('#workload-chart'),
                       {subtree: true, childList: true, attributes: true});
  window.hexalignBenchObservers = observers;
}"""


def run(n_accounts: int = 1_000_000, n_reps: int = 50, seed: int = 0) -> list[Figure]:
    """Every map figure, demo first, then the synthetic team."""
    from playwright.sync_api import sync_playwright

    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="hexalign-map-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            figures += measure_data_set("demo_", Path(tmp), browser, files=None)
            start = time.perf_counter()
            accounts, reps = synthetic_team(n_accounts, n_reps, seed)
            files = (Path(tmp) / "accounts.parquet", Path(tmp) / "reps.parquet")
            accounts.to_parquet(files[0], index=False)
            reps.to_parquet(files[1], index=False)
            del accounts, reps
            _log(f"synthetic team written: {n_accounts:,} accounts, {n_reps} reps", start)
            figures += measure_data_set("large_", Path(tmp), browser, files=files)
        finally:
            browser.close()
    return figures


def measure_data_set(prefix: str, tmp: Path, browser, files: tuple[Path, Path] | None) -> list:
    """Browser figures on a served app, then the in-process server time on its database."""
    url = f"sqlite:///{tmp / (prefix + 'plans.sqlite')}"
    access_log = tmp / f"{prefix}access.log"
    starts: list[float] = []
    colds: list[Opened] = []
    for i in range(STARTS - 1):  # issue 18 point 5: several starts, each with its first page
        start_s, cold = start_and_open(url, files, access_log, browser, f"{prefix}start {i + 1}")
        starts.append(start_s)
        colds.append(cold)
        cold.page.close()
    start = time.perf_counter()
    with _server_env(files, access_log), serve(url, gunicorn_workers=WORKERS) as base:
        starts.append(time.perf_counter() - start)
        _log(f"{prefix}server up (start {STARTS}, load average {os.getloadavg()[0]:.1f})", start)
        cold = open_map(browser, base, f"{prefix}first page after start {STARTS}")
        colds.append(cold)
        cold.page.close()
        warm = []
        for i in range(WARM_OPENS):
            warm.append(open_map(browser, base, f"{prefix}warm page {i + 1}"))
            if i + 1 < WARM_OPENS:
                warm[-1].page.close()
        page = warm[-1].page
        try:
            sweep = Sweep(page)
            sweep.zoom_to_finest()
            moves = lasso_moves(page, url, access_log)
            sweep.pan_and_zoom_out()
        finally:
            page.close()
    server_ms = server_move_ms(url)  # issue 18: every patch's time, in ms
    firsts = [o.ms for o in colds]
    _log(f"{prefix}first pages after a start: {', '.join(f'{ms:.0f}' for ms in firsts)} ms; "
         f"starts {', '.join(f'{s:.1f}' for s in starts)} s")  # fmt: skip
    start_name = "server_start_1m" if prefix == "large_" else prefix + "server_start"
    first_name = "server_first_start_1m" if prefix == "large_" else prefix + "server_first_start"
    return [
        (prefix + "initial_load_ms", statistics.median(firsts), "ms"),
        (prefix + "initial_load_ms_spread", max(firsts) - min(firsts), "ms"),
        (prefix + "initial_load_warm_ms", statistics.median(o.ms for o in warm), "ms"),
        (prefix + "initial_load_blank_count", sum(o.blank for o in colds), "count"),
        (prefix + "initial_payload_mb", statistics.median(o.bytes for o in colds) / 1e6, "MB"),
        (start_name + "_s", statistics.median(starts[1:]), "s"),
        (start_name + "_spread_s", max(starts[1:]) - min(starts[1:]), "s"),
        (first_name + "_s", starts[0], "s"),
        *_move_figures(prefix, moves, server_ms),  # issue 18: medians with their spread
        (prefix + "max_polygons_drawn", max(sweep.drawn), "count"),
        (prefix + "view_resets_count", sweep.resets, "count"),
    ]


def start_and_open(
    url: str, files: tuple[Path, Path] | None, access_log: Path, browser, label: str
) -> tuple[float, Opened]:
    """Start the server, time it until ``/`` answers, and open its first page (left open)."""
    start = time.perf_counter()
    with _server_env(files, access_log), serve(url, gunicorn_workers=WORKERS) as base:
        up_s = time.perf_counter() - start
        _log(f"{label}: server up, load average {os.getloadavg()[0]:.1f}", start)
        return up_s, open_map(browser, base, f"{label}: first page")


class Opened:
    """A page with its map drawn, how long that took and what it transferred."""

    def __init__(self, page, ms: float, n_bytes: int, blank: int) -> None:
        self.page, self.ms, self.bytes, self.blank = page, ms, n_bytes, blank


def open_map(browser, base: str, label: str, timeout_s: float = 180.0) -> Opened:
    """Open the app in a new context; time navigation until drawn; sum what came over the wire.

    If the map stays blank once every callback has answered (the initial
    ``draw_map`` overtaken by the one the empty graph's autosize relayout
    triggers, see docs/benchmarks.md), open it once more in a new context;
    the time then runs from the first navigation.
    """
    start = time.perf_counter()
    blank = 0
    while True:
        page = browser.new_page(viewport=VIEWPORT)
        requests = _finished_requests(page)
        page.goto(base + "/")
        if wait_drawn(page, timeout_s):
            break
        blank += 1
        _log(f"{label}: every callback answered but the map is blank; opening it again")
        page.close()
        if blank > 1:
            raise RuntimeError(f"{label}: the map stayed blank twice")
    ms = (time.perf_counter() - start) * 1000.0
    page.wait_for_timeout(1000)
    n_bytes, lines = 0, []
    for request in list(requests):
        sizes = request.sizes()
        got = max(sizes["responseBodySize"], 0) + max(sizes["responseHeadersSize"], 0)
        n_bytes += got
        response = request.response()
        encoding = response.headers.get("content-encoding", "-") if response else "?"
        lines.append((got, encoding, urlsplit(request.url).path))
    _log(f"{label}: drawn in {ms:.0f} ms, {len(requests)} requests, {n_bytes / 1e6:.3f} MB")
    for got, encoding, path in sorted(lines, reverse=True)[:8]:
        _log(f"    {got / 1e3:10.1f} kB  {encoding:5s} {path[-70:]}")
    return Opened(page, ms, n_bytes, blank)


def wait_drawn(page, timeout_s: float, blank_after_s: float = 3.0) -> bool:
    """True once the map is drawn; False if it is blank with no callback pending for a while."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    pending = _Pending(page)
    deadline = time.perf_counter() + timeout_s
    try:
        while time.perf_counter() < deadline:
            try:
                page.wait_for_function(MAP_READY, timeout=250, polling=20)
                return True
            except PlaywrightTimeoutError:
                pass
            if pending.idle_s() > blank_after_s and page.evaluate(BLANK):
                return False
    finally:
        pending.stop()
    raise TimeoutError(f"the map was not drawn within {timeout_s:.0f} s")


class Sweep:
    """Wheel zooms and pans like a user's, noting how many cells each view draws.

    A new figure from ``draw_map`` puts the map back at the figure's own
    centre and zoom (plotly.js keeps no GUI edit of ``map.zoom`` for
    ``uirevision``), so after every redraw that moved the view the user's
    view is put back with ``Plotly.relayout``, which sends no
    ``map._derived`` and so no new figure; ``resets`` counts those.
    """

    def __init__(self, page) -> None:
        self.page, self.resets = page, 0
        self.drawn: list[int] = []
        page.evaluate(USER_VIEW)

    def settle(self, what: str) -> dict:
        wait_quiet(self.page)
        drawn = self.page.evaluate(DRAWN)
        wanted = self.page.evaluate("() => window.hexalignUserView")
        reset = False
        for _ in range(3):
            if not wanted or abs(drawn["zoom"] - wanted["zoom"]) < 0.01:
                break
            reset = True
            _log(f"  {what}: the redraw reset zoom {wanted['zoom']:.2f} -> {drawn['zoom']:.2f}")
            self.page.evaluate(
                "v => window.Plotly.relayout(document.querySelector('#map .js-plotly-plot'),"
                " {'map.zoom': v.zoom, 'map.center': v.center})",
                wanted,
            )
            wait_quiet(self.page)
            drawn = self.page.evaluate(DRAWN)
        self.resets += reset
        self.drawn.append(int(drawn["locations"]))
        _log(f"  {what}: level {drawn['level']}, zoom {drawn['zoom']:.2f}, "
             f"{drawn['locations']:,} drawn")  # fmt: skip
        return drawn

    def zoom_to_finest(self) -> dict:
        box = self.page.locator("#map .js-plotly-plot").first.bounding_box()
        self.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        drawn = self.settle("overview")
        steps = 0
        while drawn["level"] != 0 and steps < MAX_ZOOM_STEPS:  # NaN: an unknown URL, go on
            self.page.mouse.wheel(0, WHEEL_STEP)
            steps += 1
            drawn = self.settle(f"zoom step {steps}")
        if drawn["level"] != 0:
            raise RuntimeError(f"no finest level after {steps} zoom steps: {drawn}")
        return drawn

    def pan_and_zoom_out(self) -> None:
        self.page.locator('#map .modebar-btn[data-val="pan"]').first.click()
        for fx in (0.35, -0.35, -0.35):
            drag(self.page, [(0.5, 0.5), (0.5 + fx, 0.5)], steps=4)
            self.settle(f"pan {fx:+.2f} of the width")
        for step in range(3):
            self.page.mouse.wheel(0, -2 * WHEEL_STEP)
            self.settle(f"zoom out {step + 1}")
        self.page.locator('#map .modebar-btn[data-val="lasso"]').first.click()


def lasso_moves(page, url: str, access_log: Path, repeats: int = MOVE_REPEATS) -> list[dict]:
    """``repeats`` real lassos around about ``MOVE_CELLS`` drawn cells, each to a rep owning none.

    The lasso is sized once (the figure is not redrawn by a move); every move
    goes to the rep that owns fewest of its cells, so each one changes them all.
    """
    ring, inside = _lasso_ring(page)
    moves = []
    for i in range(repeats):
        moves.append(lasso_move(page, url, access_log, ring, inside, f"move {i + 1}/{repeats}"))
    return moves


def _lasso_ring(page) -> tuple[list[tuple[float, float]], np.ndarray]:
    """A lasso (ellipse, else a strip) holding ``MOVE_CELLS`` drawn centroids, and those units."""
    for _ in range(8):
        centroids = page.evaluate(CENTROIDS)
        left, top, width, height = centroids["box"]
        units = np.array([p[0] for p in centroids["points"]], dtype=np.int64)
        xy = np.array([[p[1], p[2]] for p in centroids["points"]], dtype=np.float64)
        # an ellipse with the map's aspect, grown until it holds MOVE_CELLS and inside the map,
        # around the densest of a grid of centres (the map's own centre may be at sea)
        if len(xy) <= MOVE_CELLS:
            raise RuntimeError(f"only {len(xy)} drawn units; cannot lasso {MOVE_CELLS}")
        best = None
        for fx in np.linspace(0.25, 0.75, 9):
            for fy in np.linspace(0.25, 0.75, 9):
                room = min(fx, 1 - fx, fy, 1 - fy) * 2 * 0.96
                x0, y0 = left + fx * width, top + fy * height
                dist = np.hypot((xy[:, 0] - x0) / (width / 2), (xy[:, 1] - y0) / (height / 2))
                need = np.partition(dist, MOVE_CELLS)[MOVE_CELLS]
                if need < room and (best is None or need < best[0]):
                    best = (need, x0, y0, dist)
        if best is not None:
            _, cx, cy, d = best
            order = np.argsort(d)
            break
        strip = _strip_lasso(units, xy, (left, top, width, height), MOVE_CELLS)
        if strip is not None:
            _log("  lasso: no ellipse inside the map holds them: a strip from the map's edge")
            box = page.locator("#map .js-plotly-plot").first.bounding_box()
            ring_px, held = strip
            ring = [((x - box["x"]) / box["width"], (y - box["y"]) / box["height"])
                    for x, y in ring_px]  # fmt: skip
            return ring, held
        _log(f"  lasso: {len(xy)} centroids drawn; no lasso inside the map holds {MOVE_CELLS}")
        if _pan_to_densest(page, xy, (left, top, width, height)):
            continue
        # the drawn cells reach beyond the view (half its size each side): zoom out a little,
        # without a redraw (Plotly.relayout sends no map._derived)
        page.evaluate(
            "() => { const gd = document.querySelector('#map .js-plotly-plot');"
            " return window.Plotly.relayout(gd, {'map.zoom': gd._fullLayout.map.zoom - 0.1}); }"
        )
        wait_quiet(page)
        drawn = page.evaluate(DRAWN)
        _log(f"  lasso: zoomed out to {drawn['zoom']:.2f} to fit {MOVE_CELLS} cells")
        if drawn["level"] != 0:  # a move on coarser units would time thousands of cells
            return _all_in_view(page)
    else:
        return _all_in_view(page)
    r = (d[order[MOVE_CELLS - 1]] + d[order[MOVE_CELLS]]) / 2
    box = page.locator("#map .js-plotly-plot").first.bounding_box()
    angles = np.linspace(0, 2 * np.pi, LASSO_VERTICES + 1)
    ring = [
        ((cx + r * width / 2 * np.cos(a) - box["x"]) / box["width"],
         (cy + r * height / 2 * np.sin(a) - box["y"]) / box["height"])
        for a in angles
    ]  # fmt: skip
    return ring, units[d < r]


def _all_in_view(page) -> tuple[list[tuple[float, float]], np.ndarray]:
    """Back to the finest level, a lasso around every finest-level cell in view.

    Where the finest level holds fewer than ``MOVE_CELLS`` cells in view (the 1M team: a zoom
    out of a tenth already draws the next level); ``move_cells_count`` says how many moved.
    """
    page.evaluate(
        "() => { const gd = document.querySelector('#map .js-plotly-plot');"
        " return window.Plotly.relayout(gd, {'map.zoom': gd._fullLayout.map.zoom + 0.1}); }"
    )
    wait_quiet(page)
    if page.evaluate(DRAWN)["level"] != 0:
        raise RuntimeError("the finest level is gone after zooming back in")
    centroids = page.evaluate(CENTROIDS)
    units = np.array([p[0] for p in centroids["points"]], dtype=np.int64)
    xy = np.array([[p[1], p[2]] for p in centroids["points"]], dtype=np.float64)
    fewer = _strip_lasso(units, xy, tuple(centroids["box"]), None)
    if fewer is None:
        raise RuntimeError("no finest-level cell in view to lasso")
    box = page.locator("#map .js-plotly-plot").first.bounding_box()
    ring_px, held = fewer
    _log(f"  lasso: only {len(held)} finest-level cells in view: lassoing them all")
    ring = [((x - box["x"]) / box["width"], (y - box["y"]) / box["height"]) for x, y in ring_px]
    return ring, held


def _pan_to_densest(page, xy: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    """Centre the map on the densest map-sized window of the drawn cells, without a redraw.

    The drawn cells reach half a view beyond each side; where the view itself holds too few
    of them (the synthetic team's clusters), a window elsewhere in that area may hold enough.
    True when the map was moved.
    """
    left, top, width, height = box
    x, y = xy[:, 0], xy[:, 1]

    def held(x0: float, y0: float, m: float) -> int:
        inside = (x > x0 + m * width) & (x < x0 + (1 - m) * width)
        return int(np.sum(inside & (y > y0 + m * height) & (y < y0 + (1 - m) * height)))

    best, best_n = None, held(left, top, 0.0)
    for x0 in np.linspace(left - width / 2, left + width / 2, 9):
        for y0 in np.linspace(top - height / 2, top + height / 2, 9):
            n = held(x0, y0, 0.05)
            if n > best_n + 20:
                best, best_n = (x0 + width / 2 - left, y0 + height / 2 - top), n
    if best is None:
        return False
    page.evaluate(
        """p => { const gd = document.querySelector('#map .js-plotly-plot');
                  const m = gd._fullLayout.map._subplot.map;
                  const c = m.unproject(p);
                  return window.Plotly.relayout(gd, {'map.center': {lon: c.lng, lat: c.lat}}); }""",
        list(best),
    )
    wait_quiet(page)
    _log(f"  lasso: moved the map to a window holding about {best_n} drawn cells")
    return True


def _strip_lasso(
    units: np.ndarray, xy: np.ndarray, box: tuple[float, float, float, float], want: int | None
) -> tuple[list[tuple[float, float]], np.ndarray] | None:
    """A rectangle from one edge of the map holding ``want`` centroids (None: all but one).

    For coasts, where the drawn cells in view fill no ellipse: the rectangle spans the map
    across and ends between the ``MOVE_CELLS``-th and the next centroid along it.
    """
    left, top, width, height = box
    m = 0.03
    lo, hi = (
        np.array([left + m * width, top + m * height]),
        np.array([left + (1 - m) * width, top + (1 - m) * height]),
    )
    inside = np.all((xy > lo) & (xy < hi), axis=1)
    if want is None:  # every drawn cell inside the margins
        want = int(inside.sum()) - 1
        if want < 1:
            return None
    best = None
    for axis in (0, 1):
        for sign in (1, -1):
            along = np.sort(sign * xy[inside, axis])
            if len(along) <= want:
                return None
            cut = sign * (along[want - 1] + along[want]) / 2
            start = lo[axis] if sign == 1 else hi[axis]
            span = abs(cut - start)
            if best is None or span < best[0]:
                best = (span, axis, start, cut)
    assert best is not None
    _, axis, start, cut = best
    corners = np.array([lo, hi], dtype=np.float64)
    corners[:, axis] = sorted((start, cut))
    (x0, y0), (x1, y1) = corners
    path = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    ring = []
    per_side = max(LASSO_VERTICES // 4, 1)
    for (ax, ay), (bx, by) in zip(path, path[1:], strict=False):
        ring += [(ax + (bx - ax) * t, ay + (by - ay) * t) for t in np.arange(per_side) / per_side]
    ring.append(path[0])
    held = inside & (xy[:, 0] > x0) & (xy[:, 0] < x1) & (xy[:, 1] > y0) & (xy[:, 1] < y1)
    return ring, units[held]


def lasso_move(
    page, url: str, access_log: Path, ring: list[tuple[float, float]], inside: np.ndarray,
    label: str = "move",
) -> dict:  # fmt: skip
    """One lasso along ``ring`` (around the units ``inside``) to the rep owning fewest of them."""
    store = Store(url)
    sid = _working_scenario(store)
    board, plan, version = editing.load(url, sid)
    cells = board.levels[0].cells_of(inside)
    owned = np.bincount(plan.owner[cells][plan.owner[cells] >= 0], minlength=board.market.n_reps)
    rep_id = str(board.market.rep_ids[int(np.argmin(owned))])
    page.evaluate("rep => window.dash_clientside.set_props('rep-picker', {value: rep})", rep_id)
    page.wait_for_timeout(300)
    calls: list = []

    def on_request(request) -> None:  # the gesture itself sends none: all follow the mouseup
        calls.append(request)

    page.evaluate(WATCH_MOVE)
    logged = access_log.stat().st_size if access_log.exists() else 0
    page.on("requestfinished", on_request)
    _log(f"  {label}: load average {os.getloadavg()[0]:.1f}; {len(inside)} centroids inside, "
         f"rep {rep_id}, version {version}")  # fmt: skip
    drag(page, ring, steps=1)
    page.wait_for_function(
        """v => { const b = window.hexalignBench;
                  const gd = document.querySelector('#map .js-plotly-plot');
                  return Number(gd.getAttribute('data-painted-version')) >= v
                         && b.painted !== null && b.table !== null; }""",
        arg=version + 1, timeout=120_000, polling=10,
    )  # fmt: skip
    bench = page.evaluate("() => window.hexalignBench")
    last = page.evaluate("() => window.hexalignLastPaint")
    wait_quiet(page)
    bench = {**bench, "charts": page.evaluate("() => window.hexalignBench.charts")}
    page.remove_listener("requestfinished", on_request)
    with access_log.open() as log:
        log.seek(logged)
        for line in log:
            _log(f"    server: {line.strip()}  (ms, worker, bytes, path)")
    roundtrip = max(bench["painted"], bench["table"]) - bench["up"]
    up_epoch = bench["origin"] + bench["up"]
    n_bytes = 0
    for request in calls:
        sizes = request.sizes()
        both = sum(max(v, 0) for v in sizes.values())
        path = urlsplit(request.url).path
        if path == UPDATE_PATH:
            n_bytes += both
        timing = request.timing
        sent = timing["startTime"] - up_epoch
        _log(f"    {both / 1e3:8.1f} kB  request {sizes['requestBodySize'] / 1e3:.1f} kB, sent "
             f"+{sent:.0f} ms, waited {timing['responseStart'] - timing['requestStart']:.0f} ms, "
             f"done +{sent + timing['responseEnd']:.0f} ms: "
             f"{(request.post_data or '')[10:80] or path}")  # fmt: skip
    after = store.scenario(sid)
    moved = int(np.count_nonzero(after.owner != plan.owner))
    store.close()
    painted_ms, table_ms = bench["painted"] - bench["up"], bench["table"] - bench["up"]
    after_up = {k: "-" if bench[k] is None else f"{bench[k] - bench['up']:.0f} ms"
                for k in ("selected", "charts")}  # fmt: skip
    _log(f"  {label}: {moved} cells, version {after.version}, selected after "
         f"{after_up['selected']}, painted after {painted_ms:.0f} ms, table after "
         f"{table_ms:.0f} ms, charts after {after_up['charts']}, paint {last}")  # fmt: skip
    if after.version != version + 1:
        raise RuntimeError(f"expected version {version + 1} after the lasso, got {after.version}")
    return {"roundtrip_ms": roundtrip, "bytes": n_bytes, "cells": moved}


def _move_figures(prefix: str, moves: list[dict], server_ms: list[float]) -> list[Figure]:
    """Issue 18 point 5: the move figures as medians, each with its spread (max - min)."""
    trips = [m["roundtrip_ms"] for m in moves]
    middle = sorted(range(len(moves)), key=lambda i: trips[i])[len(moves) // 2]
    cut = len(server_ms) // 6
    kept = sorted(server_ms)[cut : len(server_ms) - cut]
    figures = [
        (prefix + "move_500_server_ms", statistics.median(server_ms), "ms"),
        (prefix + "move_500_server_ms_spread", kept[-1] - kept[0], "ms"),
        (prefix + "move_500_payload_kb", moves[middle]["bytes"] / 1e3, "kB"),
        (prefix + "move_500_roundtrip_ms", statistics.median(trips), "ms"),
        (prefix + "move_500_roundtrip_ms_spread", max(trips) - min(trips), "ms"),
        (prefix + "move_cells_count", moves[0]["cells"], "count"),
    ]
    _log(f"{prefix}moves: round trips {', '.join(f'{t:.0f}' for t in trips)} ms "
         f"(target < {MOVE_TARGET_MS} ms); server median {figures[0][1]:.1f} ms "
         f"(target < {SERVER_TARGET_MS} ms at 1M accounts)")  # fmt: skip
    return figures


def server_move_ms(url: str) -> list[float]:
    """The server's work for ``SERVER_REPEATS`` 500-cell lassos, in ms, in this process.

    What the page's two requests run: ``move_outputs`` (the ``edit`` callback's
    work: one read, the move written, the map patch, the table) and
    ``chart_outputs`` (the chained charts callback), each answer JSON-encoded.
    """
    from callbacks.map import CHARTS_OUTPUT, MoveShown, chart_outputs, move_outputs

    store = Store(url)
    sid = _working_scenario(store)
    store.close()
    board, _, _ = editing.load(url, sid)  # builds the board once, as a warm worker has it
    area = board.market.area
    rng = np.random.default_rng(0)
    times = []
    for i in range(SERVER_REPEATS + 1):
        cells = patch(area, int(rng.integers(len(area))), MOVE_CELLS)
        lat, lon = area.lat[cells], area.lon[cells]
        snapped = quantise((lon.min(), lat.min(), lon.max(), lat.max()))
        view = {"level": 0, "snapped": list(snapped)}  # a lasso at the finest level
        units = board.levels[0].unit_of_cell[cells]
        _, plan, version = editing.load(url, sid)  # the page's state: not part of the timing
        mine = plan.owner[cells]
        owned = np.bincount(mine[mine >= 0], minlength=board.market.n_reps)
        rep = str(board.market.rep_ids[int(np.argmin(owned))])
        change = Selection(Tool.MOVE, 0, units, rep)
        shown = MoveShown(view=view, mode="owner", tolerance_pct=TOLERANCE_PCT)
        start = time.perf_counter()
        outputs = move_outputs(url, sid, version, change, shown)
        first = to_json_plotly({"response": outputs})
        second = to_json_plotly({"response": chart_outputs(outputs[CHARTS_OUTPUT])})
        took = time.perf_counter() - start
        if i:  # the first is a warm-up
            times.append(took * 1000.0)
        _log(f"  server move {i}: {took * 1e3:.1f} ms, answers {len(first) / 1e3:.1f} + "
             f"{len(second) / 1e3:.1f} kB")  # fmt: skip
    return times


class _Pending:
    """Dash callback and geometry requests in flight on a page, and since when none are."""

    def __init__(self, page) -> None:
        self.page, self.n, self.since = page, 0, time.perf_counter()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request) -> None:
        if _tracked(request):
            self.n += 1

    def _ended(self, request) -> None:
        if _tracked(request):
            self.n = max(self.n - 1, 0)
            self.since = time.perf_counter()

    def idle_s(self) -> float:
        return time.perf_counter() - self.since if self.n == 0 else 0.0

    def stop(self) -> None:
        self.page.remove_listener("request", self._started)
        self.page.remove_listener("requestfinished", self._ended)
        self.page.remove_listener("requestfailed", self._ended)


def wait_quiet(page, quiet_ms: int = QUIET_MS, timeout_ms: int = 120_000) -> None:
    """Wait until no Dash callback or geometry request has been pending for ``quiet_ms``."""
    pending = _Pending(page)
    try:
        page.wait_for_timeout(300)  # a wheel or drag reaches the server after MapLibre's moveend
        waited = 300
        while pending.idle_s() * 1000 < quiet_ms and waited < timeout_ms:
            page.wait_for_timeout(50)
            waited += 50
        page.wait_for_function(MAP_READY, timeout=timeout_ms)
        page.wait_for_function(SETTLED, timeout=timeout_ms)
        # plotly.js applies a new figure's view after its geometry arrived: wait until it holds
        zoom = None
        while waited < timeout_ms:
            now = page.evaluate(DRAWN)["zoom"]
            if now == zoom:
                break
            zoom = now
            page.wait_for_timeout(STILL_MS)
            waited += STILL_MS
            page.wait_for_function(SETTLED, timeout=timeout_ms)
    finally:
        pending.stop()


def _finished_requests(page) -> list:
    """A list that fills with the page's finished requests."""
    finished: list = []
    page.on("requestfinished", lambda request: finished.append(request))
    return finished


def _tracked(request) -> bool:
    path = urlsplit(request.url).path
    return path == UPDATE_PATH or path.startswith("/geo/")


def _working_scenario(store: Store) -> int:
    dataset = store.datasets()[0].id
    return next(s.id for s in store.scenarios(dataset) if not s.baseline)


@contextmanager
def _server_env(files: tuple[Path, Path] | None, access_log: Path):
    """Point the served app at ``files`` (None: the demo) and gunicorn's access log at a file.

    Each access-log line is the request's time in ms, the worker pid, the
    body bytes sent and the path.
    """
    keys = ("HEXALIGN_ACCOUNTS", "HEXALIGN_REPS", "GUNICORN_CMD_ARGS")
    saved = {k: os.environ.get(k) for k in keys}
    for k in keys:
        os.environ.pop(k, None)
    if files is not None:
        os.environ["HEXALIGN_ACCOUNTS"], os.environ["HEXALIGN_REPS"] = map(str, files)
    os.environ["GUNICORN_CMD_ARGS"] = (
        f"--access-logfile {access_log} --access-logformat '%(M)s %(p)s %(B)s %(U)s'"
    )
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _log(message: str, since: float | None = None) -> None:
    took = f" ({time.perf_counter() - since:.2f} s)" if since is not None else ""
    print(f"[map] {message}{took}", file=sys.stderr, flush=True)
