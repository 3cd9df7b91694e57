"""The planning area follows a boundary: cells by centre, accounts snapped or kept out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import shapely

from data.basemap import countries_at
from data.demo import demo_paths
from geo.area import Boundary, inside_centres, km_outside, place_points, planning_area
from planning.area_choice import AreaChoice, AreaKind, call_plan_with_area
from planning.callplan import default_call_plan
from planning.market import SNAP_KM, build_market
from services.areas import boundary_of


def _demo() -> tuple[pd.DataFrame, pd.DataFrame]:
    accounts_path, reps_path = demo_paths()
    from data.validation import load_accounts, load_reps

    reps = load_reps(reps_path)
    return load_accounts(accounts_path, list(reps["rep_id"])), reps


def test_the_demo_on_land_has_every_cell_centre_on_land_in_its_four_countries() -> None:
    accounts, reps = _demo()
    call_plan = call_plan_with_area(default_call_plan(), AreaChoice(AreaKind.LAND))
    market = build_market(
        accounts, reps, call_plan, resolution=6, boundary=boundary_of(accounts, call_plan)
    )
    area = market.area
    codes = countries_at(pd.Series(area.lat), pd.Series(area.lon))
    assert codes.notna().all(), "a cell centre lies at sea"
    assert set(codes) == {"DE", "NL", "BE", "LU"}
    hull = build_market(accounts, reps, default_call_plan(), resolution=6)
    assert len(area) < len(hull.area)
    # accounts are planned or kept out, never lost
    assert len(market.accounts) + market.outside_accounts == len(accounts)
    assert 0 < market.outside_accounts < 50


def test_the_hull_option_gives_todays_area() -> None:
    accounts, reps = _demo()
    call_plan = call_plan_with_area(default_call_plan(), AreaChoice(AreaKind.HULL))
    assert boundary_of(accounts, call_plan) is None
    market = build_market(accounts, reps, call_plan, resolution=6)
    lat, lon = accounts["lat"].to_numpy(), accounts["lon"].to_numpy()
    assert np.array_equal(market.area.cells, planning_area(lat, lon, 6).cells)
    assert market.outside_accounts == 0 and len(market.accounts) == len(accounts)


def test_a_boundary_keeps_only_cells_whose_centre_is_inside() -> None:
    square = shapely.box(13.0, 52.0, 14.0, 53.0)
    lat, lon = np.array([52.5, 52.6, 52.4]), np.array([13.5, 13.6, 13.4])
    area = planning_area(lat, lon, 6, Boundary(square))
    assert inside_centres(area.cells, square).all()
    assert (area.lon > 13.0).all() and (area.lon < 14.0).all()
    # the whole square is tiled, not only the accounts' hull: about 7,500 km2 / 36 km2
    assert 150 < len(area) < 260


def test_points_off_the_area_go_to_the_nearest_cell_and_km_outside_measures_the_gap() -> None:
    square = shapely.box(13.0, 52.0, 14.0, 53.0)
    area = planning_area(np.array([52.5]), np.array([13.5]), 6, Boundary(square))
    # 3 km and 60 km east of the square's east edge (1 deg of lon = 67.9 km at 52.5 N)
    lat = np.array([52.5, 52.5, 52.5])
    lon = np.array([13.5, 14.0 + 3 / 67.9, 14.0 + 60 / 67.9])
    pos = place_points(area, lat, lon)
    assert (pos >= 0).all() and area.lon[pos[1]] < 14.0 and area.lon[pos[2]] < 14.0
    km = km_outside(square, lat, lon)
    assert km[0] == 0.0
    assert km[1] == pytest.approx(3.0, abs=0.05) and km[2] == pytest.approx(60.0, abs=0.5)
    assert (km > SNAP_KM).tolist() == [False, False, True]


def test_the_accounts_kept_out_do_not_depend_on_the_resolution() -> None:
    accounts, reps = _demo()
    call_plan = call_plan_with_area(default_call_plan(), AreaChoice(AreaKind.LAND))
    boundary = boundary_of(accounts, call_plan)
    kept_out = [
        set(
            build_market(accounts, reps, call_plan, resolution=r, boundary=boundary).outside[
                "account_id"
            ]
        )
        for r in (5, 6)
    ]
    assert kept_out[0] == kept_out[1] and len(kept_out[0]) > 0


def test_hull_of_many_points_keeps_the_vertices_of_all_of_them():
    """Issue 18 point 3: dropping the points inside the extremes' polygon keeps the same hull."""
    from scipy.spatial import ConvexHull

    import shapely

    from geo.area import _hull, hull_candidates

    rng = np.random.default_rng(7)
    grid = np.round(rng.uniform(0.0, 10.0, (20_000, 2)), 0)  # ties on every side
    square = np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]])
    inner = np.array([[2.0, 2.0]] * 2000)
    for xy in (grid, rng.normal(0.0, 1.0, (5_000, 2)), np.vstack([square, inner])):
        unique = np.unique(xy, axis=0)
        expected = shapely.Polygon(unique[ConvexHull(unique).vertices])
        got = _hull(xy[:, 1], xy[:, 0])
        assert np.array_equal(shapely.get_coordinates(got), shapely.get_coordinates(expected))
    kept = hull_candidates(np.vstack([square, inner]))
    assert sorted(map(tuple, kept)) == sorted(map(tuple, square))  # the inner point is gone
