"""Data sets you can find again, a first view that fits, and find, in a real browser.

The test's database holds the demo (the app's configured data set, stored when
the app starts) and "accounts_east", the demo's accounts east of 11° E, stored
beforehand through the services as an import would. Screenshots of the first
view at 1366x768 and 1920x1080 are kept in var/artefacts/screenshots/
(ignored by git).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from data.demo import demo_paths
from data.store import Store
from data.validation import load_accounts, load_reps
from geo.bounds import cells_bounds
from geo.cells import cells_to_latlng
from planning.callplan import default_call_plan
from planning.names import working_plan_name
from services import editing
from tests.browser.harness import ROOT, open_page, serve

pytestmark = pytest.mark.browser
ARTEFACTS = ROOT / "var" / "artefacts" / "screenshots"
MAP = "() => document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map"
VIEW = f"""() => {{ const m = ({MAP})(); const b = m.getBounds(); const c = m.getCenter();
  return {{west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth(),
          lon: c.lng, lat: c.lat, zoom: m.getZoom(),
          outline: !!m.getLayer('hexalign-outline-line')}}; }}"""
BUSY = "() => document.querySelectorAll('[data-dash-is-loading=\"true\"]').length"
EAST = "accounts_east"


def settle(page, quiet_ms: int = 600, timeout_s: float = 60) -> None:
    """Wait until no Dash callback has been in flight for ``quiet_ms``."""
    deadline, quiet_since = time.monotonic() + timeout_s, None
    while time.monotonic() < deadline:
        if page.evaluate(BUSY):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_ms / 1000:
            return
        page.wait_for_timeout(100)
    raise TimeoutError("the page kept updating")


def area_bounds(store: Store, scenario_id: int) -> tuple[float, float, float, float]:
    """The planning area's extent, cell polygons included, from the stored tiling."""
    record = store.scenario(scenario_id)
    cells = store.area_cells(record.area_id)
    lat, lon = cells_to_latlng(cells)
    return cells_bounds(cells, lat, lon)


def assert_area_in_view(page, bounds: tuple[float, float, float, float]) -> dict:
    """Every cell inside the map's viewport, and the area filling it along one side."""
    view = page.evaluate(VIEW)
    west, south, east, north = bounds
    assert view["west"] <= west and view["east"] >= east, (view, bounds)
    assert view["south"] <= south and view["north"] >= north, (view, bounds)
    fills_x = (east - west) / (view["east"] - view["west"])
    fills_y = (north - south) / (view["north"] - view["south"])
    assert max(fills_x, fills_y) > 0.85, (fills_x, fills_y)  # fitted, not merely zoomed out
    return view


def wait_fitted(page, bounds: tuple[float, float, float, float], timeout_s: float = 90) -> None:
    """Wait until the browser has refitted the view to ``bounds`` and the page is quiet."""
    page.wait_for_function(
        "b => window.hexalign && window.hexalign.fitted && "
        "window.hexalign.fitted.bounds.every((v, i) => Math.abs(v - b[i]) < 1e-6)",
        arg=list(bounds), timeout=timeout_s * 1000,
    )  # fmt: skip
    settle(page)


def header(page) -> tuple[str, str]:
    return page.locator("#dataset-name").inner_text(), page.locator("#scenario-name").inner_text()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('datasets') / 'plans.sqlite'}"
    accounts_path, reps_path = demo_paths()
    reps = load_reps(reps_path)
    accounts = load_accounts(accounts_path, rep_ids=list(reps["rep_id"]))
    east = accounts[accounts["lon"] > 11.0].reset_index(drop=True)
    _, east_sid = editing.ensure_scenarios(url, EAST, east, reps, default_call_plan(),
                                           working_name=working_plan_name(EAST))  # fmt: skip
    with serve(url) as base:
        store = Store(url)
        demo = next(d.id for d in store.datasets() if d.name == "accounts")
        demo_sid = next(s.id for s in store.scenarios(demo) if not s.baseline)
        yield base, store, demo_sid, east_sid
        store.close()


def test_first_view_fits_the_demo_at_both_screen_sizes(browser, app):
    base, store, demo_sid, _ = app
    bounds = area_bounds(store, demo_sid)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (1920, 1080)):
        page = open_page(browser, base, width, height)  # a new browser: empty local storage
        wait_fitted(page, bounds)
        assert header(page) == ("accounts", "Working plan")  # the app's configured data set
        assert_area_in_view(page, bounds)
        page.screenshot(path=str(ARTEFACTS / f"first-view-{width}x{height}.png"))
        page.close()


