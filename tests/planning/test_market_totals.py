"""Issue 18 point 4: a market built from per-cell totals equals the one built from the accounts.

Field by field (every per-cell, per-(cell, rep) and per-rep array), on the toy world and named
variants of it (pins, two owners in one cell, an owner who is not on the team, nobody's
accounts), then the baseline, a move and the metrics; and a property test over random worlds.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import h3

from geo.area import area_from_cells
from planning.baseline import baseline_plan
from planning.cell_totals import CellTotals, totals_of_accounts
from planning.market import Market, build_market
from planning.market_totals import NoAccountRowsError, market_from_totals
from planning.metrics import rep_metrics, team_metrics
from planning.plan import reassign
from tests.toy import CENTRE, DISK, RING, make_accounts, make_reps, toy_accounts_and_reps

PER_ACCOUNT = {"accounts", "account_cell", "account_rep", "account_pinned", "account_visit_s",
               "account_class", "account_travel_s", "outside", "area"}  # fmt: skip
AREA = area_from_cells(np.array([h3.str_to_int(c) for c in DISK], np.uint64), 7)


def assert_same_market(built: Market, summed: Market) -> None:
    """Every field but the per-account ones, exactly; the area's cells too."""
    assert np.array_equal(built.area.cells, summed.area.cells)
    for f in fields(Market):
        if f.name in PER_ACCOUNT:
            continue
        a, b = getattr(built, f.name), getattr(summed, f.name)
        if isinstance(a, np.ndarray):
            assert a.dtype.kind == b.dtype.kind, f.name
            assert np.array_equal(a, b), f"Market.{f.name}: {a} != {b}"
        elif isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, obj=f.name)
        else:
            assert a == b, f.name
    assert summed.aggregated and not built.aggregated
    assert len(summed.accounts) == 0 and len(summed.account_cell) == 0


def both(accounts: pd.DataFrame, reps: pd.DataFrame, **kw) -> tuple[Market, Market]:
    """The market built per account and the one built from the accounts' totals."""
    built = build_market(accounts, reps, **kw)
    totals = totals_of_accounts(accounts, built.area.resolution)
    kw.pop("resolution", None)  # the totals' own
    return built, market_from_totals(totals, reps, **kw)


