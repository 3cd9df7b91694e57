"""The Tracking tab (issue 15): periods, the import of actuals, the table, trend, next quarter.

Each callback turns the page's values into typed ones, makes one service call and shapes
its answer (``layouts.tracking`` formats). The import is two clicks: "Check" says what the
files hold and how many stored rows they would change; "Import" (labelled "Replace ..."
when the period holds actuals already) checks again and stores.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import Input, Output, State, callback, ctx, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from common.errors import HexalignError
from layouts.i18n import number, tr
from layouts.ids import Ids
from layouts.tracking import TAB_TITLE, period_options, table_rows, thresholds, trend_figure
from planning.actuals import PeriodError
from planning.overlay import Layer
from planning.tracking import METRICS
from services import actuals, tracking
from services.actuals import Upload

Payload = dict[str, Any]


def uploads(
    revenue_name: str | None, revenue: str | None, visits_name: str | None, visits: str | None
) -> list[Upload]:
    """The files given, as the service takes them (a missing one is left out)."""
    out = []
    if revenue:
        out.append(Upload("revenue", revenue_name or "revenue.csv", revenue))
    if visits:
        out.append(Upload("visits", visits_name or "visits.csv", visits))
    return out


UPLOAD_STATES = (
    State(Ids.TRACKING_REVENUE_UPLOAD, "filename"),
    State(Ids.TRACKING_REVENUE_UPLOAD, "contents"),
    State(Ids.TRACKING_VISITS_UPLOAD, "filename"),
    State(Ids.TRACKING_VISITS_UPLOAD, "contents"),
)


@callback(
    Output(Ids.TRACKING_PERIOD, "options"),
    Output(Ids.TRACKING_PERIOD, "value"),
    Input(Ids.SCENARIO, "data"),
    Input(Ids.TRACKING_IMPORTED, "data"),
    State(Ids.TRACKING_PERIOD, "value"),
    Input(Ids.SECTIONS, "value"),  # issue 18: filled when the tab opens, not at page load
    prevent_initial_call=True,
)
def show_periods(
    scenario: Payload, imported: Any, current: str | None, open_tab: str | None = TAB_TITLE
) -> tuple[Any, Any]:
    """The data set's periods, newest first; the choice kept when it still exists.

    Only while the tab is open (issue 18 point 1: the first page sends no request for it;
    the map's tracking colour modes paint the latest period until a period is chosen here).
    """
    if open_tab != TAB_TITLE:
        raise PreventUpdate
    periods = actuals.periods(database_url(), int(scenario["id"]))
    if isinstance(imported, dict) and imported.get("period") in periods:
        return period_options(periods), imported["period"]
    value = current if current in periods else (periods[-1] if periods else None)
    return period_options(periods), value


@callback(
    Output(Ids.TRACKING_MAP_PERIOD, "data"),
    Input(Ids.TRACKING_PERIOD, "value"),
    prevent_initial_call=True,
)
def map_period(period: str | None) -> str | None:
    """The chosen period goes to the map (its store lives outside the tab, always present)."""
    return period


@callback(
    Output(Ids.TRACKING_FILES, "children"),
    Input(Ids.TRACKING_REVENUE_UPLOAD, "filename"),
    Input(Ids.TRACKING_VISITS_UPLOAD, "filename"),
    prevent_initial_call=True,  # issue 18: the layout says "No file chosen yet."
)
def show_files(revenue: str | None, visits: str | None) -> str:
    """Which files wait to be checked."""
    given = [f"revenue: {revenue}" if revenue else "", f"visits: {visits}" if visits else ""]
    return "; ".join(g for g in given if g) or tr("No file chosen yet.")


@callback(
    Output(Ids.TRACKING_IMPORT_STATUS, "children"),
    Output(Ids.TRACKING_BAD_ROWS, "data"),
    Output(Ids.TRACKING_IMPORT, "disabled"),
    Output(Ids.TRACKING_IMPORT, "children"),
    Input(Ids.TRACKING_CHECK, "n_clicks"),
    State(Ids.TRACKING_IMPORT_PERIOD, "value"),
    *UPLOAD_STATES,
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def check_actuals(
    _clicks: int, period: str | None, revenue_name: str | None, revenue: str | None,
    visits_name: str | None, visits: str | None, scenario: Payload,
) -> tuple[Any, ...]:  # fmt: skip
    """Check the files for the period: counts, the bad rows by row, what would be replaced."""
    given = uploads(revenue_name, revenue, visits_name, visits)
    if not given:
        return tr("Choose a revenue file, a visits file or both."), [], True, tr("Import")
    try:
        check = actuals.check_uploads(database_url(), int(scenario["id"]), period or "", given)
    except (PeriodError, HexalignError) as err:
        return str(err), [], True, tr("Import")
    bad = [
        {"file": f.source, **row}
        for f in check.files
        for row in f.checked.report().astype(str).to_dict("records")
    ]
    label = (
        tr("Replace {period} ({rows} rows change)").format(
            period=check.period.label, rows=number(check.replacement.rows_changing)
        )
        if check.replacement.replaces
        else tr("Import {period}").format(period=check.period.label)
    )
    return [_line(t) for t in check.lines()], bad, False, label


def _line(text: str) -> Any:
    return html.Div(text)


@callback(
    Output(Ids.TRACKING_IMPORT, "disabled", allow_duplicate=True),
    Output(Ids.TRACKING_IMPORT, "children", allow_duplicate=True),
    Input(Ids.TRACKING_REVENUE_UPLOAD, "contents"),
    Input(Ids.TRACKING_VISITS_UPLOAD, "contents"),
    Input(Ids.TRACKING_IMPORT_PERIOD, "value"),
    prevent_initial_call=True,
)
def files_changed(
    _revenue: str | None, _visits: str | None, _period: str | None
) -> tuple[bool, str]:
    """Another file or period: what "Check" confirmed no longer holds, so check again first."""
    return True, "Import"


@callback(
    Output(Ids.TRACKING_IMPORT_STATUS, "children", allow_duplicate=True),
    Output(Ids.TRACKING_IMPORTED, "data"),
    Output(Ids.TRACKING_IMPORT, "disabled", allow_duplicate=True),
    Input(Ids.TRACKING_IMPORT, "n_clicks"),
    State(Ids.TRACKING_IMPORT_PERIOD, "value"),
    *UPLOAD_STATES,
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def import_actuals(
    clicks: int, period: str | None, revenue_name: str | None, revenue: str | None,
    visits_name: str | None, visits: str | None, scenario: Payload,
) -> tuple[Any, ...]:  # fmt: skip
    """Store the checked files (the period's earlier rows are replaced)."""
    if not clicks:
        raise PreventUpdate
    given = uploads(revenue_name, revenue, visits_name, visits)
    try:
        text = actuals.store_uploads(database_url(), int(scenario["id"]), period or "", given)
    except (PeriodError, HexalignError) as err:
        return str(err), no_update, False
    return text, {"period": text.split(":", 1)[0], "n": clicks}, True


@callback(
    Output(Ids.TRACKING_REPORT, "data"),
    Input(Ids.TRACKING_REPORT_BUTTON, "n_clicks"),
    State(Ids.TRACKING_IMPORT_PERIOD, "value"),
    *UPLOAD_STATES,
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def download_report(
    _clicks: int, period: str | None, revenue_name: str | None, revenue: str | None,
    visits_name: str | None, visits: str | None, scenario: Payload,
) -> Any:  # fmt: skip
    """The excluded rows as a CSV (formula-safe)."""
    given = uploads(revenue_name, revenue, visits_name, visits)
    if not given:
        raise PreventUpdate
    try:
        check = actuals.check_uploads(database_url(), int(scenario["id"]), period or "", given)
    except (PeriodError, HexalignError):
        raise PreventUpdate from None
    return {"content": check.report(), "filename": f"actuals-report-{check.period.label}.csv"}


@callback(
    Output(Ids.TRACKING_TABLE, "data"),
    Output(Ids.TRACKING_NOTE, "children"),
    Output(Ids.TRACKING_TREND, "figure"),
    Output(Ids.TRACKING_TREND_REP, "options"),
    Input(Ids.TRACKING_PERIOD, "value"),
    Input(Ids.TRACKING_LEVEL, "value"),
    Input(Ids.TRACKING_ATTAINMENT_MIN, "value"),
    Input(Ids.TRACKING_COMPLIANCE_MIN, "value"),
    Input(Ids.TRACKING_TREND_REP, "value"),
    Input(Ids.TRACKING_IMPORTED, "data"),
    Input(Ids.MAP_LAYER, "value"),  # issue 15 (h15d): the overlay reps with the layer switch
    State(Ids.SCENARIO, "data"),
    Input(Ids.SECTIONS, "value"),  # issue 18: filled when the tab opens, not at page load
    prevent_initial_call=True,
)
def show_tracking(
    period: str | None, level: str, attainment_pct: Any, compliance_pct: Any,
    trend_rep: str | None, _imported: Any, layer: str | None, scenario: Payload,
    open_tab: str | None = TAB_TITLE,
) -> tuple[Any, ...]:  # fmt: skip
    """The table of the chosen level with its flags, the note on split accounts, the trend.

    With the map's layer switch on Overlay, the overlay reps on the overlay layer (issue 15).
    Only while the tab is open (issue 18 point 1).
    """
    if open_tab != TAB_TITLE:
        raise PreventUpdate
    if not period:
        empty = trend_figure(_no_trend(), "")
        return [], tr("No actuals imported yet: import a period above."), empty, []
    chosen = Layer.OVERLAY if layer == Layer.OVERLAY.value else Layer.FIELD
    view = tracking.tracking_view(
        database_url(), int(scenario["id"]), period, level or "rep",
        thresholds(attainment_pct, compliance_pct), trend_rep, chosen,
    )  # fmt: skip
    options = [{"label": r, "value": r} for r in view.rep_ids]
    return table_rows(view.table), view.note, trend_figure(view.trend, trend_rep or ""), options


def _no_trend() -> pd.DataFrame:
    return pd.DataFrame(columns=["period", *METRICS])


@callback(
    Output(Ids.TRACKING_NEXT_STATUS, "children"),
    Output(Ids.SCENARIO, "data", allow_duplicate=True),  # issue 15 (h15d): open the new plan
    Input(Ids.TRACKING_NEXT, "n_clicks"),
    State(Ids.TRACKING_PERIOD, "value"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def next_quarter(clicks: int, period: str | None, scenario: Payload) -> tuple[str, Any]:
    """Make the next quarter's scenario from this plan and the period's actual revenue.

    The page switches to it (as auto-balance opens its result), so the room balances the next
    round from the truth at once; the previous scenario stays in the Scenarios tab.
    """
    if not clicks or ctx.triggered_id != Ids.TRACKING_NEXT:
        raise PreventUpdate
    try:
        made = tracking.plan_next_quarter(database_url(), int(scenario["id"]), period)
    except (ValueError, HexalignError) as err:
        return str(err), no_update
    said = made.text + " " + tr("The map now shows it; the previous plan is in the Scenarios tab.")
    return said, {"id": made.scenario_id}
