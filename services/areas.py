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
from planning.market import Market, build_market

__all__ = ["AreaChoice", "boundary_of", "call_plan_with_area", "choice_from_text", "describe",
           "new_market", "stored_market"]  # fmt: skip


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
    return build_market(
        accounts, reps, call_plan, resolution=resolution, extra_cells=extra_cells,
        boundary=boundary_of(accounts, call_plan),
    )  # fmt: skip


def stored_market(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    call_plan: pd.DataFrame | None,
    area: PlanningArea,
) -> Market:
    """``build_market`` on a stored tiling; the boundary decides which accounts are planned.

    The travel model is the call plan's, as in ``new_market``.
    """
    return build_market(
        accounts, reps, call_plan, area=area, boundary=boundary_of(accounts, call_plan)
    )
