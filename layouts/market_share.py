"""The Market-share tab and the map's class legend (issue 14 section 1).

The tab shows, per territory or region, what each market-share class holds (a table and a
stacked bar), one territory's breakdown by class, the thresholds, and the effort plan per class
and segment with a preview of every rep's workload before anything is applied.
Formatting lives here, so the browser test reads the page through these very functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from dash import dash_table, dcc, html
from dash.development.base_component import Component

from layouts.attributes import data_attributes
from layouts.fields import percent_field
from layouts.i18n import tr
from layouts.ids import Ids, effort_id
from layouts.panel import hours, money, pct
from planning.callplan import CHANNELS, SEGMENTS
from planning.market_share import FIGURES, TOTAL_ID, UNASSIGNED_ID
from planning.share_classes import CLASS_COLOURS, CLASSES, PLANNED_CLASSES, ShareClass, Thresholds

TAB_TITLE = "Market share"
FIGURE_LABELS = {"tam": "TAM", "revenue": "Revenue", "accounts": "Accounts",
                 "workload_hours": "Workload h/yr"}  # fmt: skip
LEVELS = {"territory": "Territory", "region": "Region"}
SECTION = {"margin": "0.8rem 0", "padding": "0.6rem", "border": "1px solid #ddd"}
CELL = {"padding": "2px 6px"}
LEGEND_HIDDEN = {"display": "none"}  # the legend's CSS display would override ``hidden``
LEGEND_SHOWN: dict[str, str] = {}


def class_label(share_class: ShareClass, thresholds: Thresholds) -> str:
    """A class with its rule in words: "Stronghold (share ≥ 60%)"."""
    rule = {
        ShareClass.STRONGHOLD: tr("share ≥ {s}%").format(s=f"{thresholds.stronghold:g}"),
        ShareClass.BASE: tr("{b}% ≤ share < {s}%").format(
            b=f"{thresholds.base:g}", s=f"{thresholds.stronghold:g}"
        ),
        ShareClass.CONTESTED: tr("revenue, share < {b}%").format(b=f"{thresholds.base:g}"),
        ShareClass.FRONTIER: tr("TAM, no revenue"),
        ShareClass.NONE: tr("no TAM"),
    }[share_class]
    return f"{tr(share_class.label)} ({rule})"


def class_legend_items(thresholds: Thresholds) -> list[html.Li]:
    """The map's legend in class mode: a swatch and the rule of each class."""
    return [
        html.Li([html.Span(className="swatch", style={"background": CLASS_COLOURS[c]}),
                 class_label(c, thresholds)])
        for c in CLASSES
    ]  # fmt: skip


def class_legend() -> html.Ul:
    """Placeholder of the class legend under the map; shown in the class colour mode only."""
    return html.Ul(class_legend_items(Thresholds()), id=Ids.CLASS_LEGEND, className="legend",
                   style=LEGEND_HIDDEN)  # fmt: skip


def figure_text(figure: str, value: float) -> str:
    """One figure as the tab shows it: money whole, hours with one decimal, counts as integers."""
    if figure in ("tam", "revenue"):
        return money(value)
    if figure == "workload_hours":
        return hours(value)
    return f"{int(value):,}"


def overview_columns(level: str, figure: str) -> list[dict]:
    """Columns of the overview table: who, share, class, then the chosen figure per class."""
    who = [{"id": "rep_id", "name": tr("Rep")}, {"id": "name", "name": tr("Name")}]
    if level == "region":
        who = [{"id": "region", "name": tr("Region")}]
    fig = tr(FIGURE_LABELS[figure])
    per_class = [{"id": c.key, "name": f"{tr(c.label)} {fig}"} for c in CLASSES]
    total = {"id": "total", "name": tr("Total {figure}").format(figure=fig)}
    return [*who, {"id": "share", "name": tr("Share")}, {"id": "class", "name": tr("Class")},
            total, *per_class]  # fmt: skip


