"""The map in a real browser: real box and lasso drags, exact numbers, undo, reload, keyboard.

Expected numbers come from an independent full recount of the stored plan
(``Plan.from_owner``), formatted by the same function the page uses.
"""

from __future__ import annotations

import numpy as np
import pytest

from data.store import Store
from geo.area import area_from_cells
from layouts.panel import TABLE_COLUMNS, table_rows
from planning.metrics import rep_metrics
from planning.plan import Plan
from planning.targets import targets_for, with_targets
from services.areas import stored_market
from tests.browser.harness import box_select, lasso, open_page, serve, table

pytestmark = pytest.mark.browser
SHOWN = [c for c, _ in TABLE_COLUMNS]


def working_scenario(store: Store) -> int:
    dataset = store.datasets()[0].id
    return next(s.id for s in store.scenarios(dataset) if not s.baseline)


def expected_table(store: Store, scenario_id: int, tolerance: float = 0.10) -> dict:
    record = store.scenario(scenario_id)
    accounts, reps, call_plan = store.load_dataset(record.dataset_id)
    area = area_from_cells(store.area_cells(record.area_id), record.resolution)
    plan = Plan.from_owner(
        stored_market(accounts, reps, call_plan, area), record.owner, record.locked
    )
    # issue 14: the table also shows each rep's target under the scenario's rule (or the default)
    targets, _, _ = targets_for(plan, record.settings)
    rows = table_rows(with_targets(rep_metrics(plan, tolerance), targets))
    return {r["rep_id"]: {c: str(r[c]) for c in SHOWN} for r in rows}


def shown(page) -> dict:
    return {rep: {c: row[c] for c in SHOWN} for rep, row in table(page).items()}


def wait_version(page, store: Store, scenario_id: int, version: int) -> None:
    page.wait_for_function(
        "v => Number(document.querySelector('#map .js-plotly-plot').getAttribute('data-painted-version')) >= v",
        arg=version, timeout=30_000,
    )  # fmt: skip
    assert store.scenario(scenario_id).version == version


def pick(page, label: str) -> None:
    page.locator("#rep-picker").click()
    page.locator(".Select-menu-outer, [role=listbox]").get_by_text(label, exact=False).first.click()


def rep_position(store: Store, scenario_id: int, rep_id: str) -> int:
    _, reps, _ = store.load_dataset(store.scenario(scenario_id).dataset_id)
    return list(reps["rep_id"]).index(rep_id)


