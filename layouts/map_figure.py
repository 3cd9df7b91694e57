"""The map figure as a plain dict: no ``go.Figure`` validation on the hot path.

Geometry is not in the figure: ``geojson`` is a same-origin URL that
plotly.js fetches once and caches (see docs/architecture.md, Map).
"""

from __future__ import annotations

import math

import numpy as np

from layouts.palette import CONTINUOUS_SCALE, UNASSIGNED_COLOUR, owner_colourscale, rep_colour
from planning.mapview import COLOUR_MODES, UnitFacts

MAP_UIREVISION = "hexalign-map"
CHANGED_COLOUR = "#D55E00"
HOVER = (
    "<b>%{customdata[7]}</b>%{customdata[8]}<br>"
    "Accounts A/B/C: %{customdata[1]} / %{customdata[2]} / %{customdata[3]}<br>"
    "TAM: %{customdata[4]:,.0f}<br>Revenue: %{customdata[5]:,.0f}<br>"
    "Workload: %{customdata[6]:,.1f} h/yr<extra></extra>"
)


def owner_label(position: int, rep_ids: np.ndarray, names: np.ndarray) -> str:
    """How a cell's owner reads in the hover: "R03 Katrin Meyer" or "Unassigned"."""
    return "Unassigned" if position < 0 else f"{rep_ids[position]} {names[position]}"


def customdata(facts: UnitFacts, rep_ids: np.ndarray, names: np.ndarray) -> list[list]:
    """Per unit: id, A, B, C, TAM, revenue, workload h, owner label, lock note."""
    rows = []
    for i, unit in enumerate(facts.units.tolist()):
        rows.append([
            unit,
            int(facts.segments[i, 0]),
            int(facts.segments[i, 1]),
            int(facts.segments[i, 2]),
            round(float(facts.tam[i]), 2),
            round(float(facts.revenue[i]), 2),
            round(float(facts.workload_h[i]), 1),
            owner_label(int(facts.owner[i]), rep_ids, names),
            " (locked)" if facts.locked[i] else "",
        ])  # fmt: skip
    return rows


def colour_settings(mode: str, n_reps: int) -> dict:
    """zmin/zmax/colorscale per colour mode; owner and changed are stepped, the rest continuous."""
    if mode == "owner":
        return {
            "zmin": -1.5,
            "zmax": n_reps - 0.5,
            "colorscale": owner_colourscale(n_reps),
            "showscale": False,
        }
    if mode == "changed":
        scale = [
            [0, UNASSIGNED_COLOUR],
            [0.5, UNASSIGNED_COLOUR],
            [0.5, CHANGED_COLOUR],
            [1, CHANGED_COLOUR],
        ]
        return {"zmin": 0, "zmax": 1, "colorscale": scale, "showscale": False}
    return {
        "colorscale": CONTINUOUS_SCALE,
        "showscale": True,
        "colorbar": {"title": {"text": COLOUR_MODES[mode]}, "thickness": 12},
    }


def map_figure(
    facts: UnitFacts,
    mode: str,
    geojson_url: str,
    reps: dict,
    view: dict,
    tile_url: str | None = None,
) -> dict:
    """Cells coloured by ``mode``, rep homes as labelled markers.

    ``reps`` holds parallel lists rep_id, name, home_lat, home_lon;
    ``view`` the initial centre/zoom (kept afterwards by ``uirevision``).
    """
    rep_ids, names = np.asarray(reps["rep_id"]), np.asarray(reps["name"])
    z = facts.values(mode)
    cells = {
        "type": "choroplethmap",
        "geojson": geojson_url,
        "featureidkey": "id",
        "locations": facts.units.tolist(),
        "z": [None if (isinstance(v, float) and math.isnan(v)) else v for v in z.tolist()],
        "customdata": customdata(facts, rep_ids, names),
        "hovertemplate": HOVER,
        "marker": {"line": {"width": 0.4, "color": "#ffffff"}, "opacity": 0.85},
        "selected": {"marker": {"opacity": 0.85}},
        "unselected": {"marker": {"opacity": 0.85}},
        "name": "cells",
        **colour_settings(mode, len(rep_ids)),
    }
    homes = {
        "type": "scattermap",
        "lat": list(reps["home_lat"]),
        "lon": list(reps["home_lon"]),
        # markers only: map text needs font glyphs from a server, and the map must work offline
        "mode": "markers",
        "marker": {"size": 16, "color": [rep_colour(i) for i in range(len(rep_ids))], "opacity": 1},
        "hovertext": [f"{r} {n}: home base" for r, n in zip(rep_ids, names, strict=True)],
        "hoverinfo": "text",
        "name": "homes",
    }
    layers = []
    if tile_url:
        layers.append({"sourcetype": "raster", "source": [tile_url], "below": "traces"})
    return {
        "data": [cells, homes],
        "layout": {
            "map": {
                "style": "white-bg",
                "center": view["center"],
                "zoom": view["zoom"],
                "layers": layers,
            },
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "dragmode": "lasso",
            "clickmode": "event",
            "uirevision": MAP_UIREVISION,
            "showlegend": False,
            "paper_bgcolor": "#ffffff",
        },
    }


def fit_view(lat: np.ndarray, lon: np.ndarray, width_px: int = 800, height_px: int = 600) -> dict:
    """Centre and zoom that show every cell in a map of about the given size."""
    lat_span = max(float(lat.max() - lat.min()), 1e-3) * 1.15
    lon_span = max(float(lon.max() - lon.min()), 1e-3) * 1.15
    mid = math.radians(float(lat.mean()))
    zoom_x = math.log2(width_px * 360 / (256 * lon_span))
    zoom_y = math.log2(height_px * 360 * math.cos(mid) / (256 * lat_span))
    return {
        "center": {
            "lat": float((lat.max() + lat.min()) / 2),
            "lon": float((lon.max() + lon.min()) / 2),
        },
        "zoom": round(min(zoom_x, zoom_y) - 0.4, 2),
    }


def unit_colours(mode: str, facts: UnitFacts) -> list[str] | None:
    """Flat colours for the stepped modes (what feature-state paints); None for continuous ones."""
    if mode == "owner":
        return [rep_colour(int(o)) for o in facts.owner]
    if mode == "changed":
        return [CHANGED_COLOUR if c else UNASSIGNED_COLOUR for c in facts.changed]
    return None
