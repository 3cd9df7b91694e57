"""Issue 16 point 5: axe-core finds no serious or critical violation on the four screens.

axe-core 4.14.1 (MPL-2.0) is vendored in tests/browser/vendor/ (offline CI) and injected into
headless Chromium; the map screen is audited as it opens, then each tab as it is opened.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.harness import open_page, serve

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""
BLOCKING = ("serious", "critical")


@pytest.fixture
def base(tmp_path):
    with serve(f"sqlite:///{tmp_path / 'plans.sqlite'}") as url:
        yield url


def blocking(page) -> list[dict]:
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


def test_a11y001_no_serious_violation_on_map_scenarios_balance_data(browser, base):
    page = open_page(browser, base)
    page.add_script_tag(path=str(AXE))
    assert blocking(page) == [], "map screen"
    for tab, ready in (
        ("Scenarios", "#scenario-list table, #scenario-list tr"),
        ("Auto-balance", "#balance-run"),
        ("Data", "#data-accounts-upload"),
    ):
        page.locator("#sections").get_by_text(tab, exact=True).click()
        page.locator(ready).first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)  # the tab's callbacks fill it
        assert blocking(page) == [], tab
    page.close()


def test_a11y002_status_is_said_in_words_and_controls_are_named(browser, base):
    page = open_page(browser, base)
    statuses = page.locator("#rep-table td[data-dash-column=status]").all_inner_texts()
    assert statuses and all(s.startswith(("✓", "⚠")) and len(s) > 2 for s in statuses)
    # the radio lists are named groups of plain labels, and the dropdowns take Tab on a named button
    assert page.get_attribute("#tool", "role") == "radiogroup"
    assert page.get_attribute("#tool", "aria-label") == "Selection does"
    assert page.get_attribute("#colour-mode", "aria-label") == "Colour by"
    assert page.get_attribute("#rep-picker", "tabindex") == "0"
    page.close()
