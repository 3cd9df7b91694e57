"""Issue 17 layouts: suggestion buttons, the ledger table and the curve chart, from values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from layouts.curve import curve_figure
from layouts.ledger import ledger_table
from layouts.suggestions import EMPTY, suggestion_buttons, suggestion_data
from planning.ledger import REP_COLUMNS, Ledger
from planning.suggestions import Suggestion

S = Suggestion((4, 5), 0, 1, "R1", "R2", 0.30, 0.25, -1.5, 12, 0)


def test_one_button_per_suggestion_with_its_words():
    buttons = suggestion_buttons([S])
    assert buttons[0].id == {"kind": "suggestion-apply", "index": 0}
    assert buttons[0].children == "2 cells R1 → R2: worst +30.0% → +25.0%, -1.5 h travel, " \
        "12 accounts, contiguity kept"  # fmt: skip
    assert suggestion_buttons([])[0].children == EMPTY
    assert suggestion_data(7, [S]) == {"version": 7, "items": [{"cells": [4, 5], "receiver": "R2"}]}


def test_ledger_table_lists_reps_that_changed_and_key_accounts():
    row = dict.fromkeys(REP_COLUMNS, 0.0)
    reps = pd.DataFrame([
        {**row, "rep_id": "R1", "name": "Ann", "accounts_gained": 3, "accounts_net": 3,
         "workload_hours_gained": 2.5, "target_before": 100.0, "target_after": 120.0},
        {**row, "rep_id": "R2", "name": "Bo"},
    ])  # fmt: skip
    keys = pd.DataFrame([{"account_id": "a1", "name": "Acme", "segment": "A", "tam": 1.0,
                          "revenue": 0.0, "why": "A segment", "from_rep": "R2",
                          "to_rep": "R1"}])  # fmt: skip
    out = ledger_table(Ledger(reps, keys, 2, 3))
    text = str(out)
    assert "2 cells, 3 accounts changed hands." in text
    assert "'R1'" in text and "'R2'" not in text
    assert "+3 (+3 / −0)" in text and "100 → 120" in text
    assert "Acme (A segment): R2 → R1" in text
    empty = ledger_table(Ledger(reps.iloc[:0], keys.iloc[:0], 0, 0))
    assert "No territory" in str(empty)


def test_curve_chart_draws_every_plan_and_the_front():
    point = {"label": "x", "worst_deviation": 0.2, "travel_hours": 10.0, "accounts_moved": 5,
             "bound": None, "gap": None}  # fmt: skip
    data = {"points": [{**point, "accounts_moved": 0, "worst_deviation": 0.5}, point],
            "fronts": {"moved": [0, 1], "travel": [1]}}  # fmt: skip
    fig = curve_figure(data, "moved")
    assert list(fig.data[1].x) == [0, 5] and list(fig.data[1].customdata) == [0, 1]
    assert list(curve_figure(data, "travel").data[1].x) == [10.0]
    assert "no lower bound proven" in fig.data[1].hovertext[0]
    assert len(curve_figure(None, "moved").data) == 0
    assert np.isclose(fig.data[0].y[0], 0.5)
