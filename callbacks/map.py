"""Map callbacks: draw the view, turn a selection into a move, undo and redo.

Each callback turns the Dash payload into values (a ``Selection``, a
``Step``, a bounding box), calls one function of ``services.editing`` or
``services.maps``, and packs the result.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from dash import Input, Output, Patch, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.basemap import basemap_urls
from callbacks.context import database_url, default_scenario, tile_url, tolerance_share
from callbacks.geometry import geometry_url
from common.errors import (
    HexalignError,
    NothingToUndoError,
    ReadOnlyScenarioError,
    ScenarioNotFoundError,
    StorageFullError,
)
from geo.lod import BBox
from layouts.i18n import number, tr  # issue 16 point 6: the status messages in the page's language
from layouts.ids import REP_KEYS_LABELS, REP_KEYS_REPS, Ids
from layouts.main import (
    UNASSIGNED_VALUE,
    group_legend,
    legend,
    map_filter_options,
    rep_keys,
    rep_options,
)
from layouts.map_figure import (
    GUESSED_MAP_PX,
    camera_for_bounds,
    filtered_values,
    map_figure,
    unit_colours,
    with_fit,
)
from layouts.panel import panel_note, table_rows, tam_chart, team_summary, workload_chart
from layouts.presentation import changed_legend  # issue 16
from planning.editing import Board, Edit, Selection, Step, Tool
from planning.hierarchy import LEVELS, SCOPES
from planning.mapview import GROUP_MODES, TRACKING_MODES
from planning.overlay import Layer, blank_without_accounts
from planning.panel import panel_table
from planning.plan import Plan
from planning.repaint import repaint
from planning.scenarios import moved_vs_baseline
from planning.targets import describe_rule, targets_for
from services import basemap, editing, hierarchy, maps, overlay

PANEL = (
    Output(Ids.REP_TABLE, "data"),
    Output(Ids.WORKLOAD_CHART, "figure"),
    Output(Ids.TAM_CHART, "figure"),
    Output(Ids.TEAM_SUMMARY, "children"),
    Output(Ids.PANEL_NOTE, "children"),  # issue 14: level, fair-share scope, targets
)
Payload = dict[str, Any]
DELETED_MEANWHILE = (
    "Nothing was saved: the scenario this page showed was deleted meanwhile. "
    "The map now shows another scenario."
)


@dataclass(frozen=True)
class ShownView:
    """What the page draws now (the view store): which scenario, level and snapped view."""

    scenario: int | None
    level: int | None
    snapped: BBox | None
    bbox: list[float] | None
    dataset: int | None = None

    @classmethod
    def from_store(cls, view: Payload | None) -> ShownView | None:
        """The view store's dict as a value; None before the first drawing."""
        if not view:
            return None
        return cls(view.get("scenario"), view.get("level"), _tuple(view.get("snapped")),
                   view.get("bbox"), view.get("dataset"))  # fmt: skip


@dataclass(frozen=True)
class PanelView:
    """How the panel reads a plan (issue 14): level, fair-share scope, the kept target rule."""

    level: str = "rep"
    scope: str = "team"
    targets: Payload | None = None

    @classmethod
    def from_controls(
        cls, level: str | None, scope: str | None, targets: Payload | None
    ) -> PanelView:
        """The controls' values as a view (unknown values fall back to reps, team-wide)."""
        return cls(level if level in LEVELS else "rep", scope if scope in SCOPES else "team",
                   targets or None)  # fmt: skip


def panel(
    plan: Plan,
    tolerance_pct: float | str | None,
    view: PanelView | None = None,
    baseline_owner: np.ndarray | None = None,
) -> tuple[Any, ...]:
    """Table rows, the two charts, the team summary and the panel's note for a plan.

    ``baseline_owner`` (the board's baseline) gives the "moved vs baseline" figure the
    scenario list shows too (issue 12 point 7c: ``planning.scenarios.moved_vs_baseline``).
    """
    reps, tolerance, summary, note = _panel_parts(plan, tolerance_pct, view, baseline_owner)
    return (
        table_rows(reps),
        workload_chart(reps, tolerance),
        tam_chart(reps, tolerance),
        summary,
        note,
    )


