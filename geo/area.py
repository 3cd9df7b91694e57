"""The planning area: a continuous H3 tiling of where the accounts are.

Territories must be real areas, so the area holds every cell inside the
accounts' buffered hull (or a region boundary), empty ones included; a new
account then always lands in a cell someone owns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import ConvexHull, QhullError

import h3
import h3.api.numpy_int as h3i
import shapely

from geo.cells import (
    MAX_PLANNING_CELLS,
    approx_area_km2,
    cells_to_latlng,
    check_resolution,
    default_resolution,
    latlng_to_cells,
)

HARD_CELL_LIMIT = 500_000
NO_NEIGHBOUR = -1


@dataclass(frozen=True, eq=False)
class PlanningArea:
    """Cells of the planning area with what metrics need of their geometry.

    Cell positions 0..N-1 follow the sorted H3 ids. Geometry is kept as
    integers (square metres, millimetres) so that sums over any set of cells
    are exact and an incremental update equals a full recount to the unit.

    Attributes
    ----------
    neighbours
        (N, 6) positions of each cell's neighbours through its edges;
        ``NO_NEIGHBOUR`` where the neighbour lies outside the area or a
        pentagon has no sixth edge.
    edge_mm
        (N, 6) length of the edge to each neighbour slot (0 for a pentagon's
        missing slot); an edge to outside the area is still real boundary.
    """

    resolution: int
    cells: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    neighbours: np.ndarray
    edge_mm: np.ndarray
    area_m2: np.ndarray

    def __len__(self) -> int:
        return len(self.cells)

    def positions(self, cells: np.ndarray) -> np.ndarray:
        """Positions of H3 ids in the area, -1 for ids outside it."""
        cells = np.asarray(cells, dtype=np.uint64)
        pos = np.searchsorted(self.cells, cells)
        pos = np.minimum(pos, len(self.cells) - 1)
        found = self.cells[pos] == cells if len(self.cells) else np.zeros(len(cells), bool)
        return np.where(found, pos, -1).astype(np.int64)


def planning_area(
    lat: np.ndarray,
    lon: np.ndarray,
    resolution: int | None = None,
    boundary: shapely.Geometry | None = None,
    extra_cells: np.ndarray | None = None,
    account_cells: np.ndarray | None = None,
) -> PlanningArea:
    """Tile the accounts' region with cells.

    Parameters
    ----------
    lat, lon
        Account coordinates; their cells are always part of the area.
    resolution
        H3 resolution 4..9; by default the finest that keeps the area to
        about ``MAX_PLANNING_CELLS`` cells.
    boundary
        A region in lon/lat (e.g. from GeoJSON) to tile instead of the
        accounts' hull.
    extra_cells
        Cells that must be in the area too (those of a loaded plan).
    account_cells
        The accounts' cells at ``resolution`` when the caller has them already.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    region = boundary if boundary is not None else _hull(lat, lon)
    if resolution is None:
        resolution = default_resolution(approx_area_km2(lat, lon, region), MAX_PLANNING_CELLS)
        account_cells = None
    check_resolution(resolution)
    edge_deg = h3.average_hexagon_edge_length(resolution, unit="km") / 111.0
    region = region.buffer(edge_deg) if boundary is None else region
    estimate = approx_area_km2(lat, lon, region) / h3.average_hexagon_area(resolution, unit="km^2")
    if estimate > HARD_CELL_LIMIT:
        raise ValueError(
            f"resolution {resolution} tiles this region into about {estimate:,.0f} cells; "
            f"the limit is {HARD_CELL_LIMIT:,}: choose a coarser resolution"
        )
    shape = h3.geo_to_h3shape(shapely.geometry.mapping(region))
    tiled = np.array([h3.str_to_int(c) for c in h3.h3shape_to_cells(shape, resolution)], np.uint64)
    if account_cells is None:
        account_cells = latlng_to_cells(lat, lon, resolution)
    parts = [tiled, np.asarray(account_cells, dtype=np.uint64)]
    if extra_cells is not None and len(extra_cells):
        parts.append(np.asarray(extra_cells, dtype=np.uint64))
    return area_from_cells(np.unique(np.concatenate(parts)), resolution)


def resolution_for(
    lat: np.ndarray, lon: np.ndarray, boundary: shapely.Geometry | None = None
) -> int:
    """The default resolution for accounts at ``lat``/``lon`` (see ``default_resolution``)."""
    region = boundary if boundary is not None else _hull(np.asarray(lat), np.asarray(lon))
    return default_resolution(approx_area_km2(lat, lon, region), MAX_PLANNING_CELLS)


def area_from_cells(cells: np.ndarray, resolution: int) -> PlanningArea:
    """Build the geometry tables of an explicit, sorted set of cells."""
    cells = np.unique(np.asarray(cells, dtype=np.uint64))
    n = len(cells)
    neighbours = np.full((n, 6), NO_NEIGHBOUR, dtype=np.int64)
    edge_mm = np.zeros((n, 6), dtype=np.int64)
    dest = np.zeros((n, 6), dtype=np.uint64)
    has_edge = np.zeros((n, 6), dtype=bool)
    area_m2 = np.empty(n, dtype=np.int64)
    for i, c in enumerate(cells.tolist()):
        area_m2[i] = round(h3i.cell_area(c, unit="m^2"))
        for j, e in enumerate(h3i.origin_to_directed_edges(c).tolist()):
            dest[i, j] = h3i.get_directed_edge_destination(e)
            edge_mm[i, j] = round(h3i.edge_length(e, unit="m") * 1000.0)
            has_edge[i, j] = True
    probe = np.searchsorted(cells, dest.ravel()).reshape(n, 6)
    probe = np.minimum(probe, max(n - 1, 0))
    inside = has_edge & (cells[probe] == dest) if n else has_edge
    neighbours[inside] = probe[inside]
    lat, lon = cells_to_latlng(cells)
    return PlanningArea(resolution, cells, lat, lon, neighbours, edge_mm, area_m2)


def _hull(lat: np.ndarray, lon: np.ndarray) -> shapely.Geometry:
    """Convex hull of the points in lon/lat: one piece, so territories can be contiguous.

    scipy's Qhull on the raw array: a tenth of the time and memory of building
    a million shapely points first.
    """
    if len(lat) == 0:
        raise ValueError("no accounts: the planning area needs at least one location")
    xy = np.unique(np.column_stack([lon, lat]), axis=0)
    if len(xy) < 3:
        return shapely.MultiPoint(xy).convex_hull
    try:
        return shapely.Polygon(xy[ConvexHull(xy).vertices])
    except QhullError:  # all points on one line
        return shapely.MultiPoint(xy).convex_hull
