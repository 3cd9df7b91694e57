"""Cell geometry by URL: fetched once by plotly.js and cached by the browser.

The URL names everything the geometry depends on (dataset, tiling, level,
snapped view), so a response never changes and may be cached forever.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, abort

from callbacks.context import database_url
from geo.lod import drawn_units, geojson_bytes, parse_view_key, view_key
from planning import editing


def geometry_url(dataset_id: int, resolution: int, area_id: int | None, level: int, snapped) -> str:
    """Where the browser fetches the drawn units' polygons."""
    return f"/geo/{dataset_id}/{resolution}/{area_id}/{level}/{view_key(snapped)}.json"


@lru_cache(maxsize=64)
def _geometry(
    url: str, dataset_id: int, resolution: int, area_id: int | None, level: int, key: str
) -> bytes:
    """Memoised per worker: same arguments, same bytes."""
    board = editing.board(url, dataset_id, resolution, area_id)
    if not 0 <= level < len(board.levels):
        raise ValueError(f"no display level {level}")
    units = drawn_units(board.levels, level, parse_view_key(key))
    return geojson_bytes(board.levels[level], units)


def register_geometry_route(server: Flask) -> None:
    """Add ``/geo/<dataset>/<resolution>/<area>/<level>/<view>.json`` to the Flask server."""

    @server.route("/geo/<int:dataset_id>/<int:resolution>/<area>/<int:level>/<key>.json")
    def geometry(dataset_id: int, resolution: int, area: str, level: int, key: str) -> Response:
        area_id = None if area == "None" else int(area)
        try:
            body = _geometry(database_url(), dataset_id, resolution, area_id, level, key)
        except (ValueError, LookupError):
            abort(404)
        response = Response(body, mimetype="application/geo+json")
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