# -- issue 18 point 2: a move answers the map and the table first, the charts in a chained call --
MOVE_PANEL = (
    Output(Ids.REP_TABLE, "data", allow_duplicate=True),
    Output(Ids.TEAM_SUMMARY, "children", allow_duplicate=True),
    Output(Ids.PANEL_NOTE, "children", allow_duplicate=True),
    Output(Ids.PANEL_CHARTS, "data"),
)
CHARTS_OUTPUT = 6
"""Where ``edit``'s answer holds the charts' numbers (version, paint, message, 3 of MOVE_PANEL)."""
CHART_COLUMNS = ("rep_id", "workload_hours", "workload_target_hours", "capacity_hours", "tam",
                 "tam_target")  # fmt: skip


@dataclass(frozen=True)
class MoveShown:
    """What the page shows that a move's answer is shaped for (the edit callback's states)."""

    view: Payload
    mode: str = "owner"
    tolerance_pct: float | str | None = None
    panel: PanelView = field(default_factory=PanelView)
    only: str | None = None


def move_panel(
    plan: Plan,
    tolerance_pct: float | str | None,
    view: PanelView | None = None,
    baseline_owner: np.ndarray | None = None,
) -> tuple[Any, ...]:
    """``MOVE_PANEL``'s values: table rows, summary and note, and the numbers the charts draw.

    The charts are not drawn here: ``move_charts`` draws them from these numbers once
    the map and the table are shown (a chained callback, no second read of the scenario).
    """
    reps, tolerance, summary, note = _panel_parts(plan, tolerance_pct, view, baseline_owner)
    numbers: dict[str, Any] = {c: reps[c].tolist() for c in CHART_COLUMNS}
    return table_rows(reps), summary, note, {**numbers, "tolerance": tolerance}


def chart_outputs(numbers: Payload | None) -> tuple[Any, Any]:
    """Patches of the two charts: only their traces' numbers (styles and layout stay)."""
    if not numbers:
        raise PreventUpdate
    reps = pd.DataFrame({c: numbers[c] for c in CHART_COLUMNS})
    tolerance = float(numbers["tolerance"])
    workload, tam = workload_chart(reps, tolerance), tam_chart(reps, tolerance)
    return _numbers_patch(workload), _numbers_patch(tam)


def _numbers_patch(figure: dict[str, Any]) -> Patch:
    """A ``Patch`` setting each trace's x, y and base (what a move changes) and nothing else."""
    patch = Patch()
    for i, trace in enumerate(figure["data"]):
        for key in ("x", "y", "base"):
            if key in trace:
                patch["data"][i][key] = trace[key]
    return patch


def _panel_parts(
    plan: Plan,
    tolerance_pct: float | str | None,
    view: PanelView | None,
    baseline_owner: np.ndarray | None,
) -> tuple[pd.DataFrame, float, Any, Any]:
    """The panel's per-row numbers and tolerance, the team summary and the note."""
    view = view or PanelView()
    tolerance = tolerance_share(tolerance_pct)
    kept = {"targets": view.targets} if view.targets else None
    targets, rule, error = targets_for(plan, kept)
    reps, team = panel_table(plan, tolerance, level=view.level, scope=view.scope,
                             targets=targets)  # fmt: skip
    moved = None if baseline_owner is None else moved_vs_baseline(plan, baseline_owner)
    note = panel_note(view.scope, view.level, describe_rule(rule), error)
    return reps, tolerance, team_summary(team, moved), note


