"""The Tracking tab (issue 15): import a period's actuals, read attainment and compliance.

A period picker (it also chooses what the map's tracking colour modes paint), the import
of a revenue and a visits file with its row-numbered report, the table per rep, district,
region or team with the reps below the manager's thresholds flagged, one rep's trend over
the periods, and "Plan next quarter". Formatting lives here, so the browser test reads
the page through these very functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from dash import dash_table, dcc, html
from dash.development.base_component import Component

from layouts.fields import percent_field
from layouts.i18n import tr
from layouts.ids import Ids
from layouts.panel import money, pct
from planning.tracking import LEVELS, METRICS

TAB_TITLE = "Tracking"
LEVEL_LABELS = {"rep": "Rep", "district": "District", "region": "Region", "total": "Team"}
METRIC_LABELS = {"attainment": "Attainment", "call_compliance": "Call compliance",
                 "coverage": "Coverage"}  # fmt: skip
TABLE_COLUMNS = (
    ("rep_id", "Rep / group"), ("name", "Name"), ("revenue", "Revenue"), ("target", "Target"),
    ("attainment", "Attainment"), ("visits_made", "Visits made"),
    ("visits_planned", "Visits planned"), ("call_compliance", "Call compliance"),
    ("call_compliance_A", "Compliance A"), ("call_compliance_B", "Compliance B"),
    ("call_compliance_C", "Compliance C"), ("coverage", "Coverage"),
    ("market_share", "Market share"), ("market_share_change", "Share change"),
    ("flag", "Below threshold"),
)  # fmt: skip
BAD_ROW_COLUMNS = (("file", "File"), ("row", "Row"), ("column", "Column"), ("reason", "Reason"))
SECTION = {"margin": "0.8rem 0", "padding": "0.6rem", "border": "1px solid #ddd"}
DEFAULT_THRESHOLD_PCT = 80.0


def _upload(component_id: str, text: str) -> dcc.Upload:
    return dcc.Upload(
        html.Div(text),
        id=component_id,
        accept=".csv,.txt,.tsv,.xlsx,.parquet",
        multiple=False,
        className="upload",
        style={"border": "1px dashed #999", "borderRadius": "4px", "padding": "0.5rem 1rem",
               "cursor": "pointer", "fontSize": "0.9rem"},
    )  # fmt: skip


def tracking_panel() -> Component:
    """The whole tab; callbacks fill the periods, the report, the table and the trend."""
    importer = html.Div(
        [
            html.H4(tr("Import actuals")),
            html.P(
                tr(
                    "Revenue: account_id, period (2026-07 or 2026-Q3), revenue. Visits: date, "
                    "account_id, rep_id, channel (field or remote). Other column names are "
                    "matched as for accounts."
                ),
                className="hint",
            ),  # fmt: skip
            html.Label(
                [
                    tr("Period") + " ",
                    dcc.Input(
                        id=Ids.TRACKING_IMPORT_PERIOD,
                        type="text",
                        placeholder="2026-Q3",
                        debounce=True,
                        style={"width": "7rem"},
                    ),
                ]
            ),  # fmt: skip
            html.Div(
                [
                    _upload(Ids.TRACKING_REVENUE_UPLOAD, tr("Revenue file: drop or click")),
                    _upload(Ids.TRACKING_VISITS_UPLOAD, tr("Visits file: drop or click")),
                ],
                style={"display": "flex", "gap": "1rem", "margin": "0.4rem 0"},
            ),  # fmt: skip
            html.Div(tr("No file chosen yet."), id=Ids.TRACKING_FILES, className="hint"),
            html.Button(tr("Check"), id=Ids.TRACKING_CHECK, n_clicks=0),
            html.Button(tr("Import"), id=Ids.TRACKING_IMPORT, n_clicks=0, disabled=True),
            html.Button(tr("Download report"), id=Ids.TRACKING_REPORT_BUTTON, n_clicks=0),
            dcc.Download(id=Ids.TRACKING_REPORT),
            html.Div(id=Ids.TRACKING_IMPORT_STATUS, role="status"),
            dash_table.DataTable(  # type: ignore[attr-defined]
                id=Ids.TRACKING_BAD_ROWS,
                columns=[{"id": c, "name": tr(n)} for c, n in BAD_ROW_COLUMNS],
                data=[],
                page_size=15,
                style_cell={"fontFamily": "inherit", "fontSize": "0.85rem", "padding": "2px 6px"},
            ),
            dcc.Store(id=Ids.TRACKING_IMPORTED, data=0),
        ],
        style=SECTION,
    )
    # Thresholds are percentages with no upper bound: 120 % attainment is a fair bar.
    attainment_min = percent_field(
        tr("Flag attainment below %"),
        Ids.TRACKING_ATTAINMENT_MIN,
        value=DEFAULT_THRESHOLD_PCT,
        upper=None,
    )
    compliance_min = percent_field(
        tr("compliance below %"),
        Ids.TRACKING_COMPLIANCE_MIN,
        value=DEFAULT_THRESHOLD_PCT,
        upper=None,
    )
    controls = html.Div(
        [
            html.Label(
                [
                    tr("Period") + " ",
                    dcc.Dropdown(
                        [], None, id=Ids.TRACKING_PERIOD, clearable=False, style={"width": "9rem"}
                    ),
                ]
            ),  # fmt: skip
            html.Label(
                [
                    tr("Level") + " ",
                    dcc.RadioItems(
                        [{"label": tr(v), "value": k} for k, v in LEVEL_LABELS.items()],
                        "rep",
                        id=Ids.TRACKING_LEVEL,
                        inline=True,
                    ),
                ]
            ),  # fmt: skip
            attainment_min,
            compliance_min,
        ],
        className="toolbar",
    )
    table = dash_table.DataTable(  # type: ignore[attr-defined]
        id=Ids.TRACKING_TABLE,
        columns=[{"id": c, "name": tr(n)} for c, n in TABLE_COLUMNS],
        data=[],
        sort_action="native",
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": "inherit", "fontSize": "0.85rem", "padding": "2px 6px"},
        style_data_conditional=[
            {"if": {"filter_query": '{flag} != ""'}, "fontWeight": "bold"},
            {"if": {"filter_query": '{flag} != ""', "column_id": "flag"}, "color": "#B00020"},
        ],
    )
    trend = html.Div(
        [
            html.Label(
                [
                    tr("Trend of") + " ",
                    dcc.Dropdown([], None, id=Ids.TRACKING_TREND_REP, style={"width": "12rem"}),
                ]
            ),  # fmt: skip
            dcc.Graph(
                id=Ids.TRACKING_TREND,
                config={"displayModeBar": False},
                figure=trend_figure(pd.DataFrame(columns=["period", *METRICS]), ""),
            ),  # fmt: skip
        ]
    )
    nxt = html.Div(
        [
            html.Button(
                tr("Plan next quarter"),
                id=Ids.TRACKING_NEXT,
                n_clicks=0,
                title=tr("A new scenario: this plan with the latest actual revenue"),
            ),  # fmt: skip
            html.Span(id=Ids.TRACKING_NEXT_STATUS, role="status"),
        ],
        style=SECTION,
    )
    return html.Div([importer, controls, html.P(id=Ids.TRACKING_NOTE, className="hint"), table,
                     trend, nxt])  # fmt: skip


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number


def table_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    """The tracking rows as the table shows them: money whole, ratios in per cent."""
    ratios = {"attainment", "call_compliance", "call_compliance_A", "call_compliance_B",
              "call_compliance_C", "coverage", "market_share"}  # fmt: skip
    rows = []
    for record in frame.to_dict("records"):
        row: dict[str, str] = {}
        for column, _ in TABLE_COLUMNS:
            value = record.get(column, "")
            if column in ("revenue", "target"):
                v = _number(value)
                row[column] = "–" if math.isnan(v) else money(v)
            elif column == "visits_made":
                row[column] = f"{_number(value):,.0f}"
            elif column == "visits_planned":
                row[column] = f"{_number(value):,.1f}"
            elif column in ratios:
                row[column] = pct(_number(value))
            elif column == "market_share_change":
                v = _number(value)
                row[column] = "–" if math.isnan(v) else f"{v * 100:+.1f} pt"
            else:
                row[column] = "" if value is None else str(value)
        rows.append(row)
    return rows


def period_options(periods: Sequence[str]) -> list[dict[str, str]]:
    """The picker's options, newest first."""
    return [{"label": p, "value": p} for p in reversed(list(periods))]


