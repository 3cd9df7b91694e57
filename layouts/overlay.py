"""The Overlay tab (issue 15 section 3): the second layer's balance, assignment and export.

Overlay reps (inside sales) serve the accounts their rule selects across field territories.
The tab shows the overlay layer's own balance (one row per overlay rep, as the field panel
counts it), lets the user give the overlay accounts inside chosen field territories to an
overlay rep, and downloads the layer as a workbook. The map's layer switch (beside "Colour by")
draws the overlay layer, and the lasso then edits it.
"""

from __future__ import annotations

import pandas as pd
from dash import dash_table, dcc, html

from layouts.i18n import number, tr
from layouts.ids import Ids
from layouts.panel import hours, money, pct

TAB_TITLE = "Overlay"
COLUMNS = (
    ("rep_id", "Overlay rep"), ("name", "Name"), ("accounts", "Accounts"), ("cells", "Cells"),
    ("workload_hours", "Workload h/yr"), ("workload_deviation", "vs fair share"),
    ("tam", "TAM"), ("utilisation", "Utilisation"),
)  # fmt: skip
NO_OVERLAY = (
    "This team has no overlay reps: give reps a 'layer' column (field or overlay) and each "
    "overlay rep an 'overlay' rule, e.g. segment=C; channel=remote, in the reps file."
)


def overlay_panel() -> html.Div:
    """The tab, filled when opened."""
    return html.Div(
        [
            html.P(id=Ids.OVERLAY_STATUS, role="status"),
            dash_table.DataTable(  # type: ignore[attr-defined]
                id=Ids.OVERLAY_TABLE, data=[],
                columns=[{"id": c, "name": tr(n)} for c, n in COLUMNS],
                style_cell={"fontFamily": "inherit", "fontSize": "0.85rem", "padding": "2px 6px"},
            ),
            html.Div([
                html.Label([tr("Overlay accounts in the territories of"), dcc.Dropdown(
                    [], [], id=Ids.OVERLAY_TERRITORIES, multi=True, style={"width": "22rem"})]),
                html.Label([tr("go to"), dcc.Dropdown(
                    [], None, id=Ids.OVERLAY_REP, style={"width": "14rem"})]),
                html.Button(tr("Assign"), id=Ids.OVERLAY_ASSIGN, n_clicks=0),
                html.Span(id=Ids.OVERLAY_MESSAGE, role="status"),
            ], className="toolbar"),
            html.Div([
                html.Button(tr("Download overlay workbook"), id=Ids.OVERLAY_EXPORT, n_clicks=0),
                dcc.Download(id=Ids.OVERLAY_DOWNLOAD),
            ], className="toolbar"),
            dcc.Store(id=Ids.OVERLAY_VERSION, data={"version": 0}),
        ]
    )  # fmt: skip


def overlay_status(has_layer: bool, accounts: int, reps: int) -> str:
    """What the tab says above the table."""
    if not has_layer:
        return tr(NO_OVERLAY)
    return tr(
        "Overlay layer: {accounts} accounts served by {reps} overlay rep(s); "
        "field reps keep the rest. Moving field cells never changes the overlay."
    ).format(accounts=number(accounts), reps=number(reps))


def overlay_rows(metrics: pd.DataFrame) -> list[dict[str, object]]:
    """The overlay balance as formatted rows."""
    if metrics.empty:
        return []
    return [
        {"rep_id": str(r["rep_id"]), "name": str(r["name"]), "accounts": int(r["accounts"]),
         "cells": int(r["cells"]), "workload_hours": hours(float(r["workload_hours"])),
         "workload_deviation": pct(float(r["workload_deviation"]), True),
         "tam": money(float(r["tam"])), "utilisation": pct(float(r["utilisation"]))}
        for r in metrics.to_dict("records")
    ]  # fmt: skip


def rep_options(reps: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    """Dropdown options "name (rep_id)"."""
    return [{"label": f"{name} ({rep})", "value": rep} for rep, name in reps]
