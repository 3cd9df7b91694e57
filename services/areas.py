"""The planning area of a data set: its stored choice turned into the shape a new tiling follows.

Every place that tiles a data set afresh (its first baseline, a resolution change, an export of
a scenario saved without its area, the command line) goes through ``new_market``, so the
choice stored with the data set (``planning.area_choice``) is honoured everywhere. A stored
tiling needs no boundary: its cells are the area.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.boundaries import boundary_for, choice_from_text, describe
from geo.area import Boundary, PlanningArea
from planning.area_choice import AreaChoice, area_choice_of, call_plan_with_area
from planning.callplan import default_call_plan
from planning.market import Market, build_market
from planning.overlay import Layer, has_overlay, layer_inputs, own_layer, rep_layers

__all__ = ["AreaChoice", "boundary_of", "call_plan_with_area", "choice_from_text", "describe",
           "new_market", "planned_inputs", "stored_market"]  # fmt: skip


def boundary_of(accounts: pd.DataFrame, call_plan: pd.DataFrame | None) -> Boundary | None:
    """The boundary the call plan's stored choice gives for these accounts (None: the hull)."""
    lat = accounts["lat"].to_numpy(np.float64)
    lon = accounts["lon"].to_numpy(np.float64)
    return boundary_for(area_choice_of(call_plan), lat, lon)


def new_market(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    call_plan: pd.DataFrame | None = None,
    *,
    resolution: int | None = None,
    extra_cells: np.ndarray | None = None,
) -> Market:
    """``build_market`` on a fresh tiling inside the data set's planning area.

    No travel parameter: a data set's travel is the one stored in its call plan
    (``planning.callplan.travel_of``, issue 12), so no caller can measure it otherwise.
    """
    field_reps = _field_reps(reps) if has_overlay(reps) else reps
    market = build_market(
        own_layer(accounts, field_reps) if has_overlay(reps) else accounts, field_reps, call_plan,
        resolution=resolution, extra_cells=extra_cells, boundary=boundary_of(accounts, call_plan),
    )  # fmt: skip
    if not has_overlay(reps):
        return market
    # issue 15: the area is tiled around every account; the app plans the field layer on it
    return stored_market(accounts, reps, call_plan, market.area)


def stored_market(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    call_plan: pd.DataFrame | None,
    area: PlanningArea,
) -> Market:
    """``build_market`` on a stored tiling; the boundary decides which accounts are planned.

    The travel model is the call plan's, as in ``new_market``.
    """
    boundary = boundary_of(accounts, call_plan)
    accounts, reps = planned_inputs(accounts, reps, call_plan)
    return build_market(accounts, reps, call_plan, area=area, boundary=boundary)


def planned_inputs(
    accounts: pd.DataFrame, reps: pd.DataFrame, call_plan: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The accounts and reps a data set's market is built on (issue 18: the cache reads them).

    Issue 15: a team with overlay reps plans its field layer (its reps, the accounts no overlay
    serves); any other team plans every account.
    """
    if not has_overlay(reps):
        return accounts, reps
    plan = default_call_plan() if call_plan is None else call_plan
    return layer_inputs(accounts, reps, plan, Layer.FIELD)


def layer_market(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    call_plan: pd.DataFrame | None,
    area: PlanningArea,
    which: Layer,
) -> Market:
    """One layer's market on a stored tiling (issue 15: overlay reps); the boundary of all."""
    plan = default_call_plan() if call_plan is None else call_plan
    boundary = boundary_of(accounts, call_plan)
    layer_accounts, layer_reps = layer_inputs(accounts, reps, plan, which)
    return build_market(layer_accounts, layer_reps, call_plan, area=area, boundary=boundary)


def _field_reps(reps: pd.DataFrame) -> pd.DataFrame:
    """The field reps of a team (issue 15)."""
    keep = [la is Layer.FIELD for la in rep_layers(reps)]
    return reps.loc[keep].reset_index(drop=True)
