"""The planning area: a continuous H3 tiling of where the accounts are.

Territories must be real areas, so the area holds every cell inside the
accounts' buffered hull (or a region boundary), empty ones included; a new
account then always lands in a cell someone owns.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from itertools import repeat

import numpy as np
from scipy.spatial import ConvexHull, QhullError, cKDTree

import h3
import h3.api.basic_int as h3b
import shapely

from geo.cells import (
    MAX_PLANNING_CELLS,
    approx_area_km2,
    cells_to_latlng,
    check_resolution,
    default_resolution,
    haversine_km,
    latlng_to_cells,
)
from geo.outliers import unit_vectors

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


@dataclass(frozen=True, eq=False)
class Boundary:
    """Where planning-area cells may lie: those whose centre falls inside ``shape``.

    Attributes
    ----------
    shape
        A (multi)polygon in lon/lat degrees.
    within_hull
        True: only the part of ``shape`` around the accounts (their buffered hull) is tiled,
        as for the default "land of the accounts' countries". False: the whole shape is the
        planning area (a chosen region, an uploaded boundary), empty parts included.
    """

    shape: shapely.Geometry
    within_hull: bool = False


def planning_area(
    lat: np.ndarray,
    lon: np.ndarray,
    resolution: int | None = None,
    boundary: Boundary | None = None,
    extra_cells: np.ndarray | None = None,
    account_cells: np.ndarray | None = None,
) -> PlanningArea:
    """Tile the accounts' region with cells.

    Parameters
    ----------
    lat, lon
        Account coordinates. Without a boundary their cells are always part of the area; with
        one they are not (``place_points`` puts each account in its own or the nearest cell).
    resolution
        H3 resolution 4..9; by default the finest that keeps the area to
        about ``MAX_PLANNING_CELLS`` cells.
    boundary
        Keep only cells whose centre lies inside it (vectorised ``shapely.contains_xy``
        over the cell centres); None keeps the accounts' buffered hull whole.
    extra_cells
        Cells that must be in the area too (those of a loaded plan).
    account_cells
        The accounts' cells at ``resolution`` when the caller has them already.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    if resolution is None:
        resolution = resolution_for(lat, lon, boundary)
        account_cells = None
    check_resolution(resolution)
    region = _tiled_region(lat, lon, resolution, boundary)
    estimate = estimated_cells(lat, lon, resolution, boundary, region=region)
    if estimate > HARD_CELL_LIMIT:
        raise TooManyCellsError(resolution, estimate)
    tiled = _tile(region, resolution)
    parts = [tiled]
    if boundary is not None:
        parts = [tiled[inside_centres(tiled, boundary.shape)]]
    else:
        if account_cells is None:
            account_cells = latlng_to_cells(lat, lon, resolution)
        parts.append(np.asarray(account_cells, dtype=np.uint64))
    if extra_cells is not None and len(extra_cells):
        parts.append(np.asarray(extra_cells, dtype=np.uint64))
    return area_from_cells(np.unique(np.concatenate(parts)), resolution)


class TooManyCellsError(ValueError):
    """A resolution would tile the region into more than ``HARD_CELL_LIMIT`` cells.

    Carries the numbers so that a screen can say them in its own words (issue 12 point 7a).
    """

    def __init__(
        self,
        resolution: int,
        cells: float,
        limit: int = HARD_CELL_LIMIT,
        *,
        finest: int | None = None,
        current: int | None = None,
    ):
        self.resolution = resolution
        self.cells = int(round(cells))
        self.limit = limit
        self.finest = finest
        """The finest resolution that fits, when the caller knows it."""
        self.current = current
        """The resolution the refused plan stays at, when the caller knows it."""
        super().__init__(
            f"resolution {resolution} tiles this region into about {self.cells:,} cells; "
            f"the limit is {limit:,}: choose a coarser resolution"
        )


def _tiled_region(
    lat: np.ndarray, lon: np.ndarray, resolution: int, boundary: Boundary | None
) -> shapely.Geometry:
    """What ``planning_area`` tiles at ``resolution``: the hull or the boundary, buffered."""
    edge_deg = h3.average_hexagon_edge_length(resolution, unit="km") / 111.0
    if boundary is not None and not boundary.within_hull:
        return shapely.simplify(boundary.shape, edge_deg / 2).buffer(edge_deg)
    region = _hull(lat, lon).buffer(edge_deg)
    if boundary is not None:  # tile only near the boundary (an outlier widens the hull)
        x0, y0, x1, y1 = boundary.shape.bounds
        region = region.intersection(shapely.box(x0, y0, x1, y1).buffer(edge_deg))
    return region


