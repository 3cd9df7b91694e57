"""The map figure as a plain dict: no ``go.Figure`` validation on the hot path.

Geometry is not in the figure: ``geojson`` is a same-origin URL that
plotly.js fetches once and caches (see docs/architecture.md, Map).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from layouts.basemap import WHITE_STYLE, basemap_layers, basemap_meta, basemap_style
from layouts.ids import Slot
from layouts.palette import CONTINUOUS_SCALE, UNASSIGNED_COLOUR, owner_colourscale, rep_colour
from planning.mapview import COLOUR_MODES, GROUP_MODES, TRACKING_MODES, UnitFacts
from planning.share_classes import CLASS_COLOURS, CLASSES, ShareClass

MAP_UIREVISION = "hexalign-map"
CHANGED_COLOUR = "#D55E00"
UNASSIGNED_LABEL = "Unassigned"
LOCKED_NOTE = " (locked)"


def _slot(slot: Slot, fmt: str = "") -> str:
    """A hover placeholder for one customdata slot, e.g. ``%{customdata[4]:,.0f}``."""
    return f"%{{customdata[{int(slot)}]{fmt}}}"


HOVER = (
    f"<b>{_slot(Slot.OWNER)}</b>{_slot(Slot.LOCK_NOTE)}<br>"
    f"Accounts A/B/C: {_slot(Slot.ACCOUNTS_A)} / {_slot(Slot.ACCOUNTS_B)} / "
    f"{_slot(Slot.ACCOUNTS_C)}<br>"
    f"TAM: {_slot(Slot.TAM, ':,.0f')}<br>Revenue: {_slot(Slot.REVENUE, ':,.0f')}<br>"
    f"Workload: {_slot(Slot.WORKLOAD, ':,.1f')} h/yr<br>"
    f"Share: {_slot(Slot.SHARE_CLASS)}<extra></extra>"
)


def owner_label(position: int, rep_ids: np.ndarray, names: np.ndarray) -> str:
    """How a cell's owner reads in the hover: "R03 Katrin Meyer" or "Unassigned"."""
    return UNASSIGNED_LABEL if position < 0 else f"{rep_ids[position]} {names[position]}"


def customdata(facts: UnitFacts, rep_ids: np.ndarray, names: np.ndarray) -> list[list]:
    """Per unit, one value per ``Slot``: id, A, B, C, TAM, revenue, workload h, owner, lock note.

    Built by slot, not by position, so the hover text, this row and the browser's repaint
    (which rewrites the workload, owner and lock slots) cannot drift apart.
    """
    columns: dict[Slot, list] = {
        Slot.UNIT: facts.units.tolist(),
        Slot.ACCOUNTS_A: [int(v) for v in facts.segments[:, 0]],
        Slot.ACCOUNTS_B: [int(v) for v in facts.segments[:, 1]],
        Slot.ACCOUNTS_C: [int(v) for v in facts.segments[:, 2]],
        Slot.TAM: [round(float(v), 2) for v in facts.tam],
        Slot.REVENUE: [round(float(v), 2) for v in facts.revenue],
        Slot.WORKLOAD: [round(float(v), 1) for v in facts.workload_h],
        Slot.OWNER: [owner_label(int(o), rep_ids, names) for o in facts.owner],
        Slot.LOCK_NOTE: [LOCKED_NOTE if v else "" for v in facts.locked],
        Slot.SHARE_CLASS: facts.class_text(),
    }
    return [list(row) for row in zip(*(columns[s] for s in Slot), strict=True)]


# issue 16: locked cells are told by a thick dark outline, not by colour alone
CELL_LINE = (0.4, "#ffffff")
LOCKED_LINE = (2.5, "#111111")


def locked_lines(locked: np.ndarray) -> dict:
    """Per unit outline: thin white for movable units, thick near-black for locked ones."""
    flags = np.asarray(locked, dtype=bool)
    if not flags.any():
        return {"width": CELL_LINE[0], "color": CELL_LINE[1]}
    return {
        "width": [LOCKED_LINE[0] if f else CELL_LINE[0] for f in flags.tolist()],
        "color": [LOCKED_LINE[1] if f else CELL_LINE[1] for f in flags.tolist()],
    }


