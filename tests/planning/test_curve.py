"""The trade-off curve (issue 17 point 2) on the 37-cell world: monotone, figures as the metrics."""

from __future__ import annotations

import numpy as np
import pytest

from planning.curve import pareto, tradeoff_curve
from planning.metrics import team_metrics
from planning.plan import Plan
from tests.planning.test_suggestions import lopsided, world


@pytest.fixture(scope="module")
def curve():
    plan = world(lopsided)
    return plan, tradeoff_curve(plan, time_limit=2.0)


def test_fronts_are_monotone_and_start_at_moving_nothing(curve):
    plan, found = curve
    front = found.front("moved")
    assert front[0].accounts_moved == 0 and front[0].tolerance is None
    assert len(front) >= 2
    moved = [p.accounts_moved for p in front]
    worst = [p.worst_deviation for p in front]
    assert moved == sorted(moved) and len(set(moved)) == len(moved)
    assert all(b < a for a, b in zip(worst, worst[1:], strict=False))
    travel = found.front("travel")
    assert all(b.travel_hours >= a.travel_hours for a, b in zip(travel, travel[1:], strict=False))
    assert all(b.worst_deviation < a.worst_deviation for a, b in zip(travel, travel[1:],
                                                                     strict=False))  # fmt: skip
    # nothing off the front beats a front point on both figures
    for p in found.points:
        assert (
            not any(
                q.accounts_moved < p.accounts_moved and q.worst_deviation < p.worst_deviation
                for q in found.points
            )
            or found.points.index(p) not in found.by_moved
        )


def test_each_point_is_measured_as_the_metrics_measure_its_plan(curve):
    plan, found = curve
    for p in found.points:
        again = Plan.from_owner(plan.market, p.owner, plan.locked)
        team = team_metrics(again)
        assert p.worst_deviation == pytest.approx(abs(team["workload_worst_deviation"]))
        assert p.travel_hours == pytest.approx(team["travel_hours"])
        assert p.moved_accounts == team["moved_accounts"]
        assert p.accounts_moved == int((again.account_owner() != plan.account_owner()).sum())
        assert (again.owner[plan.locked] == plan.owner[plan.locked]).all()


def test_a_stop_keeps_what_was_found():
    plan = world(lopsided)
    asked = iter([False, False, True, True, True, True, True, True, True, True, True, True])
    found = tradeoff_curve(plan, time_limit=1.0, should_stop=lambda: next(asked, True))
    assert found.stopped_early and 1 <= len(found.points) <= 3


def test_pareto_by_hand():
    from planning.curve import CurvePoint

    def p(w, m):
        return CurvePoint(None, None, w, 0.0, m, 0, None, None, np.zeros(0))

    points = [p(0.5, 0), p(0.3, 10), p(0.4, 20), p(0.1, 30), p(0.1, 40), p(0.3, 5)]
    assert pareto(points, lambda q: q.accounts_moved) == [0, 5, 3]
