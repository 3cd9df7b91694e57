"""The Matching tab (issue 15 section 4): who holds contested and stronghold ground.

Per rep: experience level, contested and stronghold accounts and TAM, their share of the rep's
accounts, and a flag where a new rep holds contested ground or a senior rep stable strongholds.
"""

from __future__ import annotations

import pandas as pd
from dash import dash_table, dcc, html

from layouts.i18n import tr
from layouts.ids import Ids
from layouts.panel import money, pct
from planning.matching import FLAG_SHARE, Fit

TAB_TITLE = "Matching"
COLUMNS = (
    ("rep_id", "Rep"), ("name", "Name"), ("experience", "Experience"),
    ("accounts", "Accounts"), ("contested_accounts", "Contested acc."),
    ("contested_tam", "Contested TAM"), ("contested_share", "Contested %"),
    ("stronghold_accounts", "Stronghold acc."), ("stronghold_tam", "Stronghold TAM"),
    ("stronghold_share", "Stronghold %"), ("matching_flag", "Flag"),
)  # fmt: skip
NO_LEVELS = (
    "No rep has an experience level: add an 'experience' column (new, experienced, senior) "
    "to the reps file, or type levels in the Data tab's team editor."
)


def matching_panel() -> html.Div:
    """The tab: flag share, the team's fit and the per-rep table (filled when opened)."""
    return html.Div(
        [
            html.Label([tr("Flag from (% of a rep's accounts)"), dcc.Input(
                id=Ids.MATCH_FLAG_SHARE, type="number", value=FLAG_SHARE * 100, min=0,
                max=100, step="any", debounce=True, style={"width": "5rem"})]),
            html.P(id=Ids.MATCH_FIT, role="status"),
            html.Ul(id=Ids.MATCH_SUGGESTIONS),
            dash_table.DataTable(  # type: ignore[attr-defined]
                id=Ids.MATCH_TABLE,
                columns=[{"id": c, "name": tr(n)} for c, n in COLUMNS],
                data=[],
                sort_action="native",
                style_cell={"fontFamily": "inherit", "fontSize": "0.85rem",
                            "padding": "2px 6px"},
                style_data_conditional=[
                    {"if": {"filter_query": "{matching_flag} ne ''"}, "fontWeight": "bold"},
                ],
            ),
        ]
    )  # fmt: skip


def fit_text(fit: Fit, levels_known: bool) -> str:
    """The team's fit as the tab states it."""
    return tr("Experience fit: {fit}.").format(fit=fit.text()) if levels_known else tr(NO_LEVELS)


def matching_rows(table: pd.DataFrame) -> list[dict[str, object]]:
    """The per-rep table as formatted rows."""
    rows = []
    for r in table.to_dict("records"):
        rows.append({
            **r,
            "contested_tam": money(float(r["contested_tam"])),
            "stronghold_tam": money(float(r["stronghold_tam"])),
            "contested_share": pct(float(r["contested_share"])),
            "stronghold_share": pct(float(r["stronghold_share"])),
            "accounts": int(r["accounts"]),
            "contested_accounts": int(r["contested_accounts"]),
            "stronghold_accounts": int(r["stronghold_accounts"]),
        })  # fmt: skip
    return rows


def suggestion_items(said: tuple[str, ...]) -> list[html.Li]:
    """The suggestions as list items."""
    return [html.Li(s) for s in said]
