"""The main screen's component tree."""

from __future__ import annotations

import pandas as pd
from dash import dash_table, dcc, html

from layouts.ids import Ids

TABLE_COLUMNS = (
    ("rep_id", "Rep"), ("name", "Name"), ("workload_hours", "Workload (h/yr)"),
    ("capacity_hours", "Capacity (h/yr)"), ("utilisation", "Utilisation"),
    ("coverage", "Coverage"), ("tam", "TAM"), ("revenue", "Revenue"),
    ("market_share", "Share"), ("accounts", "Accounts"), ("cells", "Cells"),
    ("contiguity_components", "Pieces"), ("workload_deviation", "Workload vs fair share"),
    ("tam_deviation", "TAM vs fair share"),
)  # fmt: skip


def main_layout(table: pd.DataFrame, rep_options: list[dict]) -> html.Div:
    """Header, rep picker, tolerance and the per-rep table."""
    return html.Div(
        [
            html.H1("Hexalign"),
            html.Label(["Receiving rep ", dcc.Dropdown(rep_options, id=Ids.REP_PICKER)]),
            html.Label(["Tolerance ", dcc.Input(id=Ids.TOLERANCE, type="number", value=10)]),
            dash_table.DataTable(
                id=Ids.REP_TABLE,
                columns=[{"id": c, "name": n} for c, n in TABLE_COLUMNS],
                data=table[[c for c, _ in TABLE_COLUMNS]].to_dict("records"),
            ),
        ]
    )
