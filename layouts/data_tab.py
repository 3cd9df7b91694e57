"""The Data tab: import files with a report on every row, edit the call plan, travel and team.

Component trees and formatting only; ``callbacks/data_tab.py`` fills them
from ``services.importing`` and ``services.datasets``, handing over plain
values (what a file kind's fields are comes in as an argument: layouts know
no file formats).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pandas as pd
from dash import dash_table, dcc, html
from dash.development.base_component import Component

from layouts.attributes import data_attributes
from layouts.i18n import number, tr
from layouts.ids import Ids, call_plan_id, choice_id, fix_id, map_field_id, new_rep_id, travel_id
from planning.callplan import CHANNELS, SEGMENTS, TravelModel
from planning.callplan_edits import CALL_PLAN_FIELDS
from planning.team import EDITOR_FIELDS

KINDS = {"accounts": "Accounts", "reps": "Reps"}
IGNORE = "__ignore__"
CELL = {"padding": "2px 8px", "textAlign": "left", "verticalAlign": "top"}
SECTION = {"marginTop": "1rem"}
CALL_PLAN_LABELS = {
    "visits_per_year": "Visits / year",
    "minutes_per_visit": "Minutes / visit",
    "channel": "Channel",
}
TRAVEL_LABELS = {
    "circuity": "Circuity (road km per straight km)",
    "speed_kmh": "Speed (km/h)",
    "visits_per_trip": "Visits per trip",
}
REP_LABELS = {
    "rep_id": "Rep",
    "name": "Name",
    "home_lat": "Home lat",
    "home_lon": "Home lon",
    "capacity_hours": "Capacity h/yr",
    "region": "Region",  # issue 14: the hierarchy
    "district": "District",
    "experience": "Experience (new/experienced/senior)",  # issue 15: matching reps to ground
}
DECISIONS = {"none": "Undecided", "exclude": "Exclude", "accept": "Accept"}
MAX_CHOICE_ROWS = 200
"""Problem rows offered one by one; beyond them only the bulk options apply."""
ERROR = {"color": "#B00020"}


def _upload(component_id: str, text: str, accept: str) -> dcc.Upload:
    return dcc.Upload(
        html.Div(text),
        id=component_id,
        accept=accept,
        multiple=False,
        className="upload",
        style={"border": "1px dashed #999", "borderRadius": "4px", "padding": "0.5rem 1rem",
               "cursor": "pointer", "fontSize": "0.9rem"},
    )  # fmt: skip


def data_panel() -> Component:
    """The whole tab; callbacks fill the mapping, the report and the editors."""
    files = ".csv,.txt,.tsv,.xlsx,.parquet,.geojson,.json"
    import_section = html.Div(
        [
            html.H3(tr("Import a data set")),
            html.P(
                tr(
                    "Upload an accounts file, and a reps file if the team changes too "
                    "(CSV, Excel, Parquet or GeoJSON). Check the column mapping and the report, "
                    "decide on the problem rows, then use the data: it opens as a new data set "
                    "with its own working scenario; the current one stays as it is."
                ),
                className="hint",
            ),
            html.Div(
                [
                    _upload(Ids.DATA_ACCOUNTS_UPLOAD, tr("Accounts file: drop or click"), files),
                    _upload(Ids.DATA_REPS_UPLOAD, tr("Reps file (optional): drop or click"), files),
                    _upload(
                        Ids.DATA_MAPPING_UPLOAD, tr("Saved mapping (.json): drop or click"), ".json"
                    ),
                ],
                className="toolbar",
            ),  # fmt: skip
            area_control(),
            html.Div(id=Ids.DATA_FILES),
            html.Div(id=Ids.DATA_MAPPING),
            html.Div(
                [
                    dcc.Checklist(
                        [
                            {"label": tr("Exclude every row with an error"), "value": "exclude"},
                            {"label": tr("Accept every warning"), "value": "accept"},
                        ],
                        ["accept"],
                        id=Ids.DATA_OPTIONS,
                    ),
                    html.Button(
                        tr("Check"),
                        id=Ids.DATA_CHECK,
                        n_clicks=0,
                        title=tr("Read the files with this mapping and these choices"),
                    ),
                    html.Button(tr("Save mapping"), id=Ids.DATA_MAPPING_SAVE, n_clicks=0),
                    html.Button(tr("Download report (CSV)"), id=Ids.DATA_REPORT_SAVE, n_clicks=0),
                    html.Button(tr("Use this data"), id=Ids.DATA_USE, n_clicks=0),
                    html.Progress(id=Ids.DATA_PROGRESS, value="0", max="100"),
                    html.Span(id=Ids.DATA_STATUS, role="status"),
                ],
                className="toolbar",
            ),  # fmt: skip
            html.Div(id=Ids.DATA_USE_STATUS, role="status"),
            html.Div(id=Ids.DATA_REPORT),
            dcc.Download(id=Ids.DATA_MAPPING_DOWNLOAD),
            dcc.Download(id=Ids.DATA_REPORT_DOWNLOAD),
            dcc.Store(id=Ids.DATA_IMPORT, data={}),
            dcc.Store(id=Ids.DATA_RECEIVED),
            dcc.Store(id=Ids.DATA_RESULT),
            dcc.Store(id=Ids.DATA_TEAM),
        ]
    )
    return html.Div([import_section, call_plan_section(), team_section()])


AREA_OPTIONS = (
    ("land", "Land of the accounts' countries"),
    ("hull", "Around the accounts (sea and borders ignored)"),
    ("upload", "Uploaded boundary"),
)
"""The planning-area choices of an import: value, label."""


def area_control() -> html.Div:
    """Where the imported data set's planning area lies; a boundary file for ``upload``."""
    return html.Div(
        [
            html.Span(tr("Planning area:"), className="hint"),
            dcc.RadioItems(
                [{"label": tr(label), "value": value} for value, label in AREA_OPTIONS],
                "land",
                id=Ids.DATA_AREA,
                inline=True,
            ),
            _upload(
                Ids.DATA_AREA_UPLOAD,
                tr("Boundary (GeoJSON, zipped shapefile, GeoPackage): drop or click"),
                ".geojson,.json,.zip,.gpkg",
            ),
        ],
        className="toolbar",
        title=tr(
            "Cells whose centre lies outside the area are not planned; accounts outside it "
            "are listed in the report by row and kept out of the plan"
        ),
    )


