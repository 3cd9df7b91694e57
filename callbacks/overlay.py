"""Overlay tab callbacks (issue 15 section 3): show the layer, assign territories, download.

Each turns the payload into values, makes one call to ``services.overlay`` and shapes the
answer with ``layouts.overlay``. Nothing is computed while the tab is closed.
"""

from __future__ import annotations

from typing import Any

from dash import Input, NoUpdate, Output, State, callback, dcc, no_update
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from common.errors import HexalignError, StaleVersionError
from layouts.ids import Ids
from layouts.overlay import TAB_TITLE, overlay_rows, overlay_status, rep_options
from services import overlay

Payload = dict[str, Any]
STALE = "Someone changed the overlay meanwhile: it now shows the current one; please repeat."


@callback(
    Output(Ids.OVERLAY_STATUS, "children"),
    Output(Ids.OVERLAY_TABLE, "data"),
    Output(Ids.OVERLAY_TERRITORIES, "options"),
    Output(Ids.OVERLAY_REP, "options"),
    Output(Ids.OVERLAY_VERSION, "data", allow_duplicate=True),
    Input(Ids.SCENARIO, "data"),
    Input(Ids.SECTIONS, "value"),
    Input(Ids.SECTION_VERSION, "data"),  # issue 18: after the paint, open sections only
    Input(Ids.OVERLAY_VERSION, "data"),
    prevent_initial_call=True,
)
def show_overlay(
    scenario: Payload, tab: str | None, _version: Payload | None, shown: Payload | None
) -> tuple[Any, ...]:
    """The overlay layer's balance and the reps of both layers."""
    if tab != TAB_TITLE:
        raise PreventUpdate
    view = overlay.overlay_view(database_url(), int(scenario["id"]))
    version = {"version": view.version}
    return (
        overlay_status(view.has_layer, view.accounts, len(view.overlay_reps)),
        overlay_rows(view.metrics),
        rep_options(view.field_reps),
        rep_options(view.overlay_reps),
        version if version != shown else no_update,
    )


@callback(
    Output(Ids.OVERLAY_VERSION, "data"),
    Output(Ids.OVERLAY_MESSAGE, "children"),
    Input(Ids.OVERLAY_ASSIGN, "n_clicks"),
    State(Ids.OVERLAY_TERRITORIES, "value"),
    State(Ids.OVERLAY_REP, "value"),
    State(Ids.SCENARIO, "data"),
    State(Ids.OVERLAY_VERSION, "data"),
    prevent_initial_call=True,
)
def assign(
    clicks: int | None,
    territories: list[str] | None,
    rep: str | None,
    scenario: Payload,
    shown: Payload | None,
) -> tuple[Payload | NoUpdate, str]:
    """The overlay accounts inside the chosen field territories go to the chosen overlay rep."""
    if not clicks:
        raise PreventUpdate
    if not territories or not rep:
        return no_update, "Choose field territories and an overlay rep first."
    version = int((shown or {}).get("version", 0))
    try:
        done = overlay.assign_territories(
            database_url(), int(scenario["id"]), [str(t) for t in territories], str(rep), version
        )
    except StaleVersionError:
        return {
            "version": -1
        }, "Someone changed the overlay meanwhile: it now shows the current one."
    except HexalignError as err:
        return no_update, str(err)
    kept = f"; {done.kept_locked} locked cells kept" if done.kept_locked else ""
    return {"version": done.state.version}, f"{done.moved:,} overlay cells to {rep}{kept}."


@callback(
    Output(Ids.OVERLAY_DOWNLOAD, "data"),
    Input(Ids.OVERLAY_EXPORT, "n_clicks"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def download(clicks: int | None, scenario: Payload) -> dict[str, Any]:
    """The overlay layer as a workbook."""
    if not clicks:
        raise PreventUpdate
    filename, blob = overlay.overlay_file(database_url(), int(scenario["id"]), "xlsx")
    return dcc.send_bytes(blob, filename)


@callback(
    Output(Ids.MAP_LAYER_BOX, "hidden"),
    Output(Ids.MAP_LAYER, "value"),
    Input(Ids.SCENARIO, "data"),
    State(Ids.MAP_LAYER, "value"),
)
def layer_switch(scenario: Payload, layer: str | None) -> tuple[bool, str | NoUpdate]:
    """Issue 15 overlay: the map's layer switch, shown only when the team has overlay reps."""
    shown = overlay.has_overlay_layer(database_url(), int(scenario["id"]))
    keep = layer if shown and layer in ("field", "overlay") else "field"
    return not shown, no_update if keep == layer else keep
