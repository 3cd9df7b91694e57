"""The Tracking tab's formatting and the map's tracking colour modes (issue 15)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from callbacks.tracking import uploads
from layouts.map_figure import colour_settings
from layouts.tracking import period_options, table_rows, thresholds, tracking_panel
from planning.mapview import COLOUR_MODES, TRACKING_MODES, UnitFacts


def test_rows_format_money_ratios_and_share_change():
    frame = pd.DataFrame([{
        "rep_id": "Ann", "name": "Ann", "revenue": 64_600.0, "target": 100_000.0,
        "attainment": 0.646, "visits_made": 11.0, "visits_planned": 14.5,
        "call_compliance": 11 / 14.5, "call_compliance_A": 10 / 13, "call_compliance_B": 2 / 3,
        "call_compliance_C": math.nan, "coverage": 1.0, "market_share": 0.5252,
        "market_share_change": 0.1187, "flag": "",
    }])  # fmt: skip
    row = table_rows(frame)[0]
    assert row["revenue"] == "64,600" and row["attainment"] == "64.6%"
    assert row["visits_made"] == "11" and row["visits_planned"] == "14.5"
    assert row["call_compliance"] == "75.9%" and row["call_compliance_C"] == "–"
    assert row["market_share_change"] == "+11.9 pt" and row["flag"] == ""


def test_thresholds_periods_and_uploads():
    assert thresholds(80, "") == {"attainment": 0.8}
    assert thresholds(None, 50) == {"call_compliance": 0.5}
    assert period_options(["2026-Q2", "2026-Q3"])[0] == {"label": "2026-Q3", "value": "2026-Q3"}
    given = uploads(None, None, "v.csv", "data:text/csv;base64,eA==")
    assert [(u.kind, u.filename) for u in given] == [("visits", "v.csv")]
    assert tracking_panel() is not None


def test_tracking_modes_paint_the_owners_figure():
    assert set(TRACKING_MODES) <= set(COLOUR_MODES)
    n = 3
    facts = UnitFacts(
        units=np.arange(n), owner=np.array([0, 1, -1]), accounts=np.zeros(n),
        segments=np.zeros((n, 3)), tam=np.zeros(n), revenue=np.zeros(n),
        workload_h=np.zeros(n), changed=np.zeros(n, bool), locked=np.zeros(n, bool),
        rep_values={"attainment": np.array([0.9, 1.1])},
    )  # fmt: skip
    z = facts.values("attainment")
    assert z[:2].tolist() == [0.9, 1.1] and math.isnan(z[2])
    assert np.isnan(facts.values("call_compliance")).all()  # no figures: nothing painted
    assert colour_settings("attainment", 2)["colorbar"]["title"]["text"] == "Attainment"
