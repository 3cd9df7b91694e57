"""A market built from per-cell totals instead of one row per account (issue 18 point 4).

A data set binned on Dask arrives as ``planning.cell_totals.CellTotals``: per (cell, last
owner, pinned) group the accounts per segment, TAM and revenue, and the accounts' hull. Every
sum ``build_market`` makes is a sum over accounts of a value that depends only on the
account's cell, segment, owner and pin (a visit's seconds and a field visit depend on the
segment and the cell's market-share class), so it is the same sum over groups, each value
multiplied by the group's accounts: the cell, pinned and (cell, last owner) tables come out
equal to the ones built per account, and with them the baseline, every metric and every move.

What has no group form is left empty: ``Market.accounts`` has no row and the ``account_*``
arrays are empty (``Market.aggregated``), so an account list, finding an account or the pins of
one account cannot be had from such a market; the services say so.

Two things are judged per cell here where ``build_market`` judges per account, and are equal
only under a condition (docs/scaling.md says which): with a boundary, a cell whose centre lies
more than ``SNAP_KM`` outside it is kept out of the plan as a whole, and a cell outside the
area goes whole to the area cell nearest its centre; and the field visits of a cell are added
as whole numbers times counts, equal to the per-account float sum when the visits per year are
whole numbers (the call plans' usual case).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from common.errors import NoAccountRowsError
from geo.area import Boundary, PlanningArea, km_outside, place_points, planning_area
from geo.cells import cells_to_latlng, cells_to_str, haversine_km
from planning.callplan import SEGMENTS, TravelModel, default_call_plan, travel_of
from planning.cell_totals import SEGMENT_COLUMNS, CellTotals
from planning.market import (
    SNAP_KM,
    Market,
    _stay_table,
    _sum_int,
    to_seconds,
)
from planning.share_classes import (
    ShareClass,
    apply_effort,
    classify,
    group_cents,
    share_settings_of,
)

ACCOUNT_FRAME = ("account_id", "name", "lat", "lon", "segment", "tam", "revenue", "rep_id",
                 "pinned")  # fmt: skip
"""The columns of the (empty) accounts frame of an aggregated market."""


def market_from_totals(
    totals: CellTotals,
    reps: pd.DataFrame,
    call_plan: pd.DataFrame | None = None,
    travel: TravelModel | None = None,
    *,
    area: PlanningArea | None = None,
    extra_cells: np.ndarray | None = None,
    boundary: Boundary | None = None,
) -> Market:
    """``build_market`` on the accounts the totals sum up, at the totals' resolution.

    Parameters
    ----------
    totals
        Per-cell totals with their groups and hull (``totals_of_accounts`` or the Dask path).
    reps, call_plan, travel, extra_cells, boundary
        As for ``build_market``.
    area
        A stored tiling at the totals' resolution; by default one is tiled around the
        accounts' hull (``totals.hull``), as ``build_market`` tiles around the accounts.
    """
    if totals.groups is None or totals.hull is None:
        raise NoAccountRowsError(
            "these totals carry no owners or hull (a per-cell file): bin the accounts again"
        )
    resolution = totals.resolution
    call_plan = default_call_plan() if call_plan is None else call_plan
    travel = travel or travel_of(call_plan)
    if area is None:
        hull = totals.hull
        area = planning_area(hull[:, 1], hull[:, 0], resolution, boundary,
                             extra_cells=extra_cells, account_cells=totals.cells)  # fmt: skip
    elif area.resolution != resolution:
        raise NoAccountRowsError(
            f"the totals are at resolution {resolution}; a tiling at {area.resolution} needs "
            "the accounts binned again at that resolution"
        )
    lat, lon = cells_to_latlng(totals.cells)
    if boundary is None:
        cell_pos = area.positions(totals.cells)
        if (cell_pos < 0).any():
            raise ValueError(f"{int((cell_pos < 0).sum())} cells lie outside the planning area")
        off = np.zeros(len(totals), bool)
    else:
        off = km_outside(boundary.shape, lat, lon) > SNAP_KM
        cell_pos = np.where(off, -1, place_points(area, lat, lon, totals.cells))
    outside = None
    if off.any():  # one row per account kept out, placed at its cell's centre
        outside = pd.DataFrame({
            "account_id": np.repeat([f"cell {h}" for h in cells_to_str(totals.cells[off])],
                                    totals.accounts[off]),
            "lat": np.repeat(lat[off], totals.accounts[off]),
            "lon": np.repeat(lon[off], totals.accounts[off]),
        })  # fmt: skip

    g = totals.groups
    g_pos = cell_pos[np.searchsorted(totals.cells, g["cell"].to_numpy(np.uint64))]
    g = g.loc[g_pos >= 0].reset_index(drop=True)
    g_pos = g_pos[g_pos >= 0]
    rep_ids = reps["rep_id"].astype(str).to_numpy()
    n_reps, n_cells, n_seg = len(rep_ids), len(area), len(SEGMENTS)
    g_rep = pd.Index(rep_ids).get_indexer(g["rep_id"].astype(str))
    g_pin = g["pinned"].to_numpy(bool) & (g_rep >= 0)
    g_acc = g["accounts"].to_numpy(np.int64)
    g_seg = g[list(SEGMENT_COLUMNS)].to_numpy(np.int64).reshape(len(g), n_seg)
    tam, revenue = g["tam_cents"].to_numpy(np.int64), g["revenue_cents"].to_numpy(np.int64)

    plan = call_plan.reindex(list(SEGMENTS))
    share = share_settings_of(call_plan)
    share_tam = group_cents(g_pos, tam, n_cells)
    share_revenue = group_cents(g_pos, revenue, n_cells)
    cell_class = classify(share_tam, share_revenue, share.thresholds)
    visit_tab, field_tab = _per_class_and_segment(plan, share)
    g_cls = cell_class[g_pos].astype(np.int64)
    g_visit = visit_tab[g_cls]  # (M, S): one account's visit seconds per segment
    g_field = field_tab[g_cls]
    g_visit_s = (g_seg * g_visit).sum(axis=1)

    free = ~g_pin
    fc = g_pos[free]
    cell_accounts = _sum_int(fc, g_acc[free], n_cells)
    cell_segments = np.zeros((n_cells, n_seg), np.int64)
    np.add.at(cell_segments, fc, g_seg[free])
    cell_visit_s = _sum_int(fc, g_visit_s[free], n_cells)
    cell_field_visits = np.zeros(n_cells)
    np.add.at(cell_field_visits, fc, (g_seg[free] * g_field[free]).sum(axis=1))

    home_lat = reps["home_lat"].to_numpy(np.float64)
    home_lon = reps["home_lon"].to_numpy(np.float64)
    dist_km = haversine_km(
        area.lat[:, None], area.lon[:, None], home_lat[None, :], home_lon[None, :]
    )
    per_visit_h = 2.0 * dist_km * travel.circuity / travel.speed_kmh / travel.visits_per_trip
    travel_s = to_seconds(cell_field_visits[:, None] * per_visit_h)
    dist_m = np.floor(dist_km * 1000.0 + 0.5).astype(np.int64)

    pc, pr, p_seg = g_pos[g_pin], g_rep[g_pin], g_seg[g_pin]
    # one pinned account's travel, as build_market rounds it per account, times the count
    p_travel_each = to_seconds(g_field[g_pin] * per_visit_h[pc, pr][:, None])
    p_work_each = g_visit[g_pin] + p_travel_each
    pinned_segments = np.zeros((n_reps, n_seg), np.int64)
    np.add.at(pinned_segments, pr, p_seg)
    pinned_max = np.zeros(n_reps, np.int64)
    working = (p_seg > 0) & (p_work_each > 0)
    np.maximum.at(pinned_max, pr, np.where(working.any(axis=1), dist_m[pc, pr], 0))

    owned = free & (g_rep >= 0)
    stay = _stay_table(g_pos[owned], g_rep[owned], tam[owned], revenue[owned],
                       g_visit_s[owned], n_reps, accounts=g_acc[owned])  # fmt: skip
    oc = g_pos[owned]
    none = np.zeros(0, np.int64)
    return Market(
        area=area,
        accounts=pd.DataFrame({c: [] for c in ACCOUNT_FRAME}),
        reps=reps,
        call_plan=plan,
        travel=travel,
        rep_ids=rep_ids,
        capacity_s=to_seconds(reps["capacity_hours"].to_numpy(np.float64)),
        account_cell=none,
        account_rep=none,
        account_pinned=np.zeros(0, bool),
        account_visit_s=none,
        cell_accounts=cell_accounts,
        cell_segments=cell_segments,
        cell_visit_s=cell_visit_s,
        cell_field_visits=cell_field_visits,
        cell_tam=_sum_int(fc, tam[free], n_cells),
        cell_revenue=_sum_int(fc, revenue[free], n_cells),
        travel_s=travel_s,
        dist_m=dist_m,
        pinned_accounts=_sum_int(pr, g_acc[g_pin], n_reps),
        pinned_segments=pinned_segments,
        pinned_visit_s=_sum_int(pr, g_visit_s[g_pin], n_reps),
        pinned_travel_s=_sum_int(pr, (p_seg * p_travel_each).sum(axis=1), n_reps),
        pinned_tam=_sum_int(pr, tam[g_pin], n_reps),
        pinned_revenue=_sum_int(pr, revenue[g_pin], n_reps),
        pinned_dist_work=_sum_int(pr, (p_seg * p_work_each).sum(axis=1) * dist_m[pc, pr], n_reps),
        pinned_max_dist_m=pinned_max,
        cell_owned_accounts=_sum_int(oc, g_acc[owned], n_cells),
        cell_owned_tam=_sum_int(oc, tam[owned], n_cells),
        cell_owned_revenue=_sum_int(oc, revenue[owned], n_cells),
        **stay,
        share=share,
        share_tam=share_tam,
        share_revenue=share_revenue,
        cell_class=cell_class,
        account_class=np.zeros(0, cell_class.dtype),
        account_travel_s=none,
        outside=outside,
    )


def _per_class_and_segment(plan: pd.DataFrame, share) -> tuple[np.ndarray, np.ndarray]:
    """One account's visit seconds and field visits per (class code, segment).

    As ``build_market`` computes them per account: the effort plan applied by class.
    """
    n_cls = max(int(c) for c in ShareClass) + 1
    n_seg = len(SEGMENTS)
    cls = np.repeat(np.arange(n_cls), n_seg)
    seg = np.tile(np.arange(n_seg), n_cls)
    visits = plan["visits_per_year"].to_numpy(np.float64)[seg]
    minutes = plan["minutes_per_visit"].to_numpy(np.float64)[seg]
    field = (plan["channel"].to_numpy() == "field")[seg]
    visits, minutes, field = apply_effort(share.effort, cls, seg, visits, minutes, field)
    visit_s = to_seconds(visits * minutes / 60.0).reshape(n_cls, n_seg)
    field_visits = np.where(field, visits, 0.0).reshape(n_cls, n_seg)
    return visit_s, field_visits
