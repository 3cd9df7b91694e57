"""Cell geometry by URL: fetched once by plotly.js and cached by the browser.

The URL names everything the geometry depends on (dataset, tiling, level,
snapped view), so a response never changes and may be cached forever.
"""

from __future__ import annotations

from flask import Flask, Response, abort

from callbacks.context import database_url
from geo.lod import BBox, view_key
from services import maps


def geometry_url(
    dataset_id: int, resolution: int, area_id: int | None, level: int, snapped: BBox | None
) -> str:
    """Where the browser fetches the drawn units' polygons."""
    return f"/geo/{dataset_id}/{resolution}/{area_id}/{level}/{view_key(snapped)}.json"


def register_geometry_route(server: Flask) -> None:
    """Add ``/geo/<dataset>/<resolution>/<area>/<level>/<view>.json`` to the Flask server."""

    @server.route("/geo/<int:dataset_id>/<int:resolution>/<area>/<int:level>/<key>.json")
    def geometry(dataset_id: int, resolution: int, area: str, level: int, key: str) -> Response:
        area_id = None if area == "None" else int(area)
        try:
            body = maps.geometry(database_url(), dataset_id, resolution, area_id, level, key)
        except (ValueError, LookupError):
            abort(404)
        response = Response(body, mimetype="application/geo+json")
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
