"""The offline basemap the map draws with the cells: land, coasts, borders, regions, town names.

Each layer is one GeoJSON for a box around the planning area (``geo.basemap.basemap_box``), served
by the app itself (no request leaves the server) and memoised per worker: the same box gives the
same bytes, so the browser may cache the URL forever.

Issue 18 point 1: made once, kept in the store (``basemap_cache``), so that a server start reads
a few kB per layer instead of loading and clipping the bundled boundaries again (about a second
per worker, on the cores the first page needs). Keys are the sha256 of what the bytes depend on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np
import pandas as pd

from common.logs import timed
from data import basemap as bundled
from geo.basemap import Box, basemap_box, clipped, feature_collection, tolerance_for, towns_in_box
from services.editing import board, open_store

logger = logging.getLogger(__name__)

SAMPLE_POINTS = 20_000  # accounts looked up (evenly spaced) to find the plan's countries
# the demo: DE 73 %, NL 13 %, BE 13 %, LU 0.35 %; then CH 0.19 %, AT 0.12 %... near the borders
MIN_ACCOUNT_SHARE = 0.0025
TOWN_LIMIT = 3000  # the largest towns of the box: enough to label densely when zoomed in
FORMAT = "basemap-2"  # bumped when what a layer, the towns or a view holds changes


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
    lat: np.ndarray, lon: np.ndarray, account_lat: np.ndarray, account_lon: np.ndarray
) -> BasemapView:
    """The basemap for a planning area (its cells' centres) and its accounts' positions.

    The box covers the whole area; regions are drawn for each country that holds at least
    ``MIN_ACCOUNT_SHARE`` of the accounts found on land (a few strays across a border do not
    bring in the neighbour's departments).
    """
    step = max(1, len(account_lat) // SAMPLE_POINTS)
    codes = bundled.countries_at(
        pd.Series(account_lat[::step]), pd.Series(account_lon[::step])
    ).dropna()
    shares = codes.value_counts(normalize=True)
    kept = sorted(str(c) for c, share in shares.items() if share >= MIN_ACCOUNT_SHARE)
    return BasemapView(basemap_box(lon, lat), tuple(kept))


def _key(*parts: str) -> str:
    """The store key of basemap bytes made from ``parts`` and the bundled files."""
    text = "\0".join((FORMAT, bundled.fingerprint(), *parts))
    return hashlib.sha256(text.encode()).hexdigest()


def _kept(url: str | None, key: str, make: Callable[[], bytes]) -> bytes:
    """The bytes the store keeps under ``key``, made (and kept) when it has none."""
    if url is None:
        return make()
    store = open_store(url)
    body = store.cached_basemap(key)
    if body is None:
        body = make()
        store.save_basemap(key, body)
    return body


@lru_cache(maxsize=32)
def view_for_area(url: str, dataset_id: int, resolution: int, area_id: int | None) -> BasemapView:
    """The basemap of a stored data set's planning area (memoised like the board it comes from).

    Kept in the store under the market's key: finding the countries looks up 20,000 accounts in
    the bundled boundaries, which a start need not do again.
    """

    def make() -> bytes:
        market = board(url, dataset_id, resolution, area_id).market
        accounts = market.accounts
        view = basemap_view(
            np.asarray(market.area.lat),
            np.asarray(market.area.lon),
            accounts["lat"].to_numpy(dtype=float),
            accounts["lon"].to_numpy(dtype=float),
        )
        return json.dumps({"box": list(view.box), "countries": list(view.countries)}).encode()

    market_key = open_store(url).market_key(dataset_id, resolution, area_id, FORMAT)
    kept = json.loads(_kept(url, _key("view", market_key), make))
    west, south, east, north = (int(v) for v in kept["box"])
    return BasemapView((west, south, east, north), tuple(str(c) for c in kept["countries"]))


def layer_geojson(
    layer: Layer, box: Box, countries: tuple[str, ...] = (), url: str | None = None
) -> bytes:
    """One layer's shapes inside ``box``, simplified for the zoom that shows the box.

    ``countries`` (ISO alpha-2) are the countries whose regions the ``REGIONS`` layer draws.
    With the store's ``url``, the bytes kept there (made and kept the first time).
    Issue 18: one layer is made at a time, so a page asking for the layer that the start-up
    warm-up (``services.warmup``) is making waits for it instead of making it a second time.
    """
    with _LAYER_LOCK:
        return _stored_layer(layer, box, countries, url)


_LAYER_LOCK = threading.Lock()


@lru_cache(maxsize=64)
def _stored_layer(layer: Layer, box: Box, countries: tuple[str, ...], url: str | None) -> bytes:
    key = _key("layer", str(layer), repr(tuple(box)), ".".join(countries))
    return _kept(url, key, lambda: _layer_geojson(layer, box, countries))


@lru_cache(maxsize=64)
def _layer_geojson(layer: Layer, box: Box, countries: tuple[str, ...]) -> bytes:
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
def towns_json(box: Box, url: str | None = None) -> bytes:
    """The largest towns in ``box`` as ``[[name, lat, lon, population], ...]``, largest first.

    With the store's ``url``, the bytes kept there (made and kept the first time).
    """
    return _kept(url, _key("towns", repr(tuple(box))), lambda: _towns_json(box))


def _towns_json(box: Box) -> bytes:
    towns = bundled.towns()
    return towns_in_box(
        towns["name"].to_numpy(),
        towns["lat"].to_numpy(),
        towns["lon"].to_numpy(),
        towns["population"].to_numpy(dtype=np.int64),
        box,
        TOWN_LIMIT,
    )
