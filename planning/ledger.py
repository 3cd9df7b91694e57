"""The impact ledger of a meeting's moves (issue 17 point 3): who gained and lost what.

Two plans of one market, the one at the mark (when the scenario was opened, or a point the
user marked) and the current one, are compared cell by cell: every cell that changed owner
is counted as lost by its old owner and gained by its new one, in accounts, TAM, revenue and
workload hours (visits plus the travel each owner would owe for it). Targets, where a rule
gives them, are shown before and after. Key accounts (A segment, pinned, or in the top TAM
decile) that changed hands are named, from whom to whom. Pure: the store's log is read by
``services.ledger``, which rebuilds the plan at the mark.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planning.market import SECONDS_PER_HOUR, UNASSIGNED, Market
from planning.plan import Plan

UNASSIGNED_NAME = "Unassigned"
KEY_DECILE = 0.9
"""Accounts with TAM at or above this quantile of the planned accounts' TAM are key accounts."""

REP_COLUMNS = (
    "rep_id", "name", "accounts_gained", "accounts_lost", "accounts_net", "tam_gained",
    "tam_lost", "tam_net", "revenue_gained", "revenue_lost", "revenue_net",
    "workload_hours_gained", "workload_hours_lost", "workload_hours_net",
    "target_before", "target_after",
)  # fmt: skip
KEY_COLUMNS = ("account_id", "name", "segment", "tam", "revenue", "why", "from_rep", "to_rep")


@dataclass(frozen=True, eq=False)
class Ledger:
    """Per-rep gains and losses (``reps``, columns ``REP_COLUMNS``) and the key accounts moved.

    ``cells`` counts the cells whose owner differs between the two plans; the "Unassigned"
    row appears only when cells came from or went to nobody.
    """

    reps: pd.DataFrame
    key_accounts: pd.DataFrame
    cells: int
    accounts: int


def impact_ledger(
    before: Plan,
    after: Plan,
    targets_before: np.ndarray | None = None,
    targets_after: np.ndarray | None = None,
) -> Ledger:
    """What changed hands between ``before`` and ``after`` (one market), per rep.

    ``targets_*`` are per-rep targets in money (rep order), or None where no rule gives them.
    """
    m = after.market
    changed = np.flatnonzero(before.owner != after.owner)
    old, new = before.owner[changed], after.owner[changed]
    slots = m.n_reps + 1

    def per_slot(owner: np.ndarray, values: np.ndarray) -> np.ndarray:
        out = np.zeros(slots, np.int64)
        np.add.at(out, owner + 1, values.astype(np.int64))
        return out

    def work(owner: np.ndarray) -> np.ndarray:
        travel = np.where(owner >= 0, m.travel_s[changed, np.maximum(owner, 0)], 0)
        return m.cell_visit_s[changed] + travel

    figures = {}
    for name, values in (("accounts", m.cell_accounts[changed]), ("tam", m.cell_tam[changed]),
                         ("revenue", m.cell_revenue[changed])):  # fmt: skip
        figures[f"{name}_gained"] = per_slot(new, values)
        figures[f"{name}_lost"] = per_slot(old, values)
    figures["workload_hours_gained"] = per_slot(new, work(new))
    figures["workload_hours_lost"] = per_slot(old, work(old))
    rows = pd.DataFrame(
        {
            "rep_id": [UNASSIGNED_NAME, *m.rep_ids.tolist()],
            "name": [UNASSIGNED_NAME, *m.reps["name"].astype(str).tolist()],
        }
    )
    for name in ("accounts", "tam", "revenue", "workload_hours"):
        scale = {"accounts": 1, "tam": 100.0, "revenue": 100.0}.get(name, SECONDS_PER_HOUR)
        gained, lost = figures[f"{name}_gained"], figures[f"{name}_lost"]
        rows[f"{name}_gained"] = gained / scale if scale != 1 else gained
        rows[f"{name}_lost"] = lost / scale if scale != 1 else lost
        rows[f"{name}_net"] = rows[f"{name}_gained"] - rows[f"{name}_lost"]
    rows["target_before"] = _with_unassigned(targets_before, slots)
    rows["target_after"] = _with_unassigned(targets_after, slots)
    keep = np.ones(slots, bool)
    keep[0] = bool(figures["accounts_gained"][0] or figures["accounts_lost"][0]
                   or (old == UNASSIGNED).any() or (new == UNASSIGNED).any())  # fmt: skip
    reps = rows[keep].reset_index(drop=True)[list(REP_COLUMNS)]
    keys = key_accounts_moved(before, after)
    return Ledger(reps, keys, len(changed), int(m.cell_accounts[changed].sum()))


def _with_unassigned(targets: np.ndarray | None, slots: int) -> list[float]:
    """Targets by slot (nobody has a target when unassigned; NaN throughout without a rule)."""
    if targets is None:
        return [np.nan] * slots
    return [np.nan, *np.asarray(targets, np.float64).tolist()]