@pytest.fixture
def app(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    with serve(url) as base:
        store = Store(url)
        yield base, store, working_scenario(store)
        store.close()


def test_map001_box_and_lasso_move_cells_undo_and_reload(browser, app):
    base, store, sid = app
    page = open_page(browser, base)
    assert shown(page) == expected_table(store, sid)
    start = store.scenario(sid)

    pick(page, "R03")
    lasso(page, 0.45, 0.5, 0.07)
    wait_version(page, store, sid, start.version + 1)
    first = store.scenario(sid)
    moved = first.owner != start.owner
    assert moved.sum() > 0
    assert (first.owner[moved] == rep_position(store, sid, "R03")).all()
    assert shown(page) == expected_table(store, sid)
    assert page.locator("#message").inner_text().startswith(f"Moved {moved.sum():,} cells to R03")

    pick(page, "R05")
    box_select(page, 0.30, 0.30, 0.40, 0.42)
    wait_version(page, store, sid, start.version + 2)
    second = store.scenario(sid)
    moved = second.owner != first.owner
    assert moved.sum() > 0 and (second.owner[moved] == rep_position(store, sid, "R05")).all()
    after_box = shown(page)
    assert after_box == expected_table(store, sid)

    pick(page, "Unassigned")
    lasso(page, 0.62, 0.62, 0.06)
    wait_version(page, store, sid, start.version + 3)
    third = store.scenario(sid)
    moved = third.owner != second.owner
    assert moved.sum() > 0 and (third.owner[moved] == -1).all()
    assert shown(page) == expected_table(store, sid)

    page.locator("#undo").click()
    wait_version(page, store, sid, start.version + 4)
    assert np.array_equal(store.scenario(sid).owner, second.owner)
    assert shown(page) == after_box  # the previous numbers, exactly

    page.reload()
    page.wait_for_function("() => document.querySelectorAll('#rep-table tbody td').length > 0")
    page.wait_for_timeout(500)
    assert shown(page) == after_box
    page.close()


def test_map002_keyboard_picks_a_rep_and_undoes(browser, app):
    base, store, sid = app
    page = open_page(browser, base)
    before = shown(page)
    start = store.scenario(sid)
    picked = "rep => (document.querySelector('#rep-picker')?.innerText || '').includes(rep)"
    page.locator("body").press("2")
    page.wait_for_function(picked, arg="R02", timeout=10_000)
    page.keyboard.press("ArrowRight")
    page.wait_for_function(picked, arg="R03", timeout=10_000)

    lasso(page, 0.40, 0.45, 0.07)
    wait_version(page, store, sid, start.version + 1)
    moved = store.scenario(sid).owner != start.owner
    assert (
        moved.sum() > 0
        and (store.scenario(sid).owner[moved] == rep_position(store, sid, "R03")).all()
    )
    assert shown(page) != before

    page.keyboard.press("Control+z")
    wait_version(page, store, sid, start.version + 2)
    assert np.array_equal(store.scenario(sid).owner, start.owner)
    assert shown(page) == before
    assert page.locator("#message").inner_text().startswith("Undone")
    page.close()


def test_map003_locks_clicks_and_resolution(browser, app):
    base, store, sid = app
    page = open_page(browser, base)
    start = store.scenario(sid)

    page.get_by_label("Lock", exact=True).check()
    lasso(page, 0.45, 0.5, 0.06)
    wait_version(page, store, sid, start.version + 1)
    locked = store.scenario(sid).locked
    assert locked.sum() > 0
    assert page.locator("#message").inner_text() == f"Locked {locked.sum():,} cells."

    page.get_by_label("Move to rep", exact=True).check()
    pick(page, "R12")
    lasso(page, 0.45, 0.5, 0.09)  # a wider ring around the locked cells
    wait_version(page, store, sid, start.version + 2)
    after = store.scenario(sid)
    assert np.array_equal(after.owner[locked], start.owner[locked])  # locked cells stayed
    assert "locked cells were skipped" in page.locator("#message").inner_text()
    assert shown(page) == expected_table(store, sid)

    box = page.locator("#map .js-plotly-plot").bounding_box()
    pick(page, "R01")
    page.mouse.click(box["x"] + 0.3 * box["width"], box["y"] + 0.6 * box["height"])
    wait_version(page, store, sid, start.version + 3)
    clicked = store.scenario(sid).owner != after.owner
    assert clicked.sum() >= 1 and (store.scenario(sid).owner[clicked] == 0).all()

    page.locator("#resolution").click()
    page.locator(".Select-menu-outer, [role=listbox]").get_by_text("5", exact=True).first.click()
    page.wait_for_function("() => (document.querySelector('#message')?.innerText || '').includes('changed owner')",
                           timeout=60_000)  # fmt: skip
    page.wait_for_function(
        "() => (document.querySelector('#scenario-name')?.innerText || '').includes('res 5')"
    )
    converted = store.scenario_id("Working plan @ res 5")
    assert store.scenario(converted).resolution == 5
    page.wait_for_timeout(1000)
    assert shown(page) == expected_table(store, converted)
    page.close()


def test_map004_a_page_remembering_a_deleted_scenario_lands_on_the_working_plan(browser, app):
    base, store, sid = app
    page = open_page(browser, base)
    page.evaluate("() => localStorage.setItem('scenario-store', JSON.stringify({id: 999999}))")
    page.reload()
    page.wait_for_function("() => (document.querySelector('#message')?.innerText || '').includes('no longer exists')",
                           timeout=60_000)  # fmt: skip
    page.wait_for_function(
        "() => (document.querySelector('#scenario-name')?.innerText || '') === 'Working plan'"
    )
    page.wait_for_timeout(500)
    assert shown(page) == expected_table(store, sid)
    page.close()
