"""The trade-off curve section (issue 17 point 2): run, progress, cancel, chart, open a point.

The chart draws worst workload deviation against accounts moved, or against total travel
hours (a switch); every plan measured is a grey dot, the Pareto front a line through the
points worth choosing. Clicking a point of the front opens it as a new scenario.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import dcc, html

from layouts.i18n import tr
from layouts.ids import Ids

TAB_TITLE = "Trade-off curve"
AXES = {"moved": "Accounts moved", "travel": "Travel hours (team)"}


def curve_panel() -> html.Div:
    """The section: what it does, run and cancel, progress, the axis switch, the chart."""
    return html.Div(
        [
            html.P(
                tr(
                    "The best plans between moving nothing and perfect balance: the optimizer "
                    "runs from this scenario with caps on the accounts it may move (0 %, 1 %, "
                    "2 %, 5 %, 10 %, 20 %, none) and tolerances 10 %, 5 %, 2 %, 1 %; only plans "
                    "no other beats on both figures are joined. Click a point to open it as a "
                    "scenario."
                ),
                className="hint",
            ),
            html.Div(
                [
                    html.Button(tr("Compute the curve"), id=Ids.CURVE_RUN, n_clicks=0),
                    html.Button(tr("Cancel"), id=Ids.CURVE_CANCEL, n_clicks=0, disabled=True),
                    html.Progress(id=Ids.CURVE_PROGRESS, value="0", max="100"),
                    html.Span(id=Ids.CURVE_STATUS, role="status"),
                ],
                className="balance-actions",
            ),
            dcc.RadioItems(
                [{"label": tr(v), "value": k} for k, v in AXES.items()],
                "moved",
                id=Ids.CURVE_AXIS,
                inline=True,
            ),  # fmt: skip
            dcc.Graph(
                id=Ids.CURVE_CHART,
                figure=curve_figure(None, "moved"),
                config={"displayModeBar": False},
            ),  # fmt: skip
            dcc.Store(id=Ids.CURVE_DATA),
        ]
    )


def _x(point: dict[str, Any], axis: str) -> float:
    return float(point["accounts_moved"] if axis == "moved" else point["travel_hours"])


def _hover(point: dict[str, Any]) -> str:
    text = (
        f"{point['label']}<br>worst deviation {point['worst_deviation']:.1%}<br>"
        f"{point['accounts_moved']:,} accounts moved<br>{point['travel_hours']:,.0f} h travel"
    )
    if point.get("bound") is not None:
        text += f"<br>lower bound {point['bound']:.4g} (gap {point['gap']:.1%})"
    else:
        text += "<br>no lower bound proven"
    return text


def curve_figure(data: dict[str, Any] | None, axis: str) -> go.Figure:
    """All plans measured (grey) and the front (a line, clickable; customdata = point index)."""
    fig = go.Figure()
    axis = axis if axis in AXES else "moved"
    if data and data.get("points"):
        points = data["points"]
        fig.add_trace(go.Scatter(
            x=[_x(p, axis) for p in points], y=[p["worst_deviation"] for p in points],
            mode="markers", marker={"color": "#bbb", "size": 7}, name=tr("plans measured"),
            hovertext=[_hover(p) for p in points], hoverinfo="text",
            customdata=list(range(len(points))),
        ))  # fmt: skip
        front = data["fronts"][axis]
        fig.add_trace(go.Scatter(
            x=[_x(points[i], axis) for i in front],
            y=[points[i]["worst_deviation"] for i in front],
            mode="lines+markers", marker={"size": 11}, name=tr("best plans (click to open)"),
            hovertext=[_hover(points[i]) for i in front], hoverinfo="text", customdata=front,
        ))  # fmt: skip
    fig.update_layout(
        xaxis_title=tr(AXES[axis]), yaxis_title=tr("Worst workload deviation"),
        yaxis_tickformat=".0%",
        margin={"l": 60, "r": 10, "t": 10, "b": 40}, height=340, legend={"orientation": "h"},
    )  # fmt: skip
    return fig
