"""The offline basemap: its GeoJSON and town routes, its URLs for a drawing, and its switch.

Every layer is served by the app itself under ``/basemap/<box>/<layer>.json``: the URL names the
box (and for regions the countries), so a response never changes and is cached forever; no map
request leaves the server (the style is ``white-bg``, the labels are HTML, not MapLibre text).
"""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, clientside_callback
from flask import Flask, Response, abort

from callbacks.context import database_url
from geo.basemap import box_key, parse_box_key
from layouts.ids import BASEMAP_NAMESPACE, Ids
from services import basemap
from services.basemap import BasemapView, Layer

REGIONS_PREFIX = "regions-"
TOWNS = "towns"


def basemap_urls(view: BasemapView) -> dict[str, str]:
    """Same-origin URLs of the basemap's layers and towns for one planning area's basemap."""
    root = f"/basemap/{box_key(view.box)}"
    urls = {str(layer): f"{root}/{layer}.json" for layer in Layer if layer is not Layer.REGIONS}
    urls[str(Layer.REGIONS)] = f"{root}/{REGIONS_PREFIX}{'.'.join(view.countries)}.json"
    urls[TOWNS] = f"{root}/{TOWNS}.json"
    return urls


def register_basemap_route(server: Flask) -> None:
    """Add ``/basemap/<box>/<name>.json`` (land, coasts, borders, regions-<codes>, towns)."""

    @server.route("/basemap/<key>/<name>.json")
    def basemap_layer(key: str, name: str) -> Response:
        try:
            box = parse_box_key(key)
            if name == TOWNS:
                body, mimetype = basemap.towns_json(box, database_url()), "application/json"
            elif name.startswith(REGIONS_PREFIX):
                codes = tuple(c for c in name.removeprefix(REGIONS_PREFIX).split(".") if c)
                if any(len(c) != 2 or not c.isalpha() for c in codes):
                    raise ValueError(f"not country codes: {name!r}")
                body, mimetype = (
                    basemap.layer_geojson(Layer.REGIONS, box, codes, database_url()),
                    "application/geo+json",
                )
            else:
                layer = basemap.layer_geojson(Layer(name), box, (), database_url())
                body, mimetype = layer, "application/geo+json"
        except ValueError:
            abort(404)
        response = Response(body, mimetype=mimetype)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


# The switch shows or hides the layers in the browser (MapLibre layer visibility and the labels'
# overlay): no new figure, so the cells are not re-tiled.
clientside_callback(
    ClientsideFunction(BASEMAP_NAMESPACE, "show"),
    Output(Ids.BASEMAP_SHOWN, "data"),
    Input(Ids.BASEMAP_TOGGLE, "value"),
)