def call_plan_section() -> html.Div:
    """Visits, minutes and channel per segment, and the travel model, with one Apply."""
    header = html.Tr(
        [html.Th(tr("Segment"), style=CELL)]
        + [html.Th(tr(CALL_PLAN_LABELS[f]), style=CELL) for f in CALL_PLAN_FIELDS]
    )
    rows = []
    for segment in SEGMENTS:
        cells = [html.Td(segment, style=CELL)]
        for field in ("visits_per_year", "minutes_per_visit"):
            cells.append(html.Td(html.Label([  # issue 16: each input named for screen readers
                html.Span(f"{segment}: {tr(CALL_PLAN_LABELS[field])}", className="visually-hidden"),
                dcc.Input(id=call_plan_id(segment, field), type="number", min=0, step="any",
                          debounce=True, style={"width": "6rem"})]), style=CELL))  # fmt: skip
        cells.append(html.Td(dcc.Dropdown(
            list(CHANNELS), id=call_plan_id(segment, "channel"), clearable=False,
            style={"width": "8rem"}), style=CELL))  # fmt: skip
        rows.append(html.Tr(cells))
    defaults = TravelModel()
    travel = html.Div(
        [
            html.Label([tr(TRAVEL_LABELS[f]), dcc.Input(
                id=travel_id(f), type="number", min=0, step="any", debounce=True,
                placeholder=str(getattr(defaults, f)), style={"width": "7rem"})])
            for f in TRAVEL_LABELS
        ],
        className="toolbar",
    )  # fmt: skip
    return html.Div(
        [
            html.H3(tr("Call plan and travel")),
            html.P(
                tr(
                    "Workload = visits × minutes, plus travel for field visits: out and back "
                    "from home × circuity ÷ speed, shared by the visits of one trip. Apply opens "
                    "a new scenario with the same territories measured this way."
                ),
                className="hint",
            ),
            html.Table([html.Thead(header), html.Tbody(rows)]),
            travel,
            html.Div(
                [
                    html.Button(
                        tr("Apply call plan and travel"), id=Ids.DATA_CALL_PLAN_APPLY, n_clicks=0
                    ),
                    html.Span(id=Ids.DATA_CALL_PLAN_STATUS, role="status"),
                ],
                className="toolbar",
            ),  # fmt: skip
        ],
        style=SECTION,
    )


