"""Two planners on one scenario, one server with two gunicorn workers: no move is lost.

A moves cells; B, whose page still shows the version before A's move, then
moves other cells. The store refuses B's write (compare-and-set on the
version), B is told that someone else changed the scenario and its page
shows the stored plan, A's move included; B repeats its move and it lands.
"""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from data.store import Store
from tests.browser.harness import MAP_READY, box_select, serve
from tests.browser.test_scenarios_browser import (
    choose,
    expected_table,
    settle,
    shown,
    wait_table,
    wait_version,
)

pytestmark = pytest.mark.browser
A_BOX = (0.30, 0.30, 0.40, 0.42)
B_BOX = (0.58, 0.58, 0.68, 0.68)


def open_editor(browser, base_url: str):
    """A page in its own browser context (own local storage), as a second person has."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.goto(base_url + "/")
    try:
        page.wait_for_function(MAP_READY, timeout=30_000)
    except PlaywrightTimeout:  # see test_scenarios_browser.open_ready
        page.reload()
        page.wait_for_function(MAP_READY, timeout=90_000)
    return page


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('editors') / 'plans.sqlite'}"
    with serve(url, gunicorn_workers=2) as base:
        store = Store(url)
        yield base, store
        store.close()


def test_two001_stale_editor_is_told_shown_the_current_plan_and_repeats(browser, app):
    base, store = app
    a, b = open_editor(browser, base), open_editor(browser, base)
    dataset = store.datasets()[0].id
    sid = next(s.id for s in store.scenarios(dataset) if not s.baseline)
    start = store.scenario(sid)
    _, reps, _ = store.load_dataset(dataset)
    r03, r05 = (list(reps["rep_id"]).index(r) for r in ("R03", "R05"))
    assert shown(a) == shown(b) == expected_table(store, sid)

    choose(a, "#rep-picker", "R03")
    box_select(a, *A_BOX)
    wait_version(a, store, sid, start.version + 1)
    after_a = np.array(store.scenario(sid).owner)
    moved_by_a = after_a != start.owner
    assert moved_by_a.any() and (after_a[moved_by_a] == r03).all()

    choose(b, "#rep-picker", "R05")  # B still shows the version before A's move
    box_select(b, *B_BOX)
    b.wait_for_function(
        "() => (document.querySelector('#message')?.innerText || '').includes('Someone else changed')",
        timeout=30_000,
    )
    assert store.scenario(sid).version == start.version + 1  # B's write was refused
    wait_table(b, expected_table(store, sid))  # B now sees A's move
    settle(b)

    # B repeats the move by hand, now on the current version. The drag is a few pixels off
    # the first one, as a person's is: an identical selection would not reach the server,
    # since Dash drops a selectedData equal to the one the graph already holds.
    box_select(b, *(v + 0.004 for v in B_BOX))
    wait_version(b, store, sid, start.version + 2)
    final = np.array(store.scenario(sid).owner)
    moved_by_b = final != after_a
    assert moved_by_b.any() and (final[moved_by_b] == r05).all()
    assert (final[moved_by_a & ~moved_by_b] == r03).all()  # A's move is kept
    history = store.history(sid)
    assert history["kind"].tolist() == ["move", "move"]
    assert history["to_reps"].str.startswith(("R03 ", "R05 ")).tolist() == [True, True]
    assert [m.after_rep for m in store.moves(sid)] == [r03, r05]
    wait_table(b, expected_table(store, sid))
    a.context.close()
    b.context.close()
