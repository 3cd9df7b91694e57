"""Issue 18 point 4: a market built from per-cell totals goes into the market cache and back.

Such a market has no accounts frame, so the accounts it keeps out of the plan (outside the
boundary) are stored as arrays of their own; everything else round-trips as any market's.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd

import shapely

from data.market_cache import market_from_bytes, market_to_bytes
from geo.area import Boundary
from planning.cell_totals import totals_of_accounts
from planning.market import Market, build_market
from planning.market_totals import market_from_totals
from tests.toy import make_reps


def _world() -> tuple[pd.DataFrame, pd.DataFrame, Boundary]:
    """Four accounts at 45 N, two at 46 N (111 km north); the boundary holds only 45 N."""
    accounts = pd.DataFrame({
        "account_id": [f"a{i}" for i in range(6)], "name": [f"A{i}" for i in range(6)],
        "lat": [45.0, 45.01, 45.02, 45.0, 46.0, 46.0], "lon": [-93.0, -93.0, -93.01, -93.02,
                                                               -93.0, -93.0],
        "segment": ["A", "B", "C", "C", "A", "B"], "tam": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
        "revenue": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "rep_id": pd.array(["R1", "R1", "R2", None, "R2", "R2"], dtype="string"),
        "pinned": [False, False, True, False, False, False],
    })  # fmt: skip
    reps = make_reps({"R1": "872752646ffffff", "R2": "872752646ffffff"})
    box = Boundary(shapely.box(-93.5, 44.5, -92.5, 45.5))
    return accounts, reps, box


def test_an_aggregated_market_with_accounts_kept_out_round_trips_through_the_cache():
    accounts, reps, box = _world()
    totals = totals_of_accounts(accounts, 7)
    market = market_from_totals(totals, reps, boundary=box)
    assert market.outside_accounts == 2  # the two at 46 N, each at its cell's centre
    assert market.outside["account_id"].str.startswith("cell ").all()
    built = build_market(accounts, reps, boundary=box, area=market.area)
    assert built.outside_accounts == 2 and int(built.cell_accounts.sum()) == 3
    assert np.array_equal(built.cell_accounts, market.cell_accounts)

    back = market_from_bytes(market_to_bytes(market, market.accounts), market.accounts, reps, None)
    pd.testing.assert_frame_equal(back.outside, market.outside)
    for f in fields(Market):
        value = getattr(market, f.name)
        if isinstance(value, np.ndarray):
            assert np.array_equal(getattr(back, f.name), value), f.name
    assert back.aggregated