def key_accounts_moved(before: Plan, after: Plan) -> pd.DataFrame:
    """Key accounts (A segment, pinned, top TAM decile) whose owner differs: from whom to whom.

    Issue 18: the ledger follows every move, so only the accounts that moved are looked
    at (no per-account pandas access; the decile cut is kept per market): at 1M accounts a
    500-cell move took 0.7 s here before.
    """
    m = after.market
    a, b = before.account_owner(), after.account_owner()
    moved = np.flatnonzero(a != b)
    accounts = m.accounts
    tam_all = _account_tam(m)
    cut = _key_tam_cut(m)
    tam = tam_all[moved]
    seg = accounts["segment"].iloc[moved].astype(str).to_numpy()
    hits = np.stack([seg == "A", m.account_pinned[moved], tam >= cut], axis=1)
    key = hits.any(axis=1)
    if not key.any():
        frame = pd.DataFrame([], columns=list(KEY_COLUMNS))
        return frame.sort_values("tam", ascending=False, kind="stable").reset_index(drop=True)
    rows, hits = moved[key], hits[key]
    labels = ("A segment", "pinned", "top TAM decile")
    names = accounts["name"].iloc[rows].astype(str).tolist() if "name" in accounts else None
    frame = pd.DataFrame(
        {
            "account_id": [str(v) for v in accounts["account_id"].iloc[rows].tolist()],
            "name": names if names is not None else [""] * len(rows),
            "segment": seg[key].tolist(),
            "tam": tam[key],
            "revenue": accounts["revenue"].iloc[rows].to_numpy(np.float64),
            "why": [", ".join(t for t, hit in zip(labels, h, strict=True) if hit)
                    for h in hits.tolist()],
            "from_rep": [_rep(m.rep_ids, int(r)) for r in a[rows].tolist()],
            "to_rep": [_rep(m.rep_ids, int(r)) for r in b[rows].tolist()],
        },
        columns=list(KEY_COLUMNS),
    )  # fmt: skip
    return frame.sort_values("tam", ascending=False, kind="stable").reset_index(drop=True)


def _account_tam(market: Market) -> np.ndarray:
    """Every account's TAM as floats (read-only), once per market."""
    return _tam_and_cut(market)[0]


def _key_tam_cut(market: Market) -> float:
    """The TAM at the top-decile cut of the market's accounts (inf without accounts)."""
    return _tam_and_cut(market)[1]


_TAM_AND_CUT: weakref.WeakKeyDictionary[Market, tuple[np.ndarray, float]]
_TAM_AND_CUT = weakref.WeakKeyDictionary()


def _tam_and_cut(market: Market) -> tuple[np.ndarray, float]:
    """Per market (kept as long as the market is): every account's TAM and the decile cut."""
    kept = _TAM_AND_CUT.get(market)
    if kept is None:
        tam = market.accounts["tam"].to_numpy(np.float64).copy()
        tam.flags.writeable = False
        cut = float(np.quantile(tam, KEY_DECILE)) if len(tam) else np.inf
        kept = _TAM_AND_CUT[market] = (tam, cut)
    return kept


def _rep(rep_ids: np.ndarray, position: int) -> str:
    return UNASSIGNED_NAME if position < 0 else str(rep_ids[position])


def mail_text(ledger: Ledger, title: str, since: str) -> str:
    """A short text for the follow-up mail: the net changes per rep and the key accounts."""
    lines = [f"{title}: changes since {since}", ""]
    if ledger.cells == 0:
        return "\n".join([*lines, "No territory changed hands."])
    lines.append(f"{ledger.cells:,} cells and {ledger.accounts:,} accounts changed hands.")
    for row in ledger.reps.itertuples(index=False):
        if not (row.accounts_gained or row.accounts_lost or row.workload_hours_gained
                or row.workload_hours_lost):  # fmt: skip
            continue
        text = (
            f"- {row.rep_id}: {row.accounts_net:+,} accounts "
            f"(+{row.accounts_gained:,} / -{row.accounts_lost:,}), "
            f"TAM {row.tam_net:+,.0f}, revenue {row.revenue_net:+,.0f}, "
            f"workload {row.workload_hours_net:+,.1f} h"
        )
        if row.target_before == row.target_before and row.target_after == row.target_after:
            text += f", target {row.target_before:,.0f} → {row.target_after:,.0f}"
        lines.append(text)
    if len(ledger.key_accounts):
        lines += ["", "Key accounts that change hands:"]
        for k in ledger.key_accounts.itertuples(index=False):
            lines.append(f"- {k.name or k.account_id} ({k.why}): {k.from_rep} → {k.to_rep}")
    return "\n".join(lines)
