"""What the map shows per display unit: values for each colour mode, and hover facts.

Dash-free: the layouts turn these numbers into colours and figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo.lod import DisplayLevel, unit_owner, unit_sums
from planning.market import SECONDS_PER_HOUR
from planning.plan import Plan

COLOUR_MODES = {
    "owner": "Owner",
    "workload": "Workload (h/yr)",
    "tam": "TAM",
    "share": "Market share",
    "changed": "Changed vs baseline",
}


@dataclass(frozen=True)
class UnitFacts:
    """Per drawn unit: owner, accounts by segment, money, workload, change flag."""

    units: np.ndarray
    owner: np.ndarray
    accounts: np.ndarray
    segments: np.ndarray
    tam: np.ndarray
    revenue: np.ndarray
    workload_h: np.ndarray
    changed: np.ndarray
    locked: np.ndarray

    def values(self, mode: str) -> np.ndarray:
        """The number a colour mode paints for each unit."""
        if mode == "owner":
            return self.owner.astype(np.float64)
        if mode == "workload":
            return np.round(self.workload_h, 1)
        if mode == "tam":
            return np.round(self.tam, 0)
        if mode == "share":
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(
                    self.tam > 0, self.revenue / np.where(self.tam > 0, self.tam, 1), np.nan
                )
            return np.round(share, 4)
        if mode == "changed":
            return self.changed.astype(np.float64)
        raise ValueError(f"unknown colour mode {mode!r}; choose one of {', '.join(COLOUR_MODES)}")


def unit_facts(
    level: DisplayLevel, plan: Plan, baseline_owner: np.ndarray, units: np.ndarray
) -> UnitFacts:
    """Facts for ``units`` of ``level`` under ``plan``.

    Workload is what the cell costs its current owner (visits plus that
    rep's travel); unassigned cells show their visit hours only.
    """
    m = plan.market
    owner = plan.owner
    assigned = owner >= 0
    travel = np.zeros(m.n_cells, np.int64)
    idx = np.flatnonzero(assigned)
    travel[idx] = m.travel_s[idx, owner[idx]]
    work = unit_sums(level, m.cell_visit_s + travel)
    changed = unit_sums(level, (owner != baseline_owner).astype(np.int64)) > 0
    locked = unit_sums(level, plan.locked.astype(np.int64)) > 0
    segments = np.stack([unit_sums(level, m.cell_segments[:, k]) for k in range(3)], axis=1)
    return UnitFacts(
        units=units,
        owner=unit_owner(level, owner, m.n_reps)[units],
        accounts=unit_sums(level, m.cell_accounts)[units],
        segments=segments[units],
        tam=unit_sums(level, m.cell_tam)[units] / 100.0,
        revenue=unit_sums(level, m.cell_revenue)[units] / 100.0,
        workload_h=work[units] / SECONDS_PER_HOUR,
        changed=changed[units],
        locked=locked[units],
    )