@callback(
    Output(Ids.MAP, "figure"),
    Output(Ids.VIEW, "data"),
    Output(Ids.SCENARIO_NAME, "children"),
    Output(Ids.RESOLUTION, "value"),
    Output(Ids.CAMERA, "data"),
    Input(Ids.SCENARIO, "data"),
    Input(Ids.COLOUR_MODE, "value"),
    Input(Ids.MAP, "relayoutData"),
    Input(Ids.MAP_FILTER, "value"),
    Input(Ids.TRACKING_MAP_PERIOD, "data"),  # issue 15: the period the tracking modes paint
    Input(Ids.MAP_LAYER, "value"),  # issue 15 overlay
    State(Ids.VIEW, "data"),
    State(Ids.CAMERA, "data"),
    State(Ids.RESOLUTION, "value"),  # issue 18: unchanged, it is not sent (no request follows)
)
def draw_map(
    scenario: Payload,
    mode: str,
    relayout: Payload | None,
    only: str | None,
    period: str | None,
    layer: str | None,
    view: Payload | None,
    camera_now: Payload | None,
    resolution_shown: int | str | None = None,
) -> tuple[Any, ...]:
    """The whole figure: on load, scenario switch, colour mode, or a zoom needing other cells.

    The figure carries the user's current centre and zoom: plotly does not keep a map's
    GUI zoom across new figures, so a redraw must not throw the view back to the overview.
    The page's first figure comes with the layout (``first_map``, issue 18): the load's
    call then draws nothing (it passes the view on, for the level badge), unless the page
    remembered another scenario.
    """
    trigger = ctx.triggered_id
    if trigger is None and view and view.get(FIRST_KEY) and view.get("scenario") == scenario["id"]:
        return no_update, view, no_update, no_update, no_update  # issue 18: the layout's figure
    return map_outputs(scenario, mode, relayout, only, period, layer, view, camera_now,
                       resolution_shown, trigger)  # fmt: skip


FIRST_KEY = "first"
"""In the view store: the figure came with the layout (issue 18 point 1, ``first_map``)."""


def first_map(scenario_id: int) -> tuple[Any, ...]:
    """``draw_map``'s answer for a new page on ``scenario_id``, to build into the layout.

    Issue 18 point 1: the first map is drawn without waiting for the page's callbacks.
    """
    fig, view, name, resolution, camera = map_outputs(
        {"id": scenario_id}, "owner", None, None, None, None, None, None, None, None
    )
    return fig, {**view, FIRST_KEY: True}, name, resolution, camera


def map_outputs(
    scenario: Payload,
    mode: str,
    relayout: Payload | None,
    only: str | None,
    period: str | None,
    layer: str | None,
    view: Payload | None,
    camera_now: Payload | None,
    resolution_shown: int | str | None,
    trigger: Any,
) -> tuple[Any, ...]:
    """``draw_map``'s work, with the callback's trigger given (``first_map`` has none)."""
    if trigger == Ids.TRACKING_MAP_PERIOD and mode not in TRACKING_MODES and view:
        # issue 15: another tracked period changes only the tracking modes; never before the
        # first figure (the store may report itself as the trigger of the page's first draw)
        raise PreventUpdate
    sid = int(scenario["id"])
    shown = ShownView.from_store(view)
    from_map = trigger == Ids.MAP
    bbox = _bbox(relayout) if from_map else (shown.bbox if shown else None)
    if from_map and bbox is None and shown is not None and shown.scenario is not None:
        raise PreventUpdate  # e.g. {"autosize": true}; before the first draw we must answer
    same_scenario = from_map and shown is not None and shown.scenario == sid
    keep = (shown.level, shown.snapped) if same_scenario and shown is not None else None
    drawing = maps.map_drawing(
        database_url(),
        sid,
        _bbox_tuple(bbox),
        shown=keep,
        dataset_shown=shown.dataset if shown else None,
        mode=mode,
        period=period,
        layer=_layer(layer),
    )  # fmt: skip  (issue 15: tracking modes; issue 15 overlay: the layer drawn)
    # datasets-find: a first view (or another data set's) fits the whole planning area; the
    # browser refits it to the map's real size after the draw (assets/hexalign.js)
    kept = None if drawing.new_data else (_camera(relayout) if from_map else None) or camera_now
    fit = None if kept else drawing.bounds
    camera = kept or camera_for_bounds(drawing.bounds, *GUESSED_MAP_PX)
    if drawing.facts is None:
        return no_update, no_update, no_update, no_update, camera  # same cells: keep the figure
    record = drawing.scenario
    new_view: dict[str, Any] = {
        "scenario": sid, "level": drawing.level, "snapped": _list(drawing.snapped),
        "bbox": None if drawing.new_data else bbox, "dataset": record.dataset_id,
    }  # fmt: skip
    if drawing.facts.rep_values:  # issue 15: a repaint after a move paints the same figures
        new_view["rep_values"] = {m: [None if v != v else float(v) for v in values]
                                  for m, values in drawing.facts.rep_values.items()}  # fmt: skip
    geo = geometry_url(record.dataset_id, record.resolution, record.area_id, drawing.level,
                       drawing.snapped)  # fmt: skip
    base = basemap.view_for_area(database_url(), record.dataset_id, record.resolution,
                                 record.area_id)  # fmt: skip
    fig = map_figure(drawing.facts, mode, geo, drawing.board.market.reps, camera, tile_url(),
                     basemap_urls(base), only=only or None)  # fmt: skip
    if fit is not None:
        fig = with_fit(fig, fit, f"{sid}:{uuid.uuid4().hex}")
    name = f"{record.name}{' (read-only)' if record.read_only else ''}"
    same_size = resolution_shown is not None and str(resolution_shown) == str(record.resolution)
    return fig, new_view, name, no_update if same_size else record.resolution, camera


