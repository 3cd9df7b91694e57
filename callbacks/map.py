"""Map callbacks: draw the view, turn a selection into a move, undo and redo.

Each callback unpacks the Dash payload, calls one function of
``planning.editing`` (or the view helpers), and packs the result.
"""

from __future__ import annotations

import numpy as np
from dash import Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.context import database_url, default_scenario, tile_url, tolerance_share
from callbacks.geometry import geometry_url
from data.store import (
    NothingToUndoError,
    ReadOnlyScenarioError,
    ScenarioNotFoundError,
    StaleVersionError,
)
from geo.lod import drawn_units, pick_view, view_key
from layouts.ids import Ids
from layouts.main import UNASSIGNED_VALUE, legend, rep_keys, rep_options
from layouts.map_figure import fit_view, map_figure, unit_colours
from layouts.panel import table_rows, tam_chart, team_summary, workload_chart
from planning import editing
from planning.mapview import unit_facts
from planning.metrics import rep_metrics, team_metrics

PANEL = (
    Output(Ids.REP_TABLE, "data"),
    Output(Ids.WORKLOAD_CHART, "figure"),
    Output(Ids.TAM_CHART, "figure"),
    Output(Ids.TEAM_SUMMARY, "children"),
)


def panel(plan, tolerance_pct) -> tuple:
    """Table rows, the two charts and the team summary for a plan."""
    tolerance = tolerance_share(tolerance_pct)
    reps = rep_metrics(plan, tolerance)
    return (
        table_rows(reps),
        workload_chart(reps, tolerance),
        tam_chart(reps, tolerance),
        team_summary(team_metrics(plan, tolerance)),
    )


@callback(
    Output(Ids.MAP, "figure"),
    Output(Ids.VIEW, "data"),
    Output(Ids.SCENARIO_NAME, "children"),
    Output(Ids.RESOLUTION, "value"),
    Output(Ids.CAMERA, "data"),
    Input(Ids.SCENARIO, "data"),
    Input(Ids.COLOUR_MODE, "value"),
    Input(Ids.MAP, "relayoutData"),
    State(Ids.VIEW, "data"),
    State(Ids.CAMERA, "data"),
)
def draw_map(scenario, mode, relayout, view, camera_now):
    """The whole figure: on load, scenario switch, colour mode, or a zoom needing other cells.

    The figure carries the user's current centre and zoom: plotly does not keep a map's
    GUI zoom across new figures, so a redraw must not throw the view back to the overview.
    """
    url = database_url()
    board, plan, _ = editing.load(url, scenario["id"])
    view = view or {}
    from_map = ctx.triggered_id == Ids.MAP
    bbox = _bbox(relayout) if from_map else view.get("bbox")
    if from_map and bbox is None and view.get("scenario") is not None:
        raise PreventUpdate  # e.g. {"autosize": true}; before the first draw we must answer
    level, snapped, units = pick_view(board.levels, bbox)
    camera = _camera(relayout) if from_map else None
    camera = camera or camera_now or fit_view(board.market.area.lat, board.market.area.lon)
    new_view = {"scenario": scenario["id"], "level": level, "snapped": snapped, "bbox": bbox}
    if from_map and view.get("scenario") == scenario["id"]:
        if (view.get("level"), _key(view.get("snapped"))) == (level, _key(snapped)):
            return no_update, no_update, no_update, no_update, camera  # same cells: keep the figure
    record = editing.open_store(url).scenario(scenario["id"])
    facts = unit_facts(board.levels[level], plan, board.baseline.owner, units)
    geo = geometry_url(record.dataset_id, record.resolution, record.area_id, level, snapped)
    fig = map_figure(facts, mode, geo, board.market.reps, camera, tile_url())
    name = f"{record.name}{' (read-only)' if record.read_only else ''}"
    return fig, new_view, name, record.resolution, camera


@callback(
    Output(Ids.VERSION, "data"),
    *PANEL,
    Input(Ids.SCENARIO, "data"),
    Input(Ids.TOLERANCE, "value"),
)
def refresh_panel(scenario, tolerance_pct):
    """Panel numbers and the version the page now shows (load, switch, tolerance)."""
    _, plan, version = editing.load(database_url(), scenario["id"])
    return {"version": version}, *panel(plan, tolerance_pct)


