"""Issue 16 point 7: the compare map says what it shows.

The cells that change owner (filled with the receiving rep's colour, a thick dark
outline) over the "after" scenario's territories (faded) and the offline basemap,
with a legend on the map, fitted to the changed cells once the browser knows the
map's size (``layout.meta.hexalignFit``, assets/hexalign.meeting.js).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from layouts.basemap import WHITE_STYLE, basemap_layers, basemap_meta, basemap_style
from layouts.i18n import tr
from layouts.map_figure import colour_settings, fit_view
from planning.changes import ChangedView
from planning.mapview import UnitFacts

CHANGED_LINE = {"width": 2.0, "color": "#111111"}
TERRITORY_OPACITY = 0.35
CHANGED_UID = "hexalign-changed"
LEGEND_TEXT = (
    "<b>Filled, dark outline</b>: cells that change owner (colour = rep receiving them)<br>"
    "<b>Faded</b>: the territories of the “after” scenario"
)


def changed_bounds(view: ChangedView, pad_deg: float = 0.05) -> tuple[float, float, float, float]:
    """West, south, east, north around the changed units' centres (a little padded)."""
    lat, lon = np.asarray(view.lat, float), np.asarray(view.lon, float)
    return (float(lon.min()) - pad_deg, float(lat.min()) - pad_deg,
            float(lon.max()) + pad_deg, float(lat.max()) + pad_deg)  # fmt: skip


def compare_figure(
    view: ChangedView,
    changed_geojson: str,
    rep_ids: np.ndarray,
    names: np.ndarray,
    territories: UnitFacts | None = None,
    territories_geojson: str | None = None,
    basemap: Mapping[str, str] | None = None,
    fit_key: str = "compare",
) -> dict:
    """Changed cells over the territories and the basemap, with a legend, fitted to the change."""
    nobody = tr("unassigned")
    labels = [nobody if o < 0 else f"{rep_ids[o]} {names[o]}" for o in view.to_owner.tolist()]
    # the changed cells stay the first trace (what hover and tests read); the faded territories
    # come second but are inserted below the changed cells' fill layer (plotly.js names a
    # choroplethmap's layers "plotly-trace-layer-<uid>-fill")
    data: list[dict] = [{
        "type": "choroplethmap", "geojson": changed_geojson, "featureidkey": "id",
        "locations": view.units.tolist(), "z": view.to_owner.astype(float).tolist(),
        "customdata": [[h, lab] for h, lab in zip(view.hover, labels, strict=True)],
        "hovertemplate": "%{customdata[0]}<br>" + tr("now") + ": %{customdata[1]}<extra></extra>",
        "marker": {"line": CHANGED_LINE, "opacity": 0.95},
        "name": "changed", "uid": CHANGED_UID, **colour_settings("owner", len(rep_ids)),
    }]  # fmt: skip
    if territories is not None and territories_geojson:
        data.append({
            "type": "choroplethmap", "geojson": territories_geojson, "featureidkey": "id",
            "locations": territories.units.tolist(),
            "z": [float(o) for o in territories.owner.tolist()],
            "marker": {"line": {"width": 0}, "opacity": TERRITORY_OPACITY},
            "hoverinfo": "skip", "name": "territories",
            "below": f"plotly-trace-layer-{CHANGED_UID}-fill",
            **colour_settings("owner", len(rep_ids)),
        })  # fmt: skip
    layers: list[dict] = []
    meta: dict = {}
    style: dict | str = WHITE_STYLE
    if basemap:
        style = basemap_style()
        layers = basemap_layers(basemap, tiles=False)
        meta = basemap_meta(0, len(layers), basemap["towns"])
    bounds = changed_bounds(view)
    meta["hexalignFit"] = {"bounds": list(bounds), "key": fit_key, "padding": 16}
    start = fit_view(np.asarray(view.lat), np.asarray(view.lon), width_px=480, height_px=340)
    return {
        "data": data,
        "layout": {
            "map": {"style": style, **start, "layers": layers},
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "showlegend": False,
            "paper_bgcolor": "#ffffff",
            "meta": meta,
            "annotations": [
                {
                    "text": tr(LEGEND_TEXT),
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.01,
                    "y": 0.01,
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "align": "left",
                    "bgcolor": "rgba(255,255,255,0.92)",
                    "bordercolor": "#111",
                    "borderwidth": 1,
                    "font": {"size": 11, "color": "#111"},
                }
            ],  # fmt: skip
        },
    }
