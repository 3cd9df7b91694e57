"""Per-rep metrics of a plan, from files or a stored scenario: what ``cli.py metrics`` prints."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from common.errors import PlanError
from common.logs import timed
from common.settings import Settings
from data.store import Store
from planning.baseline import OwnerChanges
from planning.metrics import DEFAULT_TOLERANCE, metrics_table
from planning.overlay import Layer
from planning.plan import Plan
from services.exports import scenario_plan
from services.overlay import overlay_plan_of
from services.scenario_settings import find_scenario
from services.workspace import PlanFiles, open_plan_files

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanMetrics:
    """The metrics table of a plan and what a reader needs to trust it.

    Attributes
    ----------
    table
        One row per rep plus a TEAM row (:func:`planning.metrics.metrics_table`).
    resolution
        H3 resolution the plan was measured at.
    baseline_changes
        Accounts whose owner the derived baseline changed; None when a plan file was given.
    """

    table: pd.DataFrame
    resolution: int
    baseline_changes: OwnerChanges | None
    outside: tuple[str, ...] = ()
    """Accounts outside the planning area, not planned: ``id (lat, lon)`` each."""


def plan_metrics(
    files: PlanFiles,
    *,
    resolution: int | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> PlanMetrics:
    """Open the plan the files describe (the baseline without a plan file) and measure it."""
    with timed(logger, "metrics computed", accounts=files.accounts, plan=files.plan) as extra:
        plan, changes = open_plan_files(files, resolution=resolution)
        table = metrics_table(plan, tolerance)
        extra.update(resolution=plan.market.area.resolution, cells=plan.market.n_cells,
                     reps=len(plan.market.rep_ids))  # fmt: skip
    return PlanMetrics(table, plan.market.area.resolution, changes, _outside(plan))


def scenario_metrics(
    scenario: str,
    *,
    database_url: str | None = None,
    dataset_id: int | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    layer: Layer = Layer.FIELD,
) -> PlanMetrics:
    """Measure a stored scenario on the market the app and the export build for it.

    Issue 12 point 4: the same market (``services.scenario_settings.scenario_market``) as
    the app's panel and ``cli.py export``, so the three show the same travel and workload.
    ``layer`` overlay (issue 15) measures the scenario's overlay layer instead, as the map's
    panel does with the layer switch on Overlay; ``PlanError`` when the team has none.
    """
    url = Settings.from_env(database_url=database_url).database_url
    with timed(logger, "metrics computed", scenario=scenario, layer=layer.value) as extra:
        with Store(url) as store:
            sid = find_scenario(store, scenario, dataset_id)
            plan, record = scenario_plan(store, sid)
        if layer is Layer.OVERLAY:  # issue 15 (h15d)
            over = overlay_plan_of(url, sid)
            if over is None:
                raise PlanError(f"scenario {record.name!r} has no overlay layer: its team has "
                                "no overlay reps (a reps-file column layer=overlay)")  # fmt: skip
            plan = over
        table = metrics_table(plan, tolerance)
        extra.update(scenario_id=sid, dataset=record.dataset_id, version=record.version,
                     cells=plan.market.n_cells)  # fmt: skip
    return PlanMetrics(table, plan.market.area.resolution, None, _outside(plan))


def _outside(plan: Plan) -> tuple[str, ...]:
    """``id (lat, lon)`` of each account outside the planning area."""
    out = plan.market.outside
    return (
        ()
        if out is None
        else tuple(
            f"{a} ({la:.4f}, {lo:.4f})"
            for a, la, lo in zip(out["account_id"], out["lat"], out["lon"], strict=True)
        )
    )
