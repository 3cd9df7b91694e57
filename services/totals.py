"""Data sets kept as per-cell totals: stored, opened and planned on (issue 18 point 4).

A data set binned on Dask (``services.binning``) is never one frame of accounts in any process:
it is ``planning.cell_totals.CellTotals``, its (cell, last owner, pinned) groups and hull. Kept
with ``Store.ensure_totals_dataset`` (table ``dataset_totals``, migration 0007), it gets a
baseline and a working plan like an imported data set, and every screen that opens a stored
scenario reaches its market through ``services.scenario_settings.scenario_market``, which asks
``totals_market`` first. Moves, metrics, balancing, targets, scenarios and the per-rep and
per-cell exports then work as on any data set.

What needs one row per account says so in one sentence (``NoAccountRowsError``, a
``PlanError``): another cell size (the totals are at one resolution), the exports that list
accounts, team, call-plan and effort-plan edits (they store the accounts anew), "Plan next
quarter", and teams with overlay reps. Finding finds reps and towns, no account; actuals match
no account. ``docs/scaling.md`` has the list.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from common.errors import NoAccountRowsError
from common.logs import timed
from data.exports import OWNER_CHANGE_FORMATS
from data.store import Store
from data.tallies import tally_to_bytes
from data.totals_store import totals_from_bytes, totals_to_bytes
from geo.area import area_from_cells
from geo.cells import cells_to_latlng
from planning.area_choice import DEFAULT_AREA, call_plan_with_area
from planning.baseline import baseline_plan
from planning.callplan import default_call_plan
from planning.cell_totals import CellTotals
from planning.market import Market
from planning.market_totals import market_from_totals
from planning.names import WORKING_PLAN
from planning.overlay import has_overlay
from planning.plan import Plan
from services.areas import boundary_of
from services.market_cache import keep_market, market_key

logger = logging.getLogger(__name__)

ACCOUNT_DTYPES = {"account_id": "string", "name": "string", "lat": "float64", "lon": "float64",
                  "segment": "string", "tam": "float64", "revenue": "float64",
                  "rep_id": "string", "pinned": "bool"}  # fmt: skip
"""The accounts frame a totals data set stores: these columns, no row."""


def no_account_rows() -> pd.DataFrame:
    """The (empty) accounts frame of a totals data set."""
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in ACCOUNT_DTYPES.items()})


def stored_totals(store: Store, dataset_id: int) -> CellTotals | None:
    """The totals a data set was stored as; None for a data set of account rows."""
    stored = store.dataset_totals(dataset_id)
    return None if stored is None else totals_from_bytes(stored)


def is_totals(store: Store, dataset_id: int) -> bool:
    """Whether the data set is kept as per-cell totals (no row per account)."""
    return store.totals_info(dataset_id) is not None


def require_account_rows(store: Store, dataset_id: int, what: str) -> None:
    """Raise ``NoAccountRowsError`` naming ``what`` when the data set is kept as totals."""
    if is_totals(store, dataset_id):
        raise NoAccountRowsError(
            f"{what} needs one row per account; this data set was stored as per-cell totals "
            "(cli.py bin --dataset): import the accounts file to do it"
        )


LOCATED_AT_MOST = 1_000_000
"""Points ``located_accounts`` gives at most (about: each occupied cell gives one at least)."""
ACCOUNT_FORMATS = ("csv", *OWNER_CHANGE_FORMATS)
"""Exports that list accounts (``data.exports``): none can be written from totals."""


def require_account_list(plan: Plan, fmt: str) -> None:
    """Refuse an export that lists accounts when the plan's market has no account rows."""
    if plan.market.aggregated and fmt in ACCOUNT_FORMATS:
        raise NoAccountRowsError(
            f"the {fmt} export lists accounts; this data set was stored as per-cell totals "
            "(cli.py bin --dataset): export xlsx, geojson, parquet or plan"
        )


