"""Extents and outlines of sets of cells: what a map must show to show them whole.

A map fitted to the cells' centres cuts the outer cells in half; fitting to
their polygons shows every cell whole. Outlines are GeoJSON geometries, drawn
over the cells to point at one cell or one territory.
"""

from __future__ import annotations

import math

import numpy as np

import h3
import h3.api.numpy_int as h3i

BBox = tuple[float, float, float, float]
"""West, south, east, north in degrees."""


def cells_bounds(cells: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> BBox:
    """West, south, east, north of the cells' polygons (not just their centres).

    Only the cells whose centre lies within two edge lengths of an extreme can
    hold an extreme vertex, so only their boundaries are computed (a handful
    of the area's cells, whatever its size).

    ``lat``/``lon`` are the cells' centres, in the same order as ``cells``.
    """
    cells = np.asarray(cells, dtype=np.uint64)
    if len(cells) == 0:
        raise ValueError("no cells to bound")
    lat, lon = np.asarray(lat, np.float64), np.asarray(lon, np.float64)
    resolution = int(h3i.get_resolution(cells[0]))
    margin_lat = 2 * h3.average_hexagon_edge_length(resolution, unit="km") / 111.0
    widest = math.cos(math.radians(min(89.0, float(np.abs(lat).max()) + margin_lat)))
    margin_lon = margin_lat / max(widest, 1e-3)
    near = (
        (lat <= lat.min() + margin_lat)
        | (lat >= lat.max() - margin_lat)
        | (lon <= lon.min() + margin_lon)
        | (lon >= lon.max() - margin_lon)
    )
    vertices = np.array([v for c in cells[near].tolist() for v in h3i.cell_to_boundary(c)])
    return (
        float(vertices[:, 1].min()),
        float(vertices[:, 0].min()),
        float(vertices[:, 1].max()),
        float(vertices[:, 0].max()),
    )


def cells_outline(cells: np.ndarray) -> dict:
    """The union of the cells as a GeoJSON Polygon or MultiPolygon (lon/lat order).

    Neighbouring cells merge, so a territory reads as one shape with its holes.
    """
    cells = np.asarray(cells, dtype=np.uint64)
    if len(cells) == 0:
        return {"type": "MultiPolygon", "coordinates": []}
    shape = h3i.cells_to_h3shape(cells)
    return dict(shape.__geo_interface__)


def point_bounds(lat: float, lon: float, radius_km: float) -> BBox:
    """A box of ``radius_km`` around a point: the neighbourhood a map shows around it."""
    dlat = radius_km / 111.0
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-3)
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat
