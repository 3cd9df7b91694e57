"""Every move is saved as it happens: a killed server loses no plan (issue 5 §1)."""

from __future__ import annotations

import numpy as np
import pytest

from data.store import Store
from tests.browser.harness import lasso, open_page, serve
from tests.browser.test_map_browser import (
    expected_table,
    pick,
    shown,
    wait_version,
    working_scenario,
)

pytestmark = pytest.mark.browser


def test_crash001_killed_server_restarts_with_the_plan(browser, tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    with serve(url, kill=True) as base:
        store = Store(url)
        sid = working_scenario(store)
        start = store.scenario(sid)
        page = open_page(browser, base)
        pick(page, "R04")
        lasso(page, 0.45, 0.5, 0.07)
        wait_version(page, store, sid, start.version + 1)
        moved = store.scenario(sid)
        assert (moved.owner != start.owner).sum() > 0
        before_crash = shown(page)
        page.close()
        store.close()
    # SIGKILL above: no shutdown handler ran
    with serve(url) as base:
        store = Store(url)
        after = store.scenario(sid)
        assert after.version == moved.version
        assert np.array_equal(after.owner, moved.owner)
        page = open_page(browser, base)
        assert shown(page) == before_crash == expected_table(store, sid)
        page.close()
        store.close()
