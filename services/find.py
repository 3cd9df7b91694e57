"""Find an account, a rep or a town in the open scenario, and where the map should look.

``matches`` ranks what the user typed (``planning.find``) over the scenario's
accounts and reps and the packaged towns; ``focus`` turns a chosen line into
a place to centre on, the bounds to show around it and the outline to draw
(the account's or town's cell, the rep's territory). The folded texts are
memoised per board, which never changes, so any worker answers the same.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

import h3

from common.logs import timed
from data.town_index import towns
from geo.bounds import BBox, cells_bounds, cells_outline, point_bounds
from planning.editing import Board
from planning.find import (
    MAX_MATCHES,
    FoundKind,
    Match,
    Quality,
    best,
    first_matches,
    fold,
    fold_all,
    match_quality,
    parse_value,
    top_rows,
)
from services.editing import load, load_with_record

logger = logging.getLogger(__name__)
NEAR_KM = 50.0
"""A town this close to the planning area's edge counts as near it."""
CELLS_AROUND = 6
"""A found cell is shown with about this many cells of its surroundings on each side."""


@dataclass(frozen=True)
class Focus:
    """Where the map should look after a find, and what to outline there.

    ``center`` is None for a territory (the map centres its bounds).
    """

    kind: FoundKind
    key: str
    label: str
    center: tuple[float, float] | None
    """(lon, lat)."""
    bounds: BBox
    outline: dict | None
    """A GeoJSON geometry, or None when there is nothing to outline (a rep with no cells)."""
    message: str


@dataclass(frozen=True, eq=False)
class _Texts:
    """A board's ids and names, folded once."""

    account_ids: pd.Series
    account_names: pd.Series
    rep_ids: pd.Series
    rep_names: pd.Series


def matches(url: str, scenario_id: int, text: str, limit: int = MAX_MATCHES) -> list[Match]:
    """The ``limit`` best accounts, reps and towns for ``text``, best first."""
    query = fold(text)
    if not query:
        return []
    record, b, _ = load_with_record(url, scenario_id)
    texts = _texts(b)
    market = b.market
    found: list[Match] = []
    reps = market.reps
    rows, qualities = first_matches(query, texts.rep_ids, texts.rep_names, limit)
    for row, quality in zip(rows.tolist(), qualities.tolist(), strict=True):
        rep_id, name = str(reps["rep_id"].iloc[row]), str(reps["name"].iloc[row])
        found.append(Match(FoundKind.REP, rep_id, f"Rep {rep_id} {name}",
                           Quality(quality), True, float(row)))  # fmt: skip
    accounts = market.accounts
    rows, qualities = first_matches(query, texts.account_ids, texts.account_names, limit)
    for row, quality in zip(rows.tolist(), qualities.tolist(), strict=True):
        account_id = str(accounts["account_id"].iloc[row])
        name = str(accounts["name"].iloc[row])
        found.append(Match(FoundKind.ACCOUNT, account_id, f"Account {account_id} {name}",
                           Quality(quality), True, float(row)))  # fmt: skip
    table, folded = _towns()
    near = _near_towns(b)
    quality = match_quality(query, None, folded)
    order = -table["population"].to_numpy(dtype=float)
    for row in top_rows(quality, order, limit, near=near).tolist():
        town = table.iloc[row]
        found.append(Match(FoundKind.TOWN, str(town["geonameid"]),
                           f"Town {town['name']} ({town['countrycode']})",
                           Quality(int(quality[row])), bool(near[row]),
                           -float(town["population"])))  # fmt: skip
    result = best(found, limit)
    logger.debug("find %r in scenario %s: %d matches", text, record.id, len(result))
    return result


