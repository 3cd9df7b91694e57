"""The basemap's geometry for one map: which box, how simple, which lines, as GeoJSON bytes.

Pure: shapes and arrays in, shapes and bytes out. The map draws the layers from one GeoJSON per
layer for a box around the planning area (MapLibre loads a GeoJSON source whole), so the box is
padded well beyond the area and snapped to whole degrees (the URL then names it and it can be
cached forever), and the outlines are simplified to a fraction of a pixel at the first view's zoom.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

import shapely
from shapely.geometry.base import BaseGeometry

from geo.topojson import decoded_arcs

Box = tuple[int, int, int, int]  # west, south, east, north in whole degrees

MIN_PAD_DEG = 4.0
PAD_SHARE = 0.75  # of the area's span, added on each side
MAX_LAT = 85
# simplification tolerance per degree of the box's larger span: a 20-degree box (the demo) is
# simplified to 0.01 degrees, about a quarter of a pixel at the zoom that shows the box
TOLERANCE_PER_DEG = 0.0005
MIN_TOLERANCE_DEG = 0.002


def basemap_box(lon: np.ndarray, lat: np.ndarray) -> Box:
    """The box the basemap covers for an area: its extent padded on every side, whole degrees.

    >>> basemap_box(np.array([5.0, 15.0]), np.array([47.0, 55.0]))
    (-3, 41, 23, 61)
    """
    west, east = float(np.min(lon)), float(np.max(lon))
    south, north = float(np.min(lat)), float(np.max(lat))
    pad_x = max(MIN_PAD_DEG, PAD_SHARE * (east - west))
    pad_y = max(MIN_PAD_DEG, PAD_SHARE * (north - south))
    return (
        max(-180, math.floor(west - pad_x)),
        max(-MAX_LAT, math.floor(south - pad_y)),
        min(180, math.ceil(east + pad_x)),
        min(MAX_LAT, math.ceil(north + pad_y)),
    )


def box_key(box: Box) -> str:
    """The box as it appears in a URL: ``w_s_e_n``.

    >>> box_key((-3, 41, 23, 61))
    '-3_41_23_61'
    """
    return "_".join(str(int(v)) for v in box)


def parse_box_key(key: str) -> Box:
    """The box a URL names; ``ValueError`` for anything that is not four ordered whole degrees."""
    parts = [int(p) for p in key.split("_")]
    if len(parts) != 4:
        raise ValueError(f"not a box: {key!r}")
    west, south, east, north = parts
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError(f"not a box: {key!r}")
    return west, south, east, north


def tolerance_for(box: Box) -> float:
    """Simplification tolerance in degrees: finer for smaller boxes (which are drawn zoomed in)."""
    span = max(box[2] - box[0], box[3] - box[1])
    return max(MIN_TOLERANCE_DEG, round(TOLERANCE_PER_DEG * span, 4))


def arc_use(topology: Mapping[str, Any], name: str) -> Counter[int]:
    """How many geometries of object ``name`` use each arc (``~i`` counts for arc ``i``).

    An arc used twice separates two countries (a border); once, a country and the sea (a coast).

    >>> topo = {"objects": {"c": {"geometries": [{"type": "Polygon", "arcs": [[0, 1]]},
    ...                                           {"type": "Polygon", "arcs": [[~1, 2]]}]}}}
    >>> sorted(arc_use(topo, "c").items())
    [(0, 1), (1, 2), (2, 1)]
    """
    counts: Counter[int] = Counter()

    def walk(arcs: Any) -> None:
        if isinstance(arcs, int):
            counts[arcs if arcs >= 0 else ~arcs] += 1
        else:
            for item in arcs:
                walk(item)

    for geometry in topology["objects"][name]["geometries"]:
        walk(geometry.get("arcs", []))
    return counts


def borders_and_coasts(topology: Mapping[str, Any], name: str) -> tuple[BaseGeometry, BaseGeometry]:
    """(country borders, coastlines) of a topology's object as two multilinestrings."""
    arcs = decoded_arcs(topology)
    use = arc_use(topology, name)
    borders = [shapely.LineString(arcs[i]) for i, n in use.items() if n >= 2 and len(arcs[i]) > 1]
    coasts = [shapely.LineString(arcs[i]) for i, n in use.items() if n == 1 and len(arcs[i]) > 1]
    return shapely.MultiLineString(borders), shapely.MultiLineString(coasts)


def inner_borders(polygons: Sequence[BaseGeometry]) -> BaseGeometry:
    """The lines between neighbouring polygons of one country (not its outline).

    >>> left = shapely.box(0, 0, 1, 1)
    >>> right = shapely.box(1, 0, 2, 1)
    >>> round(inner_borders([left, right]).length, 3)  # 1e-5 less at each end
    1.0
    """
    if len(polygons) < 2:
        return shapely.MultiLineString([])
    shapes = np.asarray(polygons, dtype=object)
    lines = shapely.union_all(shapely.boundary(shapes))
    outline = shapely.boundary(shapely.union_all(shapes))
    return shapely.difference(lines, shapely.buffer(outline, 1e-5))


def clipped(shape: BaseGeometry, box: Box, tolerance: float) -> BaseGeometry:
    """The part of ``shape`` inside ``box``, simplified, its coordinates rounded.

    Rounded to the decimal digit below a quarter of the tolerance (3 digits, about 100 m, for the
    demo's box), which keeps the GeoJSON short; a point may then lie that much outside the box.
    """
    part = shapely.clip_by_rect(shape, *box)
    if part.geom_type == "MultiLineString":
        # lines kept as two-point segments (the regions' borders) are joined first: a segment
        # has nothing to simplify (the US states' lines were 276 kB of GeoJSON, 9 kB joined)
        part = shapely.line_merge(part)
    simple = shapely.simplify(part, tolerance, preserve_topology=True)
    digits = max(0, math.ceil(-math.log10(tolerance / 4)))
    return shapely.transform(simple, lambda xy: np.round(xy, digits))


def feature_collection(shapes: Iterable[BaseGeometry]) -> bytes:
    """A GeoJSON FeatureCollection of the non-empty shapes, without properties.

    >>> feature_collection([shapely.Point(1, 2)])
    b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1.0,2.0]}}]}'
    """
    features = [
        '{"type":"Feature","properties":{},"geometry":' + shapely.to_geojson(s) + "}"
        for s in shapes
        if s is not None and not s.is_empty
    ]
    return ('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}").encode()


def towns_in_box(
    names: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    population: np.ndarray,
    box: Box,
    limit: int,
) -> bytes:
    """The ``limit`` most populous towns in ``box``, largest first, as JSON rows.

    Each row is ``[name, lat, lon, population]``; the browser labels them in this order and
    skips a town whose label would overlap one already placed, so zooming in shows more.

    >>> towns_in_box(np.array(["A", "B", "C"]), np.array([50.0, 51.0, 10.0]),
    ...              np.array([8.0, 9.0, 8.0]), np.array([10, 20, 30]), (0, 40, 20, 60), 5)
    b'[["B",51.0,9.0,20],["A",50.0,8.0,10]]'
    """
    inside = (lon >= box[0]) & (lon <= box[2]) & (lat >= box[1]) & (lat <= box[3])
    order = np.flatnonzero(inside)
    order = order[np.argsort(-population[order], kind="stable")][:limit]
    rows = [
        [str(names[i]), round(float(lat[i]), 4), round(float(lon[i]), 4), int(population[i])]
        for i in order
    ]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()
