"""TopoJSON to shapely: the few lines of the format the bundled basemap needs.

A topology stores each border once, as an arc of delta-encoded integer points shared by the two
shapes it separates; a polygon ring lists arc indexes (``~i`` walks arc ``i`` backwards). Decoding
here avoids a dependency for about forty lines (specification:
https://github.com/topojson/topojson-specification).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

import shapely
from shapely.geometry.base import BaseGeometry


def decoded_arcs(topology: Mapping[str, Any]) -> list[np.ndarray]:
    """Every arc as an ``(n, 2)`` array of longitude, latitude.

    >>> transform = {"scale": [0.5, 0.5], "translate": [10, 20]}
    >>> topo = {"transform": transform, "arcs": [[[0, 0], [2, 4]]]}
    >>> decoded_arcs(topo)[0].tolist()
    [[10.0, 20.0], [11.0, 22.0]]
    """
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        points = np.asarray(arc, dtype=np.float64)[:, :2]
        if transform is not None:
            points = np.cumsum(points, axis=0) * transform["scale"] + transform["translate"]
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = []
    for k, i in enumerate(indexes):
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(arc if k == 0 else arc[1:])  # consecutive arcs share their end point
    return np.concatenate(parts)


def _geometry(geometry: Mapping[str, Any], arcs: list[np.ndarray]) -> BaseGeometry | None:
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry["arcs"]]
    elif kind == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        return None  # points and lines are not part of the basemap
    shapes = [shapely.Polygon(_ring(p[0], arcs), [_ring(h, arcs) for h in p[1:]]) for p in polygons]
    return shapely.make_valid(shapely.MultiPolygon(shapes))


def topology_features(
    topology: Mapping[str, Any], name: str
) -> list[tuple[str | None, dict[str, Any], BaseGeometry]]:
    """``(id, properties, geometry)`` of every areal feature of object ``name``."""
    arcs = decoded_arcs(topology)
    features = []
    for item in topology["objects"][name]["geometries"]:
        shape = _geometry(item, arcs)
        if shape is not None and not shape.is_empty:
            features.append((item.get("id"), dict(item.get("properties") or {}), shape))
    return features
