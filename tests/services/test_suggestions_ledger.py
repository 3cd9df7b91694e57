"""Suggestions applied through the store, and the ledger between two versions (issue 17)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from planning.editing import Step
from planning.ledger import impact_ledger
from planning.metrics import team_metrics
from planning.plan import Plan
from services import editing, ledger, suggestions
from tests.planning.test_tally import world


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'plans.sqlite'}"


@pytest.fixture
def sid(url):
    m = world()  # cached and shared: change a copy of its accounts
    accounts = m.accounts.copy()
    accounts.loc[0, "name"] = "=HYPERLINK(1)"
    accounts.loc[0, "segment"] = "A"
    _, scenario = editing.ensure_scenarios(url, "test", accounts, m.reps, m.call_plan, resolution=7)
    return scenario


def test_a_suggestion_applies_as_an_undoable_move_and_helps(url, sid):
    _, plan, version = editing.load(url, sid)
    owner = plan.owner
    # a hand move: 25 cells of R2 to R1
    cells = np.flatnonzero(owner == 1)[:25]
    version = editing.apply(url, sid, version, "move", cells, 0).version
    assert suggestions.last_move_reps(url, sid) == (0, 1)
    seen_version, found = suggestions.suggestions(url, sid)
    assert seen_version == version and found
    _, moved, _ = editing.load(url, sid)
    before = abs(team_metrics(moved)["workload_worst_deviation"])
    best = found[0]
    done = suggestions.apply_suggestion(url, sid, version, list(best.cells), best.receiver_id)
    assert not done.stale and done.edit.version == version + 1
    assert abs(team_metrics(done.edit.plan)["workload_worst_deviation"]) < before
    assert (done.edit.plan.owner[list(best.cells)] == best.receiver).all()
    undone = editing.edit(url, sid, done.edit.version, Step.UNDO)
    assert np.array_equal(undone.edit.plan.owner, moved.owner)


def test_ledger_between_marks_follows_the_log(url, sid):
    start = ledger.current_mark(url, sid)
    _, plan0, version = editing.load(url, sid)
    version = editing.apply(url, sid, version, "move", np.arange(30), 2).version
    mark = ledger.current_mark(url, sid)
    assert mark > start
    version = editing.apply(url, sid, version, "move", np.arange(10, 50), 3).version
    version = editing.edit(url, sid, version, Step.UNDO).edit.version
    version = editing.edit(url, sid, version, Step.REDO).edit.version
    _, now, _ = editing.load(url, sid)
    full = ledger.ledger(url, sid, start)
    expect = impact_ledger(plan0, now)
    assert full.cells == expect.cells == int((plan0.owner != now.owner).sum())
    pd.testing.assert_frame_equal(full.reps.drop(columns=["target_before", "target_after"]),
                                  expect.reps.drop(columns=["target_before", "target_after"]))  # fmt: skip
    then, _ = ledger.plan_at(url, sid, mark)
    assert (then.owner[:30] == 2).all()
    since_mark = ledger.ledger(url, sid, mark)
    assert since_mark.cells == int((then.owner != now.owner).sum()) < full.cells + 40
    assert ledger.ledger(url, sid, ledger.current_mark(url, sid)).cells == 0
    assert full.reps["target_after"].notna().all() or full.reps["rep_id"].eq("Unassigned").any()


def test_ledger_exports_are_formula_safe(url, sid):
    _, plan, version = editing.load(url, sid)
    m = plan.market
    cell = int(m.account_cell[0])
    new_rep = (int(plan.owner[cell]) + 1) % m.n_reps
    if m.account_pinned[0]:
        pytest.skip("the account is pinned in this world")
    editing.apply(url, sid, version, "move", np.array([cell]), new_rep)
    name, blob = ledger.ledger_file(url, sid, 0, "csv")
    assert name.endswith(".csv")
    text = blob.decode()
    assert "'=HYPERLINK(1)" in text and "\r\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    name, blob = ledger.ledger_file(url, sid, 0, "xlsx")
    keys = pd.read_excel(io.BytesIO(blob), sheet_name="Key accounts")
    assert "'=HYPERLINK(1)" in keys["name"].tolist()
    mail = ledger.ledger_mail(url, sid, 0, "the meeting's start")
    assert "changed hands" in mail and "R" in mail


def test_plan_at_the_start_is_the_stored_plan_when_nothing_moved(url, sid):
    then, now = ledger.plan_at(url, sid, 0)
    assert isinstance(then, Plan) and np.array_equal(then.owner, now.owner)


def test_the_plan_at_a_mark_counts_as_a_full_recount(url, sid):
    # issue 18: plan_at counts the plan at the mark from the current one over the cells that
    # differ; after moves, a lock, an undo and a redo it equals Plan.from_owner of those owners
    from planning.tally import full_tally

    rng = np.random.default_rng(5)
    _, plan, version = editing.load(url, sid)
    n = plan.market.n_cells
    marks = [ledger.current_mark(url, sid)]
    owners = [np.array(plan.owner)]
    for step in range(6):
        if step == 3:
            version = editing.apply(url, sid, version, "lock", rng.choice(n, 5), None).version
        cells = rng.choice(n, 40, replace=False)
        version = editing.apply(url, sid, version, "move", cells, int(rng.integers(-1, 4))).version
        if step == 4:
            version = editing.edit(url, sid, version, Step.UNDO).edit.version
            version = editing.edit(url, sid, version, Step.REDO).edit.version
        marks.append(ledger.current_mark(url, sid))
        owners.append(np.array(editing.load(url, sid)[1].owner))
    for mark, owner in zip(marks, owners, strict=True):
        then, now = ledger.plan_at(url, sid, mark)
        recount = Plan.from_owner(then.market, owner)
        np.testing.assert_array_equal(then.owner, owner)
        same = np.array_equal(owner, now.owner)  # then the current plan itself, locks and all
        np.testing.assert_array_equal(then.locked, now.locked if same else recount.locked)
        assert then.tally.equals(full_tally(then.market, owner))
        assert team_metrics(then) == team_metrics(recount)
