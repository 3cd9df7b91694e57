"""The find box: matches as the user types; the chosen one centred and outlined on the map.

The ranking and the geometry come from ``services.find``; the browser moves
the map and draws the outline (``hexalign.focus`` in assets/hexalign.js).
"""

from __future__ import annotations

import uuid
from typing import Any

from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    no_update,
)
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from common.errors import ScenarioNotFoundError
from layouts.i18n import tr
from layouts.ids import CLIENTSIDE_NAMESPACE, Ids, find_result_id
from layouts.main import find_results
from planning.find import Match
from services import find
from services.find import Focus

Payload = dict[str, Any]


def find_options(found: list[Match]) -> list[tuple[str, str]]:
    """(value, label) of each line under the box, best match first."""
    return [(m.value, m.label) for m in found]


def focus_message(focused: Focus) -> dict[str, Any]:
    """What ``hexalign.focus`` needs: centre, bounds to show, outline, a key per choice."""
    return {
        "center": None if focused.center is None else list(focused.center),
        "bounds": list(focused.bounds),
        "outline": focused.outline,
        "key": f"{focused.kind.value}:{focused.key}:{uuid.uuid4().hex[:8]}",
    }


@callback(
    Output(Ids.FIND_RESULTS, "children"),
    Input(Ids.FIND, "value"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def search(text: str | None, scenario: Payload | None) -> list[Any]:
    """Up to eight matches for what is typed so far (none for an empty box)."""
    if not text or not text.strip() or not scenario:
        return []
    return find_results(find_options(find.matches(database_url(), int(scenario["id"]), text)))


@callback(
    Output(Ids.FIND_FOCUS, "data"),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Output(Ids.FIND_RESULTS, "children", allow_duplicate=True),
    Input(find_result_id(), "n_clicks"),
    Input(Ids.FIND, "n_submit"),
    State(find_result_id(), "id"),
    State(Ids.SCENARIO, "data"),
    State(Ids.FIND, "value"),
    prevent_initial_call=True,
)
def choose(
    _clicks: list[int | None],
    _submit: int | None,
    lines: list[dict[str, str]],
    scenario: Payload | None,
    text: str | None = None,
) -> tuple[Any, ...]:
    """Centre the map on the chosen line (Enter in the box: the first one) and outline it.

    Enter with no list shown (closed with Escape) takes the best match of the text.
    """
    if not scenario:
        raise PreventUpdate
    value = chosen_value(ctx.triggered_id, ctx.triggered, lines)
    enter_alone = value is None and ctx.triggered_id == Ids.FIND and bool((text or "").strip())
    if value is None and not enter_alone:
        raise PreventUpdate
    try:
        sid = int(scenario["id"])
        if value is None:
            first = find.focus_first(database_url(), sid, str(text))
            if first is None:
                return no_update, tr("Nothing found for “{text}”.").format(text=text), []
            focused = first
        else:
            focused = find.focus(database_url(), sid, value)
    except ScenarioNotFoundError:
        raise PreventUpdate from None
    except (LookupError, ValueError) as err:
        return (
            {"clear": True, "key": uuid.uuid4().hex[:8]},
            tr("Not found any more: {error}.").format(error=err),
            [],
        )
    return focus_message(focused), focused.message, []


def chosen_value(
    trigger: object, triggered: list[dict[str, Any]], lines: list[dict[str, str]]
) -> str | None:
    """The ``kind:key`` chosen: the clicked line, or the first one on Enter; None for neither.

    A line (re)drawn fires with no click (``n_clicks`` 0): that is no choice.
    """
    if trigger == Ids.FIND:
        return str(lines[0]["value"]) if lines else None
    if isinstance(trigger, dict) and any(t.get("value") for t in triggered):
        return str(trigger["value"])
    return None


clientside_callback(
    ClientsideFunction(CLIENTSIDE_NAMESPACE, "focus"),
    Output(Ids.FIND_SHOWN, "data"),
    Input(Ids.FIND_FOCUS, "data"),
    prevent_initial_call=True,
)
