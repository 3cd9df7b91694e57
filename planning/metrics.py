"""Per-rep and team metrics of a plan, in the units a sales leader reads.

Formulas are written out in docs/metrics.md; everything here reads the
plan's exact integer tally and only converts units at the very end.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planning import disruption
from planning.market import SECONDS_PER_HOUR
from planning.plan import Plan

DEFAULT_TOLERANCE = 0.10

REP_COLUMNS = (
    "rep_id", "name", "accounts", "accounts_a", "accounts_b", "accounts_c",
    "visit_hours", "travel_hours", "workload_hours", "capacity_hours", "utilisation",
    "coverage", "tam", "revenue", "market_share", "cells", "contiguity_components",
    "polsby_popper", "mean_home_km", "max_home_km", "workload_target_hours",
    "workload_deviation", "tam_target", "tam_deviation", "workload_balanced", "tam_balanced",
)  # fmt: skip


def rep_metrics(plan: Plan, tolerance: float = DEFAULT_TOLERANCE) -> pd.DataFrame:
    """One row per rep, in rep order, indexed by rep_id.

    Fair share is the team total x the rep's share of capacity; the team
    total includes unassigned work and TAM, which nobody covers yet.
    """
    m, t = plan.market, plan.tally
    visit = t.visit_s[1:] / SECONDS_PER_HOUR
    travel = t.travel_s[1:] / SECONDS_PER_HOUR
    work_s = t.visit_s[1:] + t.travel_s[1:]
    work = work_s / SECONDS_PER_HOUR
    capacity = m.capacity_s / SECONDS_PER_HOUR
    tam, revenue = t.tam[1:] / 100.0, t.revenue[1:] / 100.0
    share = (
        m.capacity_s / m.capacity_s.sum() if m.capacity_s.sum() else np.full(m.n_reps, 1 / m.n_reps)
    )
    work_target = (work.sum() + t.visit_s[0] / SECONDS_PER_HOUR) * share
    tam_target = (t.tam.sum() / 100.0) * share
    work_dev = _deviation(work, work_target)
    tam_dev = _deviation(tam, tam_target)
    perimeter_m = t.perimeter_mm[1:] / 1000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        polsby = np.where(perimeter_m > 0, 4 * math.pi * t.area_m2[1:] / perimeter_m**2, np.nan)
        mean_km = np.where(work_s > 0, t.dist_work[1:] / np.maximum(work_s, 1) / 1000.0, 0.0)
        utilisation = np.where(capacity > 0, work / capacity, np.inf)
        coverage = np.where(work > 0, np.minimum(1.0, capacity / np.where(work > 0, work, 1)), 1.0)
        market_share = np.where(tam > 0, revenue / np.where(tam > 0, tam, 1), np.nan)
    table = pd.DataFrame(
        {
            "rep_id": m.rep_ids,
            "name": m.reps["name"].astype(str).to_numpy(),
            "accounts": t.accounts[1:],
            "accounts_a": t.segments[1:, 0],
            "accounts_b": t.segments[1:, 1],
            "accounts_c": t.segments[1:, 2],
            "visit_hours": visit,
            "travel_hours": travel,
            "workload_hours": work,
            "capacity_hours": capacity,
            "utilisation": utilisation,
            "coverage": coverage,
            "tam": tam,
            "revenue": revenue,
            "market_share": market_share,
            "cells": t.cells[1:],
            "contiguity_components": t.components,
            "polsby_popper": polsby,
            "mean_home_km": mean_km,
            "max_home_km": t.max_dist_m / 1000.0,
            "workload_target_hours": work_target,
            "workload_deviation": work_dev,
            "tam_target": tam_target,
            "tam_deviation": tam_dev,
            "workload_balanced": np.abs(work_dev) <= tolerance + 1e-12,
            "tam_balanced": np.abs(tam_dev) <= tolerance + 1e-12,
        }
    )
    return table.set_index("rep_id", drop=False)


def team_metrics(plan: Plan, tolerance: float = DEFAULT_TOLERANCE) -> dict[str, float]:
    """Team totals, what nobody owns, balance and disruption against last quarter."""
    t = plan.tally
    reps = rep_metrics(plan, tolerance)
    work = reps["workload_hours"].to_numpy()
    capacity = reps["capacity_hours"].to_numpy()
    unassigned_hours = t.visit_s[0] / SECONDS_PER_HOUR
    demand = work.sum() + unassigned_hours
    total_accounts = int(t.accounts.sum())
    total_tam, total_rev = t.tam.sum() / 100.0, t.revenue.sum() / 100.0
    return {
        "accounts": total_accounts,
        "accounts_a": int(t.segments[:, 0].sum()),
        "accounts_b": int(t.segments[:, 1].sum()),
        "accounts_c": int(t.segments[:, 2].sum()),
        "visit_hours": t.visit_s.sum() / SECONDS_PER_HOUR,
        "travel_hours": t.travel_s.sum() / SECONDS_PER_HOUR,
        "workload_hours": demand,
        "capacity_hours": capacity.sum(),
        "utilisation": demand / capacity.sum() if capacity.sum() else math.inf,
        "coverage": float(np.minimum(work, capacity).sum() / demand) if demand else 1.0,
        "tam": total_tam,
        "revenue": total_rev,
        "market_share": total_rev / total_tam if total_tam else math.nan,
        "cells": int(t.cells.sum()),
        "contiguity_components": int(t.components.sum()),
        "unassigned_accounts": int(t.accounts[0]),
        "unassigned_cells": int(t.cells[0]),
        "unassigned_hours": unassigned_hours,
        "unassigned_tam": t.tam[0] / 100.0,
        "workload_worst_deviation": _worst(reps["workload_deviation"]),
        "tam_worst_deviation": _worst(reps["tam_deviation"]),
        "workload_cv": _cv(reps["workload_hours"], reps["workload_target_hours"]),
        "tam_cv": _cv(reps["tam"], reps["tam_target"]),
        "reps_out_of_tolerance": int((~(reps["workload_balanced"] & reps["tam_balanced"])).sum()),
        # planning/disruption.py defines these once; the tally keeps its counts exact
        "disruption_accounts": disruption.share(t.moved_accounts, total_accounts),
        "disruption_tam": disruption.share(t.moved_tam, int(t.tam.sum())),
        "disruption_revenue": disruption.share(t.moved_revenue, int(t.revenue.sum())),
        "moved_accounts": t.moved_accounts,
        "tolerance": tolerance,
        "outside_area_accounts": plan.market.outside_accounts,
    }


def metrics_table(plan: Plan, tolerance: float = DEFAULT_TOLERANCE) -> pd.DataFrame:
    """The per-rep rows plus a TEAM row, as the command line and exports print them."""
    reps = rep_metrics(plan, tolerance)
    team = team_metrics(plan, tolerance)
    row: dict[str, object] = {c: team.get(c, np.nan) for c in reps.columns}
    row.update(rep_id="TEAM", name="Team", workload_deviation=team["workload_worst_deviation"],
               tam_deviation=team["tam_worst_deviation"])  # fmt: skip
    extra = (
        "moved_accounts", "unassigned_accounts", "unassigned_hours", "unassigned_tam",
        "disruption_accounts", "disruption_tam", "disruption_revenue", "workload_cv", "tam_cv",
        "reps_out_of_tolerance",  # docs/metrics.md lists it in the TEAM row (issue 12)
    )  # fmt: skip
    table = pd.concat([reps, pd.DataFrame([row]).set_index("rep_id", drop=False)])
    for name in extra:
        table[name] = np.nan
        table.loc["TEAM", name] = team[name]
    return table


def _deviation(value: np.ndarray, target: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(target > 0, value / np.where(target > 0, target, 1) - 1.0, 0.0)


def _worst(deviation: pd.Series) -> float:
    """The deviation farthest from zero, with its sign."""
    if deviation.empty:
        return 0.0
    return float(deviation.iloc[int(np.argmax(np.abs(deviation.to_numpy())))])


def _cv(value: pd.Series, target: pd.Series) -> float:
    """Coefficient of variation of value / fair share (plain CV when capacities are equal)."""
    ratio = (value / target.where(target > 0)).dropna().to_numpy()
    if len(ratio) == 0 or ratio.mean() == 0:
        return 0.0
    return float(ratio.std() / ratio.mean())