def estimated_cells(
    lat: np.ndarray,
    lon: np.ndarray,
    resolution: int,
    boundary: Boundary | None = None,
    *,
    region: shapely.Geometry | None = None,
) -> float:
    """About how many cells ``planning_area`` makes at ``resolution``, without tiling.

    The figure ``HARD_CELL_LIMIT`` is judged on, so that a screen can tell beforehand
    which resolutions would be refused (the area divided by a cell's average area).
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    if region is None:
        region = _tiled_region(lat, lon, resolution, boundary)
    estimate = approx_area_km2(lat, lon, region) / h3.average_hexagon_area(resolution, unit="km^2")
    if boundary is not None:
        estimate = min(estimate, _estimate(lat, lon, boundary, resolution))
    return float(estimate)


def _tile(region: shapely.Geometry, resolution: int) -> np.ndarray:
    """Cells whose centre h3 finds in ``region`` (uint64, unsorted)."""
    if region.is_empty:
        return np.zeros(0, np.uint64)
    shape = h3.geo_to_h3shape(shapely.geometry.mapping(region))
    return np.array([h3.str_to_int(c) for c in h3.h3shape_to_cells(shape, resolution)], np.uint64)


def inside_centres(cells: np.ndarray, shape: shapely.Geometry) -> np.ndarray:
    """Boolean mask: cells whose centre lies inside ``shape`` (lon/lat), vectorised."""
    if not len(cells):
        return np.zeros(0, bool)
    lat, lon = cells_to_latlng(cells)
    shapely.prepare(shape)
    return np.asarray(shapely.contains_xy(shape, lon, lat), dtype=bool)


def _estimate(lat: np.ndarray, lon: np.ndarray, boundary: Boundary, resolution: int) -> float:
    """Cells the boundary's tiling will hold, from its area (for the limit and the resolution)."""
    return _region_km2(lat, lon, boundary) / h3.average_hexagon_area(resolution, unit="km^2")


def _region_km2(lat: np.ndarray, lon: np.ndarray, boundary: Boundary | None) -> float:
    """Area of what will be tiled: the hull, the boundary, or the hull's part of the boundary."""
    if boundary is None:
        return approx_area_km2(lat, lon, _hull(lat, lon))
    if boundary.within_hull:
        region = _hull(lat, lon).intersection(boundary.shape)
        if region.is_empty:  # the accounts lie outside: the area is what the hull touches
            region = _hull(lat, lon)
        return approx_area_km2(lat, lon, region)
    centre_lat = np.array([boundary.shape.centroid.y])
    return approx_area_km2(centre_lat, centre_lat, boundary.shape)


