"""Issue 16 point 4: a whole reassignment with the keyboard, the mouse only for the lasso.

The rep is picked by typing a name into the picker ("r" opens it with the focus in its search
field), undo and redo are keys, and the rep table is compared with an independent recount of the
stored plan after each step. "?" lists the keys; c, m/l/u and "]" drive the colour mode, the
selection tool and the scenario; a focused control shows its outline.
"""

from __future__ import annotations

import numpy as np
import pytest

from layouts.help import KEYS
from tests.browser.harness import lasso, open_page
from tests.browser.test_map_browser import (
    app,  # noqa: F401  (the fixture)
    expected_table,
    rep_position,
    shown,
    wait_version,
)

pytestmark = pytest.mark.browser
PICKED = "rep => (document.querySelector('#rep-picker')?.innerText || '').includes(rep)"
# the typed name has filtered the list: its first option is that rep (Enter picks the first)
FILTERED = (
    "name => { const o = document.querySelectorAll('.dash-dropdown-option');"
    " return o.length > 0 && o[0].innerText.includes(name); }"
)


def rep_name(store, sid: int, rep_id: str) -> str:
    _, reps, _ = store.load_dataset(store.scenario(sid).dataset_id)
    return str(reps.set_index("rep_id").loc[rep_id, "name"])


def test_key001_reassignment_by_keyboard_except_the_lasso(browser, app):  # noqa: F811
    base, store, sid = app
    page = open_page(browser, base)
    start = store.scenario(sid)
    before = shown(page)
    assert before == expected_table(store, sid)

    # "r" opens the picker with the focus in its search field: typing a name picks the rep
    page.locator("body").press("r")
    page.wait_for_function("() => document.activeElement?.classList.contains('dash-dropdown-search')",
                           timeout=10_000)  # fmt: skip
    name = rep_name(store, sid, "R04")
    page.keyboard.type(name)
    page.wait_for_function(FILTERED, arg=name, timeout=10_000)  # under load the list lags
    page.keyboard.press("Enter")
    page.wait_for_function(PICKED, arg="R04", timeout=10_000)
    page.keyboard.press("Escape")  # the list closes if it stayed open
    page.locator("body").press("Escape")

    lasso(page, 0.45, 0.5, 0.07)  # the one mouse gesture
    wait_version(page, store, sid, start.version + 1)
    moved_plan = store.scenario(sid)
    moved = moved_plan.owner != start.owner
    assert moved.sum() > 0 and (moved_plan.owner[moved] == rep_position(store, sid, "R04")).all()
    after_move = shown(page)
    assert after_move == expected_table(store, sid) and after_move != before

    page.locator("body").press("Control+z")
    wait_version(page, store, sid, start.version + 2)
    assert np.array_equal(store.scenario(sid).owner, start.owner)
    assert shown(page) == before

    page.locator("body").press("Control+y")
    wait_version(page, store, sid, start.version + 3)
    assert np.array_equal(store.scenario(sid).owner, moved_plan.owner)
    assert shown(page) == after_move

    # a rep by number, then the selection tool and the colour mode by key
    page.locator("body").press("2")
    page.wait_for_function(PICKED, arg="R02", timeout=10_000)
    page.locator("body").press("l")
    page.wait_for_function("() => document.querySelector('#tool input[value=lock]').checked")
    page.locator("body").press("m")
    page.wait_for_function("() => document.querySelector('#tool input[value=move]').checked")
    page.locator("body").press("c")
    page.wait_for_function(
        "() => document.querySelector('#colour-mode input[value=workload]').checked"
    )
    page.close()


def test_key002_help_lists_the_keys_and_focus_shows(browser, app):  # noqa: F811
    base, store, sid = app
    page = open_page(browser, base)
    help_box = page.locator("#key-help")
    assert help_box.is_hidden()
    page.locator("body").press("?")
    assert help_box.is_visible()
    assert page.evaluate("() => document.activeElement.id") == "key-help-close"
    text = help_box.inner_text()
    for keys, does in KEYS:
        assert keys in text and does in text
    for key in ("Ctrl+Z", "p", "b", "[ ]", "/"):
        assert key in text
    page.keyboard.press("Escape")
    assert help_box.is_hidden()

    # focus is visible: Tab onto the Undo button draws an outline
    page.locator("#undo").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert page.evaluate("() => document.activeElement.id") == "undo"
    assert outline not in ("", "none")

    # "]" opens the next scenario of the data set, in the Scenarios tab's order (wrapping)
    names = [s.name for s in store.scenarios(store.scenario(sid).dataset_id)]
    page.locator("body").press("]")
    expected = names[(names.index(store.scenario(sid).name) + 1) % len(names)]
    page.wait_for_function(
        "n => (document.querySelector('#scenario-name')?.innerText || '').startsWith(n)", arg=expected,
        timeout=30_000,
    )  # fmt: skip
    page.close()
