"""The Tracking tab in a real browser (issue 15): import actuals, colour by attainment, read a rep.

A revenue and a visits file for 2026-Q3 are written from the demo data set (with two bad
rows each); the tab checks them (the bad rows listed by spreadsheet row), imports them, and
the rep table then shows exactly what ``services.tracking`` computes from the store,
formatted by the same function the page uses. The map switched to "Attainment" paints each
drawn unit with its owner's attainment.
"""

from __future__ import annotations

import math

import pytest

from data.store import Store
from layouts.tracking import table_rows, thresholds
from planning.tracking import flags
from services import tracking
from tests.browser.harness import open_page, serve

pytestmark = pytest.mark.browser

ROWS = """sel => Array.from(document.querySelectorAll(sel + ' tbody tr'))
    .map(tr => Object.fromEntries(Array.from(tr.querySelectorAll('td[data-dash-column]'))
    .map(td => [td.dataset.dashColumn, td.innerText.trim()])))
    .filter(r => Object.keys(r).length)"""


@pytest.fixture
def app(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    with serve(url) as base:
        store = Store(url)
        dataset = store.datasets()[0].id
        sid = next(s.id for s in store.scenarios(dataset) if not s.baseline)
        yield base, url, store, dataset, sid
        store.close()


def write_actuals(tmp_path, store: Store, dataset: int) -> tuple[str, str]:
    accounts, reps, _ = store.load_dataset(dataset)
    ids = accounts["account_id"].astype(str).tolist()[:40]
    owners = accounts["rep_id"].astype("string").fillna(str(reps["rep_id"].iloc[0])).tolist()
    revenue = ["Account ID,Quarter,Amount"]
    revenue += [f"{a},2026-Q3,{1000 + 37 * i}" for i, a in enumerate(ids)]
    revenue += ["NOPE-1,2026-Q3,10", f"{ids[0]},2026-Q4,-5"]  # rows 42 and 43
    visits = ["date,account_id,rep_id,channel"]
    visits += [f"2026-07-{1 + i % 28:02d},{a},{owners[i]},field" for i, a in enumerate(ids[:25])]
    visits += [f"2026-10-02,{ids[1]},{owners[1]},field", f"2026-08-02,{ids[2]},NOBODY,remote"]
    rev_path, vis_path = tmp_path / "revenue.csv", tmp_path / "visits.csv"
    rev_path.write_text("\n".join(revenue) + "\n", encoding="utf-8")
    vis_path.write_text("\n".join(visits) + "\n", encoding="utf-8")
    return str(rev_path), str(vis_path)


def test_track001_import_colour_by_attainment_and_read_a_rep(browser, app, tmp_path):
    base, url, store, dataset, sid = app
    revenue, visits = write_actuals(tmp_path, store, dataset)
    page = open_page(browser, base)
    page.wait_for_function("() => window.hexalign && window.hexalign.fitted", timeout=60_000)
    page.locator("#sections").get_by_text("Tracking", exact=True).click()
    period = page.locator("#tracking-import-period")
    period.fill("2026-Q3")
    period.press("Enter")
    page.set_input_files("#tracking-revenue-upload input[type=file]", revenue)
    page.set_input_files("#tracking-visits-upload input[type=file]", visits)
    page.wait_for_function(
        "() => document.querySelector('#tracking-files').innerText.includes('visits.csv')"
    )
    page.locator("#tracking-check").click()
    page.wait_for_function(
        "() => document.querySelector('#tracking-import-status').innerText.includes('rows read')",
        timeout=60_000,
    )
    status = page.locator("#tracking-import-status").inner_text()
    assert "revenue.csv: 42 rows read, 40 kept, 2 excluded (listed by row)" in status
    assert "visits.csv: 27 rows read, 25 kept, 2 excluded (listed by row)" in status
    bad = page.evaluate(ROWS, "#tracking-bad-rows")
    assert [(r["file"], r["row"]) for r in bad] == [
        ("revenue.csv", "42"), ("revenue.csv", "43"), ("revenue.csv", "43"),
        ("visits.csv", "27"), ("visits.csv", "28"),
    ]  # fmt: skip
    assert "unknown account 'NOPE-1'" in bad[0]["reason"]
    assert "unknown rep 'NOBODY'" in bad[-1]["reason"]

    page.wait_for_function("() => !document.querySelector('#tracking-import').disabled")
    assert page.locator("#tracking-import").inner_text() == "Import 2026-Q3"
    page.locator("#tracking-import").click()
    page.wait_for_function(
        "() => document.querySelector('#tracking-import-status').innerText.includes(': stored')",
        timeout=60_000,
    )
    assert store.actual_periods(dataset) == ["2026-Q3"]
    page.wait_for_function(f"() => ({ROWS})('#tracking-table').length > 0", timeout=90_000)

    result = tracking.scenario_tracking(url, sid, "2026-Q3")
    reps = result.level("rep").copy()
    reps["flag"] = flags(reps, thresholds(80, 80))
    want = table_rows(reps.reset_index(drop=True))
    shown = page.evaluate(ROWS, "#tracking-table")
    first = next(r for r in want if r["visits_made"] != "0")  # a rep with visits
    assert next(r for r in shown if r["rep_id"] == first["rep_id"]) == first
    assert [r["rep_id"] for r in shown] == [r["rep_id"] for r in want]

    page.locator("#colour-mode").get_by_text("Attainment", exact=True).click()
    page.wait_for_function(
        """() => { const gd = document.querySelector('#map .js-plotly-plot');
                   const t = gd && gd.data && gd.data[0];
                   return t && t.colorbar && t.colorbar.title
                       && t.colorbar.title.text === 'Attainment'; }""",
        timeout=60_000,
    )
    z = page.evaluate("() => document.querySelector('#map .js-plotly-plot').data[0].z")
    painted = {round(v, 9) for v in z if v is not None}
    expected = {round(float(v), 9) for v in reps["attainment"] if not math.isnan(float(v))}
    assert painted and painted <= expected

    # checking the same files again: the period holds them, so the button asks to replace
    page.locator("#sections").get_by_text("Tracking", exact=True).click()
    page.locator("#tracking-check").click()
    page.wait_for_function(
        "() => document.querySelector('#tracking-import').innerText.startsWith('Replace')",
        timeout=60_000,
    )
    assert page.locator("#tracking-import").inner_text() == "Replace 2026-Q3 (0 rows change)"
    assert (
        "2026-Q3 already holds 40 revenue rows and 25 visits"
        in page.locator("#tracking-import-status").inner_text()
    )
