"""The main screen: toolbar, map with legend, and the live panel."""

from __future__ import annotations

import json

from dash import dash_table, dcc, html
from dash.development.base_component import Component

from layouts.attributes import html_attributes
from layouts.basemap import basemap_switch
from layouts.bounds import TOLERANCE
from layouts.first_page import FirstPage, filled  # issue 18 point 1
from layouts.help import key_help
from layouts.i18n import current, language, language_switch, tr
from layouts.ids import (
    BROWSER_CONFIG_ATTR,
    BROWSER_IDS,
    CUSTOMDATA,
    PAINTED_VERSION_ATTR,
    REP_KEYS_LABELS,
    REP_KEYS_REPS,
    Ids,
    find_result_id,
)
from layouts.ledger import ledger_panel  # issue 17
from layouts.map_figure import CELL_LINE, LOCKED_LINE, LOCKED_NOTE, UNASSIGNED_LABEL
from layouts.market_share import class_legend
from layouts.palette import UNASSIGNED_COLOUR, rep_colour
from layouts.panel import TABLE_COLUMNS, panel_controls
from layouts.presentation import (  # issue 16
    MAP_CONFIG,
    before_after,
    level_badge,
    picture_buttons,
    present_button,
)
from layouts.suggestions import suggestions_panel  # issue 17
from planning.mapview import COLOUR_MODES

UNASSIGNED_VALUE = "__unassigned__"
TOOLS = {"move": "Move to rep", "lock": "Lock", "unlock": "Unlock"}


def rep_options(rep_ids: list[str], names: list[str]) -> list[dict]:
    """Dropdown options: each rep, numbered for the keyboard, then "Unassigned"."""
    options = [
        {"label": f"{i + 1}. {r} {n}" if i < 9 else f"{r} {n}", "value": r}
        for i, (r, n) in enumerate(zip(rep_ids, names, strict=True))
    ]
    return [*options, {"label": "0. " + tr("Unassigned"), "value": UNASSIGNED_VALUE}]


def rep_keys(rep_ids: list[str], names: list[str]) -> tuple[str, str]:
    """What the keyboard script reads: rep values in key order, and hover labels by position."""
    labels = [f"{r} {n}" for r, n in zip(rep_ids, names, strict=True)]
    return json.dumps([*rep_ids, UNASSIGNED_VALUE]), json.dumps(labels)


def browser_config() -> str:
    """What ``assets/hexalign.js`` needs to know, as the JSON of the root's ``data-hexalign``.

    Component ids, customdata slots, attribute names and hover texts are declared in Python
    (``layouts.ids``, ``layouts.map_figure``); the script reads them from the page instead
    of repeating them, so renaming an id or moving a slot cannot break the browser silently.
    """
    return json.dumps(
        {
            "ids": {member.name: member.value for member in BROWSER_IDS},
            "customdata": CUSTOMDATA,
            "attrs": {
                "REP_KEYS_REPS": REP_KEYS_REPS,
                "REP_KEYS_LABELS": REP_KEYS_LABELS,
                "PAINTED_VERSION": PAINTED_VERSION_ATTR,
            },
            "texts": {"UNASSIGNED": UNASSIGNED_LABEL, "LOCKED": LOCKED_NOTE},
            "lines": {"CELL": list(CELL_LINE), "LOCKED": list(LOCKED_LINE)},  # issue 16
        },
        sort_keys=True,
    )


def legend(rep_ids: list[str], names: list[str]) -> html.Ul:
    """Rep swatches with names (the map's legend)."""
    items = [
        html.Li([html.Span(className="swatch", style={"background": rep_colour(i)}), f"{r} {n}"])
        for i, (r, n) in enumerate(zip(rep_ids, names, strict=True))
    ]
    items.append(
        html.Li(
            [
                html.Span(className="swatch", style={"background": UNASSIGNED_COLOUR}),
                tr("Unassigned"),
            ]
        )
    )
    return html.Ul(items, id=Ids.LEGEND, className="legend")


