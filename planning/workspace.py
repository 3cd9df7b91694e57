"""From validated inputs to a plan with its metrics: the one path the app and the CLI share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from common.errors import PlanError
from geo.area import Boundary
from planning.baseline import OwnerChanges, baseline_plan
from planning.callplan import TravelModel
from planning.market import UNASSIGNED, Market, build_market
from planning.plan import Plan


def open_plan(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    call_plan: pd.DataFrame | None = None,
    travel: TravelModel | None = None,
    *,
    resolution: int | None = None,
    assignment: pd.DataFrame | None = None,
    boundary: Boundary | None = None,
) -> tuple[Plan, OwnerChanges | None]:
    """The baseline at ``resolution``, or the plan in ``assignment`` (h3_cell, rep_id).

    A plan's cells fix the resolution and always belong to the planning area,
    so a plan drawn on a wider area still loads whole. Returns the baseline's
    owner changes (None for a loaded plan: nothing was derived). ``boundary`` bounds the
    planning area (``geo.area.Boundary``; None: the accounts' hull).
    """
    if assignment is None:
        market = build_market(
            accounts, reps, call_plan, travel, resolution=resolution, boundary=boundary
        )
        return baseline_plan(market)
    plan_res = int(assignment.attrs.get("resolution", resolution or 0))
    if resolution is not None and plan_res != resolution:
        raise PlanError(f"the plan's cells are at resolution {plan_res}, not {resolution}")
    cells = assignment["h3_cell"].to_numpy(np.uint64)
    market = build_market(
        accounts, reps, call_plan, travel, resolution=plan_res, extra_cells=cells, boundary=boundary
    )
    return plan_from_assignment(market, cells, assignment["rep_id"].astype(str).to_numpy()), None


def plan_from_assignment(market: Market, cells: np.ndarray, rep_ids: np.ndarray) -> Plan:
    """Plan with ``cells`` (H3 ids) owned by ``rep_ids``; every other cell unassigned."""
    pos = market.area.positions(cells)
    if (pos < 0).any():
        raise PlanError(f"{int((pos < 0).sum())} plan cells are outside the planning area")
    reps = pd.Index(market.rep_ids).get_indexer(rep_ids)
    if (reps < 0).any():
        unknown = sorted(set(np.asarray(rep_ids)[reps < 0]))
        raise PlanError(f"plan names unknown reps: {', '.join(unknown)}")
    owner = np.full(market.n_cells, UNASSIGNED, np.int64)
    owner[pos] = reps
    return Plan.from_owner(market, owner)