@callback(
    Output(Ids.VERSION, "data"),
    *PANEL,
    Input(Ids.SCENARIO, "data"),
    Input(Ids.TOLERANCE, "value"),
    Input(Ids.PANEL_LEVEL, "value"),
    Input(Ids.PANEL_SCOPE, "value"),
    Input(Ids.TARGETS_KEPT, "data"),
    Input(Ids.MAP_LAYER, "value"),  # issue 15 overlay
    State(Ids.VIEW, "data"),  # issue 18: whether the layout holds the first panel
    State(Ids.VERSION, "data"),  # issue 18: its version
)
def refresh_panel(
    scenario: Payload,
    tolerance_pct: float | str | None,
    level: str | None = None,
    scope: str | None = None,
    targets: Payload | None = None,
    layer: str | None = None,
    shown: Payload | None = None,
    shown_version: Payload | None = None,
) -> tuple[Any, ...]:
    """Panel numbers and the version the page now shows (load, switch, tolerance, view).

    At load, when the layout holds this scenario's first panel (issue 18 point 1), only its
    version is passed on (to what follows it: the ledger, the suggestions), nothing is redrawn.
    """
    if shown and shown_version and shown.get(FIRST_KEY) and shown.get("scenario") == scenario["id"]:
        if ctx.triggered_id is None:
            return shown_version, *(no_update for _ in PANEL)
    if _layer(layer) is Layer.OVERLAY:  # issue 15 overlay: the overlay layer's own balance
        scene = overlay.overlay_scene(database_url(), int(scenario["id"]))
        if scene is not None:
            view = PanelView.from_controls(level, scope, targets)
            versions = {"version": scene.field_version, "overlay": scene.state.version}
            return versions, *panel(
                scene.state.plan, tolerance_pct, view, scene.board.baseline.owner
            )
    board, plan, version = editing.load(database_url(), int(scenario["id"]))
    view = PanelView.from_controls(level, scope, targets)
    return {"version": version}, *panel(plan, tolerance_pct, view, board.baseline.owner)


@callback(
    Output(Ids.VERSION, "data", allow_duplicate=True),
    Output(Ids.PAINT, "data"),
    Output(Ids.MESSAGE, "children"),
    *MOVE_PANEL,  # issue 18: table, summary, note; the charts follow (move_charts)
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
    State(Ids.PANEL_LEVEL, "value"),
    State(Ids.PANEL_SCOPE, "value"),
    State(Ids.TARGETS_KEPT, "data"),
    State(Ids.MAP_FILTER, "value"),
    State(Ids.MAP_LAYER, "value"),  # issue 15 overlay
    prevent_initial_call=True,
)
def edit(
    selection: Payload | None,
    _undo: int | None,
    _redo: int | None,
    key: Payload | None,
    rep: str | None,
    tool: str,
    scenario: Payload,
    version: Payload | None,
    view: Payload | None,
    mode: str,
    tolerance_pct: float | str | None,
    level: str | None = None,
    scope: str | None = None,
    targets: Payload | None = None,
    only: str | None = None,
    layer: str | None = None,
) -> tuple[Any, ...]:
    """Apply a selection (move, lock, unlock), an undo or a redo; repaint only what changed."""
    shown = PanelView.from_controls(level, scope, targets)
    if not view or not version:
        raise PreventUpdate
    change = _requested(ctx.triggered_id, key, selection, tool, rep)
    if change is None:
        raise PreventUpdate
    if isinstance(change, Selection) and (len(change.units) == 0 or change.level != view["level"]):
        raise PreventUpdate
    if _layer(layer) is Layer.OVERLAY:  # issue 15 overlay: the lasso edits the overlay layer
        return _edit_overlay(change, scenario, version, view, mode, tolerance_pct, shown, only)
    page = MoveShown(view, mode, tolerance_pct, shown, only or None)
    return move_outputs(database_url(), int(scenario["id"]), version["version"], change, page,
                        scenario)  # fmt: skip


