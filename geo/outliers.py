"""Implausible locations: points far from every other point of the same team.

A latitude copied from the longitude or a lost sign puts an account a continent away from the
rest. The rule is relative to the team's own spacing, so it suits a city team and a national
one alike:

    a point is *far* when the great-circle distance to its nearest other point exceeds
    ``max(FAR_MIN_KM, FAR_FACTOR x the median nearest-neighbour distance of all points)``.

With fewer than ``FAR_MIN_POINTS`` points there is no "rest of the team" to compare with and
nothing is flagged. Two bad points close to each other (the same town swapped twice) are each
other's neighbour and are not caught; outside-the-boundary checks catch those.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from geo.cells import EARTH_RADIUS_KM

FAR_MIN_KM = 200.0
FAR_FACTOR = 10.0
FAR_MIN_POINTS = 4
MEDIAN_SAMPLE = 10_000


@dataclass(frozen=True)
class FarPoints:
    """Which points are far, how far each point is from its nearest other one, and the limit."""

    far: np.ndarray
    nearest_km: np.ndarray
    limit_km: float


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere: chord length there grows with great-circle distance."""
    phi, lmb = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lmb), np.cos(phi) * np.sin(lmb), np.sin(phi)])


def chord_to_km(chord: np.ndarray) -> np.ndarray:
    """Great-circle km of a chord on the unit sphere."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord) / 2.0, 0.0, 1.0))


def far_points(lat: np.ndarray, lon: np.ndarray) -> FarPoints:
    """The rule of the module docstring over finite points (non-finite ones are never far).

    Fast on a million points: the median comes from an evenly spaced sample of
    ``MEDIAN_SAMPLE`` points (each against all), and only points alone in their 1-degree
    square are measured, since two points in one such square are at most 157 km apart, under
    ``FAR_MIN_KM``. ``nearest_km`` is NaN for the points not measured.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    n = len(lat)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    nearest = np.full(n, np.nan)
    if ok.sum() < FAR_MIN_POINTS:
        return FarPoints(np.zeros(n, bool), nearest, FAR_MIN_KM)
    idx = np.flatnonzero(ok)
    xyz = unit_vectors(lat[idx], lon[idx])
    tree = cKDTree(xyz, balanced_tree=False, compact_nodes=False)
    sample = np.arange(0, len(idx), max(1, len(idx) // MEDIAN_SAMPLE))
    dist, _ = tree.query(xyz[sample], k=2, workers=-1)
    limit = max(FAR_MIN_KM, FAR_FACTOR * float(np.median(chord_to_km(dist[:, 1]))))
    square = (np.floor(lat[idx]) + 90) * 361 + np.floor(lon[idx]) + 180
    _, inverse, counts = np.unique(square, return_inverse=True, return_counts=True)
    alone = np.flatnonzero(counts[inverse] == 1)
    if len(alone):
        dist, _ = tree.query(xyz[alone], k=2, workers=-1)
        nearest[idx[alone]] = chord_to_km(dist[:, 1])
    with np.errstate(invalid="ignore"):
        far = np.nan_to_num(nearest, nan=0.0) > limit
    return FarPoints(far, nearest, limit)
