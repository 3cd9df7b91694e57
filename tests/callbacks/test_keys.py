"""The "[" / "]" keys' payload (issue 16 point 4)."""

from __future__ import annotations

import pytest
from dash.exceptions import PreventUpdate

from callbacks.keys import step_of


def test_step_of_takes_minus_one_or_one_only():
    assert step_of({"step": 1, "t": 5}) == 1 and step_of({"step": -1}) == -1
    for bad in (None, {}, {"step": 2}, {"step": "1"}):
        with pytest.raises(PreventUpdate):
            step_of(bad)
