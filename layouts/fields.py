"""Labelled form fields the tabs share.

Every percentage threshold in the tabs is the same control: a label, a number box that
accepts decimals, commits on Enter or blur (``debounce``) so a half-typed value never
recomputes a table, and a fixed width so the toolbar does not jump while typing.
"""

from __future__ import annotations

from dash import dcc, html


def percent_field(
    label: str,
    field_id: str,
    *,
    value: float | None = None,
    upper: float | None = 100,
) -> html.Label:
    """A labelled percentage box bounded to 0..``upper`` (``None``: no upper bound)."""
    box = dcc.Input(
        id=field_id,
        type="number",
        value=value,
        step="any",
        debounce=True,
        style={"width": "5rem"},
        min=0,
        max=upper,
    )
    return html.Label([label + " ", box])