def team_section() -> html.Div:
    """The team as an editable table, a form to add a rep, and Apply (confirming removals)."""
    table = dash_table.DataTable(  # type: ignore[attr-defined]
        id=Ids.DATA_REPS_TABLE,
        columns=[
            {"id": f, "name": tr(REP_LABELS[f]), "editable": f != "rep_id",
             "type": "numeric" if f in ("home_lat", "home_lon", "capacity_hours") else "text"}
            for f in EDITOR_FIELDS
        ],
        data=[],
        editable=True,
        row_deletable=True,
        style_cell={"fontFamily": "inherit", "fontSize": "0.85rem", "padding": "2px 6px"},
        style_table={"maxWidth": "60rem"},
    )  # fmt: skip
    form = html.Div(
        [
            html.Label([tr(REP_LABELS[f]), dcc.Input(
                id=new_rep_id(f),
                type="number" if f in ("home_lat", "home_lon", "capacity_hours") else "text",
                step="any", style={"width": "8rem"})])
            for f in EDITOR_FIELDS
        ]
        + [
            html.Button(tr("Home = map centre"), id=Ids.DATA_REP_CENTRE, n_clicks=0,
                        title=tr("Pan and zoom the map to the rep's home first")),
            html.Button(tr("Add rep"), id=Ids.DATA_REP_ADD, n_clicks=0),
        ],
        className="toolbar",
    )  # fmt: skip
    return html.Div(
        [
            html.H3(tr("Team")),
            html.P(
                tr(
                    "Change capacities, names or home bases in the table, delete a row to remove "
                    "a rep, or add one below (home by coordinates; a click on the map moves cells, "
                    "so it cannot pick a home). Apply opens a new scenario with the same "
                    "territories; a removed rep's cells become unassigned, never lost."
                ),
                className="hint",
            ),
            table,
            form,
            html.Div(
                [
                    html.Button(tr("Apply team changes"), id=Ids.DATA_TEAM_APPLY, n_clicks=0),
                    html.Span(id=Ids.DATA_TEAM_STATUS, role="status"),
                ],
                className="toolbar",
            ),
            dcc.ConfirmDialog(id=Ids.DATA_TEAM_CONFIRM),
        ],
        style=SECTION,
    )


def files_line(files: Mapping[str, Mapping]) -> list:
    """Which files are loaded, with the reader's findings (encoding, sheet, header row)."""
    items = []
    for kind, info in files.items():
        extras = [info.get(k) for k in ("encoding", "sheet") if info.get(k)]
        if info.get("header_row", 1) != 1:
            extras.append(tr("header on row {row}").format(row=info["header_row"]))
        text = tr("{kind}: {name} ({rows} rows").format(
            kind=tr(KINDS[kind]), name=info["name"], rows=number(info["rows"])
        )
        text += ("; " + ", ".join(map(str, extras)) if extras else "") + ")"
        items.append(html.Li(text))
    return [html.Ul(items)] if items else []


