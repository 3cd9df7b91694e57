"""Callbacks that run in the browser (assets/hexalign.js): selection shrinking and repainting.

The script reads the ids and customdata slots it needs from the page (``data-hexalign``,
written by layouts.main.browser_config), so these ids and the script's agree by construction.
"""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, clientside_callback

from layouts.ids import CLIENTSIDE_NAMESPACE, Ids

clientside_callback(
    ClientsideFunction(CLIENTSIDE_NAMESPACE, "reduceSelection"),
    Output(Ids.SELECTION, "data"),
    Input(Ids.MAP, "selectedData"),
    Input(Ids.MAP, "clickData"),
    State(Ids.VIEW, "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(CLIENTSIDE_NAMESPACE, "paint"),
    Output(Ids.PAINTED, "data"),
    Input(Ids.PAINT, "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(CLIENTSIDE_NAMESPACE, "trackRep"),
    Output(Ids.REP_KEYS, "title"),
    Input(Ids.REP_PICKER, "value"),
)

# Issue 18: what follows a move (the ledger, the suggestions, an open section) waits until the map
# has painted it, so that it neither delays nor competes with the paint; with every section
# closed, the sections' callbacks get no request at all (SECTION_VERSION is left as it is).
# At load it runs too (point 1: the layout holds the first version) and waits for the first map.
clientside_callback(
    ClientsideFunction(CLIENTSIDE_NAMESPACE, "settleVersion"),
    Output(Ids.SETTLED_VERSION, "data"),
    Output(Ids.SECTION_VERSION, "data"),
    Input(Ids.VERSION, "data"),
    State(Ids.PAINT, "data"),
    State(Ids.SECTIONS, "value"),
)
