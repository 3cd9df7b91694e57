"""The Tracking tab's "Plan next quarter" callback (issue 15; h15d: it opens the new plan)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import Flask

import callbacks.tracking as cb
from callbacks.context import DATABASE_URL_KEY
from layouts.ids import Ids
from planning.callplan import default_call_plan
from services import actuals, editing
from tests.services.test_tracking import ACCOUNTS, REPS


@pytest.fixture
def page(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    monkeypatch.setenv("HEXALIGN_DATABASE_URL", url)
    dataset, sid = editing.ensure_scenarios(url, "toy", ACCOUNTS, REPS, default_call_plan(),
                                            resolution=7)  # fmt: skip
    server = Flask("test")
    server.config[DATABASE_URL_KEY] = url
    with server.app_context():
        yield url, dataset, sid


def test_plan_next_quarter_switches_the_page_to_the_new_scenario(page, tmp_path, monkeypatch):
    url, dataset, sid = page
    monkeypatch.setattr(cb, "ctx", SimpleNamespace(triggered_id=Ids.TRACKING_NEXT))
    said, scenario = cb.next_quarter(1, None, {"id": sid})
    assert "no actuals are stored" in said and scenario is cb.no_update  # nothing to plan from
    revenue = tmp_path / "rev.csv"
    revenue.write_text("account_id,period,revenue\na1,2026-Q3,60000\n", encoding="utf-8")
    actuals.store_checked(url, actuals.check_files(url, dataset, "2026-Q3", {"revenue": revenue}))
    said, scenario = cb.next_quarter(1, "2026-Q3", {"id": sid})
    made = editing.open_store(url).scenario(scenario["id"])
    assert made.id != sid and made.name.endswith("plan for 2026-Q4")
    assert said.endswith("The map now shows it; the previous plan is in the Scenarios tab.")
    assert editing.scenario_exists(url, sid)  # the previous plan stays
