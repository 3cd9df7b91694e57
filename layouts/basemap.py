"""The offline basemap in the map figure, and the toolbar switch that shows or hides it.

Land and water are drawn under the cells; region borders, coastlines and country borders over
them, thin and dark, so a territory's colour still reads and so does where it lies. Town and rep
names are HTML labels drawn by ``assets/hexalign-labels.js`` (MapLibre text would need font
glyphs from a server). The URLs come from ``callbacks.basemap``; nothing here fetches anything.
"""

from __future__ import annotations

from collections.abc import Mapping

from dash import dcc, html

from layouts.attributes import html_attributes
from layouts.i18n import tr
from layouts.ids import Ids

WATER_COLOUR = "#cfe2f0"
LAND_COLOUR = "#f3f0e8"
SHOW_LAND = "land"
SHOW_TOWNS = "towns"
SWITCH_OPTIONS = {SHOW_LAND: "Land & borders", SHOW_TOWNS: "Towns"}
META_KEY = "hexalign"
SWITCH_CAPTION = "basemap-toggle-caption"


WATER_LAYER = "hexalign-water"
# a source no layer uses: MapLibre never asks for its tiles, and it loads without a worker
UNUSED_SOURCE = {"type": "raster", "tiles": ["hexalign-unused://{z}/{x}/{y}"], "tileSize": 256}
WHITE_STYLE = "white-bg"


def basemap_style(water: bool = True) -> dict | str:
    """``layout.map.style``: the water as the style's background colour, or plotly's white.

    Issue 18 point 1: the water was a fill of the whole world under the land; MapLibre tiled
    that polygon for every tile and filled the whole canvas with it on every frame, which cost
    the first page 0.3-0.5 s in software WebGL (measured with ``benchmarks.first_page``). A
    background layer fills the same pixels at no tiling cost. The id stays the same from one
    figure to the next so that plotly.js keeps the map rather than building a new style.
    """
    if not water:
        return WHITE_STYLE
    return {
        "id": WATER_LAYER,
        "version": 8,
        # never empty: plotly.js (lib/relink_private.js, on every Plotly.react) deletes empty
        # objects inside the layout, and MapLibre then refuses a style without "sources" (the
        # map stopped taking new figures). A raster source no layer uses loads without a worker
        # and asks for no tile (an empty GeoJSON source held the map's "load" back 60-70 ms).
        "sources": {WATER_LAYER: UNUSED_SOURCE},
        "layers": [{"id": WATER_LAYER, "type": "background",
                    "paint": {"background-color": WATER_COLOUR}}],
    }  # fmt: skip


def basemap_layers(urls: Mapping[str, str], tiles: bool = False) -> list[dict]:
    """``layout.map.layers`` in drawing order: land under the cells, lines over them.

    ``urls`` maps ``land``, ``regions``, ``coasts`` and ``borders`` to same-origin GeoJSON URLs.
    The water is the style's background (``basemap_style``). With raster ``tiles`` the land fill
    is left out (the tiles draw it).
    plotly.js puts layers with ``below="traces"`` under the first trace and those with
    ``below=""`` over everything, in list order (checked in tests/browser/test_basemap_browser.py).
    """
    under: list[dict] = [
        {"sourcetype": "geojson", "source": urls["land"], "type": "fill", "color": LAND_COLOUR,
         "below": "traces", "name": "land"},
    ]  # fmt: skip
    over: list[dict] = [
        {"sourcetype": "geojson", "source": urls["regions"], "type": "line", "color": "#303030",
         "line": {"width": 1.5, "dash": [4, 2]}, "below": "", "name": "regions"},
        {"sourcetype": "geojson", "source": urls["coasts"], "type": "line", "color": "#4f7896",
         "line": {"width": 1.2}, "below": "", "name": "coasts"},
        {"sourcetype": "geojson", "source": urls["borders"], "type": "line", "color": "#262626",
         "line": {"width": 2.2}, "below": "", "name": "borders"},
    ]  # fmt: skip
    return over if tiles else under + over


def basemap_meta(first_index: int, n_layers: int, towns_url: str) -> dict:
    """What ``assets/hexalign-labels.js`` reads from ``layout.meta``: layer positions, towns URL."""
    return {META_KEY: {"basemapLayers": list(range(first_index, first_index + n_layers)),
                       "towns": towns_url}}  # fmt: skip


def basemap_switch() -> html.Div:
    """The toolbar's "Map shows" checklist (both on at first).

    A group, not a <label> around the checklist: each checkbox keeps its own name
    ("Land & borders", "Towns") for screen readers and tests.
    """
    return html.Div(
        [
            html.Span(tr("Map shows"), id=SWITCH_CAPTION),
            dcc.Checklist(
                [{"label": tr(v), "value": k} for k, v in SWITCH_OPTIONS.items()],
                list(SWITCH_OPTIONS),
                id=Ids.BASEMAP_TOGGLE,
                inline=True,
            ),
            dcc.Store(id=Ids.BASEMAP_SHOWN),
        ],
        className="toolbar-group",
        role="group",
        **html_attributes({"aria-labelledby": SWITCH_CAPTION}),
    )