def mapping_editor(
    files: Mapping[str, Mapping],
    fields: Mapping[str, Sequence[str]],
    required: Mapping[str, Sequence[str]],
) -> list:
    """One table per file: column, a few values, and the field it feeds (a dropdown).

    ``fields`` and ``required`` give, per file kind, the fields a column may
    feed and those that must be fed (marked ``*``).
    """
    out = []
    for kind, info in files.items():
        must = set(required[kind])
        options = [
            {"label": f"{f}{' *' if f in must else ''}", "value": f} for f in fields[kind]
        ] + [{"label": "(ignore)", "value": IGNORE}]
        mapped = {f for f in info["mapping"].values() if f}
        missing = [f for f in required[kind] if f not in mapped]
        rows = [
            html.Tr(
                [
                    html.Td(column, style=CELL),
                    html.Td(info["samples"].get(column, ""), style={**CELL, "color": "#666"}),
                    html.Td(
                        dcc.Dropdown(
                            options,
                            info["mapping"].get(column) or IGNORE,
                            id=map_field_id(kind, column),
                            clearable=False,
                            style={"width": "12rem"},
                        ),
                        style=CELL,
                    ),
                ],
                **data_attributes(column=column),
            )  # fmt: skip
            for column in info["columns"]
        ]
        note = (
            tr("Required fields not mapped yet: {fields}.").format(fields=", ".join(missing))
            if missing
            else tr("Every required field (*) is mapped.")
        )
        if kind == "accounts" and missing and set(missing) <= {"lat", "lon"}:
            by = [f for f in ("postcode", "city") if f in mapped]
            if by:  # issue 11 part 5: an address stands in for coordinates
                note += " " + tr("Accounts will be placed from their {fields} and country.").format(
                    fields=" or ".join(by)
                )
        out.append(
            html.Div(
                [
                    html.H4(
                        tr("{kind} columns: {name}").format(kind=tr(KINDS[kind]), name=info["name"])
                    ),
                    html.P(note, className="hint", **data_attributes(missing=",".join(missing))),
                    html.Table(
                        [
                            html.Thead(
                                html.Tr(
                                    [
                                        html.Th(tr(h), style=CELL)
                                        for h in ("Column in the file", "Values", "Field")
                                    ]
                                )
                            ),
                            html.Tbody(rows),
                        ]
                    ),
                ],
                **data_attributes(file=kind),
            )  # fmt: skip
        )
    return out


