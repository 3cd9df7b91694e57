"""Level of detail for the map: never ask the browser to draw more than a few thousand cells.

Zoomed out, the map draws coarser parent cells (each coloured by the owner
of most of its children); zoomed in, it draws the plan's own cells, but only
those in view. A lasso over a parent cell moves all its children.

A display level is the plan's cells grouped under their ancestors at some
resolution; level 0 is the plan's own resolution (one unit per cell).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import h3.api.numpy_int as h3i

from geo.area import PlanningArea
from geo.cells import cells_to_latlng

MAX_DRAWN = 4000


@dataclass(frozen=True, eq=False)
class DisplayLevel:
    """The plan's cells grouped into display units at ``resolution``.

    Attributes
    ----------
    unit_of_cell
        (N,) unit index of every plan cell.
    order, starts
        Cells sorted by unit, and where each unit's run begins: the children
        of unit u are ``order[starts[u]:starts[u + 1]]``.
    """

    resolution: int
    units: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    unit_of_cell: np.ndarray
    order: np.ndarray
    starts: np.ndarray

    def __len__(self) -> int:
        return len(self.units)

    def cells_of(self, units: np.ndarray) -> np.ndarray:
        """Plan cell positions under the given units."""
        units = np.unique(np.asarray(units, dtype=np.int64))
        units = units[(units >= 0) & (units < len(self.units))]
        if len(units) == 0:
            return np.zeros(0, np.int64)
        runs = [self.order[self.starts[u] : self.starts[u + 1]] for u in units.tolist()]
        return np.concatenate(runs)


def display_levels(area: PlanningArea, coarser: int = 3) -> list[DisplayLevel]:
    """Level 0 (the plan's cells) and up to ``coarser`` levels of ancestors."""
    levels = []
    for step in range(coarser + 1):
        res = area.resolution - step
        if res < 0:
            break
        if step == 0:
            parents = area.cells
        else:
            parents = np.fromiter(
                (h3i.cell_to_parent(c, res) for c in area.cells.tolist()), np.uint64, len(area)
            )
        units, unit_of_cell = np.unique(parents, return_inverse=True)
        order = np.argsort(unit_of_cell, kind="stable")
        starts = np.searchsorted(unit_of_cell[order], np.arange(len(units) + 1))
        lat, lon = (area.lat, area.lon) if step == 0 else cells_to_latlng(units)
        levels.append(DisplayLevel(res, units, lat, lon, unit_of_cell, order, starts))
    return levels


BBox = tuple[float, float, float, float]


def units_in_view(level: DisplayLevel, bbox: BBox | None) -> np.ndarray:
    """Units whose centre lies in ``bbox`` (west, south, east, north); all without a bbox."""
    if bbox is None:
        return np.arange(len(level))
    west, south, east, north = bbox
    inside = (level.lat >= south) & (level.lat <= north) & (level.lon >= west) & (level.lon <= east)
    return np.flatnonzero(inside)


def choose_view(
    levels: list[DisplayLevel],
    bbox: BBox | None,
    max_drawn: int = MAX_DRAWN,
) -> tuple[int, np.ndarray]:
    """The finest level whose units in view number at most ``max_drawn``.

    The view is widened by half its size on every side so that small pans
    need no new geometry.
    """
    wide = _widen(bbox, 0.5) if bbox is not None else None
    for index, level in enumerate(levels):
        units = units_in_view(level, wide)
        if len(units) <= max_drawn:
            return index, units
    coarsest = len(levels) - 1
    return coarsest, units_in_view(levels[coarsest], wide)[:max_drawn]


def unit_owner(level: DisplayLevel, owner: np.ndarray, n_reps: int) -> np.ndarray:
    """Owner of most of each unit's cells (ties to the lower rep; -1 if mostly unassigned)."""
    counts = np.zeros((len(level), n_reps + 1), np.int64)
    np.add.at(counts, (level.unit_of_cell, owner + 1), 1)
    return counts.argmax(axis=1) - 1


def unit_sums(level: DisplayLevel, values: np.ndarray) -> np.ndarray:
    """Per-unit sum of a per-cell quantity (exact for integers)."""
    out = np.zeros(len(level), dtype=values.dtype)
    np.add.at(out, level.unit_of_cell, values)
    return out


def unit_rings(level: DisplayLevel, units: np.ndarray) -> list[list[list[float]]]:
    """Closed lon/lat rings (GeoJSON order) of the given units."""
    rings = []
    for u in units.tolist():
        boundary = h3i.cell_to_boundary(int(level.units[u]))
        ring = [[round(lng, 5), round(lat, 5)] for lat, lng in boundary]
        ring.append(ring[0])
        rings.append(ring)
    return rings


def _widen(bbox: BBox, share: float) -> BBox:
    west, south, east, north = bbox
    dx, dy = (east - west) * share, (north - south) * share
    return west - dx, south - dy, east + dx, north + dy
