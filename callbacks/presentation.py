"""Issue 16 callbacks: level badge, before/after flip, pictures for the deck.

Presentation mode itself is a class toggled in the browser (assets/hexalign.meeting.js):
the server keeps no state for it, so leaving restores the working view exactly.
"""

from __future__ import annotations

from typing import Any

from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    no_update,
)
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from common.errors import PlanError, ScenarioNotFoundError
from layouts.i18n import tr
from layouts.ids import Ids
from layouts.presentation import flip_text, level_text, scenario_choices
from services import before_after, pictures

Payload = dict[str, Any]
MEETING_NAMESPACE = "hexalignMeeting"
PICTURE_BUTTONS = {Ids.PICTURE_PNG: "png", Ids.PICTURE_PDF: "pdf", Ids.PICTURE_REPS: "rep-pdf"}


@callback(
    Output(Ids.LEVEL_BADGE, "children"),
    Input(Ids.VIEW, "data"),
    State(Ids.RESOLUTION, "value"),
)
def level_badge(view: Payload | None, resolution: int | None) -> str:
    """How many plan cells one drawn hexagon is (display level L draws res - L parents)."""
    if not view or view.get("level") is None or resolution is None:
        raise PreventUpdate
    level = int(view["level"])
    return level_text(int(resolution), int(resolution) - level)


@callback(
    Output(Ids.BEFORE, "options"),
    Output(Ids.BEFORE, "value"),
    Output(Ids.AFTER, "options"),
    Output(Ids.AFTER, "value"),
    Input(Ids.SCENARIO, "data"),
    State(Ids.BEFORE, "value"),
    State(Ids.AFTER, "value"),
)
def pair_choices(
    scenario: Payload | None, before: int | None, after: int | None
) -> tuple[Any, ...]:
    """The scenarios one may flip between; by default the baseline before, this one after."""
    try:
        sid = int((scenario or {})["id"])
        choices, baseline = before_after.pairable(database_url(), sid)
    except (KeyError, TypeError, ValueError, ScenarioNotFoundError):
        raise PreventUpdate from None
    ids = [i for i, _ in choices]
    options = scenario_choices(choices)
    if before in ids and after in ids and sid in (before, after):
        return options, no_update, options, no_update  # flipping: keep the pair
    new_before = baseline if baseline is not None and baseline != sid else (ids[0] if ids else None)
    return options, new_before, options, sid


@callback(
    Output(Ids.SCENARIO, "data", allow_duplicate=True),
    Output(Ids.FLIP_OUTLINE, "data"),
    Output(Ids.FLIP_STATUS, "children"),
    Input(Ids.FLIP, "n_clicks"),
    State(Ids.BEFORE, "value"),
    State(Ids.AFTER, "value"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def flip(
    _clicks: int | None, before: int | None, after: int | None, scenario: Payload | None
) -> tuple[Any, ...]:
    """Show the other scenario of the pair; outline the cells that change owner."""
    if before is None or after is None or not scenario:
        raise PreventUpdate
    if before == after:
        return no_update, None, tr("Pick two different scenarios to flip between.")
    try:
        result = before_after.flip(database_url(), int(before), int(after), int(scenario["id"]))
    except PlanError as err:
        return no_update, None, tr("Cannot flip: {error}.").format(error=err)
    except ScenarioNotFoundError:
        raise PreventUpdate from None
    outline = {"geometry": result.geometry, "cells": result.changed, "key": result.shown}
    return ({"id": result.shown}, outline,
            flip_text(result.shown_name, result.other_name, result.changed))  # fmt: skip


clientside_callback(
    ClientsideFunction(MEETING_NAMESPACE, "flipOutline"),
    Output(Ids.FLIP_SHOWN, "data"),
    Input(Ids.FLIP_OUTLINE, "data"),
    prevent_initial_call=True,
)

clientside_callback(  # locked cells keep their thick outline after a lock or an unlock
    ClientsideFunction(MEETING_NAMESPACE, "lockLines"),
    Output(Ids.LEVEL_BADGE, "title"),
    Input(Ids.PAINT, "data"),
    prevent_initial_call=True,
)


@callback(
    Output(Ids.PICTURE_DOWNLOAD, "data"),
    Input(Ids.PICTURE_PNG, "n_clicks"),
    Input(Ids.PICTURE_PDF, "n_clicks"),
    Input(Ids.PICTURE_REPS, "n_clicks"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def download_picture(
    _png: int | None, _pdf: int | None, _reps: int | None, scenario: Payload | None
) -> dict[str, Any]:
    """The current scenario as a 16:9 PNG or PDF slide, or the per-rep hand-out PDF."""
    fmt = PICTURE_BUTTONS.get(Ids(str(ctx.triggered_id))) if ctx.triggered_id else None
    if fmt is None or not scenario:
        raise PreventUpdate
    picture = pictures.scenario_picture(database_url(), int(scenario["id"]), fmt)
    return dcc.send_bytes(picture.content, picture.filename)
