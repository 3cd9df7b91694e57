"""Extents of cells (their polygons, not their centres) and outlines."""

from __future__ import annotations

import numpy as np
import pytest

import h3
import h3.api.numpy_int as h3i
import shapely

from geo.bounds import cells_bounds, cells_outline, point_bounds
from geo.cells import cells_to_latlng


@pytest.mark.parametrize("lat, lon, k", [(52.2, 21.0, 12), (45.0, -93.0, 3), (-33.9, 151.2, 5)])
def test_bounds_hold_every_vertex_and_touch_the_extremes(lat, lon, k):
    cells = np.sort(h3i.grid_disk(h3i.latlng_to_cell(lat, lon, 6), k).astype(np.uint64))
    clat, clon = cells_to_latlng(cells)
    west, south, east, north = cells_bounds(cells, clat, clon)
    vertices = np.array([v for c in cells.tolist() for v in h3i.cell_to_boundary(c)])
    assert (west, south, east, north) == pytest.approx(
        (vertices[:, 1].min(), vertices[:, 0].min(), vertices[:, 1].max(), vertices[:, 0].max())
    )
    assert west < clon.min() and east > clon.max() and south < clat.min() and north > clat.max()


def test_an_outline_is_the_union_of_the_cells():
    centre = h3.latlng_to_cell(45.0, -93.0, 7)
    disk = np.array([h3.str_to_int(c) for c in h3.grid_disk(centre, 1)], np.uint64)
    outline = shapely.geometry.shape(cells_outline(disk))
    cells = [shapely.Polygon([(x, y) for y, x in h3.cell_to_boundary(c)])
             for c in h3.grid_disk(centre, 1)]  # fmt: skip
    assert outline.geom_type == "Polygon"
    assert outline.area == pytest.approx(sum(c.area for c in cells), rel=1e-9)
    assert cells_outline(np.zeros(0, np.uint64))["coordinates"] == []


def test_point_bounds_are_wider_in_degrees_of_longitude_up_north():
    west, south, east, north = point_bounds(60.0, 10.0, 11.1)
    assert north - south == pytest.approx(0.2)
    assert east - west == pytest.approx(0.4)
