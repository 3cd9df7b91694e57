"""The Scenarios tab: the list with key figures and actions, compare, history, export.

Component trees and formatting only; ``callbacks/scenarios.py`` fills them
from ``services.scenarios`` (values of ``planning.scenarios``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from dash import dash_table, dcc, html
from dash.development.base_component import Component

from layouts.attributes import data_attributes
from layouts.i18n import moment, tr
from layouts.ids import Ids, export_button_id, open_button_id, restore_button_id
from layouts.map_figure import colour_settings, fit_view
from layouts.panel import hours, money, pct
from planning.changes import ChangedView
from planning.scenarios import ScenarioComparison, ScenarioRow

EXPORT_LABELS = {
    "csv": "Accounts (.csv)",
    "xlsx": "Workbook (.xlsx)",
    "geojson": "Territories (.geojson)",
    "parquet": "Territories (GeoParquet)",
    "plan": "Plan file (.csv)",
    "owner-changes": "Owner changes (.csv)",
    "owner-changes-salesforce": "Owner changes for Salesforce Data Loader (Id, OwnerId)",
    "owner-changes-hubspot": "Owner changes for HubSpot import (Record ID, Company owner)",
}
LIST_COLUMNS = (
    "", "Scenario", "Cell size", "Worst workload deviation", "Team coverage",
    "Accounts moved vs baseline", "Contiguous", "Access", "",
)  # fmt: skip
# (metric, header, kind): kind picks the formatting of A, B and the change
COMPARE_METRICS = (
    ("accounts", "Accounts", "count"),
    ("workload_hours", "Workload h/yr", "hours"),
    ("workload_deviation", "Workload vs fair", "spct"),
    ("tam", "TAM", "money"),
    ("revenue", "Revenue", "money"),
    ("cells", "Cells", "count"),
    ("contiguity_components", "Pieces", "count"),
    ("target", "Target", "money"),  # issue 14
)
BALANCE_ROWS = (
    ("workload_worst_deviation", "Worst workload deviation", "spct"),
    ("workload_cv", "Workload CV", "pct"),
    ("tam_worst_deviation", "Worst TAM deviation", "spct"),
    ("tam_cv", "TAM CV", "pct"),
    ("coverage", "Team coverage", "pct"),
    ("reps_out_of_tolerance", "Reps out of tolerance", "count"),
    ("unassigned_accounts", "Unassigned accounts", "count"),
    ("contiguity_components", "Pieces (all reps)", "count"),
)
CELL = {"padding": "2px 8px", "textAlign": "left"}
SECTION = {"marginTop": "0.8rem"}


def scenarios_panel() -> Component:
    """The whole tab; every part is filled by callbacks once the page knows its scenario."""
    actions = html.Div(
        [
            html.Label([tr("Name"), dcc.Input(
                id=Ids.SCENARIO_NAME_INPUT, type="text", maxLength=200, debounce=False,
                placeholder=tr("name for new, branch or rename"), style={"width": "16rem"})],
                style={"display": "flex", "flexDirection": "column", "fontSize": "0.8rem"}),
            html.Button(tr("New from baseline"), id=Ids.SCENARIO_NEW, n_clicks=0,
                        title=tr("A new scenario starting from last quarter's plan")),
            html.Button(tr("Branch current"), id=Ids.SCENARIO_BRANCH, n_clicks=0,
                        title=tr("Copy the current scenario and switch to the copy")),
            html.Button(tr("Rename current"), id=Ids.SCENARIO_RENAME, n_clicks=0),
            html.Button(tr("Delete current…"), id=Ids.SCENARIO_DELETE, n_clicks=0),
            dcc.ConfirmDialog(id=Ids.SCENARIO_DELETE_CONFIRM, message=""),
            dcc.Store(id=Ids.SCENARIOS_CHANGED, data=0),
        ],
        style={"display": "flex", "flexWrap": "wrap", "gap": "0.6rem", "alignItems": "flex-end",
               "margin": "0.4rem 0"},
    )  # fmt: skip
    compare = html.Section(
        [
            html.H3(tr("Compare two scenarios")),
            html.Div(
                [
                    html.Label([tr("Before (A)"), dcc.Dropdown(id=Ids.COMPARE_A, clearable=False,
                                                           style={"width": "18rem"})]),
                    html.Label([tr("After (B)"), dcc.Dropdown(id=Ids.COMPARE_B, clearable=False,
                                                          style={"width": "18rem"})]),
                    html.Button(tr("Download comparison (.xlsx)"), id=Ids.COMPARE_EXPORT,
                                n_clicks=0),
                    dcc.Download(id=Ids.COMPARE_DOWNLOAD),
                ],
                style={"display": "flex", "flexWrap": "wrap", "gap": "0.8rem",
                       "alignItems": "flex-end"},
            ),
            html.Div(
                [
                    html.Div(id=Ids.COMPARE_SUMMARY, style={"flex": "1 1 22rem"}),
                    dcc.Graph(id=Ids.COMPARE_MAP, figure=empty_map(tr("Pick two scenarios.")),
                              config={"displaylogo": False, "scrollZoom": True},
                              style={"flex": "1 1 24rem", "height": "340px"}),
                ],
                style={"display": "flex", "flexWrap": "wrap", "gap": "1rem", "marginTop": "0.5rem"},
            ),
            dash_table.DataTable(  # type: ignore[attr-defined]
                id=Ids.COMPARE_TABLE, columns=compare_columns(), data=[],
                merge_duplicate_headers=True, sort_action="native",
                style_table={"overflowX": "auto"},
                style_cell={"fontFamily": "inherit", "fontSize": "0.85rem", "padding": "2px 6px"},
            ),
        ],
        style=SECTION,
    )  # fmt: skip
    history = html.Section(
        [html.H3(tr("History of the current scenario")), html.Div(id=Ids.HISTORY)], style=SECTION
    )
    export = html.Section(
        [
            html.H3(tr("Export the current scenario")),
            html.Div(
                [html.Button(tr(label), id=export_button_id(fmt), n_clicks=0)
                 for fmt, label in EXPORT_LABELS.items()],
                style={"display": "flex", "flexWrap": "wrap", "gap": "0.6rem"},
            ),
            dcc.Download(id=Ids.EXPORT_DOWNLOAD),
        ],
        style=SECTION,
    )  # fmt: skip
    return html.Div(
        [
            html.Section(
                [
                    # datasets-find: which data set the list is of (callbacks/datasets.py fills it)
                    html.P(id=Ids.SCENARIO_LIST_DATASET, className="scenario-list-dataset"),
                    html.Div(id=Ids.SCENARIO_LIST),
                    actions,
                ]
            ),
            compare,
            history,
            export,
        ],
        className="scenarios",
        style={"padding": "0.4rem 0"},
    )


# -- the list ------------------------------------------------------------------------------


def scenario_list(rows: list[ScenarioRow]) -> html.Div:
    """The scenarios with their key figures; the current one marked, the others one click away."""
    body = [_scenario_row(r) for r in rows]
    current = next((r for r in rows if r.current), None)
    note = []
    if current is not None and current.info.read_only:
        note = [html.P(
            f"“{current.info.name}” is read-only (the baseline is last quarter's plan): "
            "moves on it are refused. Use “Branch current” to edit a copy.",
            className="read-only-note", style={"color": "#B00020", "margin": "0.3rem 0"},
        )]  # fmt: skip
    head = html.Thead(html.Tr([html.Th(c, style=CELL) for c in LIST_COLUMNS]))
    return html.Div(
        [
            html.Table([head, html.Tbody(body)], style={"borderCollapse": "collapse",
                                                        "fontSize": "0.85rem"}),
            *note,
        ]
    )  # fmt: skip


def _scenario_row(row: ScenarioRow) -> html.Tr:
    info, f = row.info, row.figures
    access = (
        "read-only (baseline)" if info.baseline else ("read-only" if info.read_only else "editable")
    )
    moved = f"{f.moved_accounts:,} ({pct(f.moved_share)})"
    opener = (
        html.Span("current", style={"fontWeight": 600})
        if row.current
        else html.Button(tr("Open"), id=open_button_id(info.id), n_clicks=0,
                         title=f"Switch the page to “{info.name}” (the map keeps its view)")
    )  # fmt: skip
    cells = [
        "●" if row.current else "",
        info.name,
        f"res {info.resolution}",
        pct(f.workload_worst_deviation, signed=True),
        pct(f.coverage),
        moved,
        "yes" if f.contiguous else "no",
        access,
        opener,
    ]
    keys = ("marker", "name", "resolution", "worst", "coverage", "moved", "contiguous", "access",
            "open")  # fmt: skip
    style = {"background": "#E8F1FA", "fontWeight": 600} if row.current else {}
    return html.Tr(
        [
            html.Td(c, style=CELL, **data_attributes(col=k))
            for k, c in zip(keys, cells, strict=True)
        ],
        style=style,
        **data_attributes(scenario=str(info.id), current="true" if row.current else "false"),
    )


def scenario_options(rows: list[ScenarioRow]) -> list[dict]:
    """Dropdown options: every scenario, with its cell size."""
    return [{"label": f"{r.info.name} (res {r.info.resolution})", "value": r.info.id} for r in rows]


# -- compare -------------------------------------------------------------------------------


def compare_columns() -> list[dict]:
    """Two header rows: the metric over A, B and the change."""
    columns = [{"id": "rep_id", "name": ["", "Rep"]}, {"id": "name", "name": ["", tr("Name")]}]
    for metric, label, _ in COMPARE_METRICS:
        for part, sub in (("a", "A"), ("b", "B"), ("delta", "Change")):
            columns.append({"id": f"{metric}_{part}", "name": [label, sub]})
    return columns


def compare_rows(reps: pd.DataFrame) -> list[dict]:
    """Per-rep A, B and change of each compared metric, formatted for reading."""
    rows = []
    for rep_id, r in reps.iterrows():
        row = {"rep_id": str(rep_id), "name": str(r["name"])}
        for metric, _, kind in COMPARE_METRICS:
            row[f"{metric}_a"] = _fmt(r.get(f"{metric}_a"), kind)  # target: issue 14, may lack
            row[f"{metric}_b"] = _fmt(r.get(f"{metric}_b"), kind)
            row[f"{metric}_delta"] = _fmt(r.get(f"{metric}_delta"), kind, signed=True)
        rows.append(row)
    return rows


def compare_summary(result: ScenarioComparison) -> html.Div:
    """What moves from A to B, and the team's balance before and after."""
    s = result.comparison.summary
    moved = [
        ("cells_moved", "Cells changing owner", f"{int(s['cells_moved']):,}"),
        ("accounts_moved", "Accounts moved", f"{int(s['accounts_moved']):,}"),
        ("tam_moved", "TAM moved", money(s["tam_moved"])),
        ("revenue_moved", "Revenue moved", money(s["revenue_moved"])),
        ("visit_hours_moved", "Visit hours moved", hours(s["visit_hours_moved"])),
    ]
    balance = [
        html.Tr(
            [
                html.Td(label, style=CELL),
                html.Td(
                    _fmt(s[f"{key}_a"], kind), style=CELL, **data_attributes(figure=f"{key}_a")
                ),
                html.Td(
                    _fmt(s[f"{key}_b"], kind), style=CELL, **data_attributes(figure=f"{key}_b")
                ),
            ]
        )
        for key, label, kind in BALANCE_ROWS
    ]
    head = html.Tr([html.Th("Balance", style=CELL), html.Th(f"A: {result.a.name}", style=CELL),
                    html.Th(f"B: {result.b.name}", style=CELL)])  # fmt: skip
    note = [] if result.changed.complete else [html.P(
        "More cells change than the small map can draw; it shows the first of them.")]  # fmt: skip
    return html.Div(
        [
            html.Ul(
                [html.Li([f"{label}: ", html.B(value, **data_attributes(figure=key))])
                 for key, label, value in moved],
                style={"listStyle": "none", "padding": 0, "margin": "0 0 0.5rem"},
            ),
            html.Table([html.Thead(head), html.Tbody(balance)],
                       style={"borderCollapse": "collapse", "fontSize": "0.85rem"}),
            *note,
        ],
        style={"fontSize": "0.9rem"},
    )  # fmt: skip


