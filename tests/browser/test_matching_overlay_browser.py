"""Matching and the overlay layer in a real browser (issue 15 sections 4 and 3).

The demo team is stored again with experience levels (new, experienced, senior in turn) and
one overlay rep O1 serving every remote C account. The page opens that data set's working
plan; the Matching tab's table and fit must be what ``services.matching`` reads of the stored
plan (formatted by the page's own functions); the Overlay tab shows O1's balance, gives the
overlay accounts of one field territory to O1, and the field layer's version stays put.
"""

from __future__ import annotations

import pandas as pd
import pytest

from data.store import Store
from data.validation import sort_reps
from layouts.matching import fit_text, matching_rows
from services import editing, matching, overlay
from tests.browser.harness import lasso, open_page, serve, table

pytestmark = pytest.mark.browser

ROWS = """sel => Array.from(document.querySelectorAll(sel + ' tbody tr'))
    .map(tr => Object.fromEntries(Array.from(tr.querySelectorAll('td[data-dash-column]'))
    .map(td => [td.dataset.dashColumn, td.innerText.trim()])))
    .filter(r => Object.keys(r).length)"""


def choose(page, dropdown: str, label: str) -> None:
    page.locator(dropdown).click()
    page.locator(".Select-menu-outer, [role=listbox]").get_by_text(label, exact=False).first.click()


