"""Auto-balance from the app: progress, a new scenario, the original untouched."""

from __future__ import annotations

import numpy as np
import pytest

from data.store import Store
from geo.area import area_from_cells
from planning.metrics import rep_metrics
from planning.plan import Plan
from services.areas import stored_market
from tests.browser.harness import open_page, serve
from tests.browser.test_map_browser import expected_table, shown, working_scenario

pytestmark = pytest.mark.browser


def test_bal001_autobalance_opens_a_new_scenario(browser, tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    with serve(url) as base:
        store = Store(url)
        sid = working_scenario(store)
        before = store.scenario(sid)
        page = open_page(browser, base)
        page.locator("#sections").get_by_text("Auto-balance", exact=True).click()
        page.fill("#balance-time-limit", "20")
        page.click("#balance-run")
        page.wait_for_function("() => (document.querySelector('#balance-result')?.innerText || '').length > 0",
                               timeout=120_000)  # fmt: skip
        assert page.locator("#balance-status").inner_text() == "done"
        assert page.locator("#balance-progress").get_attribute("value") == "20"
        result = page.locator("#balance-result").inner_text()
        assert "Opened as scenario" in result and "territories in one piece" in result

        new = [s for s in store.scenarios(before.dataset_id) if s.name.startswith("Auto-balance")]
        assert len(new) == 1 and new[0].parent_id == sid
        # issue 13 point 3: every territory below Polsby-Popper 0.15 is named with the table's figure
        below = stored_compactness(store, new[0].id)
        below = below[below < 0.15]
        for rep_id, value in below.items():
            assert f"{rep_id}" in result and f"{value:.3f}" in result, (rep_id, value, result)
        page.wait_for_function("() => (document.querySelector('#scenario-name')?.innerText || '').startsWith('Auto-balance')",
                               timeout=60_000)  # fmt: skip
        page.wait_for_timeout(1000)
        assert shown(page) == expected_table(store, new[0].id)
        # the plan it started from is untouched
        assert store.scenario(sid).version == before.version
        assert np.array_equal(store.scenario(sid).owner, before.owner)
        assert not np.array_equal(store.scenario(new[0].id).owner, before.owner)
        store.close()


def stored_compactness(store: Store, scenario_id: int):
    """Polsby-Popper per rep of a stored scenario, as the rep table computes it."""
    record = store.scenario(scenario_id)
    accounts, reps, call_plan = store.load_dataset(record.dataset_id)
    area = area_from_cells(store.area_cells(record.area_id), record.resolution)
    market = stored_market(accounts, reps, call_plan, area)
    return rep_metrics(Plan.from_owner(market, record.owner, record.locked))["polsby_popper"]
