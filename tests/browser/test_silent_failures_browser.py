"""Issue 12 point 7 in a real browser: what used to fail without a word now says so.

One demo app serves the three tests: a cell size over the limit (7a), Cancel on
auto-balance (7f), and the reps file chosen right after the accounts file (7e).
"""

from __future__ import annotations

import pytest

from data.store import Store
from tests.browser.harness import open_page, serve
from tests.browser.test_import_browser import RUN, write_files
from tests.browser.test_map_browser import working_scenario

pytestmark = pytest.mark.browser

MESSAGE = "() => document.querySelector('#message')?.innerText || ''"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("silent")
    url = f"sqlite:///{folder / 'plans.sqlite'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HEXALIGN_UPLOADS_DIR", str(folder / "uploads"))
        with serve(url) as base:
            store = Store(url)
            yield base, store, folder
            store.close()


def test_silent001_a_cell_size_over_the_limit_is_said(browser, app):
    base, store, _ = app
    sid = working_scenario(store)
    before = store.scenario(sid)
    page = open_page(browser, base)
    page.locator("#resolution").click()
    menu = page.locator(".Select-menu-outer, [role=listbox]")
    assert menu.get_by_text("9 · too many cells", exact=True).count() == 1
    menu.get_by_text("8 · too many cells", exact=True).first.click()
    page.wait_for_function(f"() => ({MESSAGE})().startsWith('Cell size 8 would make about')",
                           timeout=60_000)  # fmt: skip
    message = page.evaluate(MESSAGE)
    assert message.endswith("cells, over the limit of 500,000; choose 7 or larger cells.")
    # the menu is back at the map's size, and nothing was made
    shown = page.locator("#resolution").inner_text()
    assert shown.strip() == str(before.resolution), repr(shown)
    names = [s.name for s in store.scenarios(before.dataset_id)]
    assert not any("@ res 8" in n for n in names)
    assert store.scenario(sid).version == before.version
    page.close()


def test_silent002_cancel_says_nothing_was_kept(browser, app):
    base, store, _ = app
    sid = working_scenario(store)
    dataset = store.scenario(sid).dataset_id
    page = open_page(browser, base)
    page.locator("#sections").get_by_text("Auto-balance", exact=True).click()
    # a run that takes its time (about 8 s alone): designed from scratch, workload and TAM
    # to a tight tolerance, shapes weighing much
    page.get_by_text("Design from scratch", exact=False).click()
    page.locator("#balance-measures").get_by_text("TAM", exact=True).click()
    page.fill("#balance-tolerance", "0.5")
    page.fill("#balance-compactness", "100")
    page.fill("#balance-time-limit", "120")
    page.click("#balance-run")
    # the job runs: its first progress line is there and Cancel is enabled
    page.wait_for_function(
        "() => (document.querySelector('#balance-status')?.innerText || '').length > 0"
        " && !document.querySelector('#balance-cancel').disabled",
        timeout=120_000,
    )
    page.click("#balance-cancel")
    page.wait_for_function(
        "() => (document.querySelector('#balance-status')?.innerText || '')"
        ".startsWith('Auto-balance cancelled')",
        timeout=30_000,
    )
    page.wait_for_timeout(3000)  # a late progress line must not come back over it
    assert page.locator("#balance-status").inner_text() == (
        "Auto-balance cancelled: nothing was kept; the plan on the map is unchanged."
    )
    assert page.locator("#balance-progress").get_attribute("value") == "0"
    assert not [s for s in store.scenarios(dataset) if s.name.startswith("Auto-balance")]
    page.close()


def test_silent003_two_files_chosen_at_once_are_both_kept(browser, app):
    base, _, folder = app
    accounts_file, reps_file, n = write_files(folder)
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(base + "/")
    page.wait_for_function(
        "() => document.querySelectorAll('#rep-table tbody tr td').length > 0", timeout=120_000
    )
    page.locator("#sections").get_by_text("Data", exact=True).click()
    before = page.evaluate(RUN)
    # the reps file follows the accounts file at once, well within a second
    page.set_input_files("#data-accounts-upload input[type=file]", accounts_file)
    page.set_input_files("#data-reps-upload input[type=file]", reps_file)
    page.wait_for_function(
        "() => !!document.querySelector('#data-report [data-file=accounts]')"
        " && !!document.querySelector('#data-report [data-file=reps]')",
        timeout=120_000,
    )
    assert page.evaluate(RUN) > before
    files = page.locator("#data-files").inner_text()
    assert "kunden.csv" in files and "aussendienst.csv" in files
    page.close()
