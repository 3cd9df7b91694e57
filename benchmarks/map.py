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
- ``move_500_*``: at the finest level, a real lasso (mouse drag) sized from
  the drawn cells' projected centroids to hold about 500 cells, moved to a
  rep that owns none of them. ``roundtrip_ms``: mouseup to the map
  repainted and the table re-rendered (< 1,000 ms); ``payload_kb``: request
  and response headers + bodies of every ``_dash-update-component`` call
  until the page is quiet; ``move_cells_count``: cells whose owner changed.
- ``move_500_server_ms``: in this process, on the same database, the work of
  the ``edit`` callback for a 500-cell patch at the finest level: load,
  ``editing.apply`` (store write included), ``_paint``, ``panel`` and the JSON
  encoding of the outputs; median of ``SERVER_REPEATS`` patches.

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
from services import editing
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, MAP_READY, drag, serve

Figure = tuple[str, float, str]

WORKERS = 2
VIEWPORT = {"width": 1600, "height": 1000}
MOVE_CELLS = 500
LASSO_VERTICES = 20
SERVER_REPEATS = 21
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
  return {locations: gd.data[0].locations.length, calcdata: gd.calcdata[0].length,
          level: Number(geo.split('/')[5]), geojson: geo, zoom: m.getZoom(),
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
  const b = window.hexalignBench = {up: null, painted: null, table: null};
  const first = key => () => {
    if (b.up !== null && b[key] === null) { b[key] = performance.now(); }
  };
  document.addEventListener('mouseup', () => { b.up = performance.now(); },
                            {capture: true, once: true});
  new MutationObserver(first('painted'))
    .observe(gd, {attributes: true, attributeFilter: ['data-painted-version']});
  new MutationObserver(first('table')).observe(
    document.querySelector('#rep-table'), {subtree: true, childList: true, characterData: true});
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
            move = lasso_move(page, url, access_log)
            sweep.pan_and_zoom_out()
        finally:
            page.close()
    server_ms = server_move_ms(url)
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
        (prefix + "move_500_server_ms", server_ms, "ms"),
        (prefix + "move_500_payload_kb", move["bytes"] / 1e3, "kB"),
        (prefix + "move_500_roundtrip_ms", move["roundtrip_ms"], "ms"),
        (prefix + "move_cells_count", move["cells"], "count"),
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
        while drawn["level"] > 0 and steps < MAX_ZOOM_STEPS:
            self.page.mouse.wheel(0, WHEEL_STEP)
            steps += 1
            drawn = self.settle(f"zoom step {steps}")
        if drawn["level"] > 0:
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


def lasso_move(page, url: str, access_log: Path) -> dict:
    """A real lasso around about ``MOVE_CELLS`` drawn cells to a rep owning none of them."""
    for _ in range(5):
        centroids = page.evaluate(CENTROIDS)
        left, top, width, height = centroids["box"]
        units = np.array([p[0] for p in centroids["points"]], dtype=np.int64)
        xy = np.array([[p[1], p[2]] for p in centroids["points"]], dtype=np.float64)
        # an ellipse with the map's aspect around its centre, grown until it holds MOVE_CELLS
        cx, cy = left + width / 2, top + height / 2
        d = np.hypot((xy[:, 0] - cx) / (width / 2), (xy[:, 1] - cy) / (height / 2))
        order = np.argsort(d)
        if len(order) <= MOVE_CELLS:
            raise RuntimeError(f"only {len(order)} drawn units; cannot lasso {MOVE_CELLS}")
        if d[order[MOVE_CELLS]] < 0.9:
            break
        # the drawn cells reach beyond the view (half its size each side): zoom out a little,
        # without a redraw (Plotly.relayout sends no map._derived)
        page.evaluate(
            "() => { const gd = document.querySelector('#map .js-plotly-plot');"
            " return window.Plotly.relayout(gd, {'map.zoom': gd._fullLayout.map.zoom - 0.25}); }"
        )
        wait_quiet(page)
        _log(f"  lasso: zoomed out to {page.evaluate(DRAWN)['zoom']:.2f} to fit {MOVE_CELLS} cells")
    else:
        raise RuntimeError(f"{MOVE_CELLS} drawn cells do not fit in the view")
    r = (d[order[MOVE_CELLS - 1]] + d[order[MOVE_CELLS]]) / 2
    inside = units[d < r]

    store = Store(url)
    sid = _working_scenario(store)
    board, plan, version = editing.load(url, sid)
    cells = board.levels[0].cells_of(inside)
    owned = np.bincount(plan.owner[cells][plan.owner[cells] >= 0], minlength=board.market.n_reps)
    rep_id = str(board.market.rep_ids[int(np.argmin(owned))])
    page.evaluate("rep => window.dash_clientside.set_props('rep-picker', {value: rep})", rep_id)
    page.wait_for_timeout(300)

    box = page.locator("#map .js-plotly-plot").first.bounding_box()
    angles = np.linspace(0, 2 * np.pi, LASSO_VERTICES + 1)
    ring = [
        ((cx + r * width / 2 * np.cos(a) - box["x"]) / box["width"],
         (cy + r * height / 2 * np.sin(a) - box["y"]) / box["height"])
        for a in angles
    ]  # fmt: skip
    calls: list = []

    def on_request(request) -> None:  # the gesture itself sends none: all follow the mouseup
        calls.append(request)

    page.evaluate(WATCH_MOVE)
    logged = access_log.stat().st_size if access_log.exists() else 0
    page.on("requestfinished", on_request)
    _log(f"  load average {os.getloadavg()[0]:.1f}")
    _log(f"  lasso: {len(inside)} centroids inside, rep {rep_id}, version {version}")
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
    page.remove_listener("requestfinished", on_request)
    with access_log.open() as log:
        log.seek(logged)
        for line in log:
            _log(f"    server: {line.strip()}  (ms, worker, bytes, path)")
    roundtrip = max(bench["painted"], bench["table"]) - bench["up"]
    n_bytes = 0
    for request in calls:
        sizes = request.sizes()
        both = sum(max(v, 0) for v in sizes.values())
        path = urlsplit(request.url).path
        if path == UPDATE_PATH:
            n_bytes += both
        timing = request.timing
        _log(f"    {both / 1e3:8.1f} kB  request {sizes['requestBodySize'] / 1e3:.1f} kB, "
             f"waited {timing['responseStart'] - timing['requestStart']:.0f} ms: "
             f"{(request.post_data or '')[10:80] or path}")  # fmt: skip
    after = store.scenario(sid)
    moved = int(np.count_nonzero(after.owner != plan.owner))
    store.close()
    painted_ms, table_ms = bench["painted"] - bench["up"], bench["table"] - bench["up"]
    _log(f"  move: {moved} cells, version {after.version}, painted after {painted_ms:.0f} ms, "
         f"table after {table_ms:.0f} ms, paint {last}")  # fmt: skip
    if after.version != version + 1:
        raise RuntimeError(f"expected version {version + 1} after the lasso, got {after.version}")
    return {"roundtrip_ms": roundtrip, "bytes": n_bytes, "cells": moved}


def server_move_ms(url: str) -> float:
    """Median time of the ``edit`` callback's work for a 500-cell patch, in this process."""
    from callbacks.map import _describe, _paint, panel

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
        start = time.perf_counter()
        b, plan, version = editing.load(url, sid)
        chosen = b.levels[0].cells_of(units)
        owned = np.bincount(plan.owner[chosen][plan.owner[chosen] >= 0], minlength=b.market.n_reps)
        rep = int(np.argmin(owned))
        result = editing.apply(url, sid, version, "move", chosen, rep)
        outputs = (
            {"version": result.version},
            _paint(b, result, view, "owner"),
            _describe("move", result, str(b.market.rep_ids[rep])),
            *panel(result.plan, TOLERANCE_PCT),
        )
        to_json_plotly({"response": outputs})
        took = time.perf_counter() - start
        if i:  # the first is a warm-up
            times.append(took)
        _log(f"  server move {i}: {len(result.changed)} cells, {took * 1e3:.1f} ms")
    return statistics.median(times) * 1000.0


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