def place_points(
    area: PlanningArea,
    lat: np.ndarray,
    lon: np.ndarray,
    cells: np.ndarray | None = None,
) -> np.ndarray:
    """Position of each point's cell in the area, or of the nearest area cell.

    A point whose cell is not in the area goes to the area cell whose centre is nearest (an
    address on a coast that the 1:50m coastline puts at sea, a cell whose centre lies across a
    border). -1 only for an empty area.

    Which points belong to the plan at all is the caller's rule (``km_outside``); this only
    places them. Vectorised: one KD-tree over the cell centres on the unit sphere.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    if cells is None:
        cells = latlng_to_cells(lat, lon, area.resolution)
    pos = area.positions(cells)
    off = np.flatnonzero(pos < 0)
    if not len(off) or not len(area):
        return pos
    tree = cKDTree(unit_vectors(area.lat, area.lon))
    _, nearest = tree.query(unit_vectors(lat[off], lon[off]))
    pos[off] = nearest
    return pos


def km_outside(shape: shapely.Geometry, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle km from each point to ``shape`` (0 inside it).

    The inside test runs vectorised; the distance is measured only for the points outside.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    out = np.zeros(len(lat))
    if not len(lat):
        return out
    shapely.prepare(shape)
    idx = np.flatnonzero(~shapely.contains_xy(shape, lon, lat))
    if len(idx):
        lines = _shortest_lines(shape, shapely.points(lon[idx], lat[idx]))
        ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
        out[idx] = haversine_km(ends[:, 0, 1], ends[:, 0, 0], ends[:, 1, 1], ends[:, 1, 0])
    return out


def _shortest_lines(shape: shapely.Geometry, points: np.ndarray) -> np.ndarray:
    """``shapely.shortest_line(shape, points)`` for points outside a (multi)polygon, faster.

    Issue 18: GEOS measures each point against every edge of the shape (17k edges for the US,
    Canada and Mexico: 0.1 ms a point). The nearest point of an outside point lies on the
    shape's nearest edge, so a tree of the edges finds that edge and only it is measured; the
    line is the same (the same closest point of the same segment).
    """
    rings = shapely.get_rings(shapely.get_parts(shape))
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    if len(coords) < 2:
        return shapely.shortest_line(shape, points)
    same_ring = ring_of[1:] == ring_of[:-1]
    segments = shapely.linestrings(np.stack([coords[:-1], coords[1:]], axis=1)[same_ring])
    tree = shapely.STRtree(segments)
    found, edge = tree.query_nearest(points, all_matches=False)
    lines = np.empty(len(points), dtype=object)
    lines[found] = shapely.shortest_line(segments[edge], points[found])
    return lines


def resolution_for(lat: np.ndarray, lon: np.ndarray, boundary: Boundary | None = None) -> int:
    """The default resolution for accounts at ``lat``/``lon`` (see ``default_resolution``)."""
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    return default_resolution(_region_km2(lat, lon, boundary), MAX_PLANNING_CELLS)


def area_from_cells(cells: np.ndarray, resolution: int) -> PlanningArea:
    """Build the geometry tables of an explicit, sorted set of cells.

    Issue 18: the directed edges are made with numpy from the cells' bits (what
    ``origin_to_directed_edges`` returns, in its order), and only what needs h3's geometry
    (destinations, edge lengths, cell areas) goes through it, one flat ``map`` per table over
    the C binding: about a third of the old per-cell loop's time on 36k cells, same tables.
    """
    cells = np.unique(np.asarray(cells, dtype=np.uint64))
    n = len(cells)
    neighbours = np.full((n, 6), NO_NEIGHBOUR, dtype=np.int64)
    edge_mm = np.zeros((n, 6), dtype=np.int64)
    cell_list = cells.tolist()
    area_m2 = np.fromiter(
        (round(a) for a in map(h3b.cell_area, cell_list, repeat("m^2", n))), np.int64, count=n
    )
    edges, has_edge = directed_edges(cells)
    flat = edges[has_edge].tolist()
    dest = np.zeros((n, 6), dtype=np.uint64)
    dest[has_edge] = np.fromiter(
        map(h3b.get_directed_edge_destination, flat), np.uint64, count=len(flat)
    )
    lengths = np.fromiter(map(h3b.edge_length, flat, repeat("m", len(flat))), np.float64, len(flat))
    # round() as the loop did (half to even; numpy's rint agrees on float64)
    edge_mm[has_edge] = np.rint(lengths * 1000.0).astype(np.int64)
    probe = np.searchsorted(cells, dest.ravel()).reshape(n, 6)
    probe = np.minimum(probe, max(n - 1, 0))
    inside = has_edge & (cells[probe] == dest) if n else has_edge
    neighbours[inside] = probe[inside]
    lat, lon = cells_to_latlng(cells)
    return PlanningArea(resolution, cells, lat, lon, neighbours, edge_mm, area_m2)


_EDGE_BITS = np.uint64((0xF << 59) | (0x7 << 56))  # an index's mode and reserved bits
_EDGE_MODE = np.uint64(2 << 59)  # H3_DIRECTEDEDGE_MODE
_DIRECTIONS = np.arange(1, 7, dtype=np.uint64) << np.uint64(56)  # K_AXES .. IJ_AXES


def directed_edges(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, 6) directed edges out of each cell, as ``origin_to_directed_edges`` lists them.

    An edge is its origin's index with mode 2 and the direction (1..6) in the reserved bits;
    a pentagon has no direction 1 (its deleted K sub-sequence): h3 lists its five edges as
    directions 6, 2, 3, 4, 5 (slots 0..4), and ``has_edge`` is False in slot 5.
    """
    cells = np.asarray(cells, dtype=np.uint64)
    base = (cells & ~_EDGE_BITS) | _EDGE_MODE
    edges = base[:, None] | _DIRECTIONS[None, :]
    has_edge = np.ones(edges.shape, dtype=bool)
    pentagons = np.fromiter(map(h3b.is_pentagon, cells.tolist()), bool, count=len(cells))
    if pentagons.any():
        edges[pentagons] = edges[pentagons][:, [5, 1, 2, 3, 4, 0]]
        edges[pentagons, 5] = 0
        has_edge[pentagons, 5] = False
    return edges, has_edge


