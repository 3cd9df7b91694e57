"""Callbacks that run in the browser (assets/hexalign.js): selection shrinking and repainting."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, clientside_callback

from layouts.ids import Ids

clientside_callback(
    ClientsideFunction("hexalign", "reduceSelection"),
    Output(Ids.SELECTION, "data"),
    Input(Ids.MAP, "selectedData"),
    Input(Ids.MAP, "clickData"),
    State(Ids.VIEW, "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("hexalign", "paint"),
    Output(Ids.PAINTED, "data"),
    Input(Ids.PAINT, "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("hexalign", "trackRep"),
    Output(Ids.REP_KEYS, "title"),
    Input(Ids.REP_PICKER, "value"),
)
