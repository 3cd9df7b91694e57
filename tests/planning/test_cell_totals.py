"""Accounts summed per H3 cell (issue 18 point 4): hand-counted worlds, and the market's sums."""

from __future__ import annotations

import numpy as np
import pandas as pd

import h3

from planning.cell_totals import CellTotals, cell_totals, combined, totals_of_accounts
from planning.market import build_market

RES = 7
NORTH = h3.str_to_int(h3.latlng_to_cell(45.0, -93.0, RES))
SOUTH = h3.str_to_int(h3.latlng_to_cell(44.0, -93.0, RES))


def _accounts() -> pd.DataFrame:
    """Three accounts in the north cell, one in the south; money with half cents."""
    return pd.DataFrame(
        {
            "account_id": ["a1", "a2", "a3", "a4"],
            "lat": [45.0, 45.0, 45.0, 44.0],
            "lon": [-93.0, -93.0, -93.0, -93.0],
            "segment": ["A", "C", "C", "B"],
            "tam": [100.005, 0.10, 2.0, 50.0],
            "revenue": [10.0, 0.0, 1.004, 5.5],
        }
    )


def test_totals_count_segments_and_sum_money_in_cents_per_cell() -> None:
    totals = totals_of_accounts(_accounts(), RES)
    order = sorted([NORTH, SOUTH])
    assert totals.cells.tolist() == order
    north, south = order.index(NORTH), order.index(SOUTH)
    assert totals.accounts[north] == 3 and totals.accounts[south] == 1
    assert totals.segments[north].tolist() == [1, 0, 2]
    assert totals.segments[south].tolist() == [0, 1, 0]
    assert totals.tam[north] == 10001 + 10 + 200  # 100.005 rounds half away from zero
    assert totals.revenue[north] == 1000 + 0 + 100
    assert totals.tam[south] == 5000 and totals.revenue[south] == 550


def test_the_totals_of_parts_add_up_to_the_totals_of_the_whole_in_any_order() -> None:
    accounts = _accounts()
    whole = totals_of_accounts(accounts, RES)
    parts = [totals_of_accounts(accounts.iloc[i : i + 1], RES) for i in (3, 0, 2, 1)]
    assert combined(parts, RES).equals(whole)
    frame = whole.to_frame()
    assert CellTotals.from_frame(frame.iloc[::-1], RES).equals(whole)
    assert frame["cell"].dtype == np.uint64 and frame["tam_cents"].dtype == np.int64


def test_the_totals_are_the_per_cell_sums_build_market_makes(toy) -> None:
    market = toy.market
    totals = totals_of_accounts(market.accounts, market.area.resolution)
    pos = market.area.positions(totals.cells)
    assert (pos >= 0).all()
    for name, expected in (("tam", market.share_tam), ("revenue", market.share_revenue)):
        spread = np.zeros(market.n_cells, np.int64)
        spread[pos] = getattr(totals, name)
        assert np.array_equal(spread, expected)
    counts = np.zeros(market.n_cells, np.int64)
    counts[pos] = totals.accounts
    assert np.array_equal(counts, np.bincount(market.account_cell, minlength=market.n_cells))


def test_an_account_without_a_known_segment_is_refused() -> None:
    try:
        cell_totals(np.array([NORTH], np.uint64), pd.Series(["Z"]), pd.Series([1.0]),
                    pd.Series([1.0]), RES)  # fmt: skip
    except ValueError as err:
        assert "segment" in str(err)
    else:
        raise AssertionError("expected a ValueError")


def test_a_market_built_from_the_same_accounts_agrees_on_the_demo_sized_world() -> None:
    rng = np.random.default_rng(3)
    n = 2_000
    accounts = pd.DataFrame(
        {
            "account_id": [f"x{i}" for i in range(n)],
            "name": [f"x{i}" for i in range(n)],
            "lat": rng.normal(45.0, 0.5, n),
            "lon": rng.normal(-93.0, 0.5, n),
            "segment": rng.choice(["A", "B", "C"], n),
            "tam": np.round(rng.lognormal(10, 1, n), 2),
            "revenue": np.round(rng.lognormal(8, 1, n), 2),
            "rep_id": pd.array([None] * n, dtype="string"),
            "pinned": np.zeros(n, bool),
        }
    )
    reps = pd.DataFrame({"rep_id": ["R1"], "name": ["R1"], "home_lat": [45.0],
                         "home_lon": [-93.0], "capacity_hours": [1000.0]})  # fmt: skip
    market = build_market(accounts, reps)
    totals = totals_of_accounts(accounts, market.area.resolution)
    pos = market.area.positions(totals.cells)
    segments = np.zeros_like(market.cell_segments)
    segments[pos] = totals.segments
    assert np.array_equal(segments, market.cell_segments)  # nothing pinned: every account
    assert int(totals.tam.sum()) == int(market.cell_tam.sum())
