"""The impact ledger (issue 17 point 3) on the seven-cell toy world, figures by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _key_accounts_one_by_one(before: Plan, after: Plan) -> pd.DataFrame:
    """The key accounts as issue 17 listed them, account by account (the reference)."""
    from planning.ledger import KEY_COLUMNS, KEY_DECILE, _rep

    m = after.market
    a, b = before.account_owner(), after.account_owner()
    accounts = m.accounts
    tam = accounts["tam"].to_numpy(np.float64)
    cut = float(np.quantile(tam, KEY_DECILE)) if len(tam) else np.inf
    seg = accounts["segment"].astype(str).to_numpy()
    names = accounts["name"].astype(str).to_numpy()
    rows = []
    for i in np.flatnonzero(a != b).tolist():
        reasons = [r for r, hit in (("A segment", seg[i] == "A"), ("pinned", m.account_pinned[i]),
                                    ("top TAM decile", tam[i] >= cut)) if hit]  # fmt: skip
        if reasons:
            rows.append({"account_id": str(accounts["account_id"].iloc[i]), "name": names[i],
                         "segment": seg[i], "tam": tam[i],
                         "revenue": float(accounts["revenue"].iloc[i]), "why": ", ".join(reasons),
                         "from_rep": _rep(m.rep_ids, a[i]), "to_rep": _rep(m.rep_ids, b[i])})  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(KEY_COLUMNS))
    return frame.sort_values("tam", ascending=False, kind="stable").reset_index(drop=True)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.lists(st.integers(0, 10_000), min_size=0, max_size=50),
                          st.integers(-1, 3)), min_size=0, max_size=4))  # fmt: skip
def test_key_accounts_equal_the_account_by_account_list(moves) -> None:
    # issue 18: the key accounts are found on the moved accounts only, in arrays
    from planning.baseline import baseline_plan
    from planning.ledger import key_accounts_moved
    from tests.planning.test_tally import world

    market = world()
    before, _ = baseline_plan(market)
    after = before
    for raw, rep in moves:
        after = reassign(after, np.array(raw, np.int64) % market.n_cells, rep)
    got = key_accounts_moved(before, after)
    pd.testing.assert_frame_equal(got, _key_accounts_one_by_one(before, after))
