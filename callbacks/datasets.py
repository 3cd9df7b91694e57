"""The header's data set and the data-set switcher.

Opening another data set is writing its last-edited scenario to the
scenario store, as a scenario switch is: the map redraws (fitted to the new
planning area), the team widgets and the panel follow.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dash import Input, Output, State, callback, no_update
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from common.errors import PlanError, ScenarioNotFoundError
from layouts.i18n import moment, tr
from layouts.ids import Ids
from layouts.main import dataset_option
from services import session
from services.session import DatasetRow

Payload = dict[str, Any]


def stored_text(at: datetime) -> str:
    """When a data set was stored, in the request's language (issue 16): "2026-03-09 14:03 UTC"."""
    return f"{moment(at.year, at.month, at.day, at.strftime('%H:%M'))} UTC"


def switcher_options(rows: list[DatasetRow]) -> list[dict]:
    """The switcher's entries, newest data set first (the one just imported is on top)."""
    return [
        dataset_option(
            r.id, r.name, stored_text(r.stored_at), r.accounts, r.reps, r.current
        )  # fmt: skip
        for r in sorted(rows, key=lambda r: r.stored_at, reverse=True)
    ]


def list_caption(rows: list[DatasetRow]) -> str:
    """What the Scenarios list says about the data set it lists."""
    current = next((r for r in rows if r.current), None)
    if current is None:
        return ""
    others = len(rows) - 1
    size = f"{current.accounts:,} accounts, {current.reps:,} reps"
    text = f"Scenarios of data set “{current.name}” ({size})."
    if others:
        text += f" {others} other data set{'s' if others != 1 else ''}: switch in the header."
    return text


@callback(
    Output(Ids.DATASET_NAME, "children"),
    Output(Ids.DATASET_SWITCHER, "options"),
    Output(Ids.SCENARIO_LIST_DATASET, "children"),
    Input(Ids.SCENARIO, "data"),
    Input(Ids.SCENARIOS_CHANGED, "data"),
)
def show_datasets(scenario: Payload | None, _changed: int | None) -> tuple[Any, ...]:
    """Name the open data set and list every stored one (on load, switch, import)."""
    try:
        sid = int((scenario or {})["id"])
    except (KeyError, TypeError, ValueError):
        raise PreventUpdate from None
    rows = session.dataset_rows(database_url(), sid)
    current = next((r for r in rows if r.current), None)
    if current is None:
        raise PreventUpdate  # a scenario deleted meanwhile: the map's check moves the page on
    return current.name, switcher_options(rows), list_caption(rows)


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Output(Ids.DATASET_SWITCHER, "value"),
    Output(Ids.FIND, "value"),
    Input(Ids.DATASET_SWITCHER, "value"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def open_dataset(dataset_id: int | str | None, scenario: Payload | None) -> tuple[Any, ...]:
    """Open the chosen data set on its last-edited scenario; the switcher is ready again."""
    if dataset_id is None:
        raise PreventUpdate
    try:
        opened = session.open_dataset(database_url(), int(dataset_id))
    except (ScenarioNotFoundError, PlanError) as err:
        return (
            no_update,
            tr("Cannot open that data set: {error}.").format(error=err),
            None,
            no_update,
        )
    made = " (a new working plan: it had none)" if opened.created else ""
    message = tr("Opened data set “{dataset}”, scenario “{scenario}”{made}.").format(
        dataset=opened.dataset_name, scenario=opened.scenario_name, made=made
    )
    if scenario and scenario.get("id") == opened.scenario_id:
        return (
            no_update,
            tr("Data set “{dataset}” is open already.").format(dataset=opened.dataset_name),
            None,
            no_update,
        )
    return {"id": opened.scenario_id}, message, None, ""
