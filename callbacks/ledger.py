"""The meeting's ledger in the panel (issue 17 point 3): mark, refresh, download, mail text.

The mark is a position in the scenario's log kept in the page (``Ids.LEDGER_MARK``): set
when the page opens a scenario, and by "Mark now"; the ledger is refreshed after every move.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dash import Input, Output, State, callback, ctx, dcc
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from layouts.i18n import tr
from layouts.ids import Ids, ledger_export_id
from layouts.ledger import ledger_table
from services import ledger

Payload = dict[str, Any]


def keep_mark(trigger: object, scenario_id: int, mark: Payload | None) -> bool:
    """Whether the kept mark still holds: same scenario, and not "Mark now".

    >>> keep_mark("scenario-store", 3, {"scenario": 3, "seq": 5})
    True
    >>> keep_mark("scenario-store", 4, {"scenario": 3, "seq": 5})
    False
    >>> keep_mark("ledger-mark-now", 3, {"scenario": 3, "seq": 5})
    False
    """
    if trigger == Ids.LEDGER_MARK_NOW or mark is None:
        return False
    return bool(mark.get("scenario") == scenario_id)


@callback(
    Output(Ids.LEDGER_MARK, "data"),
    Input(Ids.SCENARIO, "data"),
    Input(Ids.LEDGER_MARK_NOW, "n_clicks"),
    State(Ids.LEDGER_MARK, "data"),
)
def set_mark(scenario: Payload | None, _clicks: int | None, mark: Payload | None) -> Payload:
    """Mark the log's current end when a scenario is opened, or when the user asks."""
    if not scenario:
        raise PreventUpdate
    sid = int(scenario["id"])
    if keep_mark(ctx.triggered_id, sid, mark):
        raise PreventUpdate
    what = "the mark" if ctx.triggered_id == Ids.LEDGER_MARK_NOW else "the scenario was opened"
    stamp = datetime.now(UTC).strftime("%H:%M UTC")
    return {"scenario": sid, "seq": ledger.current_mark(database_url(), sid),
            "label": f"{what} ({stamp})"}  # fmt: skip


@callback(
    Output(Ids.LEDGER, "children"),
    Output(Ids.LEDGER_SINCE, "children"),
    Output(Ids.LEDGER_MAIL, "children"),
    Input(Ids.SETTLED_VERSION, "data"),  # issue 18: once the map has painted the move
    Input(Ids.LEDGER_MARK, "data"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def refresh_ledger(
    _version: Payload | None, mark: Payload | None, scenario: Payload | None
) -> tuple[list[Any], str, str]:
    """The ledger since the mark, and the mail's text."""
    if not scenario or not mark or mark.get("scenario") != int(scenario["id"]):
        raise PreventUpdate
    url, sid, seq = database_url(), int(scenario["id"]), int(mark["seq"])
    found = ledger.ledger(url, sid, seq)
    since = str(mark.get("label") or tr("the mark"))
    return (
        ledger_table(found),
        tr("Since {mark}.").format(mark=since),
        ledger.mail_of(url, sid, found, since),
    )


@callback(
    Output(Ids.LEDGER_DOWNLOAD, "data"),
    Input(ledger_export_id(), "n_clicks"),
    State(Ids.LEDGER_MARK, "data"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def download_ledger(
    clicks: list[int | None], mark: Payload | None, scenario: Payload | None
) -> dict[str, Any]:
    """The ledger as the clicked sheet format."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(c for c in clicks if c) or not scenario or not mark:
        raise PreventUpdate
    name, blob = ledger.ledger_file(database_url(), int(scenario["id"]), int(mark["seq"]),
                                    str(trigger.get("fmt")))  # fmt: skip
    return dcc.send_bytes(blob, name)
