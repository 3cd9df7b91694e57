"""Implausible account locations, as import warnings the user keeps or excludes row by row.

Two kinds (issue 11, point 7), each naming the nearest town and a distance in km:

- *far from the rest*: the nearest other account is farther than the rule of
  ``geo.outliers`` allows (a latitude copied from the longitude, a lost sign);
- *outside the planning area*: more than ``planning.market.SNAP_KM`` beyond the chosen
  boundary (``data.boundaries``), by the same rule the plan uses (``geo.area.km_outside``).
  Kept, such an account is stored but not planned: the metrics count it as outside the
  planning area.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.boundaries import boundary_for, describe
from data.towns import nearest_towns
from geo.area import km_outside
from geo.outliers import far_points
from planning.area_choice import AreaChoice
from planning.market import SNAP_KM


@dataclass(frozen=True)
class LocationWarning:
    """Rows (a mask over the checked frame) and the reason, with per-row fields to fill it."""

    mask: np.ndarray
    reason: str
    fields: dict[str, np.ndarray]


def location_warnings(
    lat: np.ndarray, lon: np.ndarray, area: AreaChoice | None = None
) -> list[LocationWarning]:
    """The warnings of the module docstring for valid points (NaN coordinates are skipped)."""
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    valid = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    out = []
    far = far_points(lat, lon)
    if far.far.any():
        out.append(_with_town(far.far, lat, lon, (
            "({lat:.5f}, {lon:.5f}) is {km:,.0f} km from the nearest other account (more than "
            f"{far.limit_km:,.0f} km: far from the rest of the team's accounts); nearest town "
            "{town}, {town_km:,.0f} km away"
        ), km=far.nearest_km))  # fmt: skip
    if area is None or not valid.any():
        return out
    boundary = boundary_for(area, lat[valid], lon[valid])
    if boundary is None:
        return out
    beyond = np.zeros(len(lat))
    beyond[valid] = km_outside(boundary.shape, lat[valid], lon[valid])
    outside = valid & (beyond > 0)
    outside &= beyond > SNAP_KM
    if outside.any():
        out.append(_with_town(outside, lat, lon, (
            "({lat:.5f}, {lon:.5f}) lies {km:,.0f} km outside the planning area ("
            f"{describe(area)}): kept, it is not planned; nearest town {{town}}, "
            "{town_km:,.0f} km away"
        ), km=beyond))  # fmt: skip
    return out


def _with_town(
    mask: np.ndarray, lat: np.ndarray, lon: np.ndarray, reason: str, km: np.ndarray
) -> LocationWarning:
    town = np.full(len(lat), "", dtype=object)
    town_km = np.zeros(len(lat))
    idx = np.flatnonzero(mask)
    sub = nearest_towns(lat[idx], lon[idx])
    town[idx] = sub["town"].to_numpy()
    town_km[idx] = sub["km"].to_numpy()
    return LocationWarning(
        mask, reason, {"lat": lat, "lon": lon, "km": km, "town": town, "town_km": town_km}
    )