def _hull(lat: np.ndarray, lon: np.ndarray) -> shapely.Geometry:
    """Convex hull of the points in lon/lat: one piece, so territories can be contiguous.

    scipy's Qhull on the raw array: a tenth of the time and memory of building
    a million shapely points first. Issue 18: one tiling asks for the hull up to three times
    (resolution, region, estimate); the last two are kept by content, so it is built once.
    """
    if len(lat) == 0:
        raise ValueError("no accounts: the planning area needs at least one location")
    lat = np.ascontiguousarray(lat, dtype=np.float64)
    lon = np.ascontiguousarray(lon, dtype=np.float64)
    key = hashlib.sha1(lat.tobytes())
    key.update(lon.tobytes())
    digest = key.hexdigest()
    for seen, hull in _HULLS:
        if seen == digest:
            return hull
    hull = _convex_hull(lat, lon)
    _HULLS.appendleft((digest, hull))
    return hull


_HULLS: deque[tuple[str, shapely.Geometry]] = deque(maxlen=2)


def _convex_hull(lat: np.ndarray, lon: np.ndarray) -> shapely.Geometry:
    # the distinct points in (lon, lat) order, as np.unique(axis=0) gave them (Qhull's input
    # order decides where the ring starts); a lexsort is about twice as fast on 1M points
    xy = hull_candidates(np.column_stack([lon, lat]))  # the points that can be vertices
    xy = xy[np.lexsort((xy[:, 1], xy[:, 0]))]
    if len(xy) > 1:
        xy = xy[np.r_[True, np.any(xy[1:] != xy[:-1], axis=1)]]
    if len(xy) < 3:
        return shapely.MultiPoint(xy).convex_hull
    try:
        return shapely.Polygon(xy[ConvexHull(xy).vertices])
    except QhullError:  # all points on one line
        return shapely.MultiPoint(xy).convex_hull


def resolution_of_extent(hull_lat: np.ndarray, hull_lon: np.ndarray, mean_lat: float) -> int:
    """``resolution_for`` of accounts known only by their hull candidates and mean latitude.

    Issue 18 point 4: on Dask no process holds every account; each part sends its
    ``hull_candidates`` (their hull is the hull of all) and its latitude sum. The result is
    ``resolution_for``'s whenever ``mean_lat`` is ``np.mean`` of every latitude.
    """
    hull = _hull(np.asarray(hull_lat, np.float64), np.asarray(hull_lon, np.float64))
    km2 = approx_area_km2(np.array([mean_lat]), np.array([0.0]), hull)
    return default_resolution(km2, MAX_PLANNING_CELLS)


def hull_candidates(xy: np.ndarray) -> np.ndarray:
    """The points that may be hull vertices: those not strictly inside the extremes' polygon.

    Issue 18 point 3 (Akl-Toussaint): the points farthest along eight directions span a
    polygon inside the hull; a point strictly inside it is no hull vertex, so dropping it
    changes nothing but the time (``np.unique`` over 10M rows took 10 s, twice per market).
    """
    if len(xy) < 1_000:
        return xy
    x, y = xy[:, 0], xy[:, 1]
    keys = (x, x + y, y, y - x, -x, -x - y, -y, x - y)  # counter-clockwise directions
    ring = xy[[int(np.argmax(k)) for k in keys]]
    ring = ring[np.r_[True, np.any(ring[1:] != ring[:-1], axis=1)]]  # repeated extremes once
    if len(ring) > 1 and np.array_equal(ring[0], ring[-1]):
        ring = ring[:-1]
    if len(ring) < 3:
        return xy
    inside = np.ones(len(xy), bool)
    for (x0, y0), (x1, y1) in zip(ring, np.roll(ring, -1, axis=0), strict=True):
        inside &= (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0) > 0  # strictly left of each edge
    return xy[~inside]