def focus(url: str, scenario_id: int, value: str) -> Focus:
    """Where to look for a chosen line (``Match.value``); LookupError when it is gone."""
    kind, key = parse_value(value)
    with timed(logger, "find focused", scenario=scenario_id, kind=kind.value) as extra:
        b, plan, _ = load(url, scenario_id)
        market, area = b.market, b.market.area
        radius_km = CELLS_AROUND * h3.average_hexagon_edge_length(area.resolution, unit="km") * 1.5
        if kind is FoundKind.REP:
            position = market.rep_position(key)
            name = str(market.reps["name"].iloc[position])
            cells = area.cells[plan.owner == position]
            extra["cells"] = len(cells)
            if not len(cells):
                home = market.reps.iloc[position]
                lat, lon = float(home["home_lat"]), float(home["home_lon"])
                return Focus(kind, key, f"{key} {name}", (lon, lat),
                             point_bounds(lat, lon, radius_km), None,
                             f"Rep {key} {name} owns no cells: showing the home base.")  # fmt: skip
            bounds = cells_bounds(cells, area.lat[plan.owner == position],
                                  area.lon[plan.owner == position])  # fmt: skip
            message = f"Rep {key} {name}: territory of {len(cells):,} cells outlined."
            return Focus(kind, key, f"{key} {name}", None, bounds, cells_outline(cells), message)
        if kind is FoundKind.ACCOUNT:
            rows = np.flatnonzero(market.accounts["account_id"].astype(str).to_numpy() == key)
            if not len(rows):
                raise LookupError(f"no account {key!r} in this data set")
            row = int(rows[0])
            position = int(market.account_cell[row])
            name = str(market.accounts["name"].iloc[row])
            lat, lon = float(area.lat[position]), float(area.lon[position])
            owner = int(plan.owner[position])
            who = "unassigned" if owner < 0 else f"owned by {market.rep_ids[owner]}"
            return Focus(kind, key, f"{key} {name}", (lon, lat), point_bounds(lat, lon, radius_km),
                         cells_outline(area.cells[[position]]),
                         f"Account {key} {name}: its cell is outlined ({who}).")  # fmt: skip
        table, _ = _towns()
        found = table.index[table["geonameid"] == key]
        if not len(found):
            raise LookupError(f"no town with GeoNames id {key!r}")
        town = table.loc[found[0]]
        lat, lon = float(town["lat"]), float(town["lon"])
        cell = np.array([h3.str_to_int(h3.latlng_to_cell(lat, lon, area.resolution))], np.uint64)
        inside = bool(len(area.positions(cell)) and area.positions(cell)[0] >= 0)
        where = "in the planning area" if inside else "outside the planning area"
        label = f"{town['name']} ({town['countrycode']})"
        message = f"Town {label}: its cell is outlined ({where})."
        bounds = point_bounds(lat, lon, radius_km)
        return Focus(kind, key, label, (lon, lat), bounds, cells_outline(cell), message)


def focus_first(url: str, scenario_id: int, text: str) -> Focus | None:
    """``focus`` on the best match for ``text`` (Enter with no list shown); None: no match."""
    found = matches(url, scenario_id, text, limit=1)
    return focus(url, scenario_id, found[0].value) if found else None


@lru_cache(maxsize=8)
def _texts(b: Board) -> _Texts:
    accounts, reps = b.market.accounts, b.market.reps
    return _Texts(
        fold_all(accounts["account_id"]).reset_index(drop=True),
        fold_all(accounts["name"]).reset_index(drop=True),
        fold_all(reps["rep_id"]).reset_index(drop=True),
        fold_all(reps["name"]).reset_index(drop=True),
    )


@lru_cache(maxsize=1)
def _towns() -> tuple[pd.DataFrame, pd.Series]:
    table = towns()
    return table, fold_all(table["name"])


@lru_cache(maxsize=8)
def _near_towns(b: Board) -> np.ndarray:
    """Per town, whether it lies in the planning area's bounds widened by ``NEAR_KM``."""
    area = b.market.area
    west, south, east, north = cells_bounds(area.cells, area.lat, area.lon)
    mid = np.radians((south + north) / 2)
    dlat = NEAR_KM / 111.0
    dlon = dlat / max(float(np.cos(mid)), 1e-3)
    table, _ = _towns()
    lat, lon = table["lat"].to_numpy(), table["lon"].to_numpy()
    return (
        (lat >= south - dlat) & (lat <= north + dlat) & (lon >= west - dlon) & (lon <= east + dlon)
    )