def move_outputs(
    url: str,
    scenario_id: int,
    version: int,
    change: Selection | Step,
    shown: MoveShown,
    scenario: Payload | None = None,
) -> tuple[Any, ...]:
    """``edit``'s answer on the field layer: one ``editing.edit`` call, shaped for the page.

    The scenario is read once (``editing.edit``), the map gets only the changed
    units (``_paint``), the panel its table (``move_panel``); the charts' numbers go
    to ``PANEL_CHARTS`` for ``move_charts``.
    """
    scenario = scenario or {"id": scenario_id}
    keep = [no_update] * len(MOVE_PANEL)
    try:
        edited = editing.edit(url, scenario_id, version, change)
    except NothingToUndoError as err:
        said = tr("Nothing to redo.") if "redo" in str(err) else tr("Nothing to undo.")
        return no_update, no_update, said, *keep, no_update
    except ReadOnlyScenarioError:
        return no_update, no_update, tr("This scenario is read-only: branch it to edit."), \
            *keep, no_update  # fmt: skip
    except StorageFullError as err:  # issue 12: a full disk is said, not an HTTP 500
        return no_update, no_update, str(err), *keep, no_update
    except ScenarioNotFoundError:  # issue 12 point 2: the tab's scenario was deleted meanwhile
        return no_update, no_update, tr(DELETED_MEANWHILE), *keep, {"id": default_scenario()}
    result = edited.edit
    numbers = move_panel(result.plan, shown.tolerance_pct, shown.panel,
                         edited.board.baseline.owner)  # fmt: skip
    if edited.stale:
        return ({"version": result.version}, no_update,
                tr("Someone else changed this scenario meanwhile: the map now shows the current "
                   "plan; please repeat your last action."),
                *numbers, {**scenario, "refresh": result.version})  # fmt: skip
    if isinstance(change, Selection):
        message = _describe(change.tool, result, change.rep_id or UNASSIGNED_VALUE)
    else:
        done = tr("Redone: {n} cells.") if change is Step.REDO else tr("Undone: {n} cells.")
        message = done.format(n=number(len(result.changed)))
    paint = _paint(edited.board, result, shown.view, shown.mode, shown.only)
    return {"version": result.version}, paint, message, *numbers, no_update


@callback(
    Output(Ids.WORKLOAD_CHART, "figure", allow_duplicate=True),
    Output(Ids.TAM_CHART, "figure", allow_duplicate=True),
    Input(Ids.PANEL_CHARTS, "data"),
    prevent_initial_call=True,
)
def move_charts(numbers: Payload | None) -> tuple[Any, Any]:
    """Issue 18: the charts after a move, once the map and the table have their answer."""
    return chart_outputs(numbers)


def _layer(value: str | None) -> Layer:
    """The layer switch's value (issue 15 overlay); anything else is the field layer."""
    return Layer.OVERLAY if value == Layer.OVERLAY.value else Layer.FIELD