@pytest.fixture
def app(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    with serve(url) as base:
        store = Store(url)
        demo = store.datasets()[0].id
        resolution = next(s for s in store.scenarios(demo) if not s.baseline).resolution
        accounts, reps, call_plan = store.load_dataset(demo)
        reps = reps.copy()
        reps["experience"] = pd.array(
            [("new", "experienced", "senior")[i % 3] for i in range(len(reps))], dtype="string"
        )
        reps["layer"] = "field"
        inside = pd.DataFrame([{**reps.iloc[0].to_dict(), "rep_id": "O1", "name": "Inside Olga",
                                "layer": "overlay", "overlay": "segment=C; channel=remote",
                                "experience": "senior"}])  # fmt: skip
        team = sort_reps(pd.concat([reps, inside], ignore_index=True))
        team["overlay"] = pd.array(team["overlay"], dtype="string")
        _, sid = editing.ensure_scenarios(url, "two layers", accounts, team, call_plan,
                                          resolution=resolution)  # fmt: skip
        yield base, store, url, sid
        store.close()


def test_match001_matching_and_overlay_tabs(browser, app):
    base, store, url, sid = app
    page = open_page(browser, base)
    page.evaluate(f"() => localStorage.setItem('scenario-store', JSON.stringify({{id: {sid}}}))")
    page.reload()
    page.wait_for_function("() => window.hexalign && window.hexalign.fitted", timeout=90_000)

    view = matching.scenario_matching(url, sid)
    page.locator("#sections").get_by_text("Matching", exact=True).click()
    page.wait_for_function(f"() => ({ROWS})('#match-table').length === {len(view.table)}",
                           timeout=90_000)  # fmt: skip
    shown = page.evaluate(ROWS, "#match-table")
    want = [{k: str(v) for k, v in r.items()} for r in matching_rows(view.table)]
    assert [r["rep_id"] for r in shown] == [r["rep_id"] for r in want]
    assert "O1" not in [r["rep_id"] for r in shown]  # the overlay rep is not a field rep
    assert [r["matching_flag"] for r in shown] == [r["matching_flag"] for r in want]
    assert [r["contested_accounts"] for r in shown] == [r["contested_accounts"] for r in want]
    assert page.locator("#match-fit").inner_text() == fit_text(view.fit, True)

    _, _, field_version = editing.load(url, sid)
    page.locator("#sections").get_by_text("Overlay", exact=True).click()
    page.wait_for_function(f"() => ({ROWS})('#overlay-table').length === 1", timeout=90_000)
    assert page.evaluate(ROWS, "#overlay-table")[0]["rep_id"] == "O1"
    first = overlay.overlay_view(url, sid)
    assert f"{first.accounts:,} accounts" in page.locator("#overlay-status").inner_text()
    # give the overlay accounts of the first field territory to O1
    field_rep = first.field_reps[0][0]
    choose(page, "#overlay-territories", f"({field_rep})")
    page.keyboard.press("Escape")
    choose(page, "#overlay-rep", "(O1)")
    page.locator("#overlay-assign").click()
    page.wait_for_function(
        "() => (document.querySelector('#overlay-message')?.innerText || '').includes('to O1')",
        timeout=60_000,
    )
    assert store.overlay(sid) is not None and store.overlay(sid).version == 1
    assert editing.load(url, sid)[2] == field_version  # the field layer was not written
    with page.expect_download(timeout=60_000) as download:
        page.locator("#overlay-export").click()
    assert download.value.suggested_filename.endswith("overlay.xlsx")
    page.close()


def test_match002_a_lasso_on_the_overlay_layer_moves_overlay_cells_only(browser, app):
    # issue 15 overlay: the map's layer switch. O1 starts with no overlay account (last quarter's
    # owners are field reps); on the overlay layer a real lasso gives cells to O1: the panel's
    # O1 row becomes what the stored overlay plan gives, the field layer is not written and its
    # table is the same when switched back.
    base, store, url, sid = app
    page = open_page(browser, base)
    page.evaluate(f"() => localStorage.setItem('scenario-store', JSON.stringify({{id: {sid}}}))")
    page.reload()
    page.wait_for_function("() => window.hexalign && window.hexalign.fitted", timeout=90_000)
    page.wait_for_function("() => !document.querySelector('#map-layer-box').hidden",
                           timeout=60_000)  # fmt: skip
    _, _, field_version = editing.load(url, sid)
    page.wait_for_function("() => document.querySelectorAll('#rep-table tbody tr').length > 2",
                           timeout=60_000)  # fmt: skip
    field_table = table(page)
    assert "O1" not in field_table

    page.locator("#map-layer").get_by_text("Overlay", exact=True).click()
    page.wait_for_function(
        "() => { const r = Array.from(document.querySelectorAll("
        "'#rep-table td[data-dash-column=rep_id]')).map(td => td.innerText.trim());"
        " return r.length === 1 && r[0] === 'O1'; }", timeout=90_000)  # fmt: skip
    page.wait_for_function("() => window.hexalign && window.hexalign.fitted", timeout=90_000)
    before = table(page)["O1"]
    assert before["cells"] == "0" and before["accounts_c"] == "0"

    choose(page, "#rep-picker", "O1 Inside Olga")
    lasso(page, 0.5, 0.5, 0.12)
    page.wait_for_function(
        "() => (document.querySelector('#message')?.innerText || '').includes('to O1')",
        timeout=90_000,
    )
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#rep-table td[data-dash-column=cells]'))"
        ".some(td => td.innerText.trim() !== '0')", timeout=60_000)  # fmt: skip
    scene = overlay.overlay_scene(url, sid)
    assert scene is not None and scene.state.version == 1
    want = table_rows_of(scene)
    after = table(page)["O1"]
    for column in ("cells", "accounts_a", "accounts_b", "accounts_c", "workload_hours", "tam"):
        assert after[column] == str(want[column]), column
    assert int(after["cells"]) > 0 and after["accounts_c"] != before["accounts_c"]
    assert editing.load(url, sid)[2] == field_version  # the field layer was not written

    # issue 15 (h15d): Undo on the overlay layer takes the lasso back, Redo gives it again; the
    # field layer is still not written
    page.locator("#undo").click()
    page.wait_for_function(
        "() => (document.querySelector('#message')?.innerText || '').startsWith('Undone (overlay)')",
        timeout=60_000)  # fmt: skip
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#rep-table td[data-dash-column=cells]'))"
        ".every(td => td.innerText.trim() === '0')", timeout=60_000)  # fmt: skip
    assert store.overlay(sid).version == 2 and table(page)["O1"] == before
    page.locator("#redo").click()
    page.wait_for_function(
        "() => (document.querySelector('#message')?.innerText || '').startsWith('Redone (overlay)')",
        timeout=60_000)  # fmt: skip
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#rep-table td[data-dash-column=cells]'))"
        ".some(td => td.innerText.trim() !== '0')", timeout=60_000)  # fmt: skip
    assert store.overlay(sid).version == 3 and table(page)["O1"] == after
    assert editing.load(url, sid)[2] == field_version

    page.locator("#map-layer").get_by_text("Field", exact=True).click()
    page.wait_for_function(
        "() => document.querySelectorAll('#rep-table tbody tr').length > 2", timeout=90_000
    )
    assert table(page) == field_table
    page.close()


def table_rows_of(scene: overlay.OverlayScene) -> dict[str, object]:
    """O1's panel row as the page formats it, from the stored overlay plan."""
    from callbacks.map import panel

    rows = panel(scene.state.plan, 10, None, scene.board.baseline.owner)[0]
    return next(r for r in rows if r["rep_id"] == "O1")
