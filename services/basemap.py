"""The offline basemap the map draws with the cells: land, coasts, borders, regions, town names.

Each layer is one GeoJSON for a box around the planning area (``geo.basemap.basemap_box``), served
by the app itself (no request leaves the server) and memoised per worker: the same box gives the
same bytes, so the browser may cache the URL forever.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np
import pandas as pd

from common.logs import timed
from data import basemap as bundled
from geo.basemap import Box, basemap_box, clipped, feature_collection, tolerance_for, towns_in_box
from services.editing import board

logger = logging.getLogger(__name__)

SAMPLE_POINTS = 4000  # cell centres looked up to find the area's countries
TOWN_LIMIT = 3000  # the largest towns of the box: enough to label densely when zoomed in


class Layer(StrEnum):
    """The basemap's GeoJSON layers, in drawing order (the first two under the cells)."""

    LAND = "land"
    REGIONS = "regions"
    COASTS = "coasts"
    BORDERS = "borders"


@dataclass(frozen=True)
class BasemapView:
    """What one planning area's basemap covers: a box, and the countries whose regions it shows.

    Regions are drawn for the countries that hold the accounts (all of Europe's departments and
    counties around a German plan would only clutter the map, and weigh hundreds of kB).
    """

    box: Box
    countries: tuple[str, ...]


def basemap_view(
    lat: np.ndarray, lon: np.ndarray, occupied: np.ndarray | None = None
) -> BasemapView:
    """The basemap for a planning area given its cells' centres.

    ``occupied`` (a mask of the cells that hold accounts; None: every cell) picks the countries
    whose regions are drawn; the box covers the whole area.
    """
    at = np.flatnonzero(occupied) if occupied is not None else np.arange(len(lat))
    at = at[:: max(1, len(at) // SAMPLE_POINTS)]
    codes = bundled.countries_at(pd.Series(lat[at]), pd.Series(lon[at])).dropna()
    return BasemapView(basemap_box(lon, lat), tuple(sorted({str(c) for c in codes})))


@lru_cache(maxsize=32)
def view_for_area(url: str, dataset_id: int, resolution: int, area_id: int | None) -> BasemapView:
    """The basemap of a stored data set's planning area (memoised like the board it comes from)."""
    market = board(url, dataset_id, resolution, area_id).market
    occupied = np.asarray(market.cell_accounts) > 0
    return basemap_view(np.asarray(market.area.lat), np.asarray(market.area.lon), occupied)


@lru_cache(maxsize=64)
def layer_geojson(layer: Layer, box: Box, countries: tuple[str, ...] = ()) -> bytes:
    """One layer's shapes inside ``box``, simplified for the zoom that shows the box.

    ``countries`` (ISO alpha-2) are the countries whose regions the ``REGIONS`` layer draws.
    """
    tolerance = tolerance_for(box)
    with timed(logger, "basemap layer built", layer=str(layer), box=str(box)) as extra:
        if layer is Layer.LAND:
            shapes = [clipped(bundled.land(), box, tolerance)]
        elif layer is Layer.COASTS:
            shapes = [clipped(bundled.country_lines()[1], box, tolerance)]
        elif layer is Layer.BORDERS:
            shapes = [clipped(bundled.country_lines()[0], box, tolerance)]
        else:
            shapes = [clipped(bundled.region_lines(code), box, tolerance) for code in countries]
        body = feature_collection(shapes)
        extra["bytes"] = len(body)
    return body


@lru_cache(maxsize=16)
def towns_json(box: Box) -> bytes:
    """The largest towns in ``box`` as ``[[name, lat, lon, population], ...]``, largest first."""
    towns = bundled.towns()
    return towns_in_box(
        towns["name"].to_numpy(),
        towns["lat"].to_numpy(),
        towns["lon"].to_numpy(),
        towns["population"].to_numpy(dtype=np.int64),
        box,
        TOWN_LIMIT,
    )
