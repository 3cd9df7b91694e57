"""The trade-off curve in the app (issue 17 point 2): a background job, the chart, opening a point.

The job runs in its own process (``callbacks.jobs``), reports after every optimizer run, and
Cancel ends it (Dash's ``cancel``); its result is kept in the page (``Ids.CURVE_DATA``: each
point's figures and the cells it changes, ``services.curve.point_payload``).
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import Input, Output, State, callback
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from callbacks.jobs import JOBS, SetProgress, progress_reporter
from common.settings import Settings
from layouts.curve import curve_figure
from layouts.ids import Ids
from services import curve

Payload = dict[str, Any]


@callback(
    Output(Ids.CURVE_DATA, "data"),
    Output(Ids.CURVE_STATUS, "children"),
    Input(Ids.CURVE_RUN, "n_clicks"),
    State(Ids.SCENARIO, "data"),
    background=True,
    manager=JOBS,
    running=[
        (Output(Ids.CURVE_RUN, "disabled"), True, False),
        (Output(Ids.CURVE_CANCEL, "disabled"), False, True),
    ],
    cancel=[Input(Ids.CURVE_CANCEL, "n_clicks")],
    progress=[
        Output(Ids.CURVE_PROGRESS, "value"),
        Output(Ids.CURVE_PROGRESS, "max"),
        Output(Ids.CURVE_STATUS, "children"),
    ],
    prevent_initial_call=True,
)
def run_curve(
    set_progress: SetProgress, n_clicks: int | None, scenario: Payload
) -> tuple[Payload, str]:
    """Compute the scenario's curve; keep every point's figures and cells in the page."""
    if not n_clicks:
        raise PreventUpdate
    url = Settings.from_env().database_url
    report = progress_reporter(set_progress)
    found = curve.curve(url, int(scenario["id"]), progress=report)
    points = [curve.point_payload(found.base, p, found.mark) for p in found.curve.points]
    data = {"scenario": int(scenario["id"]), "points": points,
            "fronts": {"moved": found.curve.by_moved, "travel": found.curve.by_travel}}  # fmt: skip
    front = len(found.curve.by_moved)
    return data, f"{len(points)} plans measured, {front} on the curve: click one to open it."


@callback(
    Output(Ids.CURVE_CHART, "figure"),
    Input(Ids.CURVE_DATA, "data"),
    Input(Ids.CURVE_AXIS, "value"),
    prevent_initial_call=True,
)
def draw_curve(data: Payload | None, axis: str | None) -> go.Figure:
    """The chart against the chosen axis."""
    return curve_figure(data, axis or "moved")


def clicked_point(click: Payload | None, data: Payload | None) -> Payload | None:
    """The payload of the clicked point (None: no point, or no curve).

    >>> clicked_point({"points": [{"customdata": 1}]}, {"points": [{"a": 0}, {"a": 1}]})
    {'a': 1}
    >>> clicked_point(None, {"points": []})
    """
    if not click or not data or not click.get("points"):
        return None
    index = click["points"][0].get("customdata")
    points = data.get("points") or []
    if not isinstance(index, int) or not 0 <= index < len(points):
        return None
    return dict(points[index])


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.CURVE_STATUS, "children", allow_duplicate=True),
    Input(Ids.CURVE_CHART, "clickData"),
    State(Ids.CURVE_DATA, "data"),
    prevent_initial_call=True,
)
def open_point(click: Payload | None, data: Payload | None) -> tuple[Payload, str]:
    """Open the clicked plan as a new scenario (a child of the one the curve was drawn for)."""
    point = clicked_point(click, data)
    if point is None or data is None:
        raise PreventUpdate
    new_id, name = curve.open_point(database_url(), int(data["scenario"]), point)
    return {"id": new_id}, f"Opened “{name}” as a new scenario (see Scenarios)."


@callback(
    Output(Ids.CURVE_STATUS, "children", allow_duplicate=True),
    Output(Ids.CURVE_PROGRESS, "value", allow_duplicate=True),
    Input(Ids.CURVE_CANCEL, "n_clicks"),
    prevent_initial_call=True,
)
def cancel_status(n_clicks: int | None) -> tuple[str, str]:
    """Say that Cancel ended the run (Dash's ``cancel`` leaves the last progress line)."""
    if not n_clicks:
        raise PreventUpdate
    return "Curve cancelled: nothing was kept; the chart shows the last finished curve.", "0"
