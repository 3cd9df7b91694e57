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


# --- basemap-layers: regions, the lines the map draws, and town names -------------------------


def test_the_bundled_regions_are_the_first_level_divisions_of_the_demo_countries():
    frame = basemap.regions()
    per_country = frame["iso_a2"].value_counts()
    assert per_country["DE"] == 16  # Länder
    assert per_country["PL"] == 16  # voivodeships
    assert per_country["NL"] == 15  # 12 provinces and Bonaire, Saba, Sint Eustatius
    assert per_country["US"] == 51  # states and DC
    warsaw = shapely.Point(21.01, 52.23)
    masovia = frame[frame["iso_3166_2"] == "PL-MZ"].geometry.iloc[0]
    assert masovia.contains(warsaw)


def test_region_lines_lie_inside_their_country_and_leave_out_its_outline():
    germany = basemap.countries().set_index("iso_a2").geometry["DE"]
    lines = basemap.region_lines("DE")
    # measured: about 57 degrees of inner borders (16 Länder); the outline alone is about 44
    assert 40 < lines.length < 80
    assert germany.buffer(0.1).contains(lines)
    assert basemap.region_lines("XX").is_empty


def test_borders_and_coasts_are_told_apart():
    borders, coasts = basemap.country_lines()
    # the German-Polish border (Oder near Frankfurt/Oder) is a border, not a coast
    oder = shapely.Point(14.55, 52.35).buffer(0.2)
    assert borders.intersects(oder) and not coasts.intersects(oder)
    # the Dutch North Sea coast near The Hague is a coast, not a border
    hague = shapely.Point(4.27, 52.1).buffer(0.1)
    assert coasts.intersects(hague) and not borders.intersects(hague)


def test_towns_are_largest_first_and_hold_the_capitals():
    towns = basemap.towns()
    assert towns["population"].is_monotonic_decreasing
    berlin = towns[towns["name"] == "Berlin"].iloc[0]
    assert berlin["population"] > 3_000_000
    assert abs(berlin["lat"] - 52.52) < 0.05 and abs(berlin["lon"] - 13.40) < 0.05
    assert towns["population"].min() >= basemap.TOWNS_MIN_POPULATION
