"""The panel's repair suggestions (issue 17 point 1): up to five buttons, one per repair.

Each button says from whom to whom and what the repair does (worst deviation, contiguity,
travel, accounts); a click, or Enter (``assets/hexalign.js``: the first one when nothing
else has the focus, or the focused one), applies it as an ordinary, undoable move.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from layouts.i18n import tr
from layouts.ids import Ids, suggestion_button_id
from planning.suggestions import Suggestion

EMPTY = "No small repair improves the worst deviation now."


def suggestions_panel() -> html.Section:
    """The empty section; ``callbacks.suggestions`` fills it after every move."""
    return html.Section(
        [
            html.H3(tr("Suggested repairs"), className="panel-heading"),
            html.P(tr("Enter applies the first; each is one undoable move."), className="hint"),
            html.Div(id=Ids.SUGGESTIONS, className="suggestions"),
            dcc.Store(id=Ids.SUGGESTIONS_DATA),
        ],
        className="suggestions-panel",
    )


def suggestion_buttons(found: list[Suggestion]) -> list[Any]:
    """One button per suggestion (best first), or a sentence saying there is none."""
    if not found:
        return [html.P(tr(EMPTY), className="hint")]
    return [
        html.Button(
            s.describe(),
            id=suggestion_button_id(i),
            n_clicks=0,
            className="suggestion",
            title=tr("Give {n} boundary cells from {giver} to {receiver}").format(
                n=len(s.cells), giver=s.giver_id, receiver=s.receiver_id
            ),
        )  # fmt: skip
        for i, s in enumerate(found)
    ]


def suggestion_data(version: int, found: list[Suggestion]) -> dict[str, Any]:
    """What a click needs to apply a suggestion: its cells and receiver, and the version seen."""
    return {
        "version": version,
        "items": [{"cells": list(s.cells), "receiver": s.receiver_id} for s in found],
    }
