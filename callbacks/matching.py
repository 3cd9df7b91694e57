"""Matching tab callback (issue 15 section 4): per-rep ground by experience, and the fit.

Turns the payload into values, makes one call to ``services.matching`` and shapes the answer
with ``layouts.matching``. Nothing is computed while the tab is closed.
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from layouts.ids import Ids
from layouts.matching import TAB_TITLE, fit_text, matching_rows, suggestion_items
from planning.matching import FLAG_SHARE
from services import matching

Payload = dict[str, Any]


def flag_share_of(value: float | str | None) -> float:
    """The typed flag threshold (percent) as a share; the default when blank or out of range."""
    try:
        share = float(value) / 100.0  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return FLAG_SHARE
    return share if 0.0 <= share <= 1.0 else FLAG_SHARE


@callback(
    Output(Ids.MATCH_FIT, "children"),
    Output(Ids.MATCH_TABLE, "data"),
    Output(Ids.MATCH_SUGGESTIONS, "children"),
    Input(Ids.SCENARIO, "data"),
    Input(Ids.SECTIONS, "value"),
    Input(Ids.SECTION_VERSION, "data"),  # issue 18: after the paint, open sections only
    Input(Ids.MATCH_FLAG_SHARE, "value"),
    prevent_initial_call=True,
)
def show_matching(
    scenario: Payload, tab: str | None, _version: Payload | None, flag_pct: float | str | None
) -> tuple[str, list[dict[str, object]], list[Any]]:
    """The fit and the per-rep table; they follow every move (the version changes)."""
    if tab != TAB_TITLE:
        raise PreventUpdate
    view = matching.scenario_matching(database_url(), int(scenario["id"]), flag_share_of(flag_pct))
    said = suggestion_items(view.suggestions)
    return fit_text(view.fit, view.levels_known), matching_rows(view.table), list(said)
