"""Two plans of one market side by side: what changes for each rep, which cells move.

A sales leader comparing a draft with the baseline asks three things: who
gains or loses how much (per-rep deltas), which cells change hands (from whom
to whom), and whether the team is better balanced afterwards (summary).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from common.errors import PlanError
from geo.cells import cells_to_str
from planning.market import SECONDS_PER_HOUR
from planning.metrics import DEFAULT_TOLERANCE, rep_metrics, team_metrics
from planning.plan import Plan

COMPARED_METRICS = (
    "accounts", "workload_hours", "utilisation", "coverage", "tam", "revenue", "cells",
    "contiguity_components", "mean_home_km", "workload_deviation", "tam_deviation",
)  # fmt: skip

BALANCE_MEASURES = (
    "workload_worst_deviation", "workload_cv", "tam_worst_deviation", "tam_cv", "coverage",
    "utilisation", "reps_out_of_tolerance", "unassigned_accounts", "contiguity_components",
    "disruption_accounts",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Comparison:
    """Plan ``a`` (before) against plan ``b`` (after).

    Attributes
    ----------
    reps
        One row per rep (index rep_id): ``<metric>_a``, ``<metric>_b`` and
        ``<metric>_delta`` (b - a) for each of ``COMPARED_METRICS``.
    changes
        One row per cell whose owner differs: ``h3_cell``, ``from_rep``,
        ``to_rep`` (rep ids, "" for unassigned), and the cell's ``accounts``,
        ``visit_hours``, ``tam`` and ``revenue`` (pinned accounts never move
        with a cell, so they are not counted).
    summary
        What moved (``cells_moved``, ``accounts_moved``, ``tam_moved``,
        ``revenue_moved``, ``visit_hours_moved``) and each of
        ``BALANCE_MEASURES`` before (``_a``) and after (``_b``).
    """

    reps: pd.DataFrame
    changes: pd.DataFrame
    summary: dict[str, float]

    def summary_frame(self) -> pd.DataFrame:
        """The summary as rows (measure, before, after, change), ready for a sheet."""
        moved = [
            (name, np.nan, self.summary[name], np.nan)
            for name in ("cells_moved", "accounts_moved", "visit_hours_moved", "tam_moved",
                         "revenue_moved")
        ]  # fmt: skip
        balance = [
            (
                name,
                self.summary[f"{name}_a"],
                self.summary[f"{name}_b"],
                self.summary[f"{name}_b"] - self.summary[f"{name}_a"],
            )
            for name in BALANCE_MEASURES
        ]
        return pd.DataFrame(moved + balance, columns=["measure", "before", "after", "change"])


def compare_plans(
    a: Plan,
    b: Plan,
    tolerance: float = DEFAULT_TOLERANCE,
    targets: tuple[np.ndarray | None, np.ndarray | None] | None = None,
) -> Comparison:
    """Compare two plans of the same market (same cells, same reps in the same order).

    ``targets`` (issue 14) are each plan's rep targets in money (None: not split); given,
    they add ``target_a``, ``target_b`` and ``target_delta`` (blank for a plan without).

    Raises
    ------
    PlanError
        When the plans are drawn on different planning areas or teams, so
        their cell positions or rep positions do not mean the same thing.
    """
    ma, mb = a.market, b.market
    if ma is not mb:
        if not np.array_equal(ma.area.cells, mb.area.cells):
            raise PlanError(
                f"the plans cover different planning areas ({ma.n_cells} and {mb.n_cells} "
                f"cells at resolutions {ma.area.resolution} and {mb.area.resolution})"
            )
        if not np.array_equal(ma.rep_ids, mb.rep_ids):
            raise PlanError(
                f"the plans have different teams: {', '.join(ma.rep_ids)} "
                f"and {', '.join(mb.rep_ids)}"
            )
    ra, rb = rep_metrics(a, tolerance), rep_metrics(b, tolerance)
    columns: dict[str, np.ndarray] = {"rep_id": ra["rep_id"].to_numpy(), "name": ra["name"]}
    for name in COMPARED_METRICS:
        va, vb = ra[name].to_numpy(np.float64), rb[name].to_numpy(np.float64)
        columns[f"{name}_a"], columns[f"{name}_b"] = va, vb
        columns[f"{name}_delta"] = vb - va
    if targets is not None:
        blank = np.full(len(ra), np.nan)
        ta_, tb_ = targets
        columns["target_a"] = blank if ta_ is None else np.asarray(ta_, dtype=np.float64)
        columns["target_b"] = blank if tb_ is None else np.asarray(tb_, dtype=np.float64)
        columns["target_delta"] = columns["target_b"] - columns["target_a"]
    reps = pd.DataFrame(columns).set_index(ra.index)

    changed = np.flatnonzero(a.owner != b.owner)
    labels = np.append(ma.rep_ids.astype(object), "")  # owner -1 indexes the last: ""
    changes = pd.DataFrame(
        {
            "h3_cell": cells_to_str(ma.area.cells[changed]),
            "from_rep": labels[a.owner[changed]],
            "to_rep": labels[b.owner[changed]],
            "accounts": ma.cell_accounts[changed],
            "visit_hours": ma.cell_visit_s[changed] / SECONDS_PER_HOUR,
            "tam": ma.cell_tam[changed] / 100.0,
            "revenue": ma.cell_revenue[changed] / 100.0,
        }
    )

    ta, tb = team_metrics(a, tolerance), team_metrics(b, tolerance)
    summary: dict[str, float] = {
        "cells_moved": len(changed),
        "accounts_moved": int(ma.cell_accounts[changed].sum()),
        "visit_hours_moved": float(ma.cell_visit_s[changed].sum() / SECONDS_PER_HOUR),
        "tam_moved": float(ma.cell_tam[changed].sum() / 100.0),
        "revenue_moved": float(ma.cell_revenue[changed].sum() / 100.0),
    }
    for name in BALANCE_MEASURES:
        summary[f"{name}_a"], summary[f"{name}_b"] = ta[name], tb[name]
    return Comparison(reps=reps, changes=changes, summary=summary)
