"""Planning-area boundaries: the bundled countries (regions once bundled) and uploaded files.

``geo/`` tiles whatever shape it is given and knows no file; this module turns a data set's
``planning.area_choice.AreaChoice`` into that shape (``boundary_for``), and reads an uploaded
boundary (GeoJSON, a zipped shapefile, a GeoPackage; through pyogrio) into a choice that can be
stored (``read_boundary``).

The default, *land*, is the land of the countries that hold the team's accounts: a country
holds them when at least ``LAND_MIN_SHARE`` of the plausible accounts (not far from all the
others, ``geo.outliers``) lie in it, and at least one. So a handful of accounts spilled across
a border (or a swapped coordinate in another continent) does not bring a whole country in.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from common.errors import FileUnreadableError, PlanError
from data import basemap
from geo.area import Boundary
from geo.outliers import far_points
from planning.area_choice import AreaChoice, AreaKind

LAND_MIN_SHARE = 0.0025
"""Share of the accounts a country must hold to be one of the team's countries (1 in 400)."""
BOUNDARY_SUFFIXES = (".geojson", ".json", ".zip", ".gpkg", ".shp")


def team_countries(lat: np.ndarray, lon: np.ndarray) -> list[str]:
    """ISO codes of the countries that hold the accounts (module docstring), most accounts first."""
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    plausible = ~far_points(lat, lon).far
    codes = basemap.countries_at(pd.Series(lat[plausible]), pd.Series(lon[plausible]))
    counts = codes.dropna().value_counts()
    need = max(1.0, LAND_MIN_SHARE * int(plausible.sum()))
    return [str(c) for c, n in counts.items() if n >= need]


def countries_shape(places: Iterable[str]) -> BaseGeometry:
    """The union of bundled countries named by ISO alpha-2 code or English name (any case)."""
    frame = basemap.countries()
    codes = frame["iso_a2"].fillna("").str.casefold()
    names = frame["name"].str.casefold()
    picked = np.zeros(len(frame), bool)
    unknown = []
    for place in places:
        key = str(place).strip().casefold()
        hit = ((codes == key) | (names == key)).to_numpy(bool) & (key != "")
        if not hit.any():
            unknown.append(str(place))
        picked |= hit
    if unknown:
        raise PlanError(
            f"no bundled country {', '.join(map(repr, unknown))}: give ISO codes (PL, DE) or "
            "English names (Poland)"
        )
    return shapely.union_all(frame.geometry.to_numpy()[picked])


def regions_shape(places: Iterable[str]) -> BaseGeometry:
    """The union of bundled first-level regions, by ISO 3166-2 code (``PL-MZ``) or name.

    Regions come from ``data.basemap.regions()`` (Natural Earth admin-1); an unknown one is
    refused by name, never skipped.
    """
    frame = basemap.regions()
    wanted = {str(p).strip().casefold() for p in places}
    codes = frame["iso_3166_2"].astype(str).str.casefold()
    names = frame["name"].astype(str).str.casefold()
    hit = codes.isin(wanted) | names.isin(wanted)
    found = {*codes[hit], *names[hit]}
    missing = sorted(wanted - found)
    if missing:
        raise PlanError(f"no bundled region {', '.join(map(repr, missing))}")
    return shapely.union_all(frame.geometry.to_numpy()[hit.to_numpy(bool)])


def boundary_for(choice: AreaChoice, lat: np.ndarray, lon: np.ndarray) -> Boundary | None:
    """The shape the planning area is tiled in for this choice; None for the hull.

    ``lat``/``lon`` are the accounts' (the land default depends on where they are).
    """
    if choice.kind is AreaKind.HULL:
        return None
    if choice.kind is AreaKind.LAND:
        codes = team_countries(lat, lon)
        if not codes:  # every account at sea or on unnamed land: nothing to follow
            return None
        return Boundary(countries_shape(codes), within_hull=True)
    if choice.kind is AreaKind.COUNTRIES:
        return Boundary(countries_shape(choice.places))
    if choice.kind is AreaKind.REGIONS:
        return Boundary(regions_shape(choice.places))
    return Boundary(shapely.from_wkb(choice.shape_wkb))


def read_boundary(path: str | Path, name: str | None = None) -> AreaChoice:
    """An uploaded boundary file as a choice to store: every polygon of every layer feature.

    GeoJSON, a shapefile in a ``.zip`` (with its ``.shx``, ``.dbf`` and ``.prj``) or a
    GeoPackage (its first layer). Coordinates are reprojected to lon/lat when the file says
    its CRS; a file without one is taken as lon/lat. ``FileUnreadableError`` says why a file
    cannot be used (no polygon, unreadable, a shapefile zip without its .shp).
    """
    path = Path(path)
    name = name or path.name
    source = str(path)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            shp = [n for n in archive.namelist() if n.lower().endswith(".shp")]
        if not shp:
            raise FileUnreadableError(f"{name}: the zip holds no .shp file")
        source = f"/vsizip/{path}/{shp[0]}"
    try:
        frame = gpd.read_file(source, engine="pyogrio")
    except Exception as err:  # noqa: BLE001 - GDAL's errors come in many types
        raise FileUnreadableError(f"{name}: not a readable boundary file ({err})") from None
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    parts = [
        p
        for g in frame.geometry.dropna()
        for p in shapely.get_parts(shapely.make_valid(g))
        if isinstance(p, (shapely.Polygon, shapely.MultiPolygon))
    ]
    if not parts:
        raise FileUnreadableError(f"{name}: no polygon in the file (a boundary needs an area)")
    shape = shapely.union_all(parts)
    x0, y0, x1, y1 = shape.bounds
    if x0 < -180 or x1 > 180 or y0 < -90 or y1 > 90:
        raise FileUnreadableError(
            f"{name}: coordinates are not longitude/latitude and the file names no CRS"
        )
    return AreaChoice(AreaKind.UPLOAD, (), name, shapely.to_wkb(shape, hex=True))


def describe(choice: AreaChoice) -> str:
    """The choice in words, for the page and the command line."""
    if choice.kind is AreaKind.LAND:
        return "land of the accounts' countries"
    if choice.kind is AreaKind.HULL:
        return "the accounts' buffered hull"
    if choice.kind is AreaKind.UPLOAD:
        return f"boundary from {choice.name}"
    return f"{choice.kind.value} {', '.join(choice.places)}"


def choice_from_text(text: str) -> AreaChoice:
    """``land``, ``hull``, ``countries:PL,DE``, ``regions:...`` or a boundary file's path."""
    if Path(text).suffix.lower() in BOUNDARY_SUFFIXES:
        return read_boundary(text)
    return AreaChoice.parse(text)