def _edit_overlay(
    change: Selection | Step,
    scenario: Payload,
    version: Payload,
    view: Payload,
    mode: str,
    tolerance_pct: float | str | None,
    shown: PanelView,
    only: str | None,
) -> tuple[Any, ...]:
    """Issue 15 overlay: ``edit`` on the overlay layer; the field version is passed on as it is."""
    keep = [no_update] * len(MOVE_PANEL)
    try:
        edited = overlay.edit_overlay(database_url(), int(scenario["id"]),
                                      int(version.get("overlay", 0)), change)  # fmt: skip
    except NothingToUndoError as err:  # issue 15 (h15d): the overlay's own undo stack
        said = tr("Nothing to redo.") if "redo" in str(err) else tr("Nothing to undo.")
        return no_update, no_update, said, *keep, no_update
    except HexalignError as err:  # read-only scenario, no overlay reps, a field rep picked
        return no_update, no_update, str(err), *keep, no_update
    result = edited.edit
    versions = {**version, "overlay": result.version}
    numbers = move_panel(result.plan, tolerance_pct, shown, edited.board.baseline.owner)
    if edited.stale:
        return (versions, no_update, tr("Someone else changed the overlay meanwhile: the map now "
                "shows the current one; please repeat your last action."), *numbers,
                {**scenario, "refresh": f"overlay {result.version}"})  # fmt: skip
    paint = _paint(edited.board, result, view, mode, only or None, blank=True)
    if isinstance(change, Selection):
        said = _describe(change.tool, result, change.rep_id or UNASSIGNED_VALUE)
    else:  # issue 15 (h15d): undo/redo on the overlay layer
        done = (
            "Redone (overlay): {n} cells."
            if change is Step.REDO
            else "Undone (overlay): {n} cells."
        )
        said = tr(done).format(n=number(len(result.changed)))
    return versions, paint, said, *numbers, no_update


def _requested(
    trigger: object, key: Payload | None, selection: Payload | None, tool: str, rep: str | None
) -> Selection | Step | None:
    """What the user asked for: a selection to apply, an undo or a redo (None: nothing)."""
    if trigger == Ids.KEY_COMMAND:
        trigger = {"undo": Ids.UNDO, "redo": Ids.REDO}.get(str((key or {}).get("cmd")))
    if trigger == Ids.UNDO:
        return Step.UNDO
    if trigger == Ids.REDO:
        return Step.REDO
    if trigger != Ids.SELECTION:
        return None
    selection = selection or {}
    units = np.asarray(selection.get("units") or [], dtype=np.int64)
    rep_id = None if rep == UNASSIGNED_VALUE else rep
    return Selection(Tool(tool), selection.get("level", -1), units, rep_id)


def _paint(
    board: Board,
    result: Edit,
    view: Payload,
    mode: str,
    only: str | None = None,
    blank: bool = False,
) -> dict[str, Any]:
    """Only the drawn units the change touched: their position in the trace and new values.

    ``blank``: units without an account drawn unowned (the overlay layer, issue 15 overlay).
    """
    patch = repaint(board, result.plan, result.changed, view["level"], _tuple(view.get("snapped")))
    facts = blank_without_accounts(patch.facts) if blank else patch.facts
    if view.get("rep_values"):  # issue 15: the tracking modes' figures, kept by the last draw
        kept = {m: np.array([np.nan if v is None else v for v in values], np.float64)
                for m, values in view["rep_values"].items()}  # fmt: skip
        facts = replace(facts, rep_values=kept)
    z = filtered_values(facts, mode, only)
    return {
        "idx": patch.positions.tolist(),
        "z": [None if v != v else float(v) for v in z.tolist()],
        "owner": facts.owner.tolist(),
        "work": np.round(facts.workload_h, 1).tolist(),
        "locked": facts.locked.astype(int).tolist(),
        "fc": unit_colours(mode, facts, only),
        "version": result.version,
    }


def _describe(tool: Tool | str, result: Edit, rep: str | None) -> str:
    n = len(result.changed)
    who = tr("Unassigned") if rep == UNASSIGNED_VALUE else rep
    text = {"move": tr("Moved {n} cells to {who}."), "lock": tr("Locked {n} cells."),
            "unlock": tr("Unlocked {n} cells.")}[tool].format(n=number(n), who=who)  # fmt: skip
    if result.skipped_locked:
        skipped = tr("{n} locked cells were skipped (unlock them to move them).")
        text += " " + skipped.format(n=number(result.skipped_locked))
    return text


