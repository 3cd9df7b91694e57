"""The basemap service: the area's countries, each layer's GeoJSON for a box, and the towns."""

from __future__ import annotations

import json

import numpy as np

import shapely

from services.basemap import Layer, basemap_view, layer_geojson, towns_json

DEMO_BOX = (-3, 41, 23, 61)


def test_the_view_of_an_area_names_the_countries_that_hold_its_accounts():
    # the area: cell centres in Berlin, Amsterdam and the North Sea
    lat = np.array([52.52, 52.37, 54.5])
    lon = np.array([13.40, 4.90, 3.0])
    # 600 accounts in Berlin, 399 in Amsterdam, 1 in Warsaw (0.1 %: a stray), 5 at sea (no country)
    acc_lat = np.repeat([52.52, 52.37, 52.23, 54.5], [600, 399, 1, 5])
    acc_lon = np.repeat([13.40, 4.90, 21.01, 3.0], [600, 399, 1, 5])
    view = basemap_view(lat, lon, acc_lat, acc_lon)
    assert view.countries == ("DE", "NL")
    # 3.0 to 13.4 E padded by 3/4 of 10.4 on each side; 52.37 to 54.5 N by the 4-degree minimum
    assert view.box == (-5, 48, 22, 59)
    # three accounts in Warsaw of 1,003 (0.3 %) bring Poland in
    more = basemap_view(lat, lon, np.append(acc_lat, [52.23] * 2), np.append(acc_lon, [21.01] * 2))
    assert more.countries == ("DE", "NL", "PL")


def _shapes(body: bytes) -> list:
    collection = json.loads(body)
    assert collection["type"] == "FeatureCollection"
    return [shapely.from_geojson(json.dumps(f["geometry"])) for f in collection["features"]]


def test_each_layer_stays_in_its_box_and_holds_what_it_says():
    box = shapely.box(*DEMO_BOX).buffer(0.001)  # coordinates are rounded to 0.001 degrees
    for layer in Layer:
        shapes = _shapes(layer_geojson(layer, DEMO_BOX, ("DE", "PL")))
        assert shapes and all(box.contains(s) for s in shapes), layer
    land = shapely.union_all(_shapes(layer_geojson(Layer.LAND, DEMO_BOX)))
    assert land.contains(shapely.Point(13.40, 52.52)) and not land.contains(shapely.Point(3, 54.5))
    borders = shapely.union_all(_shapes(layer_geojson(Layer.BORDERS, DEMO_BOX)))
    assert borders.intersects(shapely.Point(14.55, 52.35).buffer(0.2))  # Germany-Poland on the Oder
    # region lines only for the countries asked for: none in the Netherlands here
    regions = shapely.union_all(_shapes(layer_geojson(Layer.REGIONS, DEMO_BOX, ("DE", "PL"))))
    assert not regions.intersects(shapely.box(4.0, 51.5, 6.0, 53.0))
    assert regions.intersects(shapely.box(8.0, 48.0, 14.0, 54.0))


def test_the_first_view_of_the_demo_fetches_a_few_hundred_kilobytes_at_most():
    sizes = {
        layer: len(layer_geojson(layer, DEMO_BOX, ("BE", "DE", "LU", "NL"))) for layer in Layer
    }
    assert sum(sizes.values()) < 300_000, sizes  # before gzip


def test_towns_of_a_box_come_largest_first():
    rows = json.loads(towns_json(DEMO_BOX))
    names = [r[0] for r in rows]
    assert names[:2] == ["London", "Berlin"]  # the largest places of the box (-3 to 23 E)
    assert "Warsaw" in names and "Madrid" not in names  # 21.0 E is in, 40.4 N is not
    assert all(a[3] >= b[3] for a, b in zip(rows, rows[1:], strict=False))
