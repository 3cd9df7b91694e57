"""Issue 16 point 6: the interface in English, Simplified Chinese, Persian and Polish.

The browser's language decides on a first visit, ``?lang=pl`` opens in Polish and is remembered,
the page's own switch changes it for good; Persian lays the page out right to left; the rep
table's numbers are written the language's way.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.harness import MAP_READY, serve

pytestmark = pytest.mark.browser


@pytest.fixture
def base(tmp_path):
    with serve(f"sqlite:///{tmp_path / 'plans.sqlite'}") as url:
        yield url


def open_in(browser, url: str, locale: str):
    context = browser.new_context(locale=locale, viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(MAP_READY, timeout=180_000)
    return context, page


def workload_cells(page) -> list[str]:
    return page.locator("#rep-table td[data-dash-column=workload_hours]").all_inner_texts()


def test_lang001_persian_is_right_to_left_and_chinese_from_the_browser(browser, base):
    context, page = open_in(browser, base + "/", "fa-IR")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "fa"
    assert page.get_attribute(".app", "dir") == "rtl"
    assert "واگرد" in page.locator("#undo").inner_text()
    assert "نمایندهٔ گیرنده" in page.locator(".toolbar").first.inner_text()
    header = page.locator("#rep-table th").all_inner_texts()
    assert "نماینده" in header
    # the toolbar starts at the right: its first control is right of its last
    first = page.locator(".toolbar > *").first.bounding_box()
    last = page.locator(".toolbar > *").last.bounding_box()
    assert first["x"] > last["x"]
    assert all(re.fullmatch(r"[۰-۹٬]+٫[۰-۹]", c) for c in workload_cells(page)), workload_cells(
        page
    )
    context.close()

    context, page = open_in(browser, base + "/", "zh-CN")
    assert page.get_attribute("html", "dir") == "ltr" and page.get_attribute("html", "lang") == "zh"
    assert "撤销" in page.locator("#undo").inner_text()
    assert page.locator("#sections").get_by_text("方案", exact=True).is_visible()
    context.close()


def test_lang002_a_polish_link_is_remembered_and_the_switch_changes_it(browser, base):
    context, page = open_in(browser, base + "/?lang=pl", "en-GB")
    assert page.get_attribute("html", "lang") == "pl"
    assert "Cofnij" in page.locator("#undo").inner_text()
    assert "Przedstawiciel docelowy" in page.locator(".toolbar").first.inner_text()
    assert all(re.fullmatch(r"\d{1,3}(\u00a0\d{3})*,\d", c) for c in workload_cells(page))

    page.goto(base + "/")  # no ?lang: the choice is remembered
    page.wait_for_function(MAP_READY, timeout=180_000)
    assert "Cofnij" in page.locator("#undo").inner_text()

    page.locator("#language").click()  # the page's own switch
    page.locator(".dash-dropdown-content [role=option]").get_by_text("English", exact=True).click()
    page.wait_for_function("() => document.documentElement.lang === 'en'", timeout=60_000)
    page.wait_for_function(MAP_READY, timeout=180_000)
    assert "Undo" in page.locator("#undo").inner_text()
    page.goto(base + "/")
    page.wait_for_function(MAP_READY, timeout=180_000)
    assert "Undo" in page.locator("#undo").inner_text()
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*\.\d", c) for c in workload_cells(page))
    context.close()
