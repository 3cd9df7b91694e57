"""A plan's per-rep metrics from input files: the table ``cli.py metrics`` prints."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from common.logs import timed
from planning.baseline import OwnerChanges
from planning.metrics import DEFAULT_TOLERANCE, metrics_table
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
    out = plan.market.outside
    outside = (
        ()
        if out is None
        else tuple(
            f"{a} ({la:.4f}, {lo:.4f})"
            for a, la, lo in zip(out["account_id"], out["lat"], out["lon"], strict=True)
        )
    )
    return PlanMetrics(table, plan.market.area.resolution, changes, outside)