def _variant(rows: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    _, reps = toy_accounts_and_reps()
    return make_accounts(rows), reps


WORLDS = {
    "toy: one owner per cell": toy_accounts_and_reps(),
    "a pinned key account of R1 in R2's ring cell": _variant([
        ("a1", CENTRE, "A", 1000.00, 250.00, "R1", False),
        ("a2", RING[0], "B", 500.50, 100.25, "R2", False),
        ("a3", RING[0], "C", 99.99, 0.00, "R2", False),
        ("k1", RING[0], "A", 7000.10, 900.00, "R1", True),
    ]),
    "two owners in the centre, nobody's account and an unknown owner in the ring": _variant([
        ("a1", CENTRE, "A", 1000.00, 250.00, "R1", False),
        ("a2", CENTRE, "B", 500.50, 100.25, "R2", False),
        ("a3", CENTRE, "B", 20.00, 1.00, "R2", False),
        ("a4", RING[1], "C", 99.99, 0.00, None, False),
        ("a5", RING[2], "C", 12.34, 5.67, "R9", True),
    ]),
}  # fmt: skip


@pytest.mark.parametrize("world", list(WORLDS))
def test_the_market_from_totals_equals_the_market_from_accounts_field_by_field(world):
    accounts, reps = WORLDS[world]
    built, summed = both(accounts, reps, area=AREA)
    assert_same_market(built, summed)


def test_on_the_toy_world_the_hand_counted_sums_are_there():
    accounts, reps = WORLDS["a pinned key account of R1 in R2's ring cell"]
    _, m = both(accounts, reps, area=AREA)
    ring0 = int(AREA.positions(np.array([h3.str_to_int(RING[0])], np.uint64))[0])
    assert m.cell_accounts[ring0] == 2  # a2, a3; k1 is pinned to R1
    assert m.cell_tam[ring0] == 50050 + 9999
    assert m.share_tam[ring0] == 50050 + 9999 + 700010  # its class counts the pinned one
    assert m.pinned_accounts.tolist() == [1, 0] and m.pinned_tam.tolist() == [700010, 0]


def test_baseline_move_and_metrics_are_equal_on_both_markets():
    accounts, reps = WORLDS[
        "two owners in the centre, nobody's account and an unknown owner in the ring"
    ]
    built, summed = both(accounts, reps, area=AREA)
    plans = [baseline_plan(m)[0] for m in (built, summed)]
    assert np.array_equal(plans[0].owner, plans[1].owner)
    centre = int(AREA.positions(np.array([h3.str_to_int(CENTRE)], np.uint64))[0])
    assert plans[0].owner[centre] == 0  # R1's A: 52 visits x 60 min = 52 h; R2's two B: 18 h
    moved = [reassign(p, np.array([centre]), 1) for p in plans]
    pd.testing.assert_frame_equal(rep_metrics(moved[0]), rep_metrics(moved[1]))
    assert team_metrics(moved[0]) == team_metrics(moved[1])
    assert moved[1].tally.moved_accounts == moved[0].tally.moved_accounts > 0


def test_a_tiling_around_the_accounts_is_the_same_from_their_hull():
    rng = np.random.default_rng(4)
    n = 1_500
    accounts = pd.DataFrame({
        "account_id": [f"x{i}" for i in range(n)], "name": [f"x{i}" for i in range(n)],
        "lat": rng.normal(45.0, 0.4, n), "lon": rng.normal(-93.0, 0.4, n),
        "segment": rng.choice(["A", "B", "C"], n), "tam": np.round(rng.lognormal(10, 1, n), 2),
        "revenue": np.round(rng.lognormal(8, 1, n), 2),
        "rep_id": pd.array(rng.choice(["R1", "R2", None], n), dtype="string"),
        "pinned": rng.random(n) < 0.05,
    })  # fmt: skip
    reps = make_reps({"R1": CENTRE, "R2": RING[3]})
    built, summed = both(accounts, reps, resolution=6)
    assert_same_market(built, summed)
    plans = [baseline_plan(m)[0] for m in (built, summed)]
    assert np.array_equal(plans[0].owner, plans[1].owner)
    pd.testing.assert_frame_equal(rep_metrics(plans[0]), rep_metrics(plans[1]))


def test_per_cell_totals_without_groups_are_refused_in_one_sentence():
    accounts, reps = toy_accounts_and_reps()
    totals = totals_of_accounts(accounts, 7)
    flat = CellTotals.from_frame(totals.to_frame(), 7)
    with pytest.raises(NoAccountRowsError, match="bin the accounts again"):
        market_from_totals(flat, reps, area=AREA)
    with pytest.raises(NoAccountRowsError, match="resolution 7"):
        market_from_totals(totals, reps, area=area_from_cells(np.array(
            [h3.str_to_int(h3.cell_to_parent(CENTRE, 6))], np.uint64), 6))  # fmt: skip


ROW = st.tuples(
    st.sampled_from(DISK), st.sampled_from(["A", "B", "C"]),
    st.integers(0, 10_000_000).map(lambda c: c / 100), st.integers(0, 1_000_000).map(lambda c: c / 100),
    st.sampled_from(["R1", "R2", "R3", None]), st.booleans(),
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=25))
def test_property_any_world_on_the_seven_cells_gives_the_same_market(rows):
    accounts = make_accounts([(f"a{i}", *r) for i, r in enumerate(rows)])
    reps = make_reps({"R1": CENTRE, "R2": RING[3]}, {"R1": 150.0, "R2": 50.0})
    built, summed = both(accounts, reps, area=AREA)
    assert_same_market(built, summed)
    b0, b1 = baseline_plan(built)[0], baseline_plan(summed)[0]
    assert np.array_equal(b0.owner, b1.owner)
    pd.testing.assert_frame_equal(rep_metrics(b0), rep_metrics(b1))
