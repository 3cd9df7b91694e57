"""The trade-off curve of a stored scenario (issue 17 point 2): each point opened as a scenario
reads back with the very figures the curve drew, through ``cli.py metrics``."""

from __future__ import annotations

import json

import numpy as np
import pytest

import cli
from services import curve, editing
from tests.planning.test_tally import world


@pytest.fixture
def stored(tmp_path):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    m = world()
    _, sid = editing.ensure_scenarios(url, "test", m.accounts, m.reps, m.call_plan, resolution=7)
    return url, sid


def metrics_of(capsys, url: str, scenario_id: int) -> dict:
    capsys.readouterr()
    code = cli.main(["metrics", "--scenario", str(scenario_id), "--database", url,
                     "--format", "json"])  # fmt: skip
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    return next(r for r in rows if r["rep_id"] == "TEAM")


def test_points_open_as_scenarios_with_the_figures_drawn(stored, capsys):
    url, sid = stored
    steps: list[float] = []
    found = curve.curve(url, sid, time_limit=1.0, progress=lambda f, _m: steps.append(f))
    assert steps[-1] == 1.0 and steps == sorted(steps)
    front = found.curve.front("moved")
    assert front[0].accounts_moved == 0 and len(front) >= 2
    worst = [p.worst_deviation for p in front]
    assert all(b < a for a, b in zip(worst, worst[1:], strict=False))
    # a move after the curve was computed does not change what a point opens as
    _, plan, version = editing.load(url, sid)
    editing.apply(url, sid, version, "move", np.arange(15), 1)
    for point in front:
        payload = json.loads(json.dumps(curve.point_payload(found.base, point, found.mark)))
        new_id, name = curve.open_point(url, sid, payload)
        assert name.startswith("Working plan: ") or name
        team = metrics_of(capsys, url, new_id)
        assert abs(team["workload_deviation"]) == pytest.approx(point.worst_deviation, abs=1e-9)
        assert team["travel_hours"] == pytest.approx(point.travel_hours, abs=1e-9)
        assert team["moved_accounts"] == point.moved_accounts
        assert editing.scenario(url, new_id).parent_id == sid
