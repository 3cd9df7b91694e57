"""Market-share tab callbacks (issue 14 section 1): class breakdowns, effort plan preview, apply.

Each callback turns the payload into values, makes one call to ``services.market_share`` and
shapes the answer with ``layouts.market_share``. Nothing is computed while the tab is closed,
except the map's class legend (one small read when the class colour mode is on).
"""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, NoUpdate, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from common.errors import HexalignError
from layouts.i18n import number, tr
from layouts.ids import Ids, effort_id
from layouts.market_share import (
    LEGEND_HIDDEN,
    LEGEND_SHOWN,
    TAB_TITLE,
    class_legend_items,
    detail_rows,
    effect_rows,
    effort_values,
    overview_columns,
    overview_rows,
    pick_options,
    stacked_chart,
)
from planning.market_share import class_rows
from services import market_share

Payload = dict[str, Any]


def _grid() -> dict[tuple[str, str], dict[str, object]]:
    """The effort grid's States as (class, segment) -> field -> value."""
    grid: dict[tuple[str, str], dict[str, object]] = {}
    for items in ctx.states_list:
        if isinstance(items, list) and items and items[0]["id"].get("kind") == Ids.SHARE_EFFORT:
            for item in items:
                ident = item["id"]
                grid.setdefault((ident["class"], ident["segment"]), {})[ident["field"]] = item.get(
                    "value"
                )
    return grid


@callback(
    Output(Ids.CLASS_LEGEND, "children"),
    Output(Ids.CLASS_LEGEND, "style"),
    Output(Ids.LEGEND, "style"),
    Input(Ids.COLOUR_MODE, "value"),
    Input(Ids.SCENARIO, "data"),
)
def class_legend(mode: str, scenario: Payload) -> tuple[Any, dict[str, str], dict[str, str]]:
    """The class legend under the map, with the data set's thresholds, in class mode only.

    The reps' legend steps aside meanwhile: the classes' colours are not the reps'.
    """
    if mode != "class":
        return no_update, LEGEND_HIDDEN, LEGEND_SHOWN
    settings = market_share.share_settings(database_url(), int(scenario["id"]))
    return class_legend_items(settings.thresholds), LEGEND_SHOWN, LEGEND_HIDDEN


@callback(
    Output(Ids.SHARE_STRONGHOLD, "value"),
    Output(Ids.SHARE_BASE, "value"),
    Output(effort_id(ALL, ALL, ALL), "value"),
    Input(Ids.SCENARIO, "data"),
    Input(Ids.SECTIONS, "value"),
    prevent_initial_call=True,
)
def fill_settings(scenario: Payload, tab: str | None) -> tuple[Any, ...]:
    """Thresholds and effort grid of the scenario's data set (the tab opening, a switch)."""
    if tab != TAB_TITLE:
        raise PreventUpdate
    view = market_share.scenario_classes(database_url(), int(scenario["id"]))
    t = view.settings.thresholds
    return t.stronghold, t.base, effort_values(view.rules, ctx.outputs_list[2])


@callback(
    Output(Ids.SHARE_TABLE, "data"),
    Output(Ids.SHARE_TABLE, "columns"),
    Output(Ids.SHARE_CHART, "figure"),
    Output(Ids.SHARE_PICK, "options"),
    Output(Ids.SHARE_PICK, "value"),
    Output(Ids.SHARE_DETAIL, "data"),
    Input(Ids.SCENARIO, "data"),
    Input(Ids.SECTIONS, "value"),
    Input(Ids.SECTION_VERSION, "data"),  # issue 18: after the paint, open sections only
    Input(Ids.SHARE_LEVEL, "value"),
    Input(Ids.SHARE_MEASURE, "value"),
    Input(Ids.SHARE_PICK, "value"),
    prevent_initial_call=True,
)
def show_classes(
    scenario: Payload,
    tab: str | None,
    _version: Payload | None,
    level: str,
    figure: str,
    picked: str | None,
) -> tuple[Any, ...]:
    """The breakdown per territory or region, its stacked bar, and one territory by class.

    It follows every move (the version changes): classes stay, workload goes with the cells.
    """
    if tab != TAB_TITLE:
        raise PreventUpdate
    view = market_share.scenario_classes(database_url(), int(scenario["id"]))
    table = view.regions if level == "region" else view.territories
    key = "region" if level == "region" else "rep_id"
    options = pick_options(table, level)
    values = [o["value"] for o in options]
    pick = str(picked) if picked in values else str(values[0])
    return (
        overview_rows(table, figure),
        overview_columns(level, figure),
        stacked_chart(table, level, figure),
        options,
        pick if pick != picked else no_update,
        detail_rows(class_rows(table, pick, key)),
    )


@callback(
    Output(Ids.SHARE_EFFECT, "data"),
    Output(Ids.SHARE_STATUS, "children"),
    Input(Ids.SHARE_PREVIEW, "n_clicks"),
    State(Ids.SHARE_STRONGHOLD, "value"),
    State(Ids.SHARE_BASE, "value"),
    State(effort_id(ALL, ALL, ALL), "value"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def preview(
    clicks: int | None, stronghold: object, base: object, _grid_values: list, scenario: Payload
) -> tuple[list[dict] | NoUpdate, str]:
    """Every rep's workload now and with the typed thresholds and effort plan; nothing stored."""
    if not clicks:
        raise PreventUpdate
    try:
        result = market_share.preview_typed(
            database_url(), int(scenario["id"]), stronghold, base, _grid()
        )
    except HexalignError as err:
        return no_update, tr("Not previewed: {error}").format(error=err)
    if not result.changes:
        return effect_rows(result.effect), tr("As stored: nothing would change.")
    return effect_rows(result.effect), tr("Preview (not applied): {changes}").format(
        changes="; ".join(result.changes)
    )


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Output(Ids.SHARE_STATUS, "children", allow_duplicate=True),
    Input(Ids.SHARE_APPLY, "n_clicks"),
    State(Ids.SHARE_STRONGHOLD, "value"),
    State(Ids.SHARE_BASE, "value"),
    State(effort_id(ALL, ALL, ALL), "value"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def apply(
    clicks: int | None, stronghold: object, base: object, _grid_values: list, scenario: Payload
) -> tuple[Payload | NoUpdate, str | NoUpdate, str]:
    """Open a scenario with the same territories on a data set holding the typed settings."""
    if not clicks:
        raise PreventUpdate
    try:
        edit = market_share.apply_typed(
            database_url(), int(scenario["id"]), stronghold, base, _grid()
        )
    except HexalignError as err:
        text = tr("Not applied: {error}").format(error=err)
        return no_update, text, text
    derived = edit.derived
    if derived is None:
        return (
            no_update,
            no_update,
            tr("Thresholds and effort plan are as they were: nothing to apply."),
        )
    text = tr(
        "Effort plan applied ({changes}): team workload {before} → {after} h/yr. "
        "Opened as scenario “{name}”; the previous one is unchanged."
    ).format(
        changes="; ".join(edit.changes),
        before=number(derived.hours_before),
        after=number(derived.hours_after),
        name=derived.name,
    )
    return {"id": derived.scenario_id}, text, text