def overview_rows(table: pd.DataFrame, figure: str) -> list[dict]:
    """One row per territory (or region), then unassigned and total."""
    rows = []
    for _, r in table.iterrows():
        row = {k: r[k] for k in ("rep_id", "name", "region") if k in r}
        row |= {"share": pct(r["share"]), "class": tr(ShareClass[r["class"].upper()].label),
                "total": figure_text(figure, r[figure])}  # fmt: skip
        row |= {c.key: figure_text(figure, r[f"{c.key}_{figure}"]) for c in CLASSES}
        rows.append(row)
    return rows


def detail_rows(rows: pd.DataFrame) -> list[dict]:
    """One territory's breakdown: one row per class with TAM, revenue, accounts and workload."""
    return [
        {"class": tr(ShareClass[str(r["class"]).upper()].label),
         **{f: figure_text(f, r[f]) for f in FIGURES}}
        for _, r in rows.iterrows()
    ]  # fmt: skip


def stacked_chart(table: pd.DataFrame, level: str, figure: str) -> dict:
    """Bars per territory (or region), stacked by class, of the chosen figure."""
    key = "region" if level == "region" else "rep_id"
    shown = table[~table[key].isin([TOTAL_ID])]
    if (shown[key] == UNASSIGNED_ID).any() and not shown.loc[shown[key] == UNASSIGNED_ID,
                                                              figure].any():  # fmt: skip
        shown = shown[shown[key] != UNASSIGNED_ID]
    x = [str(v) for v in shown[key]]
    data = [
        {"type": "bar", "x": x, "y": [float(v) for v in shown[f"{c.key}_{figure}"]],
         "name": tr(c.label), "marker": {"color": CLASS_COLOURS[c]},
         "hovertemplate": f"%{{x}} {tr(c.label)}: %{{y:,.1f}}<extra></extra>"}
        for c in CLASSES
    ]  # fmt: skip
    return {
        "data": data,
        "layout": {
            "title": {
                "text": tr("{figure} by class").format(figure=tr(FIGURE_LABELS[figure])),
                "font": {"size": 13},
            },
            "barmode": "stack",
            "margin": {"l": 50, "r": 10, "t": 30, "b": 30},
            "height": 260,
            "legend": {"orientation": "h"},
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        },
    }


def effect_rows(effect: pd.DataFrame) -> list[dict]:
    """The preview table: rep, workload now, with the effort plan, change in hours."""
    return [
        {"rep_id": r["rep_id"], "name": r["name"], "now": hours(r["workload_now_hours"]),
         "then": hours(r["workload_with_plan_hours"]),
         "change": f"{r['change_hours']:+,.1f}"}
        for _, r in effect.iterrows()
    ]  # fmt: skip


EFFECT_COLUMNS = [
    {"id": "rep_id", "name": "Rep"}, {"id": "name", "name": "Name"},
    {"id": "now", "name": "Workload now h/yr"}, {"id": "then", "name": "With effort plan h/yr"},
    {"id": "change", "name": "Change h"},
]  # fmt: skip
EFFORT_HEADERS = ("Class", "Segment", "Visits/yr", "Minutes/visit", "Channel")
DETAIL_COLUMNS = [{"id": "class", "name": "Class"}] + [
    {"id": f, "name": FIGURE_LABELS[f]} for f in FIGURES
]


def _table(component_id: str, columns: list[dict]) -> Component:
    return dash_table.DataTable(  # type: ignore[attr-defined]
        id=component_id,
        columns=[{**c, "name": tr(c["name"])} for c in columns],
        data=[],
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": "inherit", "fontSize": "0.85rem", "padding": "2px 6px"},
    )


def effort_grid() -> html.Table:
    """Visits, minutes and channel per (class, segment); blank or as the call plan: no rule."""
    header = html.Tr([html.Th(tr(t), style=CELL) for t in EFFORT_HEADERS])
    rows = []
    for c in PLANNED_CLASSES:
        for s in SEGMENTS:
            rows.append(html.Tr([
                html.Td(tr(c.label), style=CELL), html.Td(s, style=CELL),
                *(html.Td(dcc.Input(id=effort_id(c.key, s, f), type="number", min=0, step="any",
                                    debounce=True, style={"width": "6rem"}), style=CELL)
                  for f in ("visits_per_year", "minutes_per_visit")),
                html.Td(dcc.Dropdown(list(CHANNELS), id=effort_id(c.key, s, "channel"),
                                     clearable=False, style={"width": "8rem"}), style=CELL),
            ]))  # fmt: skip
    return html.Table([html.Thead(header), html.Tbody(rows)])


