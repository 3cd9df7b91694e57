"""Cell geometry by URL: fetched once by plotly.js and cached by the browser.

The URL names everything the geometry depends on, by content: the tiling's key (a hash of its
cells and resolution, ``services.maps.tiling_key``), the display level and the snapped view.
A response never changes and may be cached forever; and as no database id is in it, a browser
that switches between databases (or whose database was replaced) never draws cells of the
wrong one from its cache. A malformed URL, or a tiling no scenario here uses, is not found.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, Response, abort

from callbacks.context import database_url
from geo.lod import BBox, view_key
from services import maps

GEOMETRY_FORMAT = "v2"
"""Part of every URL: change it when the bytes served for one tiling, level and view change."""
GEOMETRY_PATH = re.compile(
    rf"^/geo/{GEOMETRY_FORMAT}/(?P<tiling>[^/]+)/(?P<level>\d+)/(?P<key>[^/]+)\.json$"
)


def with_inline_geometry(figure: dict[str, Any]) -> dict[str, Any]:
    """The figure with its cells' polygons in it instead of their URL (issue 18 point 1).

    For the first map, built into the layout: the URL would be fetched only once plotly.js draws,
    queued on the server's workers behind the page's load callbacks (0.7-0.8 s at 1M accounts).
    Later figures keep the URL, which the browser caches. A figure without a geometry URL of
    ours is returned as it is.
    """
    cells = figure["data"][0]
    found = GEOMETRY_PATH.match(cells.get("geojson") or "")
    if found is None:
        return figure
    body = maps.geometry(database_url(), found["tiling"], int(found["level"]), found["key"])
    data = [{**cells, "geojson": json.loads(body)}, *figure["data"][1:]]
    return {**figure, "data": data}


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
