"""The find box: matches as the user types; the chosen one centred and outlined on the map.

The ranking and the geometry come from ``services.find``; the browser moves
the map and draws the outline (``hexalign.focus`` in assets/hexalign.js).
"""

from __future__ import annotations

import uuid
from typing import Any

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from common.errors import ScenarioNotFoundError
from layouts.ids import CLIENTSIDE_NAMESPACE, Ids
from planning.find import Match
from services import find
from services.find import Focus

Payload = dict[str, Any]


def find_options(found: list[Match]) -> list[dict[str, str]]:
    """The list under the box, best match first."""
    return [{"label": m.label, "value": m.value} for m in found]


def focus_message(focused: Focus) -> dict[str, Any]:
    """What ``hexalign.focus`` needs: centre, bounds to show, outline, a key per choice."""
    return {
        "center": None if focused.center is None else list(focused.center),
        "bounds": list(focused.bounds),
        "outline": focused.outline,
        "key": f"{focused.kind.value}:{focused.key}:{uuid.uuid4().hex[:8]}",
    }


@callback(
    Output(Ids.FIND, "options"),
    Input(Ids.FIND, "search_value"),
    State(Ids.SCENARIO, "data"),
    State(Ids.FIND, "options"),
    State(Ids.FIND, "value"),
    prevent_initial_call=True,
)
def search(
    text: str | None, scenario: Payload | None, shown: list[dict] | None, chosen: str | None
) -> list[dict[str, str]]:
    """Up to eight matches for what is typed; the chosen line stays listed once typing stops."""
    if not text or not text.strip() or not scenario:
        raise PreventUpdate  # the box emptied after a choice: keep the list with the choice
    options = find_options(find.matches(database_url(), int(scenario["id"]), text))
    kept = [o for o in shown or [] if o.get("value") == chosen and chosen is not None]
    if kept and all(o["value"] != chosen for o in options):
        options = [*options, *kept]
    return options


@callback(
    Output(Ids.FIND_FOCUS, "data"),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Input(Ids.FIND, "value"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def choose(value: str | None, scenario: Payload | None) -> tuple[Any, ...]:
    """Centre the map on the chosen account, town or rep; clearing the box clears the outline."""
    if not scenario:
        raise PreventUpdate
    if not value:
        return {"clear": True, "key": uuid.uuid4().hex[:8]}, ""
    try:
        focused = find.focus(database_url(), int(scenario["id"]), str(value))
    except (LookupError, ValueError) as err:
        if isinstance(err, ScenarioNotFoundError):
            raise PreventUpdate from None
        return {"clear": True, "key": uuid.uuid4().hex[:8]}, f"Not found any more: {err}."
    return focus_message(focused), focused.message


clientside_callback(
    ClientsideFunction(CLIENTSIDE_NAMESPACE, "focus"),
    Output(Ids.FIND_SHOWN, "data"),
    Input(Ids.FIND_FOCUS, "data"),
    prevent_initial_call=True,
)
