"""Cell geometry by URL: fetched once by plotly.js and cached by the browser.

The URL names everything the geometry depends on, by content: the tiling's key (a hash of its
cells and resolution, ``services.maps.tiling_key``), the display level and the snapped view.
A response never changes and may be cached forever; and as no database id is in it, a browser
that switches between databases (or whose database was replaced) never draws cells of the
wrong one from its cache. A malformed URL, or a tiling no scenario here uses, is not found.
"""

from __future__ import annotations

from flask import Flask, Response, abort

from callbacks.context import database_url
from geo.lod import BBox, view_key
from services import maps

GEOMETRY_FORMAT = "v2"
"""Part of every URL: change it when the bytes served for one tiling, level and view change."""


def geometry_url(
    dataset_id: int, resolution: int, area_id: int | None, level: int, snapped: BBox | None
) -> str:
    """Where the browser fetches the drawn units' polygons (needs the app context)."""
    tiling = maps.tiling_key(database_url(), dataset_id, resolution, area_id)
    return f"/geo/{GEOMETRY_FORMAT}/{tiling}/{level}/{view_key(snapped)}.json"


def register_geometry_route(server: Flask) -> None:
    """Add ``/geo/<format>/<tiling>/<level>/<view>.json`` to the Flask server."""

    @server.route(f"/geo/{GEOMETRY_FORMAT}/<tiling>/<int:level>/<key>.json")
    def geometry(tiling: str, level: int, key: str) -> Response:
        try:
            body = maps.geometry(database_url(), tiling, level, key)
        except (ValueError, LookupError):  # malformed, or no scenario here uses that tiling
            abort(404)
        response = Response(body, mimetype="application/geo+json")
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
