"""Market share per cell, territory and region, and each class's TAM, revenue, accounts, workload.

The classes (``planning.share_classes``) are the cells' and never change when cells move; the
breakdown of a territory follows its cells: a cell's accounts, money and workload (visits plus
the travel its owner pays) count for its owner under the cell's class. A pinned account counts
for its own rep, under the class of the cell it sits in. Everything is summed in whole cents and
seconds, so the classes of a rep add up exactly to the rep's row of ``planning.metrics``.

A territory's or region's own share is revenue / TAM over all it holds, and its class is that
share judged by the same thresholds. Formulas and a worked example: docs/metrics.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import h3

from planning.hierarchy import group_keys
from planning.market import SECONDS_PER_HOUR, to_cents
from planning.plan import Plan
from planning.share_classes import CLASSES, ShareClass, Thresholds, classify, share_of

UNASSIGNED_ID = "UNASSIGNED"
TOTAL_ID = "TOTAL"
FIGURES = ("tam", "revenue", "accounts", "workload_hours")
"""What a breakdown gives per class, in the order of the columns."""


def rep_regions(reps: pd.DataFrame) -> np.ndarray:
    """Each rep's region, as the region hierarchy decides it (``planning.hierarchy.group_keys``).

    A rep without a region (no column, or a blank) is in the one region "No region".
    """
    return np.array(group_keys(reps, "region"), dtype=object)


@dataclass(frozen=True, eq=False)
class ClassSums:
    """Per slot (0 = unassigned, r + 1 = rep r) and class: exact integer sums.

    Arrays are (R + 1, 5), classes in ``ShareClass`` order; money in cents, work in seconds.
    """

    accounts: np.ndarray
    tam: np.ndarray
    revenue: np.ndarray
    work_s: np.ndarray


def class_sums(plan: Plan) -> ClassSums:
    """What every slot holds in every class under ``plan``."""
    m = plan.market
    slots, k = m.n_reps + 1, len(CLASSES)
    owner = plan.owner
    slot = owner + 1
    cls = m.cell_class.astype(np.int64)
    travel = np.zeros(m.n_cells, np.int64)
    own = np.flatnonzero(owner >= 0)
    travel[own] = m.travel_s[own, owner[own]]

    def table(values: np.ndarray, pinned: np.ndarray) -> np.ndarray:
        out = np.zeros((slots, k), np.int64)
        np.add.at(out, (slot, cls), np.asarray(values, np.int64))
        idx = np.flatnonzero(m.account_pinned)
        np.add.at(
            out,
            (m.account_rep[idx] + 1, m.account_class[idx].astype(np.int64)),
            np.asarray(pinned, np.int64)[idx],
        )
        return out

    tam_a, rev_a = to_cents(m.accounts["tam"]), to_cents(m.accounts["revenue"])
    return ClassSums(
        accounts=table(m.cell_accounts, np.ones(len(m.accounts), np.int64)),
        tam=table(m.cell_tam, tam_a),
        revenue=table(m.cell_revenue, rev_a),
        work_s=table(m.cell_visit_s + travel, m.account_visit_s + m.account_travel_s),
    )


def _columns(prefix_rows: dict[str, list], sums: ClassSums, rows: list[np.ndarray],
             thresholds: Thresholds) -> pd.DataFrame:  # fmt: skip
    """Share, class, totals and per-class figures for groups of slots (``rows``: slot lists)."""

    def grouped(values: np.ndarray) -> np.ndarray:
        return np.array([values[r].sum(axis=0) for r in rows], np.int64).reshape(len(rows), -1)

    acc, tam, rev, work = (grouped(getattr(sums, f)) for f in ("accounts", "tam", "revenue",
                                                                 "work_s"))  # fmt: skip
    tam_t, rev_t = tam.sum(axis=1), rev.sum(axis=1)
    frame = pd.DataFrame(prefix_rows)
    frame["share"] = share_of(tam_t, rev_t)
    frame["class"] = [ShareClass(int(c)).key for c in classify(tam_t, rev_t, thresholds)]
    frame["tam"] = tam_t / 100.0
    frame["revenue"] = rev_t / 100.0
    frame["accounts"] = acc.sum(axis=1)
    frame["workload_hours"] = work.sum(axis=1) / SECONDS_PER_HOUR
    for c in CLASSES:
        frame[f"{c.key}_tam"] = tam[:, c] / 100.0
        frame[f"{c.key}_revenue"] = rev[:, c] / 100.0
        frame[f"{c.key}_accounts"] = acc[:, c]
        frame[f"{c.key}_workload_hours"] = work[:, c] / SECONDS_PER_HOUR
    return frame


def territory_table(plan: Plan) -> pd.DataFrame:
    """One row per rep (rep order), then UNASSIGNED and TOTAL: share, class, per-class figures."""
    m = plan.market
    sums = class_sums(plan)
    slots = m.n_reps + 1
    rows = [np.array([r + 1]) for r in range(m.n_reps)] + [np.array([0]), np.arange(slots)]
    ids = [*map(str, m.rep_ids), UNASSIGNED_ID, TOTAL_ID]
    names = [*m.reps["name"].astype(str), "", ""]
    regions = [*rep_regions(m.reps), "", ""]
    prefix = {"rep_id": ids, "name": names, "region": regions}
    return _columns(prefix, sums, rows, m.share.thresholds)


def region_table(plan: Plan) -> pd.DataFrame:
    """One row per region (in order of first rep), then UNASSIGNED and TOTAL."""
    m = plan.market
    sums = class_sums(plan)
    regions = rep_regions(m.reps)
    order = list(dict.fromkeys(regions.tolist()))
    rows = [np.flatnonzero(regions == g) + 1 for g in order]
    rows += [np.array([0]), np.arange(m.n_reps + 1)]
    prefix = {"region": [*order, UNASSIGNED_ID, TOTAL_ID]}
    return _columns(prefix, sums, rows, m.share.thresholds)


def cell_table(plan: Plan) -> pd.DataFrame:
    """One row per cell holding an account (H3 order): owner, share, class, TAM, revenue, work.

    A cell's figures include the pinned accounts sitting in it (its class is judged on them);
    its workload is what its unpinned accounts cost its owner (the pinned ones cost their reps).
    """
    m = plan.market
    present = np.bincount(m.account_cell, minlength=m.n_cells) > 0
    idx = np.flatnonzero(present)
    owner = plan.owner[idx]
    travel = np.zeros(len(idx), np.int64)
    own = owner >= 0
    travel[own] = m.travel_s[idx[own], owner[own]]
    count = np.bincount(m.account_cell, minlength=m.n_cells)[idx]
    labels = np.append(np.asarray(m.rep_ids, dtype=object), UNASSIGNED_ID)  # owner -1: the last
    return pd.DataFrame({
        "h3_cell": [h3.int_to_str(int(c)) for c in m.area.cells[idx]],
        "rep_id": labels[owner],
        "share": share_of(m.share_tam[idx], m.share_revenue[idx]),
        "class": [ShareClass(int(c)).key for c in m.cell_class[idx]],
        "tam": m.share_tam[idx] / 100.0,
        "revenue": m.share_revenue[idx] / 100.0,
        "accounts": count,
        "workload_hours": (m.cell_visit_s[idx] + travel) / SECONDS_PER_HOUR,
    })  # fmt: skip


def class_rows(table: pd.DataFrame, key: str, column: str = "rep_id") -> pd.DataFrame:
    """One territory's (or region's) row of a breakdown as one row per class: the panel's table."""
    row = table.loc[table[column] == key].iloc[0]
    return pd.DataFrame(
        [{"class": c.key, **{f: row[f"{c.key}_{f}"] for f in FIGURES}} for c in CLASSES]
    )


