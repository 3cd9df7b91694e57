"""Issue 16 point 4 (h16b): the keys that need the server: "[" and "]" open the neighbour scenario.

``assets/hexalign.js`` writes ``{"step": -1 | 1, "t": ...}`` into the step store; this opens the
previous or next scenario of the data set, in the Scenarios tab's order.
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from common.errors import PlanError, ScenarioNotFoundError
from layouts.i18n import tr
from layouts.ids import Ids
from services.scenarios import neighbour_scenario


def step_of(payload: dict[str, Any] | None) -> int:
    """The key's step: -1 ("[") or +1 ("]"); anything else is no step."""
    step = (payload or {}).get("step")
    if step not in (-1, 1):
        raise PreventUpdate
    return int(step)


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Input(Ids.SCENARIO_STEP, "data"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def step_scenario(
    payload: dict[str, Any] | None, scenario: dict[str, Any] | None
) -> tuple[dict[str, int], str]:
    """Open the previous or next scenario of the current data set."""
    step = step_of(payload)
    if not scenario or scenario.get("id") is None:
        raise PreventUpdate
    try:
        sid, name = neighbour_scenario(database_url(), int(scenario["id"]), step)
    except (ScenarioNotFoundError, PlanError):
        raise PreventUpdate from None
    return {"id": sid}, f"{tr('Opened scenario')} “{name}”."
