"""Any sequence of moves gives exactly the numbers of a full recount."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

import h3.api.numpy_int as h3

from planning.baseline import baseline_plan, convert_plan
from planning.market import Market, build_market
from planning.metrics import rep_metrics, team_metrics
from planning.plan import Plan, reassign, set_locked, split_locked
from planning.tally import full_tally


@lru_cache(maxsize=2)
def world(resolution: int = 7) -> Market:
    """A few hundred cells, four reps, pinned and ownerless accounts included."""
    rng = np.random.default_rng(3)
    n = 600
    reps = pd.DataFrame(
        {
            "rep_id": ["R1", "R2", "R3", "R4"],
            "name": ["Ann", "Bo", "Cy", "Di"],
            "home_lat": [45.00, 45.10, 44.95, 45.05],
            "home_lon": [-93.00, -92.90, -92.85, -93.10],
            "capacity_hours": [1700.0, 1600.0, 1800.0, 1500.0],
        }
    )
    owners = rng.choice(["R1", "R2", "R3", "R4", None], n, p=[0.3, 0.3, 0.2, 0.15, 0.05])
    accounts = pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(n)],
            "name": "x",
            "lat": rng.uniform(44.9, 45.15, n),
            "lon": rng.uniform(-93.15, -92.8, n),
            "segment": rng.choice(["A", "B", "C"], n, p=[0.1, 0.3, 0.6]),
            "tam": np.round(rng.lognormal(9, 1.2, n), 2),
            "revenue": np.round(rng.uniform(0, 5000, n), 2),
            "rep_id": pd.array(owners, dtype="string"),
            "pinned": (rng.random(n) < 0.03) & (owners != None),  # noqa: E711
        }
    )
    return build_market(accounts, reps, resolution=resolution)


moves = st.lists(
    st.tuples(
        st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=40),
        st.integers(min_value=-1, max_value=3),
        st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(moves)
def test_random_moves_equal_full_recount(sequence):
    market = world()
    plan, _ = baseline_plan(market)
    for raw_cells, rep, lock in sequence:
        cells = np.array(raw_cells) % market.n_cells
        if lock:
            plan = set_locked(plan, cells[:2])
        plan = reassign(plan, cells, rep)
        recount = Plan.from_owner(market, plan.owner, plan.locked)
        assert plan.tally.equals(full_tally(market, plan.owner))
        assert_frame_equal(rep_metrics(plan), rep_metrics(recount))
        assert team_metrics(plan) == team_metrics(recount)


def test_locked_cells_do_not_move():
    market = world()
    plan, _ = baseline_plan(market)
    cells = np.arange(10)
    plan = set_locked(plan, cells[:4])
    movable, locked = split_locked(plan, cells)
    assert list(locked) == [0, 1, 2, 3] and list(movable) == list(range(4, 10))
    after = reassign(plan, cells, 2)
    assert np.array_equal(after.owner[:4], plan.owner[:4])
    assert (after.owner[4:10] == 2).all()


def test_account_totals_are_conserved_by_moves():
    market = world()
    plan, _ = baseline_plan(market)
    plan = reassign(plan, np.arange(0, market.n_cells, 3), 1)
    assert plan.tally.accounts.sum() == 600
    assert plan.tally.cells.sum() == market.n_cells


def test_finer_cells_inherit_their_parent_owner_and_changes_are_counted():
    """H3 children do not nest exactly: accounts near an edge may change owner, and are counted."""
    coarse = world(7)
    plan, _ = baseline_plan(coarse)
    fine_market = world(8)
    fine, changes = convert_plan(plan, fine_market)
    parents = np.array([h3.cell_to_parent(int(c), 7) for c in fine_market.area.cells], np.uint64)
    parent_pos = coarse.area.positions(parents)
    inside = parent_pos >= 0
    assert np.array_equal(fine.owner[inside], plan.owner[parent_pos[inside]])
    diff = fine.account_owner() != plan.account_owner()
    assert changes.accounts == int(diff.sum())
    assert 0 < changes.accounts < 0.1 * len(diff)


def test_coarser_cell_goes_to_the_rep_with_most_workload():
    fine_market = world(8)
    fine, _ = baseline_plan(fine_market)
    coarse, changes = convert_plan(fine, world(7))
    diff = fine.account_owner() != coarse.account_owner()
    assert changes.accounts == int(diff.sum())
    assert changes.tam == float(fine_market.accounts["tam"].to_numpy()[diff].sum())


# --- issue 15 section 3: two layers (field and overlay), each tally exact, neither touched ---


@lru_cache(maxsize=1)
def two_layers():
    """The world's accounts and area split into a field layer (R1-R4) and an overlay (O1, O2)
    serving every remote C account."""
    from planning.overlay import split_layers

    field = world()
    reps = pd.concat(
        [field.reps.assign(layer="field", overlay=None),
         pd.DataFrame({"rep_id": ["O1", "O2"], "name": ["Oz", "Ox"], "home_lat": [45.0, 45.1],
                       "home_lon": [-93.0, -92.9], "capacity_hours": [1600.0, 1600.0],
                       "layer": "overlay", "overlay": "segment=C; channel=remote"})],
        ignore_index=True,
    )  # fmt: skip
    owners = field.accounts["rep_id"].astype("string")
    pinned = field.accounts["pinned"].to_numpy(bool).copy()
    # some C accounts were last with an overlay rep, one pinned there
    c = np.flatnonzero(field.accounts["segment"].to_numpy() == "C")
    owners.iloc[c[:40]] = "O1"
    owners.iloc[c[40:60]] = "O2"
    pinned[c[:3]] = True
    accounts = field.accounts.assign(rep_id=owners, pinned=pinned)
    return split_layers(accounts, reps, area=field.area)


layer_moves = st.lists(
    st.tuples(
        st.booleans(),  # True: the overlay layer
        st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=40),
        st.integers(min_value=-1, max_value=3),
        st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(layer_moves)
def test_two_layers_random_moves_equal_full_recounts_and_never_cross(sequence):
    from planning.overlay import Layer, TwoLayerPlan, account_owners

    layers = two_layers()
    assert layers.overlay is not None
    field, _ = baseline_plan(layers.field)
    overlay, _ = baseline_plan(layers.overlay)
    plans = TwoLayerPlan(field, overlay)
    n_accounts = len(layers.selected)
    for on_overlay, raw_cells, rep, lock in sequence:
        which = Layer.OVERLAY if on_overlay else Layer.FIELD
        market = plans.layer(which).market
        cells = np.array(raw_cells) % market.n_cells
        rep = min(rep, market.n_reps - 1)
        before = plans
        if lock:
            locked = set_locked(plans.layer(which), cells[:2])
            plans = (TwoLayerPlan(locked, plans.overlay) if which is Layer.FIELD
                     else TwoLayerPlan(plans.field, locked))  # fmt: skip
        plans = plans.moved(which, cells, rep)
        other = Layer.FIELD if on_overlay else Layer.OVERLAY
        # the other layer is the very plan it was: owners, locks and tally
        assert plans.layer(other) is before.layer(other)
        for layer in Layer:
            plan = plans.layer(layer)
            assert plan.tally.equals(full_tally(plan.market, plan.owner))
            recount = Plan.from_owner(plan.market, plan.owner, plan.locked)
            assert team_metrics(plan) == team_metrics(recount)
        # every account: exactly one layer, one owner (or none) in it
        owners = account_owners(layers, plans, n_accounts)
        assert len(owners) == n_accounts
        assert (owners["layer"] == "overlay").sum() == layers.overlay.accounts.shape[0]
    assert plans.field.tally.accounts.sum() == len(layers.field.accounts)
    assert plans.overlay is not None
    assert plans.overlay.tally.accounts.sum() == len(layers.overlay.accounts)