def map_filter_options(regions: list[str], districts: list[str]) -> list[dict[str, str]]:
    """Issue 14: the map's filter: every cell, or one region's or district's (the rest grey)."""
    return [
        {"label": tr("All cells"), "value": ""},
        *({"label": f"{tr('Region')} {r}", "value": f"region:{r}"} for r in regions),
        *({"label": f"{tr('District')} {d}", "value": f"district:{d}"} for d in districts),
    ]


def group_legend(groups: list[str]) -> list[html.Li]:
    """Issue 14: the legend's entries when the map is coloured by region or district."""
    items = [
        html.Li([html.Span(className="swatch", style={"background": rep_colour(i)}), g])
        for i, g in enumerate(groups)
    ]
    items.append(
        html.Li(
            [
                html.Span(className="swatch", style={"background": UNASSIGNED_COLOUR}),
                tr("Unassigned"),
            ]
        )
    )
    return items


# -- datasets-find: the header's data set, its switcher and the find box ------------------------
FIND_KEY = "/"
FIND_PLACEHOLDER = f"Find account, town or rep  ({FIND_KEY})"


def dataset_option(
    dataset_id: int, name: str, stored: str, accounts: int, reps: int, current: bool
) -> dict:
    """One switcher entry: the source file's name, when it was stored and how big it is."""
    mark = " (open)" if current else ""
    label = f"{name}{mark} · stored {stored} · {accounts:,} accounts · {reps:,} reps"
    return {"label": label, "value": dataset_id, "search": name}


def dataset_header() -> html.Div:
    """Which data set the page plans (named), and the switcher that opens another one."""
    return html.Div(
        [
            html.Span(tr("Data set"), className="header-label"),
            html.Span(id=Ids.DATASET_NAME, className="dataset-name"),
            html.Span("›", className="header-sep", **html_attributes({"aria-hidden": "true"})),
            html.Span(tr("Scenario"), className="header-label"),
        ],
        className="header-names",
    )


def dataset_switcher() -> html.Label:
    """Every stored data set; choosing one opens its last-edited scenario."""
    return html.Label(
        [
            html.Span(tr("Switch data set"), className="visually-hidden"),
            dcc.Dropdown(
                id=Ids.DATASET_SWITCHER, options=[], value=None, clearable=False,
                placeholder=tr("Switch data set…"), style={"width": "20rem"},
            ),
        ],
        className="header-control",
    )  # fmt: skip


def find_box() -> html.Div:
    """Search accounts (id, name), towns and reps; the matches list under the box as one types.

    A plain input and a list of buttons: Enter takes the first match, the arrow
    keys walk the list (assets/hexalign.js), a click or Enter on a line takes it.
    """
    return html.Div(
        [
            html.Label(tr("Find"), htmlFor=Ids.FIND, className="visually-hidden"),
            dcc.Input(
                id=Ids.FIND, type="search", value="", debounce=False, autoComplete="off",
                placeholder=tr(FIND_PLACEHOLDER), style={"width": "17rem"},
            ),
            html.Ul(id=Ids.FIND_RESULTS, className="find-results", role="listbox"),
            dcc.Store(id=Ids.FIND_FOCUS),
            dcc.Store(id=Ids.FIND_SHOWN),
        ],
        className="find",
        title=f"{tr('Find an account, a town or a rep')} ({FIND_KEY})",
    )  # fmt: skip


def find_results(found: list[tuple[str, str]]) -> list[html.Li]:
    """The lines under the find box: (value, label) pairs, best first."""
    return [
        html.Li(
            html.Button(
                label, id=find_result_id(value), n_clicks=0, className="find-result", role="option"
            )
        )  # fmt: skip
        for value, label in found
    ]


# -- end of datasets-find ----------------------------------------------------------------------


