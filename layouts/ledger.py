"""The meeting's impact ledger in the panel (issue 17 point 3).

Per rep: accounts, TAM, revenue, workload hours (and targets, where a rule gives them)
gained and lost since the mark, and the key accounts that changed hands; a button moves the
mark to now, others download the ledger as a sheet, and the mail text is shown to copy.
"""

from __future__ import annotations

import math
from typing import Any

from dash import dcc, html

from layouts.i18n import number, tr
from layouts.ids import Ids, ledger_export_id
from planning.ledger import Ledger

FORMATS = {"xlsx": "Download ledger (.xlsx)", "csv": "(.csv)"}
HEADERS = ("Rep", "Accounts +/−", "TAM +/−", "Revenue +/−", "Workload h +/−", "Target")


def ledger_panel() -> html.Section:
    """The empty section; ``callbacks.ledger`` fills it after every move and mark."""
    return html.Section(
        [
            html.H3(tr("Meeting ledger"), className="panel-heading"),
            html.P(id=Ids.LEDGER_SINCE, className="hint"),
            html.Button(tr("Mark now"), id=Ids.LEDGER_MARK_NOW, n_clicks=0,
                        title=tr("Count the ledger from this point on")),
            *(html.Button(tr(text), id=ledger_export_id(fmt), n_clicks=0)
              for fmt, text in FORMATS.items()),
            html.Div(id=Ids.LEDGER),
            html.Details([html.Summary(tr("Text for the mail")),
                          html.Pre(id=Ids.LEDGER_MAIL, className="ledger-mail")]),
            dcc.Store(id=Ids.LEDGER_MARK),
            dcc.Download(id=Ids.LEDGER_DOWNLOAD),
        ],
        className="ledger-panel",
    )  # fmt: skip


def _pm(gained: float, lost: float, money: bool = False, digits: int = 0) -> str:
    fmt = f",.{digits}f"
    net = gained - lost
    return f"{net:+{fmt}} (+{gained:{fmt}} / −{lost:{fmt}})" if (gained or lost) else "–"


def _target(before: float, after: float) -> str:
    if math.isnan(before) or math.isnan(after):
        return "–"
    return f"{before:,.0f} → {after:,.0f}" if before != after else f"{after:,.0f}"


def ledger_table(found: Ledger) -> list[Any]:
    """The per-rep table of reps that gained or lost something, and the key accounts' list."""
    if found.cells == 0:
        return [html.P(tr("No territory has changed hands since the mark."), className="hint")]
    rows = []
    for r in found.reps.itertuples(index=False):
        if not (r.accounts_gained or r.accounts_lost or r.workload_hours_gained
                or r.workload_hours_lost):  # fmt: skip
            continue
        cells = (
            r.rep_id, _pm(r.accounts_gained, r.accounts_lost), _pm(r.tam_gained, r.tam_lost),
            _pm(r.revenue_gained, r.revenue_lost),
            _pm(r.workload_hours_gained, r.workload_hours_lost, digits=1),
            _target(r.target_before, r.target_after),
        )  # fmt: skip
        rows.append(html.Tr([html.Td(c) for c in cells]))
    out: list[Any] = [
        html.P(tr("{cells} cells, {accounts} accounts changed hands.").format(
            cells=number(found.cells), accounts=number(found.accounts))),
        html.Table([html.Thead(html.Tr([html.Th(tr(h)) for h in HEADERS])), html.Tbody(rows)],
                   className="ledger-table"),
    ]  # fmt: skip
    keys = found.key_accounts
    if len(keys):
        out.append(html.P(tr("Key accounts that change hands:")))
        out.append(html.Ul([
            html.Li(f"{k.name or k.account_id} ({k.why}): {k.from_rep} → {k.to_rep}")
            for k in keys.head(20).itertuples(index=False)
        ], className="ledger-keys"))  # fmt: skip
        if len(keys) > 20:
            more = tr("… and {n} more in the download.").format(n=number(len(keys) - 20))
            out.append(html.P(more, className="hint"))
    return out
