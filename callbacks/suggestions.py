"""Repair suggestions in the panel (issue 17 point 1): refreshed after every move, applied by click.

``refresh_suggestions`` runs whenever the page's version changes (a load, a move, an undo,
an applied suggestion); ``apply`` turns a click (or Enter, which clicks the button) into one
ordinary move through ``services.suggestions.apply_suggestion`` and answers like the map's
edit callback: the new version, the repaint of the changed cells, a message, the panel.
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from callbacks.map import PANEL, PanelView, _paint, panel
from common.errors import ReadOnlyScenarioError, ScenarioNotFoundError, StorageFullError
from layouts.i18n import number, tr
from layouts.ids import Ids, suggestion_button_id
from layouts.suggestions import suggestion_buttons, suggestion_data
from services import suggestions

Payload = dict[str, Any]


@callback(
    Output(Ids.SUGGESTIONS, "children"),
    Output(Ids.SUGGESTIONS_DATA, "data"),
    Input(Ids.SETTLED_VERSION, "data"),  # issue 18: once the map has painted the move
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def refresh_suggestions(version: Payload | None, scenario: Payload | None) -> tuple[Any, Payload]:
    """The repairs of the scenario as stored now (the version the page shows)."""
    if not scenario or not version:
        raise PreventUpdate
    seen, found = suggestions.suggestions(database_url(), int(scenario["id"]))
    return suggestion_buttons(found), suggestion_data(seen, found)


def picked(trigger: object, clicks: list[int | None], data: Payload | None) -> Payload | None:
    """The clicked suggestion's cells and receiver (None: no real click, or nothing to apply).

    >>> picked({"kind": "suggestion-apply", "index": 1}, [0, 1],
    ...        {"version": 3, "items": [{"cells": [1], "receiver": "A"},
    ...                                 {"cells": [2], "receiver": "B"}]})
    {'cells': [2], 'receiver': 'B'}
    >>> picked({"kind": "suggestion-apply", "index": 0}, [0], {"version": 3, "items": []})
    """
    if not isinstance(trigger, dict) or not data:
        return None
    index = int(trigger.get("index", -1))
    items = data.get("items") or []
    if not 0 <= index < len(items) or not any(c for c in clicks if c):
        return None
    return dict(items[index])


@callback(
    Output(Ids.VERSION, "data", allow_duplicate=True),
    Output(Ids.PAINT, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    *(Output(o.component_id, o.component_property, allow_duplicate=True) for o in PANEL),
    Input(suggestion_button_id(), "n_clicks"),
    State(Ids.SUGGESTIONS_DATA, "data"),
    State(Ids.SCENARIO, "data"),
    State(Ids.VERSION, "data"),
    State(Ids.VIEW, "data"),
    State(Ids.COLOUR_MODE, "value"),
    State(Ids.TOLERANCE, "value"),
    State(Ids.PANEL_LEVEL, "value"),
    State(Ids.PANEL_SCOPE, "value"),
    State(Ids.TARGETS_KEPT, "data"),
    State(Ids.MAP_FILTER, "value"),
    prevent_initial_call=True,
)
def apply(
    clicks: list[int | None],
    data: Payload | None,
    scenario: Payload,
    version: Payload | None,
    view: Payload | None,
    mode: str,
    tolerance_pct: float | str | None,
    level: str | None,
    scope: str | None,
    targets: Payload | None,
    only: str | None,
) -> tuple[Any, ...]:
    """Apply the clicked suggestion as one move; repaint what changed."""
    choice = picked(ctx.triggered_id, clicks, data)
    if choice is None or not view or not version:
        raise PreventUpdate
    nothing = (no_update,) * len(PANEL)
    try:
        edited = suggestions.apply_suggestion(
            database_url(), int(scenario["id"]), int(version["version"]),
            [int(c) for c in choice["cells"]], str(choice["receiver"]),
        )  # fmt: skip
    except ReadOnlyScenarioError:
        return no_update, no_update, tr("This scenario is read-only: branch it to edit."), *nothing
    except (StorageFullError, ScenarioNotFoundError) as err:
        return no_update, no_update, str(err), *nothing
    result = edited.edit
    shown = PanelView.from_controls(level, scope, targets)
    figures = panel(result.plan, tolerance_pct, shown, edited.board.baseline.owner)
    if edited.stale:
        return ({"version": result.version}, no_update,
                tr("Someone else changed this scenario meanwhile: the suggestions are refreshed."),
                *figures)  # fmt: skip
    message = tr("Suggestion applied: {cells} cells to {rep}.").format(
        cells=number(len(result.changed)), rep=choice["receiver"]
    )
    return ({"version": result.version}, _paint(edited.board, result, view, mode, only or None),
            message, *figures)  # fmt: skip