def colour_settings(mode: str, n_reps: int) -> dict:
    """zmin/zmax/colorscale per colour mode; owner and changed are stepped, the rest continuous.

    Region and district (issue 14) are stepped like owners, ``n_reps`` being the groups.
    """
    if mode == "owner" or mode in GROUP_MODES:
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
    if mode == "class":  # issue 14: one flat colour per market-share class
        return {"zmin": -0.5, "zmax": len(CLASSES) - 0.5, "colorscale": class_colourscale(),
                "showscale": False}  # fmt: skip
    if mode in TRACKING_MODES:  # issue 15: red below plan, green at or above it
        return {"zmin": 0.5, "zmax": 1.2, "showscale": True,
                "colorscale": [[0, "#B2182B"], [0.5 / 0.7, "#F7F7F7"], [1, "#1B7837"]],
                "colorbar": {"title": {"text": COLOUR_MODES[mode]}, "thickness": 12,
                             "tickformat": ".0%"}}  # fmt: skip
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
    basemap: Mapping[str, str] | None = None,
    only: str | None = None,
) -> dict:
    """Cells coloured by ``mode``, rep homes as labelled markers, over an offline basemap.

    ``only`` (``region:North``, ``district:North / N1``; issue 14) greys out the cells
    of every other group (hides them in the continuous modes).

    ``reps`` holds parallel lists rep_id, name, home_lat, home_lon;
    ``view`` the initial centre/zoom (kept afterwards by ``uirevision``);
    ``basemap`` the same-origin URLs of the basemap layers and towns (``layouts.basemap``).
    """
    rep_ids, names = np.asarray(reps["rep_id"]), np.asarray(reps["name"])
    z = filtered_values(facts, mode, only)
    steps = len(facts.group_names[mode]) if mode in GROUP_MODES else len(rep_ids)
    cells = {
        "type": "choroplethmap",
        "geojson": geojson_url,
        "featureidkey": "id",
        "locations": facts.units.tolist(),
        "z": [None if (isinstance(v, float) and math.isnan(v)) else v for v in z.tolist()],
        "customdata": customdata(facts, rep_ids, names),
        "hovertemplate": HOVER,
        "marker": {"line": locked_lines(facts.locked), "opacity": 0.85},  # issue 16
        "selected": {"marker": {"opacity": 0.85}},
        "unselected": {"marker": {"opacity": 0.85}},
        "name": "cells",
        **colour_settings(mode, steps),
    }
    homes = {
        "type": "scattermap",
        "lat": list(reps["home_lat"]),
        "lon": list(reps["home_lon"]),
        # markers only: map text needs font glyphs from a server, and the map must work offline;
        # the rep's name is an HTML label (assets/hexalign-labels.js reads it from customdata)
        "mode": "markers",
        "customdata": [str(n) for n in names],
        "marker": {"size": 16, "color": [rep_colour(i) for i in range(len(rep_ids))], "opacity": 1},
        "hovertext": [f"{r} {n}: home base" for r, n in zip(rep_ids, names, strict=True)],
        "hoverinfo": "text",
        "name": "homes",
    }
    layers: list[dict] = []
    if tile_url:
        layers.append({"sourcetype": "raster", "source": [tile_url], "below": "traces"})
    meta: dict = {}
    style: dict | str = WHITE_STYLE
    if basemap:
        style = basemap_style(water=not tile_url)
        drawn = basemap_layers(basemap, tiles=bool(tile_url))
        meta = basemap_meta(len(layers), len(drawn), basemap["towns"])
        layers.extend(drawn)
    return {
        "data": [cells, homes],
        "layout": {
            "map": {
                "style": style,
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
            "meta": meta,
        },
    }


def fit_view(lat: np.ndarray, lon: np.ndarray, width_px: int = 800, height_px: int = 600) -> dict:
    """Centre and zoom that show every point (e.g. cell centre) in a map of the given size."""
    bounds = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    return camera_for_bounds(bounds, width_px, height_px)


# -- datasets-find: a first view that fits the whole planning area --------------------------
MAP_TILE_PX = 512  # MapLibre (plotly's "map" subplots): the world is 512 px wide at zoom 0
FIT_PADDING_PX = 12
GUESSED_MAP_PX = (760, 540)  # the map at 1366x768 before the browser says (hexalign.js refits)
MAX_FIT_ZOOM = 14.0


def camera_for_bounds(
    bounds: tuple[float, float, float, float],
    width_px: float,
    height_px: float,
    padding_px: float = FIT_PADDING_PX,
) -> dict:
    """The centre and zoom at which ``bounds`` (west, south, east, north) just fit the map.

    Web Mercator, as MapLibre draws it: x is linear in longitude, y in
    ln(tan(pi/4 + lat/2)); the box is centred in Mercator space, so it sits in
    the middle of the map, not a little north of it.

    >>> camera_for_bounds((0.0, -10.0, 10.0, 10.0), 512 + 24, 512 + 24)["center"]
    {'lat': 0.0, 'lon': 5.0}
    """
    west, south, east, north = bounds
    y_south, y_north = _mercator_y(south), _mercator_y(north)
    span_x = max(east - west, 1e-6) / 360.0
    span_y = max(y_north - y_south, 1e-6) / (2 * math.pi)
    usable_w = max(width_px - 2 * padding_px, 1.0)
    usable_h = max(height_px - 2 * padding_px, 1.0)
    zoom = math.log2(min(usable_w / (span_x * MAP_TILE_PX), usable_h / (span_y * MAP_TILE_PX)))
    lat = math.degrees(math.atan(math.sinh((y_south + y_north) / 2)))
    return {
        "center": {"lat": round(lat, 6) + 0.0, "lon": round((west + east) / 2, 6) + 0.0},
        "zoom": round(min(zoom, MAX_FIT_ZOOM), 3),
    }


def _mercator_y(lat: float) -> float:
    clamped = max(min(lat, 85.05), -85.05)
    return math.log(math.tan(math.pi / 4 + math.radians(clamped) / 2))


def with_fit(fig: dict, bounds: tuple[float, float, float, float], key: str) -> dict:
    """The figure, asking the browser to fit ``bounds`` to the map's real size once drawn.

    The server guesses the map's size (``GUESSED_MAP_PX``); ``assets/hexalign.js``
    reads ``layout.meta.hexalignFit`` after the draw and moves the camera so the
    bounds just fit, once per ``key``.
    """
    fit = {"bounds": list(bounds), "key": key, "padding": FIT_PADDING_PX}
    meta = {**(fig["layout"].get("meta") or {}), "hexalignFit": fit}  # keeps the basemap's entry
    layout = {**fig["layout"], "meta": meta}
    return {**fig, "layout": layout}


# -- end of datasets-find --------------------------------------------------------------------


def filtered_values(facts: UnitFacts, mode: str, only: str | None) -> np.ndarray:
    """The values ``mode`` paints; outside the group ``only``: -1 (grey) or NaN (not drawn)."""
    z = facts.values(mode)
    inside = facts.in_group(only)
    if inside.all():
        return z
    stepped = mode == "owner" or mode in GROUP_MODES or mode == "changed"
    return np.where(inside, z, (-1.0 if mode != "changed" else 0.0) if stepped else np.nan)


def unit_colours(mode: str, facts: UnitFacts, only: str | None = None) -> list[str] | None:
    """Flat colours for the stepped modes (what feature-state paints); None for continuous ones."""
    if only:
        inside = facts.in_group(only)
        colours = unit_colours(mode, facts)
        if colours is None:
            return None
        return [c if keep else UNASSIGNED_COLOUR for c, keep in zip(colours, inside, strict=True)]
    if mode in GROUP_MODES:
        return [rep_colour(int(g)) for g in facts.groups[mode]]
    if mode == "owner":
        return [rep_colour(int(o)) for o in facts.owner]
    if mode == "changed":
        return [CHANGED_COLOUR if c else UNASSIGNED_COLOUR for c in facts.changed]
    if mode == "class" and facts.share_class is not None:
        return [CLASS_COLOURS[ShareClass(int(c))] for c in facts.share_class]
    return None


def class_colourscale() -> list[list]:
    """A stepped scale mapping z = class code (0..4) to the classes' flat colours."""
    scale: list[list] = []
    for k, c in enumerate(CLASSES):
        scale += [[k / len(CLASSES), CLASS_COLOURS[c]], [(k + 1) / len(CLASSES), CLASS_COLOURS[c]]]
    return scale
