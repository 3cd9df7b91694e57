"""Changing the cell size: the plan follows (the core's conversion rules) into a linked scenario."""

from __future__ import annotations

from dash import Input, Output, State, callback
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from layouts.ids import Ids
from planning import editing


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Input(Ids.RESOLUTION, "value"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def change_resolution(resolution, scenario):
    """Convert the current scenario's plan to ``resolution`` and switch to the result."""
    url = database_url()
    record = editing.open_store(url).scenario(scenario["id"])
    if resolution is None or int(resolution) == record.resolution:
        raise PreventUpdate
    new_id, changes = editing.at_resolution(url, scenario["id"], int(resolution))
    message = (
        f"Plan carried to resolution {resolution} as a new scenario; "
        f"{changes.accounts:,} accounts changed owner in the conversion."
    )
    return {"id": new_id}, message
