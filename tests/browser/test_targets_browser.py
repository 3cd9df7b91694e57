"""Issue 14 in a real browser: a lasso moves cells and both reps' targets change; the table reads
at region level; the map colours by region.

Expected numbers come from an independent recount of the stored plan, formatted by the same
functions the page uses (``tests.browser.test_map_browser.expected_table``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.store import Store
from tests.browser.harness import ROOT, lasso, open_page, serve, table
from tests.browser.test_map_browser import (
    expected_table,
    pick,
    rep_position,
    wait_version,
    working_scenario,
)

pytestmark = pytest.mark.browser


REGIONS = {  # the demo's twelve reps in four regions; the demo's own region names become districts
    "North": ("R01", "R02", "R03"), "Benelux": ("R04", "R05", "R06"),
    "West": ("R07", "R08", "R09"), "South-East": ("R10", "R11", "R12"),
}  # fmt: skip


@pytest.fixture
def app(tmp_path):
    """The demo's accounts and reps, the reps grouped into districts and regions."""
    reps = pd.read_csv(ROOT / "data" / "demo" / "reps.csv")
    reps["district"] = reps["region"]
    reps["region"] = [next(g for g, members in REGIONS.items() if r in members)
                      for r in reps["rep_id"]]  # fmt: skip
    reps.to_csv(tmp_path / "reps.csv", index=False)
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    accounts = str(ROOT / "data" / "demo" / "accounts.csv")
    with serve(url, "--accounts", accounts, "--reps", str(tmp_path / "reps.csv")) as base:
        store = Store(url)
        yield base, store, working_scenario(store)
        store.close()


def targets(page) -> dict[str, str]:
    return {rep: row["target"] for rep, row in table(page).items()}


def test_targets_follow_the_cells_a_lasso_moves(browser, app):
    base, store, sid = app
    page = open_page(browser, base)
    page.wait_for_function("() => document.querySelector('#panel-note').innerText.length > 0")
    assert "balance judged team-wide" in page.locator("#panel-note").inner_text()
    before = targets(page)
    assert all(v not in ("", "–") for v in before.values())
    assert {r: row["target"] for r, row in expected_table(store, sid).items()} == before
    start = store.scenario(sid)

    pick(page, "R03")
    lasso(page, 0.45, 0.5, 0.07)
    wait_version(page, store, sid, start.version + 1)
    after_record = store.scenario(sid)
    moved = after_record.owner != start.owner
    givers = {int(o) for o in np.unique(start.owner[moved]) if o >= 0}
    assert moved.sum() > 0 and givers
    page.wait_for_function(
        "t => document.querySelector('#rep-table tbody td[data-dash-column=target]') && "
        "Array.from(document.querySelectorAll('#rep-table tbody tr')).some(tr => "
        "tr.querySelector('td[data-dash-column=rep_id]') && "
        "tr.querySelector('td[data-dash-column=rep_id]').innerText.trim() === 'R03' && "
        "tr.querySelector('td[data-dash-column=target]').innerText.trim() !== t)",
        arg=before["R03"], timeout=30_000,
    )  # fmt: skip
    after = targets(page)
    expected = expected_table(store, sid)
    assert after == {r: row["target"] for r, row in expected.items()}
    assert after["R03"] != before["R03"]  # the receiving rep's target changed
    _, reps, _ = store.load_dataset(after_record.dataset_id)
    ids = list(reps["rep_id"])
    assert rep_position(store, sid, "R03") not in givers
    changed_givers = [ids[g] for g in givers if after[ids[g]] != before[ids[g]]]
    assert changed_givers, f"no giving rep's target changed: {givers}"
    # the targets still add up to the total: what the cells took from one, the other got
    total = sum(float(v.replace(",", "")) for v in after.values())
    assert total == pytest.approx(sum(float(v.replace(",", "")) for v in before.values()))

    # the same table, read at region level: one row per region, targets summed
    page.locator("#panel-level").get_by_text("Regions").click()
    page.wait_for_function(
        "() => !Array.from(document.querySelectorAll('#rep-table tbody td[data-dash-column=rep_id]'))"
        ".some(td => td.innerText.trim() === 'R03')", timeout=30_000,
    )  # fmt: skip
    regions = targets(page)
    region_of = dict(zip(reps["rep_id"], reps["region"].fillna("No region"), strict=True))
    for region, shown in regions.items():
        summed = sum(float(after[r].replace(",", "")) for r, g in region_of.items() if g == region)
        assert float(shown.replace(",", "")) == pytest.approx(summed)

    # a typed target is kept with the scenario; the rest of the total is re-split
    page.locator("#panel-level").get_by_text("Reps").click()
    page.locator("#target-overrides").fill("R03=1000000")
    page.locator("#target-overrides").press("Enter")
    page.wait_for_function(
        "() => document.querySelector('#target-status').innerText.startsWith('Kept')",
        timeout=30_000,
    )
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#rep-table tbody tr')).some(tr => "
        "tr.querySelector('td[data-dash-column=rep_id]')?.innerText.trim() === 'R03' && "
        "tr.querySelector('td[data-dash-column=target]')?.innerText.trim() === '1,000,000')",
        timeout=30_000,
    )
    kept = store.scenario(sid).settings["targets"]
    assert kept["overrides"] == {"R03": 1_000_000.0}
    typed = targets(page)
    assert {r: row["target"] for r, row in expected_table(store, sid).items()} == typed
    assert sum(float(v.replace(",", "")) for v in typed.values()) == pytest.approx(total)

    page.locator("#panel-scope").get_by_text("Within each region").click()
    page.wait_for_function(
        "() => document.querySelector('#panel-note').innerText.includes('within each region')",
        timeout=30_000,
    )

    # the map coloured by region: every drawn cell's value is its owner's region
    page.locator("#colour-mode").get_by_text("Region").first.click()
    page.wait_for_function(
        "() => { const gd = document.querySelector('#map .js-plotly-plot');"
        " return gd && gd.data && gd.data[0].zmax === 3.5; }", timeout=60_000,
    )  # fmt: skip
    page.wait_for_function(
        "() => document.querySelector('#legend').innerText.includes('Benelux')", timeout=30_000
    )
    legend = page.locator("#legend li").all_inner_texts()
    assert [t.strip() for t in legend] == [*REGIONS, "Unassigned"]
    z, owners = page.evaluate(
        "() => { const t = document.querySelector('#map .js-plotly-plot').data[0];"
        " return [t.z, t.customdata.map(row => row[7])]; }"
    )
    order = list(REGIONS)
    for value, owner in zip(z, owners, strict=True):
        rep = owner.split(" ")[0]
        want = -1 if owner == "Unassigned" else order.index(region_of[rep])
        assert value == want, (owner, value)
    page.close()
