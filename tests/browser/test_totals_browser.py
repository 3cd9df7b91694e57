"""Issue 18 point 4: a data set kept as per-cell totals opens and draws in the app.

The test's database holds the demo (the app's data set) and "binned", the demo's accounts east
of 11° E binned by ``cli.py bin --dataset``'s service (no account row is stored). The switcher
lists it with the accounts it sums; choosing it draws its working plan fitted to its area.
"""

from __future__ import annotations

import pytest

from data.demo import demo_paths
from data.store import Store
from data.validation import load_accounts, load_reps
from services.binning import Engine, bin_into_dataset
from tests.browser.harness import open_page, serve
from tests.browser.test_datasets_find_browser import area_bounds, header, wait_fitted

pytestmark = pytest.mark.browser
BINNED = "binned"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("totals_browser")
    url = f"sqlite:///{folder / 'plans.sqlite'}"
    accounts_path, reps_path = demo_paths()
    reps = load_reps(reps_path)
    accounts = load_accounts(accounts_path, rep_ids=list(reps["rep_id"]))
    east = accounts[accounts["lon"] > 11.0].reset_index(drop=True)
    east_path = folder / "east.csv"
    east.to_csv(east_path, index=False)
    binned = bin_into_dataset([east_path], BINNED, reps_path=reps_path, database_url=url,
                              engine=Engine.LOCAL)  # fmt: skip
    with serve(url) as base:
        store = Store(url)
        yield base, store, binned.scenario_id, len(east)
        store.close()


def test_a_totals_data_set_is_listed_opened_and_drawn(browser, app):
    base, store, binned_sid, n_east = app
    page = open_page(browser, base, 1366, 768)
    page.wait_for_function("() => window.hexalign && window.hexalign.fitted", timeout=90_000)

    page.locator("#dataset-switcher").click()
    options = page.locator(".dash-dropdown-content [role=option]")
    texts = options.all_inner_texts()
    assert any(t.startswith(f"{BINNED} · stored ") and t.endswith(f"{n_east:,} accounts · 12 reps")
               for t in texts), texts  # fmt: skip
    options.get_by_text(BINNED).click()
    page.wait_for_function(
        "() => document.querySelector('#dataset-name')?.innerText === 'binned'", timeout=90_000
    )
    wait_fitted(page, area_bounds(store, binned_sid))
    assert header(page) == (BINNED, "Working plan")
