"""Changing the cell size: the plan follows (the core's conversion rules) into a linked scenario.

A size over the cell limit is refused in one sentence on the page (issue 12 point 7a)
and marked in the menu; going back to a size reopens the scenario made for it
(``services.resolutions`` says when).
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, no_update
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from layouts.ids import Ids
from services import resolutions
from services.resolutions import CellSize, SizeChange, TooManyCellsError


def too_many_cells(err: TooManyCellsError) -> str:
    """The one sentence refusing a cell size over the limit.

    >>> print(too_many_cells(TooManyCellsError(8, 713_166.2, 500_000, finest=7)))
    Cell size 8 would make about 713,166 cells, over the limit of 500,000; choose 7 or larger cells.
    """
    choose = (
        f"choose {err.finest} or larger cells"
        if err.finest is not None
        else "this area is too large for any cell size"
    )
    return (
        f"Cell size {err.resolution} would make about {err.cells:,} cells, "
        f"over the limit of {err.limit:,}; {choose}."
    )


def size_options(sizes: list[CellSize]) -> list[dict[str, Any]]:
    """The cell-size menu; a size over the limit says so in its label.

    It may still be chosen, and is then refused with the sentence of ``too_many_cells``.
    """
    return [
        {
            "label": str(s.resolution) if s.allowed else f"{s.resolution} · too many cells",
            "value": s.resolution,
            "title": f"about {s.cells:,} cells",
        }
        for s in sizes
    ]


def changed_message(resolution: int, change: SizeChange) -> str:
    """What a size change did, in words."""
    if change.changes is None:
        return (
            f"Back to “{change.name}” at resolution {resolution}, "
            "made before for this plan and unchanged since."
        )
    return (
        f"Plan carried to resolution {resolution} as a new scenario “{change.name}”; "
        f"{change.changes.accounts:,} accounts changed owner in the conversion."
    )


@callback(
    Output(Ids.RESOLUTION, "options"),
    Input(Ids.SCENARIO, "data"),
)
def show_sizes(scenario: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Mark the sizes the scenario's data set cannot be cut into."""
    if not scenario or scenario.get("id") is None:
        raise PreventUpdate
    return size_options(resolutions.cell_sizes(database_url(), int(scenario["id"])))


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Output(Ids.RESOLUTION, "value", allow_duplicate=True),
    Input(Ids.RESOLUTION, "value"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def change_resolution(resolution: int | str | None, scenario: dict[str, Any]) -> tuple[Any, ...]:
    """Open the current scenario's plan at ``resolution`` (reopened or converted)."""
    if resolution is None:
        raise PreventUpdate
    target = int(resolution)
    try:
        change = resolutions.resolution_change(database_url(), int(scenario["id"]), target)
    except TooManyCellsError as err:
        # the menu goes back to the size the map is drawn at
        return no_update, too_many_cells(err), no_update if err.current is None else err.current
    if change is None:  # the scenario is drawn at that cell size already
        raise PreventUpdate
    return {"id": change.scenario_id}, changed_message(target, change), no_update
