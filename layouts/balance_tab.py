"""The Auto-balance tab: settings with sensible defaults, progress, stop and cancel."""

from __future__ import annotations

from dash import dcc, html

from layouts.bounds import BALANCE_TOLERANCE, COMPACTNESS, EXPERIENCE_WEIGHT, MAX_MOVED, TIME_LIMIT
from layouts.i18n import tr
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
                            tr("Mode"),
                            dcc.RadioItems(
                                [
                                    {
                                        "label": tr("Rebalance (move as little as possible)"),
                                        "value": "rebalance",
                                    },
                                    {
                                        "label": tr("Design from scratch (grow from homes)"),
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
                            tr("Balance"),
                            dcc.Checklist(
                                [
                                    {"label": tr("Workload"), "value": "workload"},
                                    {"label": tr("TAM"), "value": "tam"},
                                ],
                                ["workload"],
                                id=Ids.BALANCE_MEASURES,
                                inline=True,
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            tr("Tolerance %"),
                            dcc.Input(
                                id=Ids.BALANCE_TOLERANCE,
                                type="number",
                                value=BALANCE_TOLERANCE.default,
                                min=BALANCE_TOLERANCE.low,
                                max=BALANCE_TOLERANCE.high,
                                step="any",
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            tr("Max accounts moved %"),
                            dcc.Input(
                                id=Ids.BALANCE_MAX_DISRUPTION,
                                type="number",
                                value=MAX_MOVED.default,
                                min=MAX_MOVED.low,
                                max=MAX_MOVED.high,
                                step="any",
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            tr("Compactness weight"),
                            dcc.Input(
                                id=Ids.BALANCE_COMPACTNESS,
                                type="number",
                                value=COMPACTNESS.default,
                                min=COMPACTNESS.low,
                                max=COMPACTNESS.high,
                                step="any",
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            tr("Time limit (s)"),
                            dcc.Input(
                                id=Ids.BALANCE_TIME_LIMIT,
                                type="number",
                                value=TIME_LIMIT.default,
                                min=TIME_LIMIT.low,
                                max=TIME_LIMIT.high,
                                step="any",
                            ),
                        ]
                    ),
                    html.Label(
                        [tr("Seed"), dcc.Input(id=Ids.BALANCE_SEED, type="number", value=0, step=1)]
                    ),
                    region_picker(),  # issue 14: auto-balance limited to one region
                    minimize_choice(),  # issue 13 (h13)
                    experience_field(),  # issue 15 (h15d)
                ],
                className="toolbar",
            ),  # fmt: skip
            html.Div(
                [
                    html.Button(tr("Run auto-balance"), id=Ids.BALANCE_RUN, n_clicks=0),
                    html.Button(
                        tr("Stop and keep best"), id=Ids.BALANCE_STOP, n_clicks=0, disabled=True
                    ),
                    html.Button(tr("Cancel"), id=Ids.BALANCE_CANCEL, n_clicks=0, disabled=True),
                    html.Progress(id=Ids.BALANCE_PROGRESS, value="0", max="100"),
                    html.Span(id=Ids.BALANCE_STATUS, role="status"),
                ],
                className="toolbar",
            ),
            html.Div(id=Ids.BALANCE_RESULT),
        ]
    )


WHOLE_TEAM = ""


def region_choices(regions: list[str]) -> list[dict[str, str]]:
    """The region picker's options: the whole team, then each region."""
    return [{"label": tr("Whole team"), "value": WHOLE_TEAM},
            *({"label": f"Only {r} (other regions stay as they are)", "value": r}
              for r in regions)]  # fmt: skip


def region_picker() -> html.Label:
    """Balance the whole team or one region (its reps trade its cells; fair share inside it)."""
    return html.Label(
        ["Limit to", dcc.Dropdown(region_choices([]), WHOLE_TEAM, id=Ids.BALANCE_REGION,
                                  clearable=False, style={"width": "22rem"})]
    )  # fmt: skip


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
            tr("After balance, minimise"),
            dcc.RadioItems(
                id=Ids.BALANCE_MINIMIZE,
                options=[{"label": label, "value": value} for value, label in MINIMIZE_OPTIONS],
                value="disruption",
                inline=True,
            ),
        ]
    )


# -- issue 15 (h15d): prefer experienced reps on contested ground -------------------------------


def experience_field() -> html.Label:
    """The weight of experienced reps on contested ground (0: not considered)."""
    return html.Label(
        [
            tr("Experience weight"),
            dcc.Input(
                id=Ids.BALANCE_EXPERIENCE,
                type="number",
                value=EXPERIENCE_WEIGHT.default,
                min=EXPERIENCE_WEIGHT.low,
                max=EXPERIENCE_WEIGHT.high,
                step="any",
            ),
        ],
        title=tr(
            "Above 0, auto-balance prefers experienced or senior reps on contested "
            "ground and new reps off it; at 1, one contested account handed from a new "
            "rep is worth about one account moved"
        ),
    )