def thresholds(attainment_pct: object, compliance_pct: object) -> dict[str, float]:
    """The manager's thresholds as ratios (blank: that metric is not flagged)."""
    out = {}
    for metric, value in (("attainment", attainment_pct), ("call_compliance", compliance_pct)):
        v = _number(value)
        if not math.isnan(v):
            out[metric] = v / 100.0
    return out


def trend_figure(frame: pd.DataFrame, rep: str) -> dict:
    """Attainment, call compliance and coverage of one rep over the periods (lines, in %)."""
    traces = [
        {"type": "scatter", "mode": "lines+markers", "name": tr(METRIC_LABELS[m]),
         "x": frame["period"].tolist(), "y": [_number(v) for v in frame[m]]}
        for m in METRICS
    ]  # fmt: skip
    return {
        "data": traces,
        "layout": {
            "title": {
                "text": tr("Trend: {rep}").format(rep=rep) if rep else tr("Trend: pick a rep")
            },
            "yaxis": {"tickformat": ".0%", "rangemode": "tozero"},
            "height": 260,
            "margin": {"l": 50, "r": 10, "t": 40, "b": 30},
            "shapes": [
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": 1,
                    "y1": 1,
                    "line": {"dash": "dot", "color": "#888"},
                }
            ],  # fmt: skip
        },
    }


LEVEL_CHOICES = LEVELS
"""The levels the table reads (``planning.tracking.LEVELS``)."""
