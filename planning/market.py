"""A team's market binned onto a planning area: what every plan is measured against.

Everything a plan's metrics need is precomputed here, per cell and per
(cell, rep), in integer units: seconds of work, cents of money, metres of
distance. Integer sums are exact, so an incremental update after a move gives
the very same numbers as a full recount, to the cent and the second.

Pinned accounts (key accounts that stay with their rep whatever cell they sit
in) are kept out of the cell sums and added to their rep as fixed amounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.area import (
    Boundary,
    PlanningArea,
    km_outside,
    place_points,
    planning_area,
    resolution_for,
)
from geo.cells import haversine_km, latlng_to_cells
from planning.callplan import SEGMENTS, TravelModel, default_call_plan, travel_of
from planning.share_classes import (
    ShareSettings,
    apply_effort,
    classify,
    group_cents,
    share_settings_of,
)

SECONDS_PER_HOUR = 3600
UNASSIGNED = -1
SNAP_KM = 10.0
"""An account at most this far outside the boundary is still planned, in the nearest area cell
(the 1:50m coastline is a few km off); farther out it is kept out of the plan."""


@dataclass(frozen=True, eq=False)
class Market:
    """Accounts, reps and call plan on one planning area.

    Attributes
    ----------
    account_cell
        (A,) position of each account's cell in the area.
    account_rep
        (A,) last quarter's owner of each account (rep position, -1 none).
    cell_*
        (N,) sums over the cell's unpinned accounts.
    travel_s, dist_m
        (N, R) travel seconds a rep owes for the cell's field visits, and the
        distance from the rep's home to the cell centre.
    pinned_*
        (R,) fixed amounts each rep carries for its pinned accounts.
    cell_owned_*
        (N,) the part of the cell sums whose accounts had an owner last
        quarter: only those can be disrupted.
    stay_key, stay_*
        Sorted keys ``cell * (R + 1) + rep + 1`` with the accounts / TAM /
        revenue of that cell whose last owner was that rep: what does *not*
        change owner when the cell goes to that rep.
    """

    area: PlanningArea
    accounts: pd.DataFrame
    reps: pd.DataFrame
    call_plan: pd.DataFrame
    travel: TravelModel
    rep_ids: np.ndarray
    capacity_s: np.ndarray
    account_cell: np.ndarray
    account_rep: np.ndarray
    account_pinned: np.ndarray
    account_visit_s: np.ndarray
    cell_accounts: np.ndarray
    cell_segments: np.ndarray
    cell_visit_s: np.ndarray
    cell_field_visits: np.ndarray
    cell_tam: np.ndarray
    cell_revenue: np.ndarray
    travel_s: np.ndarray
    dist_m: np.ndarray
    pinned_accounts: np.ndarray
    pinned_segments: np.ndarray
    pinned_visit_s: np.ndarray
    pinned_travel_s: np.ndarray
    pinned_tam: np.ndarray
    pinned_revenue: np.ndarray
    pinned_dist_work: np.ndarray
    pinned_max_dist_m: np.ndarray
    cell_owned_accounts: np.ndarray
    cell_owned_tam: np.ndarray
    cell_owned_revenue: np.ndarray
    stay_key: np.ndarray
    stay_accounts: np.ndarray
    stay_tam: np.ndarray
    stay_revenue: np.ndarray
    stay_visit_s: np.ndarray
    """Visit seconds of each ``stay_key``'s accounts (issue 18: the baseline is judged on these,
    so a market built from per-cell totals finds the same baseline)."""
    share: ShareSettings
    """Market-share thresholds and effort plan of the call plan (``planning.share_classes``)."""
    share_tam: np.ndarray
    share_revenue: np.ndarray
    """(N,) TAM and revenue of every planned account in the cell, pinned ones included: what the
    cell's class is judged on."""
    cell_class: np.ndarray
    account_class: np.ndarray
    """(N,) and (A,) class codes (``ShareClass``); they do not depend on owners."""
    account_travel_s: np.ndarray
    """(A,) travel seconds a pinned account costs its rep (0 for the others)."""
    outside: pd.DataFrame | None = None
    """Accounts kept out of the plan because they lie more than ``SNAP_KM`` outside the
    boundary, index as in the frame given; None when there are none."""

    @property
    def outside_accounts(self) -> int:
        """How many accounts lie outside the planning area (not in ``accounts``, not planned)."""
        return 0 if self.outside is None else len(self.outside)

    @property
    def aggregated(self) -> bool:
        """Built from per-cell totals (``planning.market_totals``): no row per account.

        Issue 18 point 4: such a market plans and measures as any other, but what needs single
        accounts (an account list, finding an account, pins of one account) cannot be had.
        """
        held = self.cell_accounts.any() or self.pinned_accounts.any()
        return len(self.account_cell) == 0 and bool(held)

    @property
    def n_reps(self) -> int:
        """Number of reps R; rep positions are 0..R-1 in ``rep_ids`` order."""
        return len(self.rep_ids)

    @property
    def n_cells(self) -> int:
        """Number of cells N in the planning area."""
        return len(self.area)

    def rep_position(self, rep_id: str | None) -> int:
        """Position of a rep id, ``UNASSIGNED`` for None; KeyError for an unknown id."""
        if rep_id is None:
            return UNASSIGNED
        hits = np.flatnonzero(self.rep_ids == str(rep_id))
        if not len(hits):
            raise KeyError(f"unknown rep {rep_id!r}; known: {', '.join(self.rep_ids)}")
        return int(hits[0])

    def stay(self, cells: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, ...]:
        """Accounts, TAM and revenue in ``cells`` whose last owner is ``owners``."""
        if len(self.stay_key) == 0:
            nothing = np.zeros(len(cells), np.int64)
            return nothing, nothing, nothing
        key = cells.astype(np.int64) * (self.n_reps + 1) + owners + 1
        pos = np.searchsorted(self.stay_key, key)
        pos = np.minimum(pos, max(len(self.stay_key) - 1, 0))
        hit = self.stay_key[pos] == key
        return tuple(
            np.where(hit, arr[pos], 0)
            for arr in (self.stay_accounts, self.stay_tam, self.stay_revenue)
        )


