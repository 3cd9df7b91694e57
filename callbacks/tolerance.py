"""The toolbar's tolerance field: a value outside its bounds is put back within them, and said.

The browser sends no number for a value outside the field's ``min``/``max`` (or
for no number at all); every callback reading the field uses the bounded value
(``callbacks.context.tolerance_share``), and this one shows it in the field with
one sentence (issue 12 point 7d).
"""

from __future__ import annotations

from dash import Input, Output, callback
from dash.exceptions import PreventUpdate

from layouts.bounds import TOLERANCE, check
from layouts.ids import Ids


@callback(
    Output(Ids.TOLERANCE, "value", allow_duplicate=True),
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Input(Ids.TOLERANCE, "value"),
    prevent_initial_call=True,
)
def check_tolerance(value: float | str | None) -> tuple[float, str]:
    """Put a tolerance outside 0.5-100 % (or no number) back within bounds, with a sentence."""
    checked = check(TOLERANCE, value)
    if checked.message is None:
        raise PreventUpdate
    return checked.value, checked.message
