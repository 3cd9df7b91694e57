"""The data-set switcher's and the find box's callbacks, called directly."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from dash.exceptions import PreventUpdate
from flask import Flask

import callbacks.datasets as cb
import callbacks.find as find_cb
from callbacks.context import DATABASE_URL_KEY
from layouts.ids import Ids, find_result_id
from services import editing
from services.session import DatasetRow
from tests.planning.test_tally import world


@pytest.fixture
def two(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    north = editing.ensure_scenarios(url, "north", m.accounts, m.reps, m.call_plan, resolution=7)
    south_accounts = m.accounts.iloc[:250].reset_index(drop=True)
    south = editing.ensure_scenarios(url, "south", south_accounts, m.reps, m.call_plan,
                                     resolution=7)  # fmt: skip
    server = Flask("test")
    server.config[DATABASE_URL_KEY] = url
    with server.app_context():
        yield url, north, south


def test_the_switcher_lists_newest_first_with_counts_and_the_open_one_marked(two):
    _, (north, north_sid), (south, _) = two
    name, options, caption = cb.show_datasets({"id": north_sid}, None)
    assert name == "north"
    assert [o["value"] for o in options] == [south, north]
    assert options[1]["label"].startswith("north (open) · stored ")
    assert options[1]["label"].endswith(" · 600 accounts · 4 reps")
    assert options[0]["label"].endswith(" · 250 accounts · 4 reps")
    assert caption == (
        "Scenarios of data set “north” (600 accounts, 4 reps). 1 other data set: switch in the header."
    )


def test_choosing_a_data_set_opens_its_scenario_and_resets_the_switcher(two):
    _, (north, north_sid), (south, south_sid) = two
    scenario, message, switcher, find_text = cb.open_dataset(south, {"id": north_sid})
    assert scenario == {"id": south_sid} and switcher is None and find_text == ""
    assert message == "Opened data set “south”, scenario “Working plan”."
    scenario, message, *_ = cb.open_dataset(north, {"id": north_sid})
    assert scenario is cb.no_update and message == "Data set “north” is open already."
    with pytest.raises(PreventUpdate):
        cb.open_dataset(None, {"id": north_sid})


def test_caption_says_nothing_without_a_current_data_set():
    row = DatasetRow(1, "a", datetime(2026, 1, 1, tzinfo=UTC), 3, 1, False)
    assert cb.list_caption([row]) == ""


def test_find_lists_lines_and_enter_takes_the_first(two, monkeypatch):
    _, (north, north_sid), _ = two
    lines = find_cb.search("A12", {"id": north_sid})
    values = [li.children.id["value"] for li in lines]
    assert values[:2] == ["account:A12", "account:A120"]  # exact id, then id prefixes
    assert find_cb.search("  ", {"id": north_sid}) == []
    ids = [{"kind": Ids.FIND_RESULT, "value": v} for v in values]
    assert find_cb.chosen_value(Ids.FIND, [], ids) == "account:A12"
    clicked = find_result_id("account:A120")
    assert find_cb.chosen_value(clicked, [{"value": 1}], ids) == "account:A120"
    assert find_cb.chosen_value(clicked, [{"value": 0}], ids) is None  # (re)drawn, not clicked
    monkeypatch.setattr(find_cb, "ctx", SimpleNamespace(triggered_id=Ids.FIND, triggered=[]))
    focus, message, lines_after = find_cb.choose([0] * len(ids), 1, ids, {"id": north_sid})
    assert message.startswith("Account A12 x: its cell is outlined") and lines_after == []
    assert focus["center"] is not None and len(focus["bounds"]) == 4
    assert focus["outline"]["type"] == "Polygon" and focus["key"].startswith("account:A12:")


def test_enter_with_no_list_takes_the_best_match_of_the_text(two, monkeypatch):
    _, (north, north_sid), _ = two
    monkeypatch.setattr(find_cb, "ctx", SimpleNamespace(triggered_id=Ids.FIND, triggered=[]))
    focus, message, _ = find_cb.choose([], 2, [], {"id": north_sid}, "a12")
    assert focus["key"].startswith("account:A12:")
    _, message, _ = find_cb.choose([], 3, [], {"id": north_sid}, "zzz")
    assert message == "Nothing found for “zzz”."
    with pytest.raises(PreventUpdate):
        find_cb.choose([], 4, [], {"id": north_sid}, "  ")