def test_switch_data_set_and_back_then_find_an_account(browser, app):
    base, store, demo_sid, east_sid = app
    demo_bounds, east_bounds = area_bounds(store, demo_sid), area_bounds(store, east_sid)
    page = open_page(browser, base, 1366, 768)
    wait_fitted(page, demo_bounds)

    page.locator("#dataset-switcher").click()
    options = page.locator(".dash-dropdown-content [role=option]")
    texts = options.all_inner_texts()
    assert any(
        t.startswith(f"{EAST} · stored ") and t.endswith(" accounts · 12 reps") for t in texts
    )
    assert any(t.startswith("accounts (open) · stored ") for t in texts), texts
    options.get_by_text(EAST).click()
    page.wait_for_function(
        "() => document.querySelector('#scenario-name')?.innerText === arguments[0]".replace(
            "arguments[0]", repr(working_plan_name(EAST))), timeout=90_000)  # fmt: skip
    wait_fitted(page, east_bounds)
    assert header(page) == (EAST, working_plan_name(EAST))
    assert_area_in_view(page, east_bounds)
    east_view = page.evaluate(VIEW)

    page.locator("#dataset-switcher").click()
    page.locator(".dash-dropdown-content [role=option]").get_by_text("accounts ·").first.click()
    page.wait_for_function(
        "() => document.querySelector('#scenario-name')?.innerText === 'Working plan'",
        timeout=90_000,
    )  # fmt: skip
    wait_fitted(page, demo_bounds)
    assert header(page) == ("accounts", "Working plan")
    assert page.evaluate(VIEW)["west"] < east_view["west"]  # the view followed the data set

    # find an account by its name ("/" is the shortcut), Enter takes the first line
    accounts, _, _ = store.load_dataset(store.scenario(demo_sid).dataset_id)
    name = str(accounts["name"].iloc[1234])
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.id") == "find"
    page.keyboard.type(name, delay=30)
    first = page.locator("#find-results button").first
    first.wait_for(timeout=30_000)
    page.wait_for_function(
        "n => (document.querySelector('#find-results button')?.innerText || '').endsWith(' ' + n)",
        arg=name, timeout=30_000,
    )  # fmt: skip
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.hexalign.focused", timeout=30_000)
    settle(page)
    board, plan, _ = editing.load(store.url, demo_sid)
    row = int(np.flatnonzero(board.market.accounts["name"].to_numpy() == name)[0])
    cell = int(board.market.account_cell[row])
    lat, lon = float(board.market.area.lat[cell]), float(board.market.area.lon[cell])
    view = page.evaluate(VIEW)
    assert view["lon"] == pytest.approx(lon, abs=1e-4) and view["lat"] == pytest.approx(
        lat, abs=1e-4
    )
    assert view["outline"] and view["zoom"] > 7
    assert (
        page.locator("#message")
        .inner_text()
        .startswith(f"Account {accounts['account_id'].iloc[1234]} {name}: its cell is outlined")
    )
    page.screenshot(path=str(ARTEFACTS / "found-account-1366x768.png"))

    # the arrows walk the list, Escape closes it; a rep's whole territory is outlined
    page.keyboard.press("/")
    page.keyboard.type("R03", delay=30)
    page.wait_for_function(
        "() => (document.querySelector('#find-results button')?.innerText || '').startsWith('Rep R03')",
        timeout=30_000,
    )  # fmt: skip
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.innerText").startswith("Rep R03")
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('#find-results button')", timeout=10_000)
    page.keyboard.press("/")
    page.keyboard.type("r03", delay=30)
    page.wait_for_function(
        "() => (document.querySelector('#find-results button')?.innerText || '').startsWith('Rep R03')",
        timeout=30_000,
    )  # fmt: skip
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => (window.hexalign.focused?.key || '').startsWith('rep:R03:')", timeout=30_000
    )
    settle(page)
    assert page.locator("#message").inner_text().startswith("Rep R03 ")
    _, plan, _ = editing.load(store.url, demo_sid)
    mine = plan.owner == board.market.rep_position("R03")
    area = board.market.area
    west, south, east, north = cells_bounds(area.cells[mine], area.lat[mine], area.lon[mine])
    view = page.evaluate(VIEW)
    assert view["outline"]
    assert view["west"] <= west and view["east"] >= east  # the whole territory in view
    assert view["south"] <= south and view["north"] >= north
    page.close()


def test_the_first_view_stays_fitted_when_the_map_changes_size_until_the_user_moves_it(
    browser, app
):
    """The page may settle after the first fit (a CI run once cut 2 % of the demo's north and
    south): while the view is the fitted one, a map of another size is fitted again; once the user
    has zoomed, a resize leaves their view alone."""
    base, store, demo_sid, _ = app
    bounds = area_bounds(store, demo_sid)
    page = open_page(browser, base, 1366, 768)
    wait_fitted(page, bounds)
    fitted_zoom = page.evaluate(VIEW)["zoom"]
    page.set_viewport_size({"width": 1366, "height": 640})  # the map loses height
    page.wait_for_function(f"() => ({MAP})().getZoom() < {fitted_zoom} - 0.05", timeout=10_000)
    settle(page)
    assert_area_in_view(page, bounds)

    refitted = page.evaluate(VIEW)
    box = page.locator("#map .js-plotly-plot").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.45)
    for _ in range(3):  # the user zooms in (a wheel right after a redraw is sometimes swallowed)
        page.mouse.wheel(0, -240)
        page.wait_for_timeout(600)
        settle(page)
        if page.evaluate(VIEW)["zoom"] > refitted["zoom"] + 0.05:
            break
    zoomed = page.evaluate(VIEW)
    assert zoomed["zoom"] > refitted["zoom"] + 0.05
    page.set_viewport_size({"width": 1366, "height": 720})
    page.wait_for_timeout(800)
    settle(page)
    assert page.evaluate(VIEW)["zoom"] == pytest.approx(zoomed["zoom"], abs=1e-6)
    page.close()