def comparison_error(text: str) -> html.Div:
    """Why there is no comparison to show."""
    return html.Div(html.P(text, role="alert"), **data_attributes(figure="compare-error"))


def changes_figure(
    view: ChangedView, geojson_url: str, rep_ids: np.ndarray, names: np.ndarray
) -> dict:
    """The changed cells coloured by the rep receiving them, hover "from R03 to R07"."""
    if len(view.units) == 0:
        return empty_map("No cell changes owner between these two scenarios.")
    labels = ["unassigned" if o < 0 else f"{rep_ids[o]} {names[o]}" for o in view.to_owner.tolist()]
    trace = {
        "type": "choroplethmap",
        "geojson": geojson_url,
        "featureidkey": "id",
        "locations": view.units.tolist(),
        "z": view.to_owner.astype(float).tolist(),
        "customdata": [[h, lab] for h, lab in zip(view.hover, labels, strict=True)],
        "hovertemplate": "%{customdata[0]}<br>now: %{customdata[1]}<extra></extra>",
        "marker": {"line": {"width": 0.4, "color": "#ffffff"}, "opacity": 0.9},
        "name": "changed",
        **colour_settings("owner", len(rep_ids)),
    }
    start = fit_view(view.lat, view.lon, width_px=480, height_px=340)
    return {
        "data": [trace],
        "layout": {
            "map": {"style": "white-bg", **start},
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "showlegend": False,
            "paper_bgcolor": "#ffffff",
        },
    }


