"""The impact ledger (issue 17 point 3) on the seven-cell toy world, figures by hand."""

from __future__ import annotations

import numpy as np
import pytest

from planning.ledger import impact_ledger, mail_text
from planning.plan import Plan, reassign
from tests.toy import make_toy


def start() -> tuple[Plan, dict[str, int]]:
    toy = make_toy()
    owner = np.ones(toy.market.n_cells, np.int64)  # R2 everywhere ...
    owner[toy.pos(toy.centre)] = 0  # ... but the centre, R1's
    return Plan.from_owner(toy.market, owner), {"centre": toy.pos(toy.centre),
                                               "ring0": toy.pos(toy.ring[0])}  # fmt: skip


def test_gains_and_losses_per_rep() -> None:
    plan, pos = start()
    m = plan.market
    after = reassign(plan, np.array([pos["ring0"]]), 0)  # a2 (B, 500.50) and a3 (C, 99.99) to R1
    led = impact_ledger(plan, after, np.array([10.0, 20.0]), np.array([11.0, 19.0]))
    rows = led.reps.set_index("rep_id")
    assert list(rows.index) == ["R1", "R2"]  # nothing from or to nobody: no Unassigned row
    assert rows.loc["R1", "accounts_gained"] == 2 and rows.loc["R1", "accounts_lost"] == 0
    assert rows.loc["R2", "accounts_lost"] == 2 and rows.loc["R2", "accounts_net"] == -2
    assert rows.loc["R1", "tam_gained"] == pytest.approx(600.49)
    assert rows.loc["R2", "revenue_lost"] == pytest.approx(100.25)
    c = pos["ring0"]
    assert rows.loc["R1", "workload_hours_gained"] == pytest.approx(
        (m.cell_visit_s[c] + m.travel_s[c, 0]) / 3600
    )
    assert rows.loc["R2", "workload_hours_lost"] == pytest.approx(
        (m.cell_visit_s[c] + m.travel_s[c, 1]) / 3600
    )
    assert rows.loc["R1", "target_before"] == 10.0 and rows.loc["R1", "target_after"] == 11.0
    assert led.cells == 1 and led.accounts == 2
    assert led.key_accounts.empty  # a B and a C below the top TAM decile (900.10)


def test_key_accounts_are_named_from_whom_to_whom() -> None:
    plan, pos = start()
    after = reassign(plan, np.array([pos["centre"]]), 1)  # a1 (A, TAM 1000) from R1 to R2
    led = impact_ledger(plan, after)
    keys = led.key_accounts
    assert keys[["account_id", "from_rep", "to_rep"]].values.tolist() == [["a1", "R1", "R2"]]
    assert keys.loc[0, "why"] == "A segment, top TAM decile"
    assert led.reps["target_before"].isna().all()
    text = mail_text(led, "Working plan", "the start of the meeting")
    assert "Account a1 (A segment, top TAM decile): R1 → R2" in text
    assert "- R1: -1 accounts" in text and "- R2: +1 accounts" in text


def test_unassigning_shows_the_unassigned_row_and_nothing_is_nothing() -> None:
    plan, pos = start()
    after = reassign(plan, np.array([pos["ring0"]]), -1)
    rows = impact_ledger(plan, after).reps.set_index("rep_id")
    assert rows.loc["Unassigned", "accounts_gained"] == 2
    assert rows.loc["R2", "accounts_lost"] == 2
    same = impact_ledger(plan, plan)
    assert same.cells == 0 and "No territory changed hands." in mail_text(same, "P", "then")
