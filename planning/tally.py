"""Per-rep sums of a plan, kept exact and updated from the moved cells only.

Slot 0 of every per-slot array is "unassigned", slot r + 1 is rep r, so that
``owner + 1`` indexes them directly. A full recount and an incremental update
run through the same summing function: the update subtracts the moved cells'
contribution under the old owners and adds it under the new ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from planning.disruption import moved as moved_counts
from planning.market import Market

_SUMMED = (
    "accounts", "segments", "visit_s", "travel_s", "tam", "revenue",
    "cells", "dist_work", "area_m2",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Tally:
    """What a plan adds up to, per slot (0 = unassigned, r + 1 = rep r).

    ``components`` and ``max_dist_m`` are per rep (no unassigned slot): they
    are not sums, so a move recomputes them for the reps it touches only.
    ``moved_*`` count what changed owner against last quarter (``planning.disruption``).
    """

    accounts: np.ndarray
    segments: np.ndarray
    visit_s: np.ndarray
    travel_s: np.ndarray
    tam: np.ndarray
    revenue: np.ndarray
    cells: np.ndarray
    dist_work: np.ndarray
    area_m2: np.ndarray
    perimeter_mm: np.ndarray
    components: np.ndarray
    max_dist_m: np.ndarray
    moved_accounts: int
    moved_tam: int
    moved_revenue: int

    def equals(self, other: Tally) -> bool:
        """Exact equality of every figure (for tests and assertions)."""
        return all(
            np.array_equal(getattr(self, f), getattr(other, f)) for f in self.__dataclass_fields__
        )


def full_tally(market: Market, owner: np.ndarray) -> Tally:
    """Count a whole plan from scratch."""
    all_cells = np.arange(market.n_cells)
    sums = _cell_sums(market, owner, all_cells)
    slots = market.n_reps + 1
    sums["accounts"][1:] += market.pinned_accounts
    sums["segments"][1:] += market.pinned_segments
    sums["visit_s"][1:] += market.pinned_visit_s
    sums["travel_s"][1:] += market.pinned_travel_s
    sums["tam"][1:] += market.pinned_tam
    sums["revenue"][1:] += market.pinned_revenue
    sums["dist_work"][1:] += market.pinned_dist_work
    moved = moved_counts(market, owner, all_cells)
    reps = np.arange(market.n_reps)
    return Tally(
        **sums,
        perimeter_mm=_perimeter(market, owner, all_cells, slots),
        components=_components(market, owner, reps, np.zeros(market.n_reps, np.int64)),
        max_dist_m=_max_dist(market, owner, reps, np.zeros(market.n_reps, np.int64)),
        moved_accounts=int(moved[0]),
        moved_tam=int(moved[1]),
        moved_revenue=int(moved[2]),
    )


def moved_tally(
    market: Market, tally: Tally, before: np.ndarray, after: np.ndarray, changed: np.ndarray
) -> Tally:
    """Update ``tally`` of plan ``before`` into that of ``after``.

    ``changed`` lists every cell whose owner differs between the two plans;
    the work is proportional to those cells (and the reps they touch), never
    to all accounts.
    """
    if len(changed) == 0:
        return tally
    slots = market.n_reps + 1
    out = {}
    old, new = _cell_sums(market, before, changed), _cell_sums(market, after, changed)
    for name in _SUMMED:
        out[name] = getattr(tally, name) - old[name] + new[name]
    ring = market.area.neighbours[changed].ravel()
    around = np.unique(np.concatenate([changed, ring[ring >= 0]]))
    out["perimeter_mm"] = (
        tally.perimeter_mm
        - _perimeter(market, before, around, slots)
        + _perimeter(market, after, around, slots)
    )
    touched = np.unique(np.concatenate([before[changed], after[changed]]))
    touched = touched[touched >= 0]
    out["components"] = _components(market, after, touched, tally.components.copy())
    out["max_dist_m"] = _max_dist(market, after, touched, tally.max_dist_m.copy())
    moved = (
        np.array([tally.moved_accounts, tally.moved_tam, tally.moved_revenue])
        - moved_counts(market, before, changed)
        + moved_counts(market, after, changed)
    )
    return replace(
        tally, **out, moved_accounts=int(moved[0]), moved_tam=int(moved[1]),
        moved_revenue=int(moved[2]),
    )  # fmt: skip


def _cell_sums(market: Market, owner: np.ndarray, cells: np.ndarray) -> dict[str, np.ndarray]:
    """Contribution of ``cells`` to every summed figure, by their owner's slot."""
    slots = market.n_reps + 1
    own = owner[cells]
    slot = own + 1
    assigned = own >= 0
    travel = np.zeros(len(cells), np.int64)
    dist = np.zeros(len(cells), np.int64)
    travel[assigned] = market.travel_s[cells[assigned], own[assigned]]
    dist[assigned] = market.dist_m[cells[assigned], own[assigned]]
    visit = market.cell_visit_s[cells]

    def total(values: np.ndarray) -> np.ndarray:
        out = np.zeros(slots, np.int64)
        np.add.at(out, slot, values)
        return out

    segments = np.zeros((slots, market.cell_segments.shape[1]), np.int64)
    np.add.at(segments, slot, market.cell_segments[cells])
    return {
        "accounts": total(market.cell_accounts[cells]),
        "segments": segments,
        "visit_s": total(visit),
        "travel_s": total(travel),
        "tam": total(market.cell_tam[cells]),
        "revenue": total(market.cell_revenue[cells]),
        "cells": total(np.ones(len(cells), np.int64)),
        "dist_work": total((visit + travel) * dist),
        "area_m2": total(market.area.area_m2[cells]),
    }


def _perimeter(market: Market, owner: np.ndarray, cells: np.ndarray, slots: int) -> np.ndarray:
    """Length of the edges out of ``cells`` that border another owner or the area's edge."""
    nb = market.area.neighbours[cells]
    nb_owner = np.where(nb >= 0, owner[np.maximum(nb, 0)], -2)
    border = nb_owner != owner[cells][:, None]
    length = np.where(border, market.area.edge_mm[cells], 0).sum(axis=1)
    out = np.zeros(slots, np.int64)
    np.add.at(out, owner[cells] + 1, length)
    return out


def _components(market: Market, owner: np.ndarray, reps: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Connected pieces of each rep in ``reps`` under H3 adjacency (0 for no cells)."""
    if len(reps) == 0:
        return out
    member = np.flatnonzero(np.isin(owner, reps))
    out[reps] = 0
    if len(member) == 0:
        return out
    local = np.full(market.n_cells, -1, np.int64)
    local[member] = np.arange(len(member))
    nb = market.area.neighbours[member]
    same = (nb >= 0) & (owner[np.maximum(nb, 0)] == owner[member][:, None])
    rows = np.repeat(np.arange(len(member)), nb.shape[1])[same.ravel()]
    cols = local[nb[same]]
    graph = coo_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(len(member),) * 2)
    n, labels = connected_components(graph, directed=False)
    first_owner = np.zeros(n, np.int64)
    first_owner[labels] = owner[member]
    np.add.at(out, first_owner, 1)
    return out


def _max_dist(market: Market, owner: np.ndarray, reps: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Farthest cell with work from each rep's home, pinned accounts included."""
    if len(reps) == 0:
        return out
    sel = np.flatnonzero(np.isin(owner, reps) & (market.cell_accounts > 0))
    out[reps] = market.pinned_max_dist_m[reps]
    np.maximum.at(out, owner[sel], market.dist_m[sel, owner[sel]])
    return out