def rep_workloads(plan: Plan) -> pd.DataFrame:
    """Per rep: rep_id, name and workload hours (visits + travel), as the metrics count them."""
    t = plan.tally
    work = (t.visit_s[1:] + t.travel_s[1:]) / SECONDS_PER_HOUR
    return pd.DataFrame({"rep_id": plan.market.rep_ids,
                         "name": plan.market.reps["name"].astype(str).to_numpy(),
                         "workload_hours": work})  # fmt: skip


def effort_effect(now: Plan, then: Plan) -> pd.DataFrame:
    """What an effort plan does to every rep: workload now, with the plan, and the change.

    ``then`` is the same owners on the market with the effort plan; one row per rep, then
    UNASSIGNED (visit hours nobody owns) and TOTAL.
    """
    a, b = rep_workloads(now), rep_workloads(then)
    un_a = now.tally.visit_s[0] / SECONDS_PER_HOUR
    un_b = then.tally.visit_s[0] / SECONDS_PER_HOUR
    frame = pd.DataFrame({
        "rep_id": [*a["rep_id"], UNASSIGNED_ID, TOTAL_ID],
        "name": [*a["name"], "", ""],
        "workload_now_hours": [*a["workload_hours"], un_a, a["workload_hours"].sum() + un_a],
        "workload_with_plan_hours": [*b["workload_hours"], un_b,
                                     b["workload_hours"].sum() + un_b],
    })  # fmt: skip
    frame["change_hours"] = frame["workload_with_plan_hours"] - frame["workload_now_hours"]
    capacity = [*(now.market.capacity_s / SECONDS_PER_HOUR), np.nan, np.nan]
    frame["capacity_hours"] = capacity
    return frame