def empty_map(text: str) -> dict:
    """A blank figure that says why it is blank."""
    return {
        "data": [],
        "layout": {
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "annotations": [{"text": text, "showarrow": False, "font": {"size": 13}}],
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        },
    }


# -- history -------------------------------------------------------------------------------

HISTORY_LIMIT = 200


def history_table(log: pd.DataFrame) -> html.Div:
    """The move log, newest first, each entry with "Restore to this point".

    The newest entry is where the scenario stands, so it offers no restore;
    the last row is the scenario as it was created.
    """
    newest = int(log["seq"].max()) if len(log) else 0
    shown = log.sort_values("seq", ascending=False).head(HISTORY_LIMIT)
    rows = [_history_row(r, newest) for r in shown.itertuples(index=False)]
    rows.append(
        html.Tr(
            [html.Td("0", style=CELL), html.Td("", style=CELL), html.Td("", style=CELL),
             html.Td("created", style=CELL), html.Td("", style=CELL),
             html.Td("as branched or created", style=CELL),
             html.Td(_restore_cell(0, newest), style=CELL)],
            **data_attributes(seq="0"),
        )
    )  # fmt: skip
    note = []
    if len(log) > HISTORY_LIMIT:
        note = [html.P(f"Showing the latest {HISTORY_LIMIT} of {len(log):,} entries.")]
    head = html.Tr([html.Th(c, style=CELL) for c in
                    ("#", "When (UTC)", "Who", "What", "Cells", "From → to", "")])  # fmt: skip
    return html.Div(
        [
            *note,
            html.Table([html.Thead(head), html.Tbody(rows)],
                       style={"borderCollapse": "collapse", "fontSize": "0.85rem"}),
        ]
    )  # fmt: skip


