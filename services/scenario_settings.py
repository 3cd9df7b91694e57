"""A stored scenario's effective settings and market: the one answer to "how is it measured?".

Issue 12 point 4: the app measured travel with the travel model stored in the data set's call
plan, while ``cli.py export`` read the scenario's ``settings["travel"]``, which only a scenario
made by a call-plan edit carries. A baseline or a new scenario of a data set whose travel was
edited therefore showed 80.6 h of travel in the app and 40.3 h in the export.

Now every screen builds a scenario's market here (the app's board in ``services.editing``, the
export and ``cli.py metrics --scenario``): a scenario is measured with its data set's call
plan, which holds the visits per segment, the travel model (``planning.callplan.travel_of``)
and the planning area. ``settings["travel"]`` in a scenario row is a note of what the edit set,
written for readers of the workbook's Settings sheet; nothing measures with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data.store import ScenarioNotFoundError, Store
from geo.area import area_from_cells
from planning.area_choice import AreaChoice, area_choice_of
from planning.callplan import TravelModel, travel_of
from planning.market import Market
from planning.metrics import DEFAULT_TOLERANCE
from services.areas import new_market, stored_market
from services.market_cache import keep_market, market_key, read_market
from services.totals import totals_market


@dataclass(frozen=True, eq=False)
class ScenarioSettings:
    """What a scenario is measured with.

    Attributes
    ----------
    call_plan
        The data set's call plan (visits and minutes per segment, channel).
    travel
        The travel model stored with that call plan (the defaults when it holds none).
    area
        The planning area chosen for the data set.
    tolerance
        The balance tolerance an export states: the scenario's ``settings["tolerance"]``, else
        the default (the app's panel uses the tolerance field instead).
    """

    call_plan: pd.DataFrame
    travel: TravelModel
    area: AreaChoice
    tolerance: float


def scenario_settings(
    call_plan: pd.DataFrame, stored: Mapping[str, Any] | None = None
) -> ScenarioSettings:
    """The effective settings of a scenario from its data set's call plan and its stored settings.

    The travel model comes from the call plan only: a data set's scenarios (its baseline, new
    ones, branches, auto-balanced ones) must all be measured alike, and only the call plan is
    shared by all of them.
    """
    tolerance = float((stored or {}).get("tolerance", DEFAULT_TOLERANCE))
    return ScenarioSettings(call_plan, travel_of(call_plan), area_choice_of(call_plan), tolerance)


def scenario_market(store: Store, dataset_id: int, resolution: int, area_id: int | None) -> Market:
    """The market a stored data set gives on a stored tiling (or a fresh one at ``resolution``).

    The one builder of a stored scenario's market: the app's board and the exports call it.
    ``services.areas`` takes no travel model: the market measures travel with the call plan's.
    """
    accounts, reps, call_plan = store.load_dataset(dataset_id)
    # issue 18: a market kept in the store (at import, or by the first worker that built it)
    key = market_key(store, dataset_id, resolution, area_id)
    kept = read_market(store, key, (accounts, reps, call_plan))
    if kept is not None:
        return kept
    # issue 18 point 4: a data set kept as per-cell totals (binned on Dask) has no account rows
    summed = totals_market(store, dataset_id, (accounts, reps, call_plan), resolution, area_id)
    if summed is not None:
        market = summed
    elif area_id is not None:
        area = area_from_cells(store.area_cells(area_id), resolution)
        market = stored_market(accounts, reps, call_plan, area)
    else:
        market = new_market(accounts, reps, call_plan, resolution=resolution)
    keep_market(store, key, dataset_id, resolution, market, (accounts, reps, call_plan))
    return market


def find_scenario(store: Store, name: str, dataset_id: int | None = None) -> int:
    """A scenario's id by name; a number that names no scenario is taken as an id."""
    try:
        return store.scenario_id(name, dataset_id)
    except ScenarioNotFoundError:
        if name.isdigit():
            return store.scenario(int(name)).id
        raise
