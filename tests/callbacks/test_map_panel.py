"""The map's panel and the scenario list say the same "moved vs baseline" (issue 12 point 7c)."""

from __future__ import annotations

import numpy as np
import pytest
from flask import Flask

import callbacks.map as cb
from callbacks.context import DATABASE_URL_KEY
from planning.metrics import team_metrics
from services import editing, scenarios
from tests.planning.test_tally import world


@pytest.fixture
def working(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    _, sid = editing.ensure_scenarios(url, "test", m.accounts, m.reps, m.call_plan, resolution=7)
    server = Flask("test")
    server.config[DATABASE_URL_KEY] = url
    with server.app_context():
        yield url, sid


def figures(summary) -> dict[str, str]:
    """Label -> text of the team summary's figures."""
    return {li.children[0].children[:-2]: li.children[1].children for li in summary.children}


def listed(url, sid):
    return next(r for r in scenarios.scenario_rows(url, sid, 0.1) if r.info.id == sid).figures


def test_an_untouched_plan_moved_nothing_in_both(working):
    url, sid = working
    _, plan, _ = editing.load(url, sid)
    # last quarter's owners, account by account: a cell has one owner, so some differ
    assert team_metrics(plan)["moved_accounts"] == 283
    *_, summary, _note = cb.refresh_panel({"id": sid}, 10)
    shown = figures(summary)
    assert shown["Moved vs baseline"] == "0 accounts (0.0%), TAM 0.0%"
    assert shown["Owner changes vs last quarter"].startswith("283 accounts")
    assert (listed(url, sid).moved_accounts, listed(url, sid).moved_share) == (0, 0.0)


def test_after_a_move_the_panel_and_the_list_agree(working):
    url, sid = working
    board, plan, version = editing.load(url, sid)
    cells = np.flatnonzero(board.baseline.owner != 2)[:25]
    editing.apply(url, sid, version, "move", cells, 2)
    _, after, _ = editing.load(url, sid)
    changed = after.owner != board.baseline.owner
    expected = int(after.market.cell_accounts[changed].sum())
    assert expected > 0
    *_, summary, _note = cb.refresh_panel({"id": sid}, 10)
    row = listed(url, sid)
    assert row.moved_accounts == expected
    assert row.moved_share == pytest.approx(expected / 600)  # of all 600 accounts
    assert figures(summary)["Moved vs baseline"].startswith(f"{expected:,} accounts (")
