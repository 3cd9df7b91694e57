"""The trade-off curve of a stored scenario (issue 17 point 2), and opening a point of it.

The curve is computed on the scenario as stored (``planning.curve``), in a background job
(``callbacks.curve``). A point travels to the page as the cells whose owner differs from the
plan it was computed on, with that plan's log mark (``services.ledger``): opening it rebuilds
the plan at the mark, applies the cells, and stores the result as a new scenario linked to
the original, which is never touched, whatever happened to it meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from common.logs import timed
from data.tallies import tally_to_bytes
from planning.curve import TIME_LIMIT, Curve, CurvePoint, tradeoff_curve
from planning.names import unique_name
from planning.plan import Plan
from services import editing
from services.ledger import current_mark, plan_at

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class ScenarioCurve:
    """A curve with the log mark of the plan it started from."""

    curve: Curve
    mark: int
    base: Plan


def curve(
    url: str,
    scenario_id: int,
    *,
    time_limit: float = TIME_LIMIT,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ScenarioCurve:
    """The scenario's trade-off curve (each optimizer run at most ``time_limit`` seconds)."""
    with timed(logger, "trade-off curve run", scenario=scenario_id) as extra:
        mark = current_mark(url, scenario_id)
        record, _, plan = editing.load_with_record(url, scenario_id)
        extra["dataset"] = record.dataset_id
        found = tradeoff_curve(plan, time_limit=time_limit, should_stop=should_stop,
                               progress=progress)  # fmt: skip
        extra.update(points=len(found.points), front=len(found.by_moved),
                     stopped_early=found.stopped_early)  # fmt: skip
    return ScenarioCurve(found, mark, plan)


def point_payload(base: Plan, point: CurvePoint, mark: int) -> dict[str, Any]:
    """What the page keeps of a point: its figures and its cells' owners against the base."""
    cells = np.flatnonzero(point.owner != base.owner)
    return {
        "label": point.label(), "worst_deviation": point.worst_deviation,
        "travel_hours": point.travel_hours, "accounts_moved": point.accounts_moved,
        "moved_accounts": point.moved_accounts, "bound": point.bound, "gap": point.gap,
        "mark": mark, "cells": cells.tolist(), "owners": point.owner[cells].tolist(),
    }  # fmt: skip


def open_point(url: str, scenario_id: int, payload: dict[str, Any]) -> tuple[int, str]:
    """Store a curve point as a new scenario (child of this one); return its id and name."""
    with timed(logger, "curve point opened", scenario=scenario_id) as extra:
        store = editing.open_store(url)
        record = store.scenario(scenario_id)
        extra["dataset"] = record.dataset_id
        base, _ = plan_at(url, scenario_id, int(payload["mark"]))
        owner = np.array(base.owner, np.int64)
        owner[np.asarray(payload["cells"], np.int64)] = np.asarray(payload["owners"], np.int64)
        plan = Plan.from_owner(base.market, owner, base.locked)
        names = {s.name for s in store.scenarios(record.dataset_id)}
        name = unique_name(names, f"{record.name}: {payload['label']}")
        figures = {k: payload[k] for k in ("label", "worst_deviation", "travel_hours",
                                           "accounts_moved", "bound", "gap")}  # fmt: skip
        new_id = store.create_scenario(
            record.dataset_id, name, record.resolution, plan.owner, plan.locked,
            tally=tally_to_bytes(plan.tally), parent_id=scenario_id,
            settings={**record.settings, "curve_point": figures},
            area_cells=plan.market.area.cells,
        )  # fmt: skip
        extra["new_scenario"] = new_id
    return new_id, name
