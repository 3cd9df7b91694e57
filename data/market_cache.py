"""A built market as bytes, and back (issue 18 point 1): what a worker reads instead of building.

Building a market on 1M accounts tiles or re-reads the planning area, bins every account,
measures how far each one lies outside the boundary and fills the (cell, rep) travel matrix:
seconds, most of them in geometry. Everything it computes from its inputs is an array, so the
arrays go into one uncompressed ``.npz`` (``allow_pickle`` off) that ``data.store`` keeps per
data set and tiling (table ``market_cache``); the frames stay where they are (the data set's
accounts, reps and call plan in ``datasets``) and are given back on reading. What is derived
from the call plan alone (travel model, market-share settings, the plan's segment rows) is
derived again, as ``build_market`` does.

A reading that does not fit its inputs (other accounts, another team) raises
``CachedMarketMismatch``; the caller then builds the market afresh.
"""

from __future__ import annotations

import io
from dataclasses import fields

import numpy as np
import pandas as pd

from geo.area import PlanningArea
from planning.callplan import SEGMENTS, default_call_plan, travel_of
from planning.market import Market
from planning.share_classes import share_settings_of

FORMAT = "market-npz-2"  # issue 18 point 4: Market.stay_visit_s
"""Bump when ``build_market`` or what it depends on (tiling, boundaries) computes differently:
the key of every stored market changes with it, so none is read again."""

_AREA = "area."
_OFF = "_outside_positions"
_N_INPUT = "_input_accounts"
_OUTSIDE = ("account_id", "lat", "lon")
"""Issue 18 point 4: the columns of an aggregated market's ``outside`` (one row per account kept
out, at its cell's centre), stored as arrays: such a market has no accounts frame to point in."""
_FRAMES = ("accounts", "reps", "call_plan", "outside")
_DERIVED = ("travel", "share", "rep_ids")


class CachedMarketMismatch(ValueError):
    """Stored bytes that do not belong to the inputs given (the market must be built)."""


def market_to_bytes(market: Market, planned: pd.DataFrame) -> bytes:
    """The market's arrays as npz bytes; ``planned`` is the accounts frame it was built from.

    The accounts kept out of the plan (``Market.outside``) are stored as their positions in
    ``planned``, whose index must be unique.
    """
    if not planned.index.is_unique:
        raise CachedMarketMismatch("the accounts' index is not unique: positions are ambiguous")
    arrays: dict[str, np.ndarray] = {}
    for f in fields(market.area):
        value = getattr(market.area, f.name)
        arrays[_AREA + f.name] = np.asarray(value)
    for f in fields(Market):
        value = getattr(market, f.name)
        if f.name in _FRAMES or f.name in _DERIVED or f.name == "area":
            continue
        if not isinstance(value, np.ndarray) or value.dtype == object:
            raise TypeError(f"Market.{f.name} is not a plain array: add it to the cache format")
        arrays[f.name] = value
    kept_out = market.outside is not None and market.aggregated
    if kept_out and market.outside is not None:
        for column in _OUTSIDE:
            values = market.outside[column].to_numpy()
            arrays["_outside." + column] = values.astype(str) if column == "account_id" else values
    off = (
        np.zeros(0, np.int64)
        if market.outside is None or kept_out
        else planned.index.get_indexer(market.outside.index).astype(np.int64)
    )
    if (off < 0).any():
        raise CachedMarketMismatch("accounts kept out of the plan are not in the frame given")
    arrays[_OFF] = off
    arrays[_N_INPUT] = np.array([len(planned)], np.int64)
    out = io.BytesIO()
    np.savez(out, allow_pickle=False, **arrays)
    return out.getvalue()


def market_from_bytes(
    blob: bytes, planned: pd.DataFrame, reps: pd.DataFrame, call_plan: pd.DataFrame | None
) -> Market:
    """The market ``market_to_bytes`` stored, on the same inputs it was built from.

    ``planned`` and ``reps`` are the frames given to ``build_market`` (the field layer's, for a
    team with overlay reps), ``call_plan`` the call plan given to it.
    """
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    if int(arrays.pop(_N_INPUT)[0]) != len(planned):
        raise CachedMarketMismatch("the stored market was built on another number of accounts")
    off = np.zeros(len(planned), bool)
    off[arrays.pop(_OFF)] = True
    accounts = planned
    outside = None
    if off.any():
        outside = planned[off]
        accounts = planned[~off].reset_index(drop=True)
    if "_outside.lat" in arrays:  # an aggregated market's (issue 18 point 4)
        outside = pd.DataFrame({c: arrays.pop("_outside." + c) for c in _OUTSIDE})
        outside["account_id"] = outside["account_id"].astype(str)
    area_arrays = {f.name: arrays.pop(_AREA + f.name) for f in fields(PlanningArea)}
    resolution = int(area_arrays.pop("resolution").item())
    area = PlanningArea(resolution=resolution, **area_arrays)
    plan = default_call_plan() if call_plan is None else call_plan
    rep_ids = reps["rep_id"].astype(str).to_numpy()
    if len(arrays["capacity_s"]) != len(rep_ids) or len(arrays["account_cell"]) != len(accounts):
        raise CachedMarketMismatch("the stored market does not fit these accounts and reps")
    return Market(
        area=area,
        accounts=accounts,
        reps=reps,
        call_plan=plan.reindex(list(SEGMENTS)),
        travel=travel_of(plan),
        rep_ids=rep_ids,
        share=share_settings_of(plan),
        outside=outside,
        **arrays,
    )
