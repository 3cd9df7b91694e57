"""Changing the cell size: the plan follows (the core's conversion rules) into a linked scenario."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from layouts.ids import Ids
from services import editing


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Input(Ids.RESOLUTION, "value"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def change_resolution(
    resolution: int | str | None, scenario: dict[str, Any]
) -> tuple[dict[str, int], str]:
    """Convert the current scenario's plan to ``resolution`` and switch to the result."""
    if resolution is None:
        raise PreventUpdate
    target = int(resolution)
    converted = editing.resolution_change(database_url(), int(scenario["id"]), target)
    if converted is None:  # the scenario is drawn at that cell size already
        raise PreventUpdate
    new_id, changes = converted
    message = (
        f"Plan carried to resolution {resolution} as a new scenario; "
        f"{changes.accounts:,} accounts changed owner in the conversion."
    )
    return {"id": new_id}, message