@callback(
    Output(Ids.VERSION, "data", allow_duplicate=True),
    Output(Ids.PAINT, "data"),
    Output(Ids.MESSAGE, "children"),
    *(Output(o.component_id, o.component_property, allow_duplicate=True) for o in PANEL),
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Input(Ids.SELECTION, "data"),
    Input(Ids.UNDO, "n_clicks"),
    Input(Ids.REDO, "n_clicks"),
    Input(Ids.KEY_COMMAND, "data"),
    State(Ids.REP_PICKER, "value"),
    State(Ids.TOOL, "value"),
    State(Ids.SCENARIO, "data"),
    State(Ids.VERSION, "data"),
    State(Ids.VIEW, "data"),
    State(Ids.COLOUR_MODE, "value"),
    State(Ids.TOLERANCE, "value"),
    prevent_initial_call=True,
)
def edit(selection, _undo, _redo, key, rep, tool, scenario, version, view, mode, tolerance_pct):
    """Apply a selection (move, lock, unlock), an undo or a redo; repaint only what changed."""
    url = database_url()
    trigger = ctx.triggered_id
    if trigger == Ids.KEY_COMMAND:
        trigger = {"undo": Ids.UNDO, "redo": Ids.REDO}.get((key or {}).get("cmd"))
    if trigger is None or not view or not version:
        raise PreventUpdate
    board, plan, _ = editing.load(url, scenario["id"])
    try:
        if trigger == Ids.SELECTION:
            units = np.asarray((selection or {}).get("units") or [], dtype=np.int64)
            if len(units) == 0 or selection.get("level") != view["level"]:
                raise PreventUpdate
            cells = board.levels[view["level"]].cells_of(units)
            rep_pos = None if rep == UNASSIGNED_VALUE else board.market.rep_position(rep)
            result = editing.apply(
                url, scenario["id"], version["version"], tool, cells, rep_pos, plan=plan
            )
            message = _describe(tool, result, rep)
        else:
            result = editing.step(
                url, scenario["id"], version["version"], redo=trigger == Ids.REDO, plan=plan
            )
            message = (
                f"{'Redone' if trigger == Ids.REDO else 'Undone'}: {len(result.changed):,} cells."
            )
    except NothingToUndoError as err:
        return no_update, no_update, f"Nothing to {'redo' if 'redo' in str(err) else 'undo'}.", \
            *([no_update] * 4), no_update  # fmt: skip
    except ReadOnlyScenarioError:
        return no_update, no_update, "This scenario is read-only: branch it to edit.", \
            *([no_update] * 4), no_update  # fmt: skip
    except StaleVersionError:
        _, current, current_version = editing.load(url, scenario["id"])
        return ({"version": current_version}, no_update,
                "Someone else changed this scenario meanwhile: the map now shows the current plan; "
                "please repeat your last action.", *panel(current, tolerance_pct),
                {**scenario, "refresh": current_version})  # fmt: skip
    paint = _paint(board, result, view, mode)
    return (
        {"version": result.version},
        paint,
        message,
        *panel(result.plan, tolerance_pct),
        no_update,
    )


def _paint(board, result, view, mode) -> dict:
    """Only the drawn units the change touched: their position in the trace and new values."""
    level = board.levels[view["level"]]
    drawn = drawn_units(board.levels, view["level"], _tuple(view.get("snapped")))
    touched = np.unique(level.unit_of_cell[result.changed])
    pos = np.searchsorted(drawn, touched)
    pos = np.minimum(pos, max(len(drawn) - 1, 0))
    visible = (drawn[pos] == touched) if len(drawn) else np.zeros(len(touched), bool)
    units, pos = touched[visible], pos[visible]
    facts = unit_facts(level, result.plan, board.baseline.owner, units)
    z = facts.values(mode)
    return {
        "idx": pos.tolist(),
        "z": [None if v != v else float(v) for v in z.tolist()],
        "owner": facts.owner.tolist(),
        "work": np.round(facts.workload_h, 1).tolist(),
        "locked": facts.locked.astype(int).tolist(),
        "fc": unit_colours(mode, facts),
        "version": result.version,
    }


def _describe(tool, result, rep) -> str:
    n = len(result.changed)
    who = "Unassigned" if rep == UNASSIGNED_VALUE else rep
    text = {"move": f"Moved {n:,} cells to {who}.", "lock": f"Locked {n:,} cells.",
            "unlock": f"Unlocked {n:,} cells."}[tool]  # fmt: skip
    if result.skipped_locked:
        text += f" {result.skipped_locked:,} locked cells were skipped (unlock them to move them)."
    return text


def _bbox(relayout) -> list[float] | None:
    """West, south, east, north of the map after a pan or zoom, from Plotly's derived corners."""
    corners = (relayout or {}).get("map._derived", {}).get("coordinates")
    if not corners:
        return None
    lons = [c[0] for c in corners]
    lats = [c[1] for c in corners]
    return [min(lons), min(lats), max(lons), max(lats)]


def _camera(relayout) -> dict | None:
    """Centre and zoom after a pan or zoom, as the figure's layout.map wants them."""
    relayout = relayout or {}
    center, zoom = relayout.get("map.center"), relayout.get("map.zoom")
    if not center or zoom is None:
        return None
    return {"center": {"lat": center["lat"], "lon": center["lon"]}, "zoom": zoom}


def _key(snapped) -> str:
    return view_key(_tuple(snapped))


def _tuple(snapped):
    return None if snapped is None else tuple(snapped)


@callback(
    Output(Ids.REP_PICKER, "options"),
    Output(Ids.REP_PICKER, "value"),
    Output(Ids.LEGEND, "children"),
    Output(Ids.REP_KEYS, "data-reps"),
    Output(Ids.REP_KEYS, "data-labels"),
    Input(Ids.SCENARIO, "data"),
    State(Ids.REP_PICKER, "value"),
)
def rep_widgets(scenario, picked):
    """Rep picker, legend and keyboard map of the scenario's team (data sets may differ)."""
    board, _, _ = editing.load(database_url(), scenario["id"])
    reps = board.market.reps
    ids, names = list(reps["rep_id"].astype(str)), list(reps["name"].astype(str))
    keep = picked if picked in ids or picked == UNASSIGNED_VALUE else (ids[0] if ids else None)
    value = no_update if keep == picked else keep
    return rep_options(ids, names), value, legend(ids, names).children, *rep_keys(ids, names)


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Input(Ids.SCENARIO, "data"),
    prevent_initial_call="initial_duplicate",
)
def check_scenario(scenario):
    """A page remembering a scenario deleted meanwhile lands on the app's working scenario."""
    try:
        editing.open_store(database_url()).scenario(int((scenario or {})["id"]))
    except (ScenarioNotFoundError, KeyError, TypeError, ValueError):
        return {"id": default_scenario()}, "The scenario this page showed no longer exists."
    raise PreventUpdate
