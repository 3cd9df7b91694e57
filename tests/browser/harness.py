"""Serve the real app in a subprocess and drive Debian's Chromium with Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
MAP_READY = """() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
  return !!(sub && sub.map && sub.map.loaded() && gd.calcdata && gd.calcdata[0] && gd.calcdata[0].length > 1
            && document.querySelectorAll('#rep-table tbody tr td').length > 0);
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextmanager
def serve(database_url: str, *extra: str, gunicorn_workers: int = 0, kill: bool = False,
          root: Path = ROOT):  # fmt: skip
    """Run the app (python app.py, or gunicorn with N workers) and yield its base URL.

    ``kill`` ends it with SIGKILL instead of SIGTERM: a crash, not a shutdown. ``root`` is the
    checkout served (``benchmarks.first_page`` compares two).
    """
    port = free_port()
    env = {**os.environ, "HEXALIGN_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    if gunicorn_workers:
        cmd = [sys.executable, "-m", "gunicorn", "-w", str(gunicorn_workers), "-b", f"127.0.0.1:{port}",
               "--no-control-socket", "--timeout", "120", "app:server"]  # fmt: skip
    else:
        cmd = [sys.executable, "app.py", "--port", str(port), *extra]
    log_path = Path(database_url.split("///")[-1]).with_suffix(".log")
    log = open(log_path, "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        try:
            wait_http(f"http://127.0.0.1:{port}/")
        except TimeoutError as err:  # say what the server was doing
            log.flush()
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
            raise TimeoutError(f"{err}; the server's log ends:\n{tail}") from err
        yield f"http://127.0.0.1:{port}"
    finally:
        if kill:
            proc.kill()
        else:
            proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


MAP_STATE = """() => { const gd = document.querySelector('#map .js-plotly-plot');
  const m = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
  return {plot: !!gd, traces: gd && gd.data ? gd.data.length : 0, map: !!(m && m.map),
          loaded: !!(m && m.map && m.map.loaded()), cells: gd && gd.calcdata && gd.calcdata[0] ?
          gd.calcdata[0].length : 0, rows: document.querySelectorAll('#rep-table tbody tr').length}; }"""


class Callbacks:
    """Dash callback requests of a page in flight, and since when none are (monotonic s)."""

    def __init__(self, page) -> None:
        self.n, self.since = 0, time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    @staticmethod
    def _tracked(request) -> bool:
        return request.url.split("?")[0].endswith("/_dash-update-component")

    def _started(self, request) -> None:
        if self._tracked(request):
            self.n += 1

    def _ended(self, request) -> None:
        if self._tracked(request):
            self.n = max(self.n - 1, 0)
            self.since = time.monotonic()

    def wait_quiet(self, page, quiet_s: float = 0.5, timeout_s: float = 60.0) -> None:
        """Until no callback has been in flight for ``quiet_s`` (at most ``timeout_s``)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.n == 0 and time.monotonic() - self.since >= quiet_s:
                return
            page.wait_for_timeout(50)


def open_page(browser, base_url: str, width: int = 1600, height: int = 1000):
    """Open the app and wait until the map is drawn and the table filled (or say what is missing).

    Issue 18 point 1: the first map now comes with the layout and is drawn before the page's
    load callbacks (menus, legend, targets, ...) have all answered; the tests act on a page whose
    load is over, so this also waits until no callback has been in flight for half a second.
    """
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    callbacks = Callbacks(page)
    page.goto(base_url + "/")
    try:
        page.wait_for_function(MAP_READY, timeout=180_000)
    except Exception as err:
        state = page.evaluate(MAP_STATE)
        raise AssertionError(f"map not drawn: {state}; browser errors: {errors[:5]}") from err
    callbacks.wait_quiet(page)
    return page


def painted_version(page) -> int:
    return int(page.evaluate("() => Number(document.querySelector('#map .js-plotly-plot')"
                             ".getAttribute('data-painted-version') || 0)"))  # fmt: skip


def drag(page, points: list[tuple[float, float]], steps: int = 1) -> None:
    """A real mouse drag through ``points`` (fractions of the map's box).

    One mouse step per vertex: with software WebGL each step costs 0.2-1 s.
    """
    box = page.locator("#map .js-plotly-plot").first.bounding_box()
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for x, y in xy[1:]:
        page.mouse.move(x, y, steps=steps)
    page.mouse.up()


def lasso(page, cx: float, cy: float, r: float) -> None:
    page.locator('#map .modebar-btn[data-val="lasso"]').first.click()
    ring = [(cx + r * np.cos(a), cy + r * 0.8 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 14)]
    drag(page, ring)


def box_select(page, x0: float, y0: float, x1: float, y1: float) -> None:
    page.locator('#map .modebar-btn[data-val="select"]').first.click()
    drag(page, [(x0, y0), ((x0 + x1) / 2, (y0 + y1) / 2), (x1, y1)])


def table(page) -> dict[str, dict[str, str]]:
    """The rep table as shown: rep_id -> column -> text."""
    rows = page.evaluate("""() => Array.from(document.querySelectorAll('#rep-table tbody tr'))
        .map(tr => Object.fromEntries(Array.from(tr.querySelectorAll('td[data-dash-column]'))
        .map(td => [td.dataset.dashColumn, td.innerText.trim()])))
        .filter(r => Object.keys(r).length)""")
    return {r["rep_id"]: r for r in rows}