def section_links(titles: list[str]) -> html.Nav:
    """Issue 16: the sections under the map, one click away (assets/hexalign.meeting.js)."""
    return html.Nav(
        [html.Span(tr("Open:"), className="header-label")]
        + [html.Button(tr(t), n_clicks=0, **html_attributes({"data-section": t})) for t in titles],
        className="section-links",
        **html_attributes({"aria-label": "Sections"}),
    )


def main_layout(
    rep_ids: list[str],
    names: list[str],
    scenario_id: int,
    resolution: int,
    sections: list[tuple[str, Component]] | None = None,
    first: FirstPage | None = None,
) -> html.Div:
    """The whole page; the stores carry ids and small messages, never the plan itself.

    ``sections`` are (title, component) pairs shown as tabs under the table:
    scenarios, auto-balance, data import, each built by its own module. ``first`` (issue 18
    point 1): the landing scenario's map and panel, shown before any callback answers.
    """
    tabs = [dcc.Tab(child, label=tr(title), value=title) for title, child in sections or []]
    toolbar = html.Div(
        [
            html.Label([tr("Receiving rep"), dcc.Dropdown(
                rep_options(rep_ids, names), rep_ids[0] if rep_ids else None,
                id=Ids.REP_PICKER, clearable=False, style={"width": "15rem"})]),
            html.Label([tr("Selection does"), dcc.RadioItems(
                [{"label": tr(v), "value": k} for k, v in TOOLS.items()], "move",
                id=Ids.TOOL, inline=True)]),
            html.Label([tr("Colour by"), dcc.RadioItems(
                [{"label": tr(v), "value": k} for k, v in COLOUR_MODES.items()], "owner",
                id=Ids.COLOUR_MODE, inline=True)]),
            html.Label([tr("Layer"), dcc.RadioItems(  # issue 15 overlay: shown with overlay reps
                [{"label": tr("Field"), "value": "field"},
                 {"label": tr("Overlay"), "value": "overlay"}],
                "field", id=Ids.MAP_LAYER, inline=True)], id=Ids.MAP_LAYER_BOX, hidden=True),
            html.Label([tr("Cells of"), dcc.Dropdown(  # issue 14: one region or district only
                map_filter_options([], []), "", id=Ids.MAP_FILTER, clearable=False,
                style={"width": "13rem"})]),
            html.Label([tr("Cell size (H3 res.)"), dcc.Dropdown(
                list(range(4, 10)), resolution, id=Ids.RESOLUTION, clearable=False,
                style={"width": "6rem"})]),
            html.Label([tr("Tolerance %"), dcc.Input(  # issue 12 point 7d: bounds checked too
                id=Ids.TOLERANCE, type="number", value=TOLERANCE.default, min=TOLERANCE.low,
                max=TOLERANCE.high, step="any", debounce=True, style={"width": "5rem"})]),
            basemap_switch(),  # basemap-layers: land, borders and town names on or off
            html.Button("↶ " + tr("Undo"), id=Ids.UNDO, title=tr("Undo") + " (Ctrl+Z)", n_clicks=0),
            html.Button("↷ " + tr("Redo"), id=Ids.REDO, title=tr("Redo") + " (Ctrl+Y)", n_clicks=0),
        ],
        className="toolbar",
    )  # fmt: skip
    table = dash_table.DataTable(  # type: ignore[attr-defined]
        id=Ids.REP_TABLE,
        columns=[{"id": c, "name": tr(n)} for c, n in TABLE_COLUMNS],
        **(filled(first, "table") or {"data": []}),
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": "inherit", "fontSize": "0.85rem", "padding": "2px 6px"},
        style_data_conditional=[
            {"if": {"filter_query": "{flagged} eq true"}, "fontWeight": "bold"},
            {
                "if": {"filter_query": "{flagged} eq true", "column_id": "status"},
                "color": "#B00020",
            },
        ],
        sort_action="native",
    )
    message = html.Div(
        id=Ids.MESSAGE,
        role="status",
        className="message",
        **html_attributes({"aria-live": "polite"}),
    )
    reps_json, labels_json = rep_keys(rep_ids, names)
    keys = html_attributes({REP_KEYS_REPS: reps_json, REP_KEYS_LABELS: labels_json})
    # issue 16: header, toolbar and main fill the first screen (the map takes what is left);
    # the presentation toggle, before/after and the pictures sit beside the figures
    workspace = html.Div(
        [
            html.Header([html.H1("Hexalign"), dataset_header(),
                         html.Span(id=Ids.SCENARIO_NAME, **filled(first, "scenario_name")),
                         dataset_switcher(), find_box(), message, present_button(),
                         language_switch()]),  # issue 16 (h16b): the interface language
            toolbar,
            html.Div(
                [
                    html.Div(
                        [
                            html.Div(
                                [
                                    dcc.Graph(id=Ids.MAP, config=MAP_CONFIG, responsive=True,
                                              className="map-graph", style={"height": "100%"},
                                              **filled(first, "map")),
                                    level_badge(),
                                ],
                                className="map-frame",
                            ),
                            legend(rep_ids, names),
                            class_legend(),  # issue 14: shown in the class colour mode
                        ],
                        className="map-column",
                    ),
                    html.Div(
                        [
                            html.Div([before_after(), picture_buttons()], className="meeting-bar"),
                            html.Div(id=Ids.TEAM_SUMMARY, **filled(first, "summary")),
                            dcc.Graph(id=Ids.WORKLOAD_CHART, config={"displayModeBar": False},
                                      **filled(first, "workload")),
                            dcc.Graph(id=Ids.TAM_CHART, config={"displayModeBar": False},
                                      **filled(first, "tam")),
                            suggestions_panel(),  # issue 17: repairs after every move
                            ledger_panel(),  # issue 17: the meeting's impact ledger
                        ],
                        className="panel-column",
                    ),
                ],
                className="main",
            ),
            section_links([title for title, _ in sections or []]),  # issue 16: one click away
        ],
        className="workspace",
    )  # fmt: skip
    return html.Div(
        [
            workspace,
            panel_controls(first.targets_kept if first else None),  # issue 14 (18: the rule)
            html.P(id=Ids.PANEL_NOTE, className="hint", **filled(first, "note")),
            table,
            dcc.Tabs(tabs, id=Ids.SECTIONS, value=""),  # closed until asked: no work on every move
            html.Div(id=Ids.REP_KEYS, hidden=True, **keys),
            dcc.Store(id=Ids.SCENARIO, storage_type="local", data={"id": scenario_id}),
            dcc.Store(id=Ids.VERSION, **filled(first, "version")),
            dcc.Store(id=Ids.VIEW, **filled(first, "view")),
            dcc.Store(id=Ids.SELECTION),
            dcc.Store(id=Ids.PAINT),
            dcc.Store(id=Ids.PANEL_CHARTS),  # issue 18: the charts follow a move's map and table
            dcc.Store(id=Ids.SETTLED_VERSION),  # issue 18: what follows a move waits for its paint
            dcc.Store(id=Ids.SECTION_VERSION),  # issue 18: closed sections get no request at all
            dcc.Store(id=Ids.KEY_COMMAND),
            dcc.Store(id=Ids.PAINTED),
            dcc.Store(id=Ids.CAMERA, **filled(first, "camera")),
            dcc.Store(id=Ids.TRACKING_MAP_PERIOD),  # issue 15: what the tracking modes paint
            key_help(),  # issue 16 (h16b): "?" lists the keys
            dcc.Store(id=Ids.SCENARIO_STEP),
        ],
        className="app",
        lang=current(),
        dir=language().direction,
        **html_attributes({BROWSER_CONFIG_ATTR: browser_config()}),
    )  # fmt: skip
