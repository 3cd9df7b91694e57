"""Issue 16: meeting-ready widgets: presentation mode, before/after, level badge, pictures.

Visible strings go through ``tr()`` (layouts.i18n), built per page load or per callback.
"""

from __future__ import annotations

from dash import dcc, html

from layouts.attributes import html_attributes
from layouts.i18n import number, tr
from layouts.ids import Ids
from layouts.map_figure import CHANGED_COLOUR
from layouts.palette import UNASSIGNED_COLOUR

PRESENT_KEY = "p"
FLIP_KEY = "b"
PRESENT_CLASS = "presenting"  # on the root .app: assets/hexalign.css folds the controls away
# Plotly's toolbar: only what serves the user; no "Share chart" / Chart Studio (plans are
# confidential and the app is offline), no image button (the Download menu makes the slide)
MAP_CONFIG: dcc.Graph.Config = {
    "scrollZoom": True,
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "modeBarButtonsToRemove": ["toImage", "sendDataToCloud", "editInChartStudio"],
}


def present_button() -> html.Button:
    """Folds the controls away (and back): the map, bars and team summary in large type."""
    title = tr("Presentation mode: map and figures only, large type")
    return html.Button(
        tr("Present"), id=Ids.PRESENT, n_clicks=0, className="present-toggle",
        title=f"{title} ({PRESENT_KEY.upper()})",
        **html_attributes({"aria-pressed": "false", "aria-keyshortcuts": PRESENT_KEY}),
    )  # fmt: skip


def before_after() -> html.Div:
    """Two scenarios to flip between; the cells that change owner are outlined on the map."""
    return html.Div(
        [
            html.Label([tr("Before"), dcc.Dropdown(id=Ids.BEFORE, options=[], value=None,
                                               clearable=False, style={"width": "11rem"})]),
            html.Label([tr("After"), dcc.Dropdown(id=Ids.AFTER, options=[], value=None,
                                              clearable=False, style={"width": "11rem"})]),
            html.Button("⇄ " + tr("Flip"), id=Ids.FLIP, n_clicks=0,
                        title=f"{tr('Show the other of the two scenarios')} ({FLIP_KEY.upper()})",
                        **html_attributes({"aria-keyshortcuts": FLIP_KEY})),
            html.Span(id=Ids.FLIP_STATUS, className="flip-status", role="status"),
            dcc.Store(id=Ids.FLIP_OUTLINE),
            dcc.Store(id=Ids.FLIP_SHOWN),
        ],
        className="before-after",
    )  # fmt: skip


def scenario_choices(scenarios: list[tuple[int, str]]) -> list[dict[str, object]]:
    """Dropdown options for the before/after pickers: (id, name) pairs."""
    return [{"label": name, "value": sid} for sid, name in scenarios]


def flip_text(shown: str, other: str, changed: int) -> str:
    """What the status says after a flip: which side shows and how many cells differ."""
    return tr("Showing {shown} (vs {other}: {changed} cells change owner, outlined)").format(
        shown=shown, other=other, changed=number(changed)
    )


def level_badge() -> html.Div:
    """Over the map: how many plan cells one drawn hexagon stands for."""
    return html.Div(id=Ids.LEVEL_BADGE, className="level-badge", role="note")


def level_text(plan_resolution: int, drawn_resolution: int) -> str:
    """What one drawn hexagon stands for: 7 cells at a merged level, 1 at the plan's cells.

    An H3 parent holds 7 children per resolution step (the area's edges and the
    12 pentagons aside): 7 ** steps cells per drawn hexagon.

    >>> level_text(7, 6)
    'Each hexagon = 7 cells (zoom in or press + for single cells)'
    >>> level_text(7, 7)
    'Each hexagon = 1 cell (H3 res. 7)'
    """
    steps = max(plan_resolution - drawn_resolution, 0)
    if steps == 0:
        return tr("Each hexagon = 1 cell (H3 res. {res})").format(res=plan_resolution)
    return tr("Each hexagon = {n} cells (zoom in or press + for single cells)").format(
        n=number(7**steps)
    )


def picture_buttons() -> html.Div:
    """Download the current scenario as a 16:9 slide (PNG, PDF) or per-rep hand-outs (PDF)."""
    return html.Div(
        [
            html.Span(tr("Download"), className="toolbar-caption"),
            html.Div(
                [
                    html.Button("PNG", id=Ids.PICTURE_PNG, n_clicks=0,
                                title=tr("The map, legend and per-rep summary as a 16:9 PNG")),
                    html.Button("PDF", id=Ids.PICTURE_PDF, n_clicks=0,
                                title=tr("The map, legend and per-rep summary as a 16:9 PDF page")),
                    html.Button(tr("Rep pages"), id=Ids.PICTURE_REPS, n_clicks=0,
                                title=tr("One A4 PDF page per rep, for handing out")),
                ],
                className="button-row",
            ),
            dcc.Download(id=Ids.PICTURE_DOWNLOAD),
        ],
        className="toolbar-group pictures",
    )  # fmt: skip


def changed_legend() -> list[html.Li]:
    """The legend of the "changed vs baseline" colour mode (not the reps')."""
    return [
        html.Li([html.Span(className="swatch", style={"background": CHANGED_COLOUR}),
                 tr("Owner changed vs the baseline")]),
        html.Li([html.Span(className="swatch", style={"background": UNASSIGNED_COLOUR}),
                 tr("Same owner as the baseline")]),
        html.Li([html.Span(className="swatch locked-swatch"), tr("Thick dark outline: locked")]),
    ]  # fmt: skip
