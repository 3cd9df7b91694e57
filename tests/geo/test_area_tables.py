"""Issue 18: the vectorised neighbour, edge and area tables equal the per-cell loop's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import h3
import h3.api.numpy_int as h3i

from data.demo import demo_paths
from geo.area import NO_NEIGHBOUR, _hull, area_from_cells, directed_edges, planning_area


def loop_tables(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tables as ``area_from_cells`` built them before issue 18 (one cell at a time)."""
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
    probe = np.minimum(np.searchsorted(cells, dest.ravel()).reshape(n, 6), max(n - 1, 0))
    inside = has_edge & (cells[probe] == dest) if n else has_edge
    neighbours[inside] = probe[inside]
    return neighbours, edge_mm, area_m2


def _assert_same(cells: np.ndarray, resolution: int) -> None:
    area = area_from_cells(cells, resolution)
    neighbours, edge_mm, area_m2 = loop_tables(cells)
    np.testing.assert_array_equal(area.neighbours, neighbours)
    np.testing.assert_array_equal(area.edge_mm, edge_mm)
    np.testing.assert_array_equal(area.area_m2, area_m2)


def _disk(cell: str, k: int) -> np.ndarray:
    return np.array([h3.str_to_int(c) for c in h3.grid_disk(cell, k)], dtype=np.uint64)


def test_the_demo_area_tables_equal_the_loop() -> None:
    accounts = pd.read_csv(demo_paths()[0])
    area = planning_area(accounts["lat"].to_numpy(), accounts["lon"].to_numpy(), 6)
    assert len(area) > 10_000
    _assert_same(area.cells, 6)


@pytest.mark.parametrize(
    ("lat", "lon", "resolution", "k"),
    [(40.0, -100.0, 5, 30), (-33.9, 151.2, 7, 25), (64.1, -21.9, 4, 12), (0.0, 179.9, 6, 15)],
)
def test_pentagon_free_areas_equal_the_loop(
    lat: float, lon: float, resolution: int, k: int
) -> None:
    """A disk of cells (holes at its rim), on both sides of the antimeridian in the last case."""
    cells = _disk(h3.latlng_to_cell(lat, lon, resolution), k)
    assert not any(h3.is_pentagon(h3.int_to_str(int(c))) for c in cells)
    _assert_same(cells, resolution)


@pytest.mark.parametrize("resolution", [4, 5, 9])
def test_areas_around_a_pentagon_equal_the_loop(resolution: int) -> None:
    pentagon = sorted(h3.get_pentagons(resolution))[3]
    cells = _disk(pentagon, 6)
    _assert_same(cells, resolution)
    area = area_from_cells(cells, resolution)
    row = area.positions(np.array([h3.str_to_int(pentagon)], np.uint64))[0]
    assert (area.edge_mm[row] == 0).sum() == 1  # a pentagon has five edges
    assert (area.neighbours[row] >= 0).sum() == 5


def test_directed_edges_are_h3s_in_its_order() -> None:
    cells = np.concatenate(
        [_disk(h3.latlng_to_cell(48.1, 11.6, 7), 3), _disk(sorted(h3.get_pentagons(7))[0], 2)]
    )
    edges, has_edge = directed_edges(cells)
    for row, cell in enumerate(cells.tolist()):
        expected = h3i.origin_to_directed_edges(cell).tolist()
        assert edges[row][has_edge[row]].tolist() == expected


def test_the_hull_is_the_same_polygon_however_often_it_is_asked_for() -> None:
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(40, 50, 5000).round(2), rng.uniform(0, 10, 5000).round(2)
    first = _hull(lat, lon)
    assert _hull(lat.copy(), lon.copy()) is first
    unique = np.unique(np.column_stack([lon, lat]), axis=0)  # what the hull was built from before
    from scipy.spatial import ConvexHull

    import shapely

    before = shapely.Polygon(unique[ConvexHull(unique).vertices])
    assert shapely.get_coordinates(first).tolist() == shapely.get_coordinates(before).tolist()
    moved = lat.copy()
    moved[0] = 60.0
    assert _hull(moved, lon) is not first


def _outside_cases() -> list[tuple[str, object, np.ndarray, np.ndarray]]:
    import shapely

    from data.boundaries import countries_shape

    rng = np.random.default_rng(7)
    accounts = pd.read_csv(demo_paths()[0])
    benelux = countries_shape(["DE", "NL", "BE", "LU"])
    square = shapely.box(10.0, 60.0, 12.0, 61.0)
    # points 9.9-10.1 km east of the square's east edge (one degree of longitude at 60.5 N is
    # about 54.8 km), and a scatter around it
    east = 12.0 + rng.uniform(9.9, 10.1, 400) / 54.76
    edge_lat = rng.uniform(60.1, 60.9, 400)
    wide_lat, wide_lon = rng.uniform(58, 63, 4000), rng.uniform(8, 14, 4000)
    arctic = shapely.box(20.0, 78.0, 30.0, 79.5)
    dateline = shapely.box(179.0, -17.0, 179.99, -16.0)
    return [
        ("demo on land", benelux, accounts["lat"].to_numpy(), accounts["lon"].to_numpy()),
        ("around 10 km of a square", square, edge_lat, east),
        ("scatter round a square", square, wide_lat, wide_lon),
        ("near the pole", arctic, rng.uniform(77, 81, 2000), rng.uniform(15, 35, 2000)),
        ("across the antimeridian", dateline, rng.uniform(-17.5, -15.5, 2000),
         rng.uniform(-180, 180, 2000)),
    ]  # fmt: skip


@pytest.mark.parametrize("case", range(5))
def test_km_outside_measures_what_geos_measured_against_the_whole_shape(case: int) -> None:
    import shapely

    from geo.area import km_outside
    from geo.cells import haversine_km

    name, shape, lat, lon = _outside_cases()[case]
    got = km_outside(shape, lat, lon)
    out = ~shapely.contains_xy(shape, lon, lat)
    lines = shapely.shortest_line(shape, shapely.points(lon[out], lat[out]))  # before issue 18
    ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    want = np.zeros(len(lat))
    want[out] = haversine_km(ends[:, 0, 1], ends[:, 0, 0], ends[:, 1, 1], ends[:, 1, 0])
    np.testing.assert_array_equal(got, want, err_msg=name)
