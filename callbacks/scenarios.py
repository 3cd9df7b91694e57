"""Scenarios tab callbacks: list, actions, compare, history and restore, exports.

Each one unpacks the Dash payload, calls one function of
``services.scenarios`` and packs the result with
``layouts.scenarios``. Switching scenario is writing ``{"id": ...}`` to the
scenario store: the map callbacks redraw (keeping the view) and refresh the panel.
"""

from __future__ import annotations

import json
from typing import Any

from dash import Input, NoUpdate, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.basemap import basemap_urls
from callbacks.context import database_url, tolerance_share
from callbacks.geometry import geometry_url
from common.errors import (
    PlanError,
    ReadOnlyScenarioError,
    ScenarioNotFoundError,
    StaleVersionError,
)
from layouts.compare_map import compare_figure  # issue 16
from layouts.i18n import number, tr
from layouts.ids import Ids, export_button_id, open_button_id, restore_button_id
from layouts.scenarios import (
    changes_figure,
    compare_rows,
    compare_summary,
    comparison_error,
    empty_map,
    history_table,
    scenario_list,
    scenario_options,
)
from planning.scenarios import ScenarioAction, ScenarioComparison, compare_pair
from services import basemap, maps, scenarios

Payload = dict[str, Any]
BUTTON_ACTIONS = {
    Ids.SCENARIO_NEW: ScenarioAction.NEW,
    Ids.SCENARIO_BRANCH: ScenarioAction.BRANCH,
    Ids.SCENARIO_RENAME: ScenarioAction.RENAME,
    Ids.SCENARIO_DELETE_CONFIRM: ScenarioAction.DELETE,
}
STALE = (
    "Someone else changed this scenario meanwhile: the page now shows the current plan "
    "and history; please pick the point to restore again."
)


@callback(
    Output(Ids.SCENARIO_LIST, "children"),
    Output(Ids.COMPARE_A, "options"),
    Output(Ids.COMPARE_B, "options"),
    Output(Ids.COMPARE_A, "value"),
    Output(Ids.COMPARE_B, "value"),
    Input(Ids.SECTION_VERSION, "data"),  # issue 18: after the paint, open sections only
    Input(Ids.SCENARIO, "data"),
    Input(Ids.TOLERANCE, "value"),
    Input(Ids.SCENARIOS_CHANGED, "data"),
    State(Ids.VIEW, "data"),  # issue 18: a State, so that the first drawing sends no request
    State(Ids.COMPARE_A, "value"),
    State(Ids.COMPARE_B, "value"),
    Input(Ids.SECTIONS, "value"),
    prevent_initial_call=True,  # issue 18: the tab is closed at page load
)
def list_scenarios(
    _version: Payload | None,
    scenario: Payload,
    tolerance_pct: float | str | None,
    _changed: int | None,
    _view: Payload | None,
    a: int | None,
    b: int | None,
    open_tab: str | None = None,
) -> tuple[Any, ...]:
    """The list with key figures; compare picks keep their choice while it still exists.

    Issue 18 point 1: no request at page load (the tab is closed then, and opening it
    triggers this), none for a zoom or a pan (the view is a State).
    """
    if open_tab != "Scenarios":
        raise PreventUpdate  # the tab is closed: nothing to show, nothing to compute
    rows = scenarios.scenario_rows(database_url(), scenario["id"], tolerance_share(tolerance_pct))
    new_a, new_b = compare_pair(rows, a, b)
    options = scenario_options(rows)
    return (
        scenario_list(rows),
        options,
        options,
        no_update if new_a == a else new_a,
        no_update if new_b == b else new_b,
    )


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Output(Ids.SCENARIOS_CHANGED, "data"),
    Output(Ids.SCENARIO_NAME, "children", allow_duplicate=True),
    Output(Ids.SCENARIO_NAME_INPUT, "value"),
    Input(Ids.SCENARIO_NEW, "n_clicks"),
    Input(Ids.SCENARIO_BRANCH, "n_clicks"),
    Input(Ids.SCENARIO_RENAME, "n_clicks"),
    Input(Ids.SCENARIO_DELETE_CONFIRM, "submit_n_clicks"),
    Input(open_button_id(), "n_clicks"),
    State(Ids.SCENARIO, "data"),
    State(Ids.SCENARIO_NAME_INPUT, "value"),
    State(Ids.SCENARIOS_CHANGED, "data"),
    prevent_initial_call=True,
)
def scenario_action(
    _new: int | None,
    _branch: int | None,
    _rename: int | None,
    _delete: int | None,
    _open: list[int | None],
    scenario: Payload,
    name: str | None,
    changed: int | None,
) -> tuple[Any, ...]:
    """New from baseline, branch, rename, delete (confirmed) or open; switch when it says so.

    A name that was used is cleared, so the next action does not reuse it by mistake.
    """
    trigger = _clicked()
    if isinstance(trigger, dict):
        action, target = ScenarioAction.OPEN, int(trigger["scenario"])
    else:
        action, target = BUTTON_ACTIONS[trigger], scenario["id"]
    outcome = scenarios.act(database_url(), action, target, name)
    return (
        no_update if outcome.scenario_id is None else {"id": outcome.scenario_id},
        outcome.message,
        (changed or 0) + 1 if outcome.changed else no_update,
        no_update if outcome.header is None else outcome.header,
        "" if outcome.changed else no_update,
    )


