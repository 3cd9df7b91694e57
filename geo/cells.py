"""Points to H3 cells, and the resolution that suits a data set's extent.

H3 ids are kept as ``uint64`` inside the core (the ``h3.api.numpy_int`` API):
integers sort, compare and index fast, strings only appear at the edges.
"""

from __future__ import annotations

import math

import numpy as np

import h3
import h3.api.numpy_int as h3i

MIN_RESOLUTION = 4
MAX_RESOLUTION = 9
MAX_PLANNING_CELLS = 50_000
EARTH_RADIUS_KM = 6371.0088


def latlng_to_cells(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    """Cell of every point, as ``uint64``.

    A plain loop over the C binding: about 1 s per million points here, where
    ``DataFrame.apply`` takes 25 s (shared/STACK-NOTES.md).
    """
    check_resolution(resolution)
    to_cell = h3i.latlng_to_cell
    lat_list = np.asarray(lat, dtype=np.float64).tolist()
    lon_list = np.asarray(lon, dtype=np.float64).tolist()
    return np.fromiter(
        (to_cell(a, b, resolution) for a, b in zip(lat_list, lon_list, strict=True)),
        dtype=np.uint64,
        count=len(lat_list),
    )


def cells_to_latlng(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre latitude and longitude of every cell."""
    centres = [h3i.cell_to_latlng(int(c)) for c in cells]
    if not centres:
        return np.empty(0), np.empty(0)
    arr = np.asarray(centres, dtype=np.float64)
    return arr[:, 0], arr[:, 1]


def cells_to_str(cells: np.ndarray) -> list[str]:
    """H3 ids as the hexadecimal strings users and files see."""
    return [h3.int_to_str(int(c)) for c in cells]


def str_to_cells(ids: list[str]) -> np.ndarray:
    """Hexadecimal H3 ids to ``uint64``; raises ``ValueError`` naming a bad id."""
    out = np.empty(len(ids), dtype=np.uint64)
    for i, s in enumerate(ids):
        s = str(s).strip()
        if not h3.is_valid_cell(s):
            raise ValueError(f"{s!r} is not a valid H3 cell id")
        out[i] = h3.str_to_int(s)
    return out


def check_resolution(resolution: int) -> None:
    """Refuse resolutions outside the range a territory plan can use."""
    if not MIN_RESOLUTION <= int(resolution) <= MAX_RESOLUTION:
        raise ValueError(
            f"resolution must be between {MIN_RESOLUTION} and {MAX_RESOLUTION}, got {resolution}"
        )


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km; broadcasts like numpy."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def default_resolution(area_km2: float, max_cells: int = MAX_PLANNING_CELLS) -> int:
    """Finest resolution whose tiling of ``area_km2`` stays within ``max_cells``.

    Finer cells give the room finer control; more than about 50,000 of them make
    the map and the optimizer slow without changing any decision.
    """
    for res in range(MAX_RESOLUTION, MIN_RESOLUTION - 1, -1):
        if area_km2 / h3.average_hexagon_area(res, unit="km^2") <= max_cells:
            return res
    return MIN_RESOLUTION


def approx_area_km2(lat: np.ndarray, lon: np.ndarray, polygon) -> float:
    """Area of a lon/lat polygon in km^2 on a local equirectangular projection.

    Good to a few percent at regional scale, which is all choosing a resolution needs.
    """
    lat0 = float(np.mean(lat)) if len(lat) else 0.0
    km_per_deg = math.pi * EARTH_RADIUS_KM / 180.0
    return float(polygon.area) * km_per_deg**2 * math.cos(math.radians(lat0))