def to_cents(values: pd.Series) -> np.ndarray:
    """Money as whole cents (int64), rounded half away from zero."""
    v = np.asarray(values, dtype=np.float64) * 100.0
    return (np.sign(v) * np.floor(np.abs(v) + 0.5)).astype(np.int64)


def to_seconds(hours: np.ndarray) -> np.ndarray:
    """Hours as whole seconds (int64), rounded half up."""
    return np.floor(np.asarray(hours, dtype=np.float64) * SECONDS_PER_HOUR + 0.5).astype(np.int64)


def build_market(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    call_plan: pd.DataFrame | None = None,
    travel: TravelModel | None = None,
    *,
    resolution: int | None = None,
    area: PlanningArea | None = None,
    extra_cells: np.ndarray | None = None,
    boundary: Boundary | None = None,
) -> Market:
    """Bin validated accounts onto a planning area and precompute every sum.

    Parameters
    ----------
    accounts, reps
        Frames as ``data.schemas`` describes (validated); reps in rep order.
    area
        Reuse a planning area (a stored tiling); by default one is tiled around the
        accounts at ``resolution``, inside ``boundary`` when one is given.
    boundary
        Where cells may lie (``geo.area.Boundary``); None tiles the accounts' hull, which
        holds every account's cell. Give it with a stored area too: it decides which
        accounts are planned.

    With a boundary, accounts more than ``SNAP_KM`` outside it are kept out of the plan, in
    ``Market.outside`` (never dropped silently), whatever the resolution; the others go to
    their own cell, or the nearest area cell when theirs is not in the area.
    """
    call_plan = default_call_plan() if call_plan is None else call_plan
    travel = travel or travel_of(call_plan)
    lat = accounts["lat"].to_numpy(np.float64)
    lon = accounts["lon"].to_numpy(np.float64)
    if area is None:
        resolution = resolution if resolution is not None else resolution_for(lat, lon, boundary)
        cells = latlng_to_cells(lat, lon, resolution)
        area = planning_area(
            lat, lon, resolution, boundary, extra_cells=extra_cells, account_cells=cells
        )
    else:
        cells = latlng_to_cells(lat, lon, area.resolution)
    if boundary is None:
        account_cell = area.positions(cells)
        if (account_cell < 0).any():
            n_off = int((account_cell < 0).sum())
            raise ValueError(f"{n_off} accounts lie outside the planning area")
        off = np.zeros(len(cells), bool)
    else:
        off = km_outside(boundary.shape, lat, lon) > SNAP_KM
        account_cell = np.where(off, -1, place_points(area, lat, lon, cells))
    outside = None
    if off.any():
        outside = accounts[off]
        accounts = accounts[~off].reset_index(drop=True)
        account_cell = account_cell[~off]

    rep_ids = reps["rep_id"].astype(str).to_numpy()
    n_reps, n_cells = len(rep_ids), len(area)
    rep_index = pd.Index(rep_ids)
    rep_col = accounts["rep_id"] if "rep_id" in accounts else pd.Series(pd.NA, index=accounts.index)
    account_rep = rep_index.get_indexer(rep_col.astype("string").fillna("\0"))
    pinned = (
        accounts["pinned"].fillna(False).to_numpy(bool, copy=True)
        if "pinned" in accounts
        else np.zeros(len(accounts), bool)
    )
    pinned &= account_rep >= 0

    seg_pos = pd.Index(SEGMENTS).get_indexer(accounts["segment"])
    plan = call_plan.reindex(list(SEGMENTS))
    visits = plan["visits_per_year"].to_numpy(np.float64)[seg_pos]
    minutes = plan["minutes_per_visit"].to_numpy(np.float64)[seg_pos]
    field = (plan["channel"].to_numpy() == "field")[seg_pos]
    tam, revenue = to_cents(accounts["tam"]), to_cents(accounts["revenue"])
    # issue 14: each cell's market-share class, and the effort plan's visits for its accounts
    share = share_settings_of(call_plan)
    share_tam = group_cents(account_cell, tam, n_cells)
    share_revenue = group_cents(account_cell, revenue, n_cells)
    cell_class = classify(share_tam, share_revenue, share.thresholds)
    account_class = cell_class[account_cell]
    visits, minutes, field = apply_effort(
        share.effort, account_class, seg_pos, visits, minutes, field
    )
    visit_s = to_seconds(visits * minutes / 60.0)
    field_visits = np.where(field, visits, 0.0)

    free = ~pinned
    fc = account_cell[free]
    cell_accounts = np.bincount(fc, minlength=n_cells).astype(np.int64)
    cell_segments = np.zeros((n_cells, len(SEGMENTS)), np.int64)
    np.add.at(cell_segments, (fc, seg_pos[free]), 1)
    cell_visit_s = _sum_int(fc, visit_s[free], n_cells)
    cell_field_visits = np.bincount(fc, weights=field_visits[free], minlength=n_cells)
    cell_field_visits = cell_field_visits.astype(np.float64)  # int64 when nothing is free
    cell_tam = _sum_int(fc, tam[free], n_cells)
    cell_revenue = _sum_int(fc, revenue[free], n_cells)

    home_lat = reps["home_lat"].to_numpy(np.float64)
    home_lon = reps["home_lon"].to_numpy(np.float64)
    dist_km = haversine_km(
        area.lat[:, None], area.lon[:, None], home_lat[None, :], home_lon[None, :]
    )
    per_visit_h = 2.0 * dist_km * travel.circuity / travel.speed_kmh / travel.visits_per_trip
    travel_s = to_seconds(cell_field_visits[:, None] * per_visit_h)
    dist_m = np.floor(dist_km * 1000.0 + 0.5).astype(np.int64)

    pc, pr = account_cell[pinned], account_rep[pinned]
    p_travel = (
        to_seconds(field_visits[pinned] * per_visit_h[pc, pr]) if len(pc) else np.zeros(0, np.int64)
    )
    p_work = visit_s[pinned] + p_travel
    pinned_segments = np.zeros((n_reps, len(SEGMENTS)), np.int64)
    np.add.at(pinned_segments, (pr, seg_pos[pinned]), 1)
    pinned_max = np.zeros(n_reps, np.int64)
    np.maximum.at(pinned_max, pr, np.where(p_work > 0, dist_m[pc, pr], 0))

    account_travel_s = np.zeros(len(accounts), np.int64)
    account_travel_s[pinned] = p_travel
    owned = free & (account_rep >= 0)
    stay = _stay_table(account_cell[owned], account_rep[owned], tam[owned], revenue[owned],
                       visit_s[owned], n_reps)  # fmt: skip
    oc = account_cell[owned]
    return Market(
        area=area,
        accounts=accounts,
        reps=reps,
        call_plan=plan,
        travel=travel,
        rep_ids=rep_ids,
        capacity_s=to_seconds(reps["capacity_hours"].to_numpy(np.float64)),
        account_cell=account_cell,
        account_rep=account_rep,
        account_pinned=pinned,
        account_visit_s=visit_s,
        cell_accounts=cell_accounts,
        cell_segments=cell_segments,
        cell_visit_s=cell_visit_s,
        cell_field_visits=cell_field_visits,
        cell_tam=cell_tam,
        cell_revenue=cell_revenue,
        travel_s=travel_s,
        dist_m=dist_m,
        pinned_accounts=np.bincount(pr, minlength=n_reps).astype(np.int64),
        pinned_segments=pinned_segments,
        pinned_visit_s=_sum_int(pr, visit_s[pinned], n_reps),
        pinned_travel_s=_sum_int(pr, p_travel, n_reps),
        pinned_tam=_sum_int(pr, tam[pinned], n_reps),
        pinned_revenue=_sum_int(pr, revenue[pinned], n_reps),
        pinned_dist_work=_sum_int(pr, p_work * dist_m[pc, pr], n_reps),
        pinned_max_dist_m=pinned_max,
        cell_owned_accounts=np.bincount(oc, minlength=n_cells).astype(np.int64),
        cell_owned_tam=_sum_int(oc, tam[owned], n_cells),
        cell_owned_revenue=_sum_int(oc, revenue[owned], n_cells),
        **stay,
        share=share,
        share_tam=share_tam,
        share_revenue=share_revenue,
        cell_class=cell_class,
        account_class=account_class,
        account_travel_s=account_travel_s,
        outside=outside,
    )


def _sum_int(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Exact integer group sums (``bincount`` would go through float64)."""
    out = np.zeros(size, np.int64)
    np.add.at(out, index, np.asarray(values, dtype=np.int64))
    return out


def _stay_table(
    cell, rep, tam, revenue, visit_s, n_reps: int, accounts: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Per (cell, last owner): accounts, TAM, revenue, visit seconds, keyed for ``Market.stay``.

    One entry per account, or per group of ``accounts`` accounts (``planning.market_totals``).
    """
    key = cell.astype(np.int64) * (n_reps + 1) + rep + 1
    uniq, inv = np.unique(key, return_inverse=True)
    count = np.ones(len(key), np.int64) if accounts is None else accounts
    return {
        "stay_key": uniq,
        "stay_accounts": _sum_int(inv, count, len(uniq)),
        "stay_tam": _sum_int(inv, tam, len(uniq)),
        "stay_revenue": _sum_int(inv, revenue, len(uniq)),
        "stay_visit_s": _sum_int(inv, visit_s, len(uniq)),
    }
