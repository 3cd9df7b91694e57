"""Comparing two plans of the toy world, numbers worked out by hand.

Toy (tests/conftest.py): a1 (A, TAM 1000.00, revenue 250.00) in the centre,
owned by R1; a2 (B, 500.50 / 100.25) and a3 (C, 99.99 / 0.00) in ring cell 0,
owned by R2. Moving ring cell 0 to R1 moves 2 accounts, TAM 600.49, revenue 100.25.
"""

from __future__ import annotations

import numpy as np
import pytest

import h3

from common.errors import PlanError
from geo.area import area_from_cells
from planning.compare import BALANCE_MEASURES, compare_plans
from planning.market import build_market
from planning.metrics import team_metrics
from planning.plan import Plan, reassign
from tests.toy import make_reps, toy_market


@pytest.fixture
def before(toy):
    owner = np.full(toy.market.n_cells, 1)
    owner[toy.pos(toy.centre)] = 0
    return Plan.from_owner(toy.market, owner)


@pytest.fixture
def after(toy, before):
    return reassign(before, np.array([toy.pos(toy.ring[0])]), 0)


def test_moved_cells_and_money(toy, before, after):
    cmp = compare_plans(before, after)
    assert cmp.changes.to_dict("records") == [
        {
            "h3_cell": toy.ring[0],
            "from_rep": "R2",
            "to_rep": "R1",
            "accounts": 2,
            "visit_hours": pytest.approx(12 * 45 / 60 + 12 * 15 / 60),
            "tam": pytest.approx(600.49),
            "revenue": pytest.approx(100.25),
        }
    ]
    assert cmp.summary["cells_moved"] == 1
    assert cmp.summary["accounts_moved"] == 2
    assert cmp.summary["tam_moved"] == pytest.approx(600.49)
    assert cmp.summary["revenue_moved"] == pytest.approx(100.25)


def test_per_rep_deltas(before, after):
    reps = compare_plans(before, after).reps
    assert reps.loc["R1", "accounts_a"] == 1 and reps.loc["R1", "accounts_b"] == 3
    assert reps.loc["R1", "accounts_delta"] == 2 and reps.loc["R2", "accounts_delta"] == -2
    assert reps.loc["R1", "tam_delta"] == pytest.approx(600.49)
    assert reps.loc["R2", "cells_delta"] == -1
    assert reps["workload_hours_delta"].sum() == pytest.approx(
        (reps["workload_hours_b"] - reps["workload_hours_a"]).sum()
    )


def test_balance_before_and_after_come_from_team_metrics(before, after):
    summary = compare_plans(before, after).summary
    ta, tb = team_metrics(before), team_metrics(after)
    for name in BALANCE_MEASURES:
        assert summary[f"{name}_a"] == ta[name] and summary[f"{name}_b"] == tb[name]
    frame = compare_plans(before, after).summary_frame().set_index("measure")
    row = frame.loc["workload_cv"]
    assert row["change"] == pytest.approx(tb["workload_cv"] - ta["workload_cv"])
    assert frame.loc["accounts_moved", "after"] == 2


def test_a_plan_compared_with_itself_changes_nothing(before):
    cmp = compare_plans(before, before)
    assert cmp.changes.empty and cmp.summary["accounts_moved"] == 0
    assert (cmp.reps.filter(like="_delta") == 0).all().all()


def test_plans_of_different_teams_are_refused(toy, before):
    reps = make_reps({"R1": toy.centre, "R9": toy.ring[3]})
    other = toy_market(toy.accounts.assign(rep_id="R1"), reps)
    with pytest.raises(PlanError, match="different teams"):
        compare_plans(before, Plan.from_owner(other, before.owner))


def test_plans_of_different_areas_are_refused(toy, before):
    wider = sorted(h3.grid_disk(toy.centre, 2))
    area = area_from_cells(np.array([h3.str_to_int(c) for c in wider], np.uint64), 7)
    market = build_market(toy.accounts, toy.reps, area=area)
    other = Plan.from_owner(market, np.zeros(market.n_cells, np.int64))
    with pytest.raises(PlanError, match="different planning areas"):
        compare_plans(before, other)
