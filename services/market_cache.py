"""A data set's market kept in the store, so that no worker builds it twice (issue 18 point 1).

``services.scenario_settings.scenario_market`` (the one builder of a stored scenario's market)
reads it here first and keeps what it built; an import keeps the market it built for the
baseline (``services.editing.ensure_scenarios``), so even the first page after the first start
reads it. The key is content only (``Store.market_key``): another data set, resolution, tiling
or planning-area choice (which lives in the data set's call plan) is another key, and a newer
``data.market_cache.FORMAT`` makes every older entry unread.
"""

from __future__ import annotations

import logging

import pandas as pd

from common.logs import timed
from data.market_cache import FORMAT, CachedMarketMismatch, market_from_bytes, market_to_bytes
from data.store import Store
from planning.market import Market
from services.areas import planned_inputs

logger = logging.getLogger(__name__)


def market_key(store: Store, dataset_id: int, resolution: int, area_id: int | None) -> str:
    """The key of a data set's market on a tiling (``Store.market_key`` in today's format)."""
    return store.market_key(dataset_id, resolution, area_id, FORMAT)


def read_market(
    store: Store,
    key: str,
    frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> Market | None:
    """The market kept under ``key`` on the data set's stored ``frames``; None when there is none.

    A kept market that does not fit the frames is ignored (and logged): the caller builds it.
    """
    blob = store.cached_market(key)
    if blob is None:
        return None
    accounts, reps, call_plan = frames
    with timed(logger, "market read", key=key[:12]) as extra:
        planned, planned_reps = planned_inputs(accounts, reps, call_plan)
        try:
            market = market_from_bytes(blob, planned, planned_reps, call_plan)
        except CachedMarketMismatch as err:
            logger.warning("kept market %s ignored: %s", key[:12], err)
            return None
        extra.update(cells=market.n_cells, accounts=len(market.accounts), bytes=len(blob))
    return market


def keep_market(
    store: Store,
    key: str,
    dataset_id: int,
    resolution: int,
    market: Market,
    frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    """Keep a market built on the data set's ``frames`` (as stored) under ``key``."""
    accounts, reps, call_plan = frames
    with timed(logger, "market kept", dataset=dataset_id, key=key[:12]) as extra:
        planned, _ = planned_inputs(accounts, reps, call_plan)
        try:
            blob = market_to_bytes(market, planned)
        except CachedMarketMismatch as err:
            logger.warning("market of data set %s not kept: %s", dataset_id, err)
            return
        store.save_market(key, dataset_id, resolution, blob)
        extra["bytes"] = len(blob)