def _history_row(r, newest: int) -> html.Tr:
    what = r.kind if r.ref_seq is None or _isnan(r.ref_seq) else f"{r.kind} of #{int(r.ref_seq)}"
    if r.from_reps == r.to_reps and int(r.locked) != 0:
        change = f"{abs(int(r.locked)):,} cells {'locked' if r.locked > 0 else 'unlocked'}"
    else:
        change = f"{r.from_reps} → {r.to_reps}"
    style = {"color": "#777", "textDecoration": "line-through"} if r.undone else {}
    at = pd.Timestamp(r.at)
    when = moment(at.year, at.month, at.day, at.strftime("%H:%M:%S"))  # issue 16: the locale's date
    cells = [str(r.seq), when, r.user or "—", what + (" (undone)" if r.undone else ""),
             f"{int(r.cells):,}", change]  # fmt: skip
    return html.Tr(
        [*(html.Td(c, style={**CELL, **style}) for c in cells),
         html.Td(_restore_cell(int(r.seq), newest), style=CELL)],
        **data_attributes(seq=str(r.seq)),
    )  # fmt: skip


def _restore_cell(seq: int, newest: int) -> Component:
    if seq == newest:
        return html.Span("current state")
    return html.Button(tr("Restore to this point"), id=restore_button_id(seq), n_clicks=0)


# -- formatting ----------------------------------------------------------------------------


def _fmt(value: float, kind: str, signed: bool = False) -> str:
    if value is None or _isnan(value):
        return "–"
    if kind in ("pct", "spct"):
        return pct(float(value), signed=signed or kind == "spct")
    if kind == "count":
        return f"{int(round(value)):+,}" if signed else f"{int(round(value)):,}"
    if kind == "hours":
        return f"{value:+,.1f}" if signed else hours(value)
    return f"{value:+,.0f}" if signed else money(value)


def _isnan(value) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False
