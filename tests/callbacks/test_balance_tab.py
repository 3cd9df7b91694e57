"""The auto-balance tab's form and Cancel (issue 12 point 7d, 7f)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

import callbacks.balance_tab as cb
import callbacks.tolerance as tolerance_cb
from callbacks.context import DATABASE_URL_KEY, tolerance_share
from planning.optimizer import Settings as BalanceSettings
from services import editing
from tests.planning.test_tally import world


@pytest.fixture
def working(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    monkeypatch.setenv("HEXALIGN_DATABASE_URL", url)
    m = world()
    _, sid = editing.ensure_scenarios(url, "test", m.accounts, m.reps, m.call_plan, resolution=7)
    cache: dict[str, object] = {}
    fake = type("Cache", (), {
        "get": lambda self, k: cache.get(k), "delete": lambda self, k: cache.pop(k, None),
        "set": lambda self, k, v, expire=None: cache.__setitem__(k, v),
    })()  # fmt: skip
    monkeypatch.setattr(cb, "job_cache", lambda: fake)
    server = Flask("test")
    server.config[DATABASE_URL_KEY] = url
    with server.app_context():
        yield url, sid, cache


# --- 7d: bounded numbers --------------------------------------------------------------------


def test_the_toolbar_tolerance_is_put_back_within_bounds_with_a_sentence():
    # the browser sends None for a typed -5 or 250 (outside the field's min/max)
    assert tolerance_cb.check_tolerance(None) == (
        10.0, "Tolerance must be a number from 0.5 to 100 %; it is back to 10 %.",
    )  # fmt: skip
    assert tolerance_cb.check_tolerance(250) == (
        100.0, "Tolerance is at most 100 %; 250 % became 100 %.",
    )  # fmt: skip
    assert tolerance_cb.check_tolerance(-5) == (
        0.5, "Tolerance is at least 0.5 %; -5 % became 0.5 %.",
    )  # fmt: skip
    with pytest.raises(cb.PreventUpdate):
        tolerance_cb.check_tolerance(12.5)
    # every callback reading the field uses the bounded share
    assert [tolerance_share(v) for v in (-5, 250, None, "abc", 12.5)] == [
        0.005, 1.0, 0.1, 0.1, 0.125,
    ]  # fmt: skip


def test_the_balance_form_refuses_fields_outside_their_bounds(working):
    assert cb.form_problems(5, 25, 1, 60) == []
    assert cb.form_problems(None, 250, -1, 0) == [
        "Tolerance must be a number from 0.5 to 50 %.",
        "Max accounts moved must be a number from 0 to 100 %.",
        "Compactness weight must be a number from 0 to 100.",
        "Time limit must be a number from 1 to 600 s.",
    ]
    sent = []
    scenario, result = cb.run_balance(
        sent.append, 1, {"id": working[1]}, "rebalance", ["workload"], None, 25, 1, 60, 0
    )
    assert scenario is cb.no_update and sent == [("0", "100", "not run: see below")]
    assert "Tolerance must be a number from 0.5 to 50 %." in str(result)


def test_balance_settings_are_within_bounds():
    s = cb.balance_settings("rebalance", ["tam"], 7.5, 30, 2, 90, 3)
    assert isinstance(s, BalanceSettings)
    assert (s.tolerance, s.disruption_cap, s.compactness_weight, s.time_limit, s.seed) == (
        0.075, 0.3, 2.0, 90.0, 3,
    )  # fmt: skip
    assert cb.balance_settings("design", None, 80, 0, 0, 1000, None).tolerance == 0.5


# --- 7f: Cancel says so ---------------------------------------------------------------------


def test_cancel_says_nothing_was_kept(working):
    _, sid, cache = working
    cache[cb.run_key(sid)] = datetime.now(UTC).isoformat()
    assert cb.cancel_status(1, {"id": sid}) == (
        "Auto-balance cancelled: nothing was kept; the plan on the map is unchanged.", "0",
    )  # fmt: skip
    with pytest.raises(cb.PreventUpdate):
        cb.cancel_status(0, {"id": sid})


def test_cancel_names_a_result_stored_before_it(working):
    url, sid, cache = working
    cache[cb.run_key(sid)] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    settings = cb.balance_settings("rebalance", ["workload"], 5, 25, 1, 2, 0)
    balanced = editing.balance_to_new_scenario(url, sid, settings)
    status, progress = cb.cancel_status(1, {"id": sid})
    assert status == (
        f"Auto-balance cancelled after it had finished: “{balanced.name}” was kept "
        "(see Scenarios); the plan on the map is unchanged."
    )
    # a run started after that result: it is not this run's
    cache[cb.run_key(sid)] = datetime.now(UTC).isoformat()
    assert cb.cancel_status(1, {"id": sid})[0].startswith("Auto-balance cancelled: nothing")


def test_outcome_names_why_the_run_stopped():
    """Issue 13 point 3: why the run stopped comes right under the figures, once."""
    from planning.optimizer import balance
    from planning.optimizer.synthetic import grid_instance

    result = balance(grid_instance(8, 8, 3, seed=2), BalanceSettings(time_limit=2, seed=0))
    items = [li.children for li in cb.outcome(result, "Auto-balance of Working plan").children]
    assert items[1].startswith("Stopped: ") and items[1].endswith(".")
    assert sum(text.lower().startswith("stopped:") for text in items) == 1


# --- issue 15 (h15d): the experience weight --------------------------------------------------


def test_the_experience_weight_is_bounded_and_reaches_the_run(working):
    url, sid, _ = working
    assert cb.experience_weight_of(None) == 0.0 and cb.experience_weight_of("2.5") == 2.5
    sent: list = []
    scenario, result = cb.run_balance(
        sent.append, 1, {"id": sid}, "rebalance", ["workload"], 5, 25, 1, 60, 0, None,
        "disruption", -1,
    )  # fmt: skip
    assert scenario is cb.no_update
    assert "Experience weight must be a number from 0 to 100." in str(result)
    scenario, _ = cb.run_balance(
        sent.append, 1, {"id": sid}, "rebalance", ["workload"], 5, 25, 1, 2, 0, None,
        "disruption", 3,
    )  # fmt: skip
    record = editing.open_store(url).scenario(int(scenario["id"]))
    assert record.settings["autobalance"]["experience_weight"] == 3.0
