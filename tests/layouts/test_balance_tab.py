"""The Auto-balance tab's component tree builds (issue 15, h15d: the experience weight field)."""

from __future__ import annotations

from dash import dcc, html

from layouts.balance_tab import balance_panel
from layouts.bounds import EXPERIENCE_WEIGHT
from layouts.ids import Ids


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            yield from _walk(child)


def test_the_panel_holds_the_experience_weight_field_with_its_bounds():
    panel = balance_panel()
    found = {getattr(c, "id", None): c for c in _walk(panel)}
    field = found[Ids.BALANCE_EXPERIENCE]
    assert isinstance(field, dcc.Input)
    assert (field.value, field.min, field.max) == (0.0, EXPERIENCE_WEIGHT.low, 100.0)
    label = next(c for c in _walk(panel) if isinstance(c, html.Label)
                 and any(x is field for x in _walk(c)))  # fmt: skip
    assert "experienced or senior reps on contested ground" in label.title