def located_accounts(totals: CellTotals) -> pd.DataFrame:
    """Where the accounts are, as far as the totals tell: each at its cell's centre.

    What the planning-area choice (``services.areas.boundary_of``: which countries hold the
    accounts) and the cell-count estimates are judged on for a totals data set. Above
    ``LOCATED_AT_MOST`` accounts each cell stands for its share of that many points (at least
    one), so the choice costs what it costs on a million accounts, whatever the size.
    """
    lat, lon = cells_to_latlng(totals.cells)
    total = int(totals.accounts.sum())
    times = totals.accounts
    if total > LOCATED_AT_MOST:
        times = np.maximum(1, np.round(times * (LOCATED_AT_MOST / total))).astype(np.int64)
    return pd.DataFrame({"lat": np.repeat(lat, times), "lon": np.repeat(lon, times)})


def totals_market(
    store: Store,
    dataset_id: int,
    frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
    resolution: int,
    area_id: int | None,
) -> Market | None:
    """The market of a totals data set on a stored tiling (or a fresh one); None otherwise.

    ``frames`` are the data set's stored (accounts, reps, call plan). Raises
    ``NoAccountRowsError`` for a resolution other than the totals' and for overlay teams.
    """
    totals = stored_totals(store, dataset_id)
    if totals is None:
        return None
    _, reps, call_plan = frames
    if has_overlay(reps):
        raise NoAccountRowsError(
            "a team with overlay reps needs one row per account (each account's layer); "
            "this data set was stored as per-cell totals"
        )
    if resolution != totals.resolution:
        raise NoAccountRowsError(
            f"this data set was stored as per-cell totals at resolution {totals.resolution}; "
            f"resolution {resolution} needs the accounts binned again (cli.py bin --resolution)"
        )
    with timed(logger, "market built from totals", dataset=dataset_id) as extra:
        boundary = boundary_of(located_accounts(totals), call_plan)
        area = None if area_id is None else area_from_cells(store.area_cells(area_id), resolution)
        market = market_from_totals(totals, reps, call_plan, area=area, boundary=boundary)
        groups = 0 if totals.groups is None else len(totals.groups)
        extra.update(cells=market.n_cells, groups=groups, accounts=int(totals.accounts.sum()))
    return market


def store_totals(
    store: Store,
    name: str,
    totals: CellTotals,
    reps: pd.DataFrame,
    call_plan: pd.DataFrame | None = None,
) -> tuple[int, int]:
    """Keep the totals as a data set with its baseline and a working plan; (data set, scenario).

    Idempotent as an import is: the same totals, team and call plan give the same data set,
    whose scenarios are kept as they are. Without a call plan, the default one with the default
    planning area (land), as an import stores.
    """
    plan_frame = (
        call_plan_with_area(default_call_plan(), DEFAULT_AREA) if call_plan is None else call_plan
    )
    if has_overlay(reps):  # refused before anything is stored (totals_market says why)
        raise NoAccountRowsError(
            "a team with overlay reps needs one row per account (each account's layer): "
            "import the accounts file instead"
        )
    with timed(logger, "totals stored", dataset=name) as extra:
        dataset_id = store.ensure_totals_dataset(
            name, totals_to_bytes(totals), (no_account_rows(), reps, plan_frame)
        )
        frames = store.load_dataset(dataset_id)
        market = totals_market(store, dataset_id, frames, totals.resolution, None)
        if market is None:  # written just above: a store that lost it is a bug of ours
            raise RuntimeError(f"data set {dataset_id} was stored without its totals")
        plan, _ = baseline_plan(market)
        baseline_id = store.ensure_baseline(
            dataset_id, totals.resolution, plan.owner, plan.locked,
            tally=tally_to_bytes(plan.tally), area_cells=market.area.cells,
        )  # fmt: skip
        working = [s for s in store.scenarios(dataset_id) if not s.baseline]
        scenario_id = (
            working[0].id if working else store.duplicate_scenario(baseline_id, WORKING_PLAN)
        )
        info = store.scenario(baseline_id)
        key = market_key(store, dataset_id, info.resolution, info.area_id)
        if store.cached_market(key) is None and info.n_cells == market.n_cells:
            keep_market(store, key, dataset_id, info.resolution, market, frames)
        extra.update(dataset_id=dataset_id, scenario=scenario_id, cells=market.n_cells)
    return dataset_id, scenario_id