def _bbox(relayout: Payload | None) -> list[float] | None:
    """West, south, east, north of the map after a pan or zoom, from Plotly's derived corners."""
    corners = (relayout or {}).get("map._derived", {}).get("coordinates")
    if not corners:
        return None
    lons = [c[0] for c in corners]
    lats = [c[1] for c in corners]
    return [min(lons), min(lats), max(lons), max(lats)]


def _camera(relayout: Payload | None) -> Payload | None:
    """Centre and zoom after a pan or zoom, as the figure's layout.map wants them."""
    relayout = relayout or {}
    center, zoom = relayout.get("map.center"), relayout.get("map.zoom")
    if not center or zoom is None:
        return None
    return {"center": {"lat": center["lat"], "lon": center["lon"]}, "zoom": zoom}


def _bbox_tuple(bbox: list[float] | None) -> BBox | None:
    return None if bbox is None else (bbox[0], bbox[1], bbox[2], bbox[3])


def _tuple(snapped: list[float] | tuple[float, ...] | None) -> BBox | None:
    return None if snapped is None else (snapped[0], snapped[1], snapped[2], snapped[3])


def _list(snapped: BBox | None) -> list[float] | None:
    return None if snapped is None else list(snapped)


@callback(
    Output(Ids.REP_PICKER, "options"),
    Output(Ids.REP_PICKER, "value"),
    Output(Ids.LEGEND, "children"),
    Output(Ids.REP_KEYS, REP_KEYS_REPS),
    Output(Ids.REP_KEYS, REP_KEYS_LABELS),
    Input(Ids.SCENARIO, "data"),
    Input(Ids.MAP_LAYER, "value"),  # issue 15 overlay: the overlay layer's reps
    State(Ids.REP_PICKER, "value"),
)
def rep_widgets(scenario: Payload, layer: str | None, picked: str | None) -> tuple[Any, ...]:
    """Rep picker, legend and keyboard map of the scenario's team (data sets may differ)."""
    ids, names = overlay.layer_team(database_url(), int(scenario["id"]), _layer(layer))
    keep = picked if picked in ids or picked == UNASSIGNED_VALUE else (ids[0] if ids else None)
    value = no_update if keep == picked else keep
    return rep_options(ids, names), value, legend(ids, names).children, *rep_keys(ids, names)


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Input(Ids.SCENARIO, "data"),
    prevent_initial_call="initial_duplicate",
)
def check_scenario(scenario: Payload | None) -> tuple[dict[str, int], str]:
    """A page remembering a scenario deleted meanwhile lands on the app's working scenario."""
    try:
        sid = int((scenario or {})["id"])
    except (KeyError, TypeError, ValueError):
        sid = None
    if sid is None or not editing.scenario_exists(database_url(), sid):
        return {"id": default_scenario()}, tr("The scenario this page showed no longer exists.")
    raise PreventUpdate


@callback(
    Output(Ids.MAP_FILTER, "options"),
    Output(Ids.MAP_FILTER, "value"),
    Input(Ids.SCENARIO, "data"),
    State(Ids.MAP_FILTER, "value"),
)
def filter_options(scenario: Payload, picked: str | None) -> tuple[list[dict[str, str]], Any]:
    """Issue 14: the map's filter lists the scenario's regions and districts."""
    regions, districts = hierarchy.team_groups(database_url(), int(scenario["id"]))
    options = map_filter_options(regions, districts)
    keep = picked if picked in {o["value"] for o in options} else ""
    return options, no_update if keep == picked else keep


@callback(
    Output(Ids.LEGEND, "children", allow_duplicate=True),
    Input(Ids.COLOUR_MODE, "value"),
    State(Ids.SCENARIO, "data"),
    State(Ids.MAP_LAYER, "value"),  # issue 15 overlay
    prevent_initial_call=True,
)
def mode_legend(mode: str, scenario: Payload, layer: str | None = None) -> list[Any]:
    """Issue 14: the legend names regions (districts) when the map is coloured by them."""
    sid = int(scenario["id"])
    if mode in GROUP_MODES:
        regions, districts = hierarchy.team_groups(database_url(), sid)
        return group_legend(regions if mode == "region" else districts)
    if mode == "changed":  # issue 16: its own legend
        return changed_legend()
    ids, names = overlay.layer_team(database_url(), sid, _layer(layer))
    return list(legend(ids, names).children)
