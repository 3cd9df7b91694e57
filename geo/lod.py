"""Level of detail for the map: never ask the browser to draw more than a few thousand cells.

Zoomed out, the map draws coarser parent cells (each coloured by the owner
of most of its children); zoomed in, it draws the plan's own cells, but only
those in view. A lasso over a parent cell moves all its children.

A display level is the plan's cells grouped under their ancestors at some
resolution; level 0 is the plan's own resolution (one unit per cell).
"""

from __future__ import annotations

import json
import math
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


def quantise(bbox: BBox) -> BBox:
    """Snap a view outward to a power-of-two grid, so nearby views share one geometry URL."""
    west, south, east, north = bbox
    span = max(east - west, north - south, 1e-6)
    step = 2.0 ** math.floor(math.log2(span / 4))
    return (
        math.floor(west / step) * step,
        math.floor(south / step) * step,
        math.ceil(east / step) * step,
        math.ceil(north / step) * step,
    )


def pick_view(levels: list[DisplayLevel], bbox: BBox | None) -> tuple[int, BBox | None, np.ndarray]:
    """Level, snapped view and drawn units for a map view (None = the whole area).

    The whole area is drawn while its coarsest fitting level shows it all, so
    zooming in only switches to in-view geometry once finer cells are needed.
    """
    whole_level, whole_units = choose_view(levels, None)
    if bbox is None:
        return whole_level, None, whole_units
    snapped = quantise(bbox)
    level, units = choose_view(levels, snapped)
    if level >= whole_level:
        return whole_level, None, whole_units
    return level, snapped, units


def drawn_units(levels: list[DisplayLevel], level: int, snapped: BBox | None) -> np.ndarray:
    """The units drawn for a (level, snapped view) pair, as ``pick_view`` chose them."""
    return units_in_view(levels[level], _widen(snapped, 0.5) if snapped is not None else None)[
        :MAX_DRAWN
    ]


def view_key(snapped: BBox | None) -> str:
    """A URL-safe name for a snapped view."""
    if snapped is None:
        return "all"
    return "_".join(f"{v:.6g}" for v in snapped)


def parse_view_key(key: str) -> BBox | None:
    """Inverse of ``view_key``; ValueError for anything else."""
    if key == "all":
        return None
    parts = [float(p) for p in key.split("_")]
    if len(parts) != 4:
        raise ValueError(f"bad view key {key!r}")
    return tuple(parts)  # type: ignore[return-value]


def geojson_bytes(level: DisplayLevel, units: np.ndarray) -> bytes:
    """A FeatureCollection of the units, each with its unit index as numeric ``id``."""
    rings = unit_rings(level, units)
    features = [
        {
            "type": "Feature",
            "id": int(u),
            "properties": {},
            "geometry": {"type": "Polygon", "coordinates": [r]},
        }
        for u, r in zip(units.tolist(), rings, strict=True)
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, separators=(",", ":")
    ).encode()
