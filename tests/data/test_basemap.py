"""The bundled basemap: countries with ISO codes, land and sea where a map reader expects them."""

import pandas as pd

import shapely

from data import basemap


def test_countries_carry_iso_codes_and_the_demo_countries_are_there():
    frame = basemap.countries()
    assert len(frame) == 241
    named = set(frame["iso_a2"].dropna())
    assert {"DE", "NL", "BE", "LU", "PL", "US", "CN", "IR"} <= named
    assert frame.crs.to_epsg() == 4326


def test_points_fall_in_the_right_country_or_the_sea():
    lat = pd.Series([52.52, 52.23, 50.85, 52.37, 49.61, 54.5, 39.74])
    lon = pd.Series([13.40, 21.01, 4.35, 4.90, 6.13, 3.0, -104.99])
    # Berlin, Warsaw, Brussels, Amsterdam, Luxembourg, the North Sea, Denver
    assert basemap.countries_at(lat, lon).tolist() == ["DE", "PL", "BE", "NL", "LU", pd.NA, "US"]


def test_land_is_polygons_that_hold_the_capitals_and_not_the_sea():
    land = basemap.land()
    assert land.geom_type == "MultiPolygon"
    # in square degrees (Antarctica weighs heavily): 19,243 measured; the sphere is 64,800
    assert 18_000 < land.area < 21_000
    assert land.contains(shapely.Point(13.40, 52.52)) and not land.contains(
        shapely.Point(3.0, 54.5)
    )