def share_panel() -> Component:
    """The Market-share tab."""
    breakdown = html.Div(
        [
            html.H3(tr("Classes by territory")),
            html.Div(
                [
                    html.Label(
                        [
                            tr("Rows"),
                            dcc.RadioItems(
                                [{"label": tr(v), "value": k} for k, v in LEVELS.items()],
                                "territory",
                                id=Ids.SHARE_LEVEL,
                                inline=True,
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            tr("Figure"),
                            dcc.RadioItems(
                                [{"label": tr(v), "value": k} for k, v in FIGURE_LABELS.items()],
                                "tam",
                                id=Ids.SHARE_MEASURE,
                                inline=True,
                            ),
                        ]
                    ),
                ],
                className="toolbar",
            ),  # fmt: skip
            _table(Ids.SHARE_TABLE, overview_columns("territory", "tam")),
            dcc.Graph(id=Ids.SHARE_CHART, config={"displayModeBar": False}),
            html.Div(
                [
                    html.Label(
                        [
                            tr("Breakdown of"),
                            dcc.Dropdown(
                                [],
                                None,
                                id=Ids.SHARE_PICK,
                                clearable=False,
                                style={"width": "16rem"},
                            ),
                        ]
                    ),
                ],
                className="toolbar",
            ),  # fmt: skip
            _table(Ids.SHARE_DETAIL, DETAIL_COLUMNS),
        ],
        style=SECTION,
    )
    effort = html.Div(
        [
            html.H3(tr("Thresholds and effort plan")),
            html.P(
                tr(
                    "Share = revenue / TAM of a cell. The effort plan replaces the call plan's "
                    "visits for the accounts of a class and segment (a blank row keeps the call "
                    "plan). Preview shows every rep's workload with the plan; Apply opens a new "
                    "scenario with the same territories on a new data set, like the call-plan "
                    "editor."
                ),
                className="hint",
            ),
            html.Div(
                [
                    percent_field(tr("Stronghold from %"), Ids.SHARE_STRONGHOLD),
                    percent_field(tr("Base from %"), Ids.SHARE_BASE),
                ],
                className="toolbar",
            ),  # fmt: skip
            effort_grid(),
            html.Div(
                [
                    html.Button(tr("Preview workload"), id=Ids.SHARE_PREVIEW, n_clicks=0),
                    html.Button(
                        tr("Apply thresholds and effort plan"), id=Ids.SHARE_APPLY, n_clicks=0
                    ),
                    html.Span(
                        id=Ids.SHARE_STATUS, role="status", **data_attributes(figure="share-status")
                    ),
                ],
                className="toolbar",
            ),  # fmt: skip
            _table(Ids.SHARE_EFFECT, EFFECT_COLUMNS),
        ],
        style=SECTION,
    )
    return html.Div([breakdown, effort])


def pick_options(table: pd.DataFrame, level: str) -> list[dict]:
    """Territories (or regions) to break down, unassigned and total included."""
    if level == "region":
        return [{"label": str(r), "value": str(r)} for r in table["region"]]
    return [
        {"label": f"{r} {n}".strip(), "value": str(r)}
        for r, n in zip(table["rep_id"], table["name"], strict=True)
    ]


def effort_values(
    rules: Sequence[Mapping[str, object]], outputs: Sequence[Mapping[str, object]]
) -> list[object]:
    """The grid's values in the order Dash lists its inputs (each output names its id)."""
    by_key = {(str(r["class"]), str(r["segment"])): r for r in rules}
    values = []
    for o in outputs:
        ident = o["id"]
        assert isinstance(ident, Mapping)
        values.append(by_key[(str(ident["class"]), str(ident["segment"]))][str(ident["field"])])
    return values
