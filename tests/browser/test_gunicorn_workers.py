"""Two gunicorn workers, one plan: moves answered by either worker are seen through both.

The app names the worker that answered in the ``X-Hexalign-Worker`` header
(``app.create_app``). The page lassoes the same cells to "Unassigned" and to
a rep in turn, so every move really changes cells, until both workers have
answered a move; after each, the stored version went up by exactly one and
the table equals an independent recount. A second browser context then
shows the same table.

Opening a page reloads it once if the map stays blank: on a cold worker the
initial ``draw_map`` can be overtaken by the one the empty graph's
``relayoutData = {"autosize": true}`` triggers, which raises PreventUpdate,
and the Dash renderer then drops the older answer (a bug in
``callbacks/map.py``, reported; not what this test is about).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import numpy as np
import pytest

from data.store import Store
from layouts.ids import Ids
from tests.browser.harness import MAP_READY, Callbacks, drag, serve
from tests.browser.test_map_browser import (
    expected_table,
    pick,
    shown,
    wait_version,
    working_scenario,
)

pytestmark = pytest.mark.browser
WORKER_HEADER = "x-hexalign-worker"
MAX_MOVES = 12
TARGETS = ["R03", "R07", "R10", "R01", "R05", "R12"]  # alternating with "Unassigned"
# The harness's lasso moves the mouse in 6 steps per vertex; every step redraws the map in
# software WebGL (0.2-1 s here), so a ring of 10 single steps keeps a move to a few seconds.
RING = [(0.45 + 0.06 * np.cos(a), 0.5 + 0.048 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 10)]


@pytest.fixture
def two_workers(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    with serve(url, gunicorn_workers=2) as base:
        store = Store(url)
        yield base, store, working_scenario(store)
        store.close()


def open_drawn(browser, base_url: str):
    """A new page (its own browser context) once the map and table are drawn."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    callbacks = Callbacks(page)
    page.goto(base_url + "/")
    try:
        page.wait_for_function(MAP_READY, timeout=20_000)
    except PlaywrightTimeoutError:  # the blank-map race above: one reload, then fail loudly
        page.reload()
        page.wait_for_function(MAP_READY, timeout=60_000)
    # issue 18: the first map is drawn before the load's callbacks have all answered; one of
    # them sets the rep picker, and a pick made before it answers is put back (the lasso then
    # gives the cells to a rep who already owns them and the version never moves)
    callbacks.wait_quiet(page)
    return page


def edit_worker_pids(page) -> list[int]:
    """Worker pid of each answer to the edit callback (the one that outputs the paint store)."""
    pids: list[int] = []

    def record(response) -> None:
        if urlsplit(response.url).path != "/_dash-update-component":
            return
        body = json.loads(response.request.post_data or "{}")
        output = body.get("output", "")
        # the edit callback's own output; the suggestions' apply callback (issue 17) writes the
        # same store as a duplicate output ("paint.data@<hash>") and may run when its list renders
        mine = f"{Ids.PAINT}.data" in output and f"{Ids.PAINT}.data@" not in output
        if mine and WORKER_HEADER in response.headers:
            pids.append(int(response.headers[WORKER_HEADER]))

    page.on("response", record)
    return pids


def settle(page, done, timeout_ms: int = 5000) -> None:
    """Let the page's event loop run until ``done()`` (Python-side state fed by page events)."""
    for _ in range(timeout_ms // 50):
        if done():
            return
        page.wait_for_timeout(50)


def test_gunicorn001_moves_through_either_worker_are_seen_by_both(browser, two_workers):
    base, store, sid = two_workers
    page = open_drawn(browser, base)
    pids = edit_worker_pids(page)
    assert shown(page) == expected_table(store, sid)
    version = store.scenario(sid).version

    for move in range(MAX_MOVES):
        pick(page, "Unassigned" if move % 2 == 0 else TARGETS[move // 2 % len(TARGETS)])
        before = store.scenario(sid).owner
        page.locator('#map .modebar-btn[data-val="lasso"]').first.click()
        drag(page, RING, steps=1)
        version += 1
        wait_version(page, store, sid, version)  # exactly one step per move
        # the response event may arrive after the repaint: let Playwright deliver it
        settle(page, lambda n=move + 1: len(pids) >= n)
        assert len(pids) == move + 1, pids
        assert (store.scenario(sid).owner != before).any()
        assert shown(page) == expected_table(store, sid)
        if move >= 1 and len(set(pids)) == 2:
            break

    assert len(set(pids)) == 2, f"only worker {set(pids)} answered {len(pids)} moves"
    other = open_drawn(browser, base)
    assert shown(other) == shown(page) == expected_table(store, sid)
    other.close()
    page.close()