def report_view(
    kind: str,
    source: str,
    counts: Mapping[str, int],
    because: Mapping[str, int],
    refused: bool,
    problems: pd.DataFrame,
    decisions: Mapping[int, str],
    fixes: Mapping[int, Mapping[str, str]],
    header_row: int,
    *,
    fixable: Collection[str] = (),
    location: str | None = None,
) -> html.Div:
    """Counts, then every problem row with its decision and fix boxes (the first rows).

    ``fixable`` names the fields a text box may correct (the file kind's
    fields); a problem in any other column offers none. ``location`` is the
    accounts' line of counts per location precision (issue 11 part 5).
    """
    numbers = [
        html.Span(
            [html.B(number(counts[k]), **data_attributes(count=k)), f" {tr(k)}"],
            style={"marginRight": "1.2rem"},
        )
        for k in ("read", "imported", "excluded", "with problems")
    ]
    lines: list[Component] = [html.P(numbers)]
    if location:
        lines.append(html.P(location.capitalize(), className="location-counts"))
    if because:
        excluded = ", ".join(f"{number(n)} {why}" for why, n in because.items())
        lines.append(html.P(tr("Excluded: {reasons}").format(reasons=excluded)))
    header = problems[problems["row"] <= header_row]
    if refused:
        todo = (
            "Nothing can be imported yet: map the required fields above, then Check again."
            if len(header)
            else "Nothing can be imported yet: decide on every row with an error (exclude it or "
            "type a corrected value), or tick “Exclude every row with an error”, then Check again."
        )
        lines.append(
            html.P(
                tr(todo),
                className="warning",
                style=ERROR,
            )
        )
    for _, p in header.iterrows():
        lines.append(html.P(tr("File: {reason}").format(reason=p["reason"]), style=ERROR))
    data = problems[problems["row"] > header_row]
    rows = []
    shown_rows = list(dict.fromkeys(data["row"].tolist()))
    for row in shown_rows[:MAX_CHOICE_ROWS]:
        group = data[data["row"] == row]
        only_warnings = bool((group["severity"] == "warning").all())
        options = [{"label": tr(DECISIONS[k]), "value": k} for k in ("none", "exclude")]
        if only_warnings:
            options.append({"label": tr(DECISIONS["accept"]), "value": "accept"})
        fix_boxes = [
            html.Label([col, dcc.Input(
                id=fix_id(kind, row, col), type="text", debounce=False,
                value=(fixes.get(row) or {}).get(col, ""), style={"width": "7rem"})],
                style={"marginRight": "0.4rem"})
            for col in dict.fromkeys(group["column"].tolist())
            if col and col in fixable
        ]  # fmt: skip
        rows.append(
            html.Tr(
                [
                    html.Td(str(row), style=CELL),
                    html.Td(
                        [
                            html.Div(f"{c}: {r}" if c else r)
                            for c, r in zip(group["column"], group["reason"], strict=True)
                        ],
                        style=CELL,
                    ),
                    html.Td(", ".join(dict.fromkeys(group["severity"])), style=CELL),
                    html.Td(
                        dcc.RadioItems(
                            options,
                            decisions.get(row, "none"),
                            id=choice_id(kind, row),
                            inline=True,
                        ),
                        style=CELL,
                    ),
                    html.Td(fix_boxes, style=CELL),
                    html.Td(group["outcome"].iloc[0], style=CELL, className="outcome"),
                ],
                **data_attributes(row=str(row)),
            )  # fmt: skip
        )
    if rows:
        head = ("Row", "Problem", "Severity", "Decision", "Corrected value", "Outcome")
        lines.append(
            html.Table(
                [html.Thead(html.Tr([html.Th(tr(h), style=CELL) for h in head])), html.Tbody(rows)]
            )
        )
    if len(shown_rows) > MAX_CHOICE_ROWS:
        lines.append(
            html.P(
                tr(
                    "{n} more problem rows are in the CSV report; use the options above for them."
                ).format(n=number(len(shown_rows) - MAX_CHOICE_ROWS))
            )
        )
    return html.Div(
        [html.H4(f"{tr(KINDS[kind])}: {source}"), *lines],
        **data_attributes(file=kind),
        className="import-report",
    )


def sentence(text: object) -> str:
    """An error's text as a sentence: stripped, ending with a full stop."""
    text = str(text).strip()
    return text if text.endswith(".") else text + "."


def unreadable_note(kind: str, reason: str) -> html.P:
    """Why a received file (or saved mapping) could not be read."""
    text = (
        tr("Not a mapping: {error}").format(error=sentence(reason))
        if kind == "mapping"
        else tr("{error} The current data set is unchanged.").format(error=sentence(reason))
    )
    return html.P(text, role="alert", style=ERROR)


def nothing_to_use() -> html.P:
    """The answer to tr("Use this data") before any file was checked."""
    return html.P(tr("Upload an accounts file (or a reps file) first."), role="alert")


def nothing_stored(sources: Sequence[str]) -> html.P:
    """The answer to tr("Use this data") while files still have rows with errors."""
    return html.P(
        tr("Nothing was stored: {files}. The current data set is unchanged.").format(
            files="; ".join(
                tr("{file} still has rows with errors").format(file=source) for source in sources
            )
        ),
        role="alert",
        style=ERROR,
    )


def check_report(run: int, parts: Sequence[Component]) -> html.Div:
    """The report area after a check; ``data-run`` counts checks (browser tests wait on it)."""
    return html.Div(list(parts), **data_attributes(run=str(run)))