@callback(
    Output(Ids.SCENARIO_DELETE_CONFIRM, "displayed"),
    Output(Ids.SCENARIO_DELETE_CONFIRM, "message"),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Input(Ids.SCENARIO_DELETE, "n_clicks"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def ask_delete(clicks: int | None, scenario: Payload) -> tuple[Any, ...]:
    """Ask before deleting; the baseline is refused at once, with the reason."""
    if not clicks:
        raise PreventUpdate
    allowed, text = scenarios.delete_prompt(database_url(), scenario["id"])
    return (True, text, no_update) if allowed else (False, no_update, text)


@callback(
    Output(Ids.COMPARE_TABLE, "data"),
    Output(Ids.COMPARE_SUMMARY, "children"),
    Output(Ids.COMPARE_MAP, "figure"),
    Input(Ids.COMPARE_A, "value"),
    Input(Ids.COMPARE_B, "value"),
    Input(Ids.TOLERANCE, "value"),
    Input(Ids.SECTION_VERSION, "data"),  # issue 18: after the paint, open sections only
    State(Ids.SCENARIO, "data"),
    Input(Ids.SECTIONS, "value"),
    prevent_initial_call=True,  # issue 18: the tab is closed at page load
)
def compare(
    a: int | None,
    b: int | None,
    tolerance_pct: float | str | None,
    _version: Payload | None,
    scenario: Payload | None,
    open_tab: str | None = None,
) -> tuple[Any, ...]:
    """Per-rep deltas, summary and changed-cells map; redone after a move on A or B."""
    if open_tab != "Scenarios":
        raise PreventUpdate  # the tab is closed: nothing to show, nothing to compute
    if a is None or b is None:
        raise PreventUpdate
    if ctx.triggered_id == Ids.SECTION_VERSION and scenario and scenario["id"] not in (a, b):
        raise PreventUpdate
    try:
        result = scenarios.compare_scenarios(database_url(), a, b, tolerance_share(tolerance_pct))
    except PlanError as err:
        return (
            [],
            comparison_error(tr("Cannot compare: {error}.").format(error=err)),
            empty_map(tr("Nothing to draw.")),
        )
    except ScenarioNotFoundError:
        raise PreventUpdate from None  # deleted meanwhile; the list picks another one
    view = result.changed
    geo = geometry_url(result.b.dataset_id, result.b.resolution, result.b.area_id, view.level,
                       view.snapped)  # fmt: skip
    return (
        compare_rows(result.comparison.reps),
        compare_summary(result),
        _compare_map(result, geo),  # issue 16: over the territories and the basemap, fitted
    )


def _compare_map(result: ScenarioComparison, geo: str) -> dict:
    """Issue 16: the changed cells over B's territories and the basemap, with a legend."""
    view = result.changed
    if len(view.units) == 0:
        return changes_figure(view, geo, result.rep_ids, result.names)  # "no cell changes"
    b = result.b
    whole = maps.map_drawing(database_url(), b.id, None)
    whole_geo = geometry_url(b.dataset_id, b.resolution, b.area_id, whole.level, whole.snapped)
    base = basemap.view_for_area(database_url(), b.dataset_id, b.resolution, b.area_id)
    key = f"{result.a.id}:{b.id}:{int(view.cells.sum())}"
    return compare_figure(view, geo, result.rep_ids, result.names, whole.facts, whole_geo,
                          basemap_urls(base), fit_key=key)  # fmt: skip


@callback(
    Output(Ids.COMPARE_DOWNLOAD, "data"),
    Input(Ids.COMPARE_EXPORT, "n_clicks"),
    State(Ids.COMPARE_A, "value"),
    State(Ids.COMPARE_B, "value"),
    State(Ids.TOLERANCE, "value"),
    prevent_initial_call=True,
)
def download_comparison(
    clicks: int | None, a: int | None, b: int | None, tolerance_pct: float | str | None
) -> dict[str, Any]:
    """The comparison workbook: summary, per-rep deltas, moved cells."""
    if not clicks or a is None or b is None:
        raise PreventUpdate
    filename, blob = scenarios.comparison_file(database_url(), a, b, tolerance_share(tolerance_pct))
    return dcc.send_bytes(blob, filename)


@callback(
    Output(Ids.HISTORY, "children"),
    Input(Ids.SECTION_VERSION, "data"),  # issue 18: after the paint, open sections only
    Input(Ids.SCENARIO, "data"),
    State(Ids.VIEW, "data"),  # issue 18: a State, so that the first drawing sends no request
    Input(Ids.SECTIONS, "value"),
    prevent_initial_call=True,  # issue 18: the tab is closed at page load
)
def show_history(
    _version: Payload | None, scenario: Payload, _view: Payload | None, open_tab: str | None = None
) -> html.Div:
    """The current scenario's move log (after every move, undo, switch or restore)."""
    if open_tab != "Scenarios":
        raise PreventUpdate  # the tab is closed: nothing to show, nothing to compute
    return history_table(scenarios.history(database_url(), scenario["id"]))


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Input(restore_button_id(), "n_clicks"),
    State(Ids.SCENARIO, "data"),
    State(Ids.VERSION, "data"),
    prevent_initial_call=True,
)
def restore(
    _clicks: list[int | None], scenario: Payload, version: Payload | None
) -> tuple[Any, str]:
    """Restore to a history entry as one undoable step, then show the restored plan."""
    seq = int(_clicked()["seq"])
    if not version:
        raise PreventUpdate
    try:
        edit = scenarios.restore(database_url(), scenario["id"], version["version"], seq)
    except StaleVersionError as err:
        return {**scenario, "refresh": err.current_version}, tr(STALE)
    except ReadOnlyScenarioError:
        return no_update, tr("This scenario is read-only: branch it to edit.")
    if edit.version == version["version"]:
        return no_update, tr("The plan is already as it was at #{seq}: nothing to restore.").format(
            seq=seq
        )
    message = tr("Restored to #{seq}: {cells} cells changed back; undo takes it back.").format(
        seq=seq, cells=number(len(edit.changed))
    )
    return {"id": scenario["id"], "refresh": edit.version}, message


@callback(
    Output(Ids.EXPORT_DOWNLOAD, "data"),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Input(export_button_id(), "n_clicks"),
    State(Ids.SCENARIO, "data"),
    State(Ids.TOLERANCE, "value"),
    prevent_initial_call=True,
)
def export(
    _clicks: list[int | None], scenario: Payload, tolerance_pct: float | str | None
) -> tuple[dict[str, Any] | NoUpdate, str | NoUpdate]:
    """The current scenario as a file (accounts, workbook, territories, plan, owner changes).

    A CRM file the CRM would not take as it is is refused, and the message says why.
    """
    fmt = _clicked()["fmt"]
    try:
        filename, blob = scenarios.export_file(
            database_url(), scenario["id"], fmt, tolerance_share(tolerance_pct)
        )
    except PlanError as err:
        return no_update, str(err)
    return dcc.send_bytes(blob, filename), no_update


def _clicked() -> Any:
    """The id of the button really clicked; PreventUpdate when buttons were only (re)drawn."""
    for t in ctx.triggered:
        if t.get("value"):
            key = t["prop_id"].rsplit(".", 1)[0]
            return json.loads(key) if key.startswith("{") else key
    raise PreventUpdate
