"""The Auto-balance tab: settings with sensible defaults, progress, stop and cancel."""

from __future__ import annotations

from dash import dcc, html

from layouts.ids import Ids


def balance_panel() -> html.Div:
    """Settings, Run / Stop (keep best) / Cancel, a progress bar and the outcome."""
    return html.Div(
        [
            html.P(
                "Proposes balanced, contiguous territories. The result opens as a new scenario; "
                "the current plan is never changed.",
                className="hint",
            ),
            html.Div(
                [
                    html.Label(
                        [
                            "Mode",
                            dcc.RadioItems(
                                [
                                    {
                                        "label": "Rebalance (move as little as possible)",
                                        "value": "rebalance",
                                    },
                                    {
                                        "label": "Design from scratch (grow from homes)",
                                        "value": "design",
                                    },
                                ],
                                "rebalance",
                                id=Ids.BALANCE_MODE,
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            "Balance",
                            dcc.Checklist(
                                [
                                    {"label": "Workload", "value": "workload"},
                                    {"label": "TAM", "value": "tam"},
                                ],
                                ["workload"],
                                id=Ids.BALANCE_MEASURES,
                                inline=True,
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            "Tolerance %",
                            dcc.Input(
                                id=Ids.BALANCE_TOLERANCE,
                                type="number",
                                value=5,
                                min=0,
                                max=50,
                                step=0.5,
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            "Max accounts moved %",
                            dcc.Input(
                                id=Ids.BALANCE_MAX_DISRUPTION,
                                type="number",
                                value=25,
                                min=0,
                                max=100,
                                step=1,
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            "Compactness weight",
                            dcc.Input(
                                id=Ids.BALANCE_COMPACTNESS, type="number", value=1, min=0, step=0.1
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            "Time limit (s)",
                            dcc.Input(
                                id=Ids.BALANCE_TIME_LIMIT,
                                type="number",
                                value=60,
                                min=1,
                                max=600,
                                step=1,
                            ),
                        ]
                    ),
                    html.Label(
                        ["Seed", dcc.Input(id=Ids.BALANCE_SEED, type="number", value=0, step=1)]
                    ),
                    minimize_choice(),  # issue 13 (h13)
                ],
                className="toolbar",
            ),  # fmt: skip
            html.Div(
                [
                    html.Button("Run auto-balance", id=Ids.BALANCE_RUN, n_clicks=0),
                    html.Button(
                        "Stop and keep best", id=Ids.BALANCE_STOP, n_clicks=0, disabled=True
                    ),
                    html.Button("Cancel", id=Ids.BALANCE_CANCEL, n_clicks=0, disabled=True),
                    html.Progress(id=Ids.BALANCE_PROGRESS, value="0", max="100"),
                    html.Span(id=Ids.BALANCE_STATUS, role="status"),
                ],
                className="toolbar",
            ),
            html.Div(id=Ids.BALANCE_RESULT),
        ]
    )


# -- issue 13 (h13): what to minimise once every rep is within tolerance ---------------------

MINIMIZE_OPTIONS = (
    ("disruption", "Accounts moved"),
    ("travel", "Travel"),
    ("compactness", "Compactness"),
)


def minimize_choice() -> html.Label:
    """The objective the optimizer keeps lowering after balance (accounts moved by default)."""
    return html.Label(
        [
            "After balance, minimise",
            dcc.RadioItems(
                id=Ids.BALANCE_MINIMIZE,
                options=[{"label": label, "value": value} for value, label in MINIMIZE_OPTIONS],
                value="disruption",
                inline=True,
            ),
        ]
    )
