"""Issue 17 point 2 in a real browser: the trade-off curve is computed in the background with
progress, drawn, and a click on a point of the front opens that plan as a new scenario whose
metrics are the point's figures.

A small team (the demo's first four reps and their accounts) keeps each optimizer run short.
"""

from __future__ import annotations

import pandas as pd
import pytest

from data.store import Store
from planning.metrics import team_metrics
from services import editing
from tests.browser.harness import ROOT, open_page, serve
from tests.browser.test_map_browser import working_scenario

pytestmark = pytest.mark.browser

FOUR = ("R01", "R02", "R03", "R04")
POINT_XY = """i => { const gd = document.querySelector('#curve-chart .js-plotly-plot');
  const tr = gd._fullData[1], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const r = gd.getBoundingClientRect();
  return [r.left + xa._offset + xa.l2p(tr.x[i]), r.top + ya._offset + ya.l2p(tr.y[i])]; }"""


@pytest.fixture
def app(tmp_path):
    reps = pd.read_csv(ROOT / "data" / "demo" / "reps.csv")
    accounts = pd.read_csv(ROOT / "data" / "demo" / "accounts.csv")
    reps[reps["rep_id"].isin(FOUR)].to_csv(tmp_path / "reps.csv", index=False)
    accounts[accounts["rep_id"].isin(FOUR)].to_csv(tmp_path / "accounts.csv", index=False)
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    with serve(url, "--accounts", str(tmp_path / "accounts.csv"),
               "--reps", str(tmp_path / "reps.csv")) as base:  # fmt: skip
        store = Store(url)
        yield base, url, store, working_scenario(store)
        store.close()


def test_the_curve_is_drawn_and_a_click_opens_a_point(browser, app):
    base, url, store, sid = app
    page = open_page(browser, base)
    page.locator("#sections").get_by_text("Trade-off curve", exact=True).click()
    page.locator("#curve-run").click()
    page.wait_for_function(
        "() => document.querySelector('#curve-status').innerText.includes('click one to open it')",
        timeout=300_000,
    )  # fmt: skip
    page.wait_for_function(
        "() => { const gd = document.querySelector('#curve-chart .js-plotly-plot');"
        " return gd && gd._fullData && gd._fullData.length === 2; }",
        timeout=60_000,
    )
    front = page.evaluate(
        "() => document.querySelector('#curve-chart .js-plotly-plot')._fullData[1].y.length"
    )
    ys = page.evaluate(
        "() => Array.from(document.querySelector('#curve-chart .js-plotly-plot')._fullData[1].y)"
    )
    assert front >= 2 and all(b < a for a, b in zip(ys, ys[1:], strict=False))  # monotone
    x, y = page.evaluate(POINT_XY, front - 1)  # the best balanced point
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.wait_for_function(
        "() => document.querySelector('#curve-status').innerText.startsWith('Opened')",
        timeout=60_000,
    )
    children = [s for s in store.scenarios(store.scenario(sid).dataset_id) if s.parent_id == sid]
    assert len(children) == 1
    new = children[0]
    page.wait_for_function(
        "n => document.querySelector('#scenario-name').innerText.includes(n)",
        arg=new.name, timeout=60_000,
    )  # fmt: skip
    _, plan, _ = editing.load(url, new.id)
    figures = new.settings["curve_point"]
    assert abs(team_metrics(plan)["workload_worst_deviation"]) == pytest.approx(
        figures["worst_deviation"]
    )
    assert figures["worst_deviation"] == pytest.approx(ys[-1])
