"""The market-share classes in a real browser (issue 14 section 1).

Switch the map to the class colouring (the legend names the classes with the data set's
thresholds), open the Market-share tab and read one territory's class breakdown: it must equal
an independent recount of the stored plan, formatted by the same functions the page uses.
Then preview an effort plan: every rep's workload now and with the plan, nothing stored.
"""

from __future__ import annotations

import pytest

from data.store import Store
from geo.area import area_from_cells
from layouts.market_share import detail_rows
from planning.market_share import class_rows, territory_table
from planning.plan import Plan
from planning.share_classes import CLASS_COLOURS, ShareClass
from services.areas import stored_market
from tests.browser.harness import open_page, serve

pytestmark = pytest.mark.browser

ROWS = """sel => Array.from(document.querySelectorAll(sel + ' tbody tr'))
    .map(tr => Object.fromEntries(Array.from(tr.querySelectorAll('td[data-dash-column]'))
    .map(td => [td.dataset.dashColumn, td.innerText.trim()])))
    .filter(r => Object.keys(r).length)"""


def stored_plan(store: Store, scenario_id: int) -> Plan:
    record = store.scenario(scenario_id)
    accounts, reps, call_plan = store.load_dataset(record.dataset_id)
    area = area_from_cells(store.area_cells(record.area_id), record.resolution)
    market = stored_market(accounts, reps, call_plan, area)
    return Plan.from_owner(market, record.owner, record.locked)


@pytest.fixture
def app(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    with serve(url) as base:
        store = Store(url)
        dataset = store.datasets()[0].id
        sid = next(s.id for s in store.scenarios(dataset) if not s.baseline)
        yield base, store, sid
        store.close()


def test_share001_class_colouring_and_one_territorys_breakdown(browser, app):
    base, store, sid = app
    page = open_page(browser, base)
    page.wait_for_function("() => window.hexalign && window.hexalign.fitted", timeout=60_000)
    assert page.locator("#class-legend").is_hidden()

    page.locator("#colour-mode").get_by_text("Share class", exact=True).click()
    page.wait_for_function(
        """() => { const gd = document.querySelector('#map .js-plotly-plot');
                   const t = gd && gd.data && gd.data[0];
                   return t && t.zmax === 4.5 && t.z.every(v => v >= 0 && v <= 4); }""",
        timeout=60_000,
    )
    legend = page.locator("#class-legend")
    legend.wait_for(state="visible", timeout=30_000)
    assert "Stronghold (share ≥ 60%)" in legend.inner_text()
    assert "Frontier (TAM, no revenue)" in legend.inner_text()
    assert page.locator("#legend").is_hidden()  # the reps' colours are not the classes'
    # the map's colours are the classes': every drawn unit's z names a class colour
    scale = page.evaluate("() => document.querySelector('#map .js-plotly-plot').data[0].colorscale")
    assert {c for _, c in scale} == set(CLASS_COLOURS.values())
    plan = stored_plan(store, sid)
    z = page.evaluate("() => document.querySelector('#map .js-plotly-plot').data[0].z")
    assert len(set(z)) >= 2  # the demo holds more than one class

    page.locator("#sections").get_by_text("Market share", exact=True).click()
    page.wait_for_function(f"() => ({ROWS})('#share-detail').length === 5", timeout=90_000)
    territories = territory_table(plan)
    first = str(territories["rep_id"].iloc[0])
    shown = page.evaluate(ROWS, "#share-detail")
    want = detail_rows(class_rows(territories, first))
    assert shown == [{k: str(v) for k, v in row.items()} for row in want]
    assert [r["class"] for r in shown] == [c.label for c in ShareClass]
    overview = page.evaluate(ROWS, "#share-table")
    assert [r["rep_id"] for r in overview][: len(plan.market.rep_ids)] == list(plan.market.rep_ids)

    # preview an effort plan: frontier A accounts called, not visited; nothing is stored
    datasets_before = len(store.datasets())
    visits = page.locator('[id*="\\"class\\":\\"frontier\\""][id*="\\"segment\\":\\"A\\""]'
                          '[id*="visits_per_year"]')  # fmt: skip
    visits.fill("4")
    visits.press("Enter")
    page.locator("#share-preview").click()
    page.wait_for_function(f"() => ({ROWS})('#share-effect').length > 0", timeout=90_000)
    effect = page.evaluate(ROWS, "#share-effect")
    assert effect[-1]["rep_id"] == "TOTAL"
    assert effect[-1]["change"].startswith("-")  # fewer frontier A visits: less work
    assert "Preview (not applied)" in page.locator("#share-status").inner_text()
    assert len(store.datasets()) == datasets_before

    # apply: a new data set holding the effort plan, and a scenario with the same owners
    page.locator("#share-apply").click()
    page.wait_for_function(
        "() => (document.querySelector('#message') || {}).innerText"
        " && document.querySelector('#message').innerText.includes('Effort plan applied')",
        timeout=120_000,
    )
    assert len(store.datasets()) == datasets_before + 1
    new_dataset = max(d.id for d in store.datasets())
    new_sid = next(s.id for s in store.scenarios(new_dataset) if not s.baseline)
    assert "effort plan edited" in store.scenario(new_sid).name
    new_plan = stored_plan(store, new_sid)
    rule = new_plan.market.share.rule(ShareClass.FRONTIER, "A")
    assert rule is not None and rule.visits_per_year == 4.0
    assert (new_plan.owner == plan.owner).all()
    assert (new_plan.market.cell_class == plan.market.cell_class).all()
