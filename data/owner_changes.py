"""Back into the CRM: the accounts whose owner a plan changes (issue 11, point 9).

Three files, one table (``owner_changes``): only the accounts whose owner under
the plan differs from their owner in the imported data (the baseline: last
quarter's owner, ``rep_id`` of the accounts file), each with the old and the new
owner as rep id, name, e-mail and CRM user id.

- ``owner-changes`` (readable CSV): every changed account, headers a person
  reads; text neutralised against spreadsheet formulas like every other export
  (``data.exports.neutralise``: a leading ``'``).
- ``owner-changes-salesforce``: ``Id,OwnerId``, the columns Salesforce's Data
  Loader (and ``sf data update bulk``) maps by itself on an Account update;
  ``OwnerId`` is the new owner's ``crm_user_id``.
- ``owner-changes-hubspot``: ``Record ID,Company owner``, the columns HubSpot's
  companies import matches by itself (the record id updates the existing
  company; the owner is given by the user's e-mail).

Formula characters in the CRM files
-----------------------------------
A CRM stores what the file says: an apostrophe put before ``=HYPERLINK(...)``
for a spreadsheet's sake would arrive in the CRM as part of the id or the
e-mail. So the CRM files are never escaped; instead they are *refused* when a
value in them begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return,
with a message naming every such row (its line in the file, the account id and
the column). Salesforce ids, HubSpot record ids and real e-mail addresses never
begin so; a value that does is a data error to fix in the CRM or the reps file.
They are refused too when a changed account has no new owner (an unassigned
cell: a CRM record needs an owner) or its new owner has no ``crm_user_id`` /
``email``: a file the CRM would half-load is worse than none.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from common.errors import PlanError
from data.exports import OWNER_CHANGE_FORMATS
from data.formulas import FORMULA_STARTS, neutralise_frame, unneutralise
from planning.plan import Plan

__all__ = ["OWNER_CHANGE_FORMATS", "owner_changes", "read_owner_changes", "write_owner_changes"]

_SIDES = ("old", "new")
_PERSON = ("rep_id", "name", "email", "crm_user_id")
COLUMNS = ("account_id", "account_name") + tuple(f"{s}_{p}" for s in _SIDES for p in _PERSON)
HEADERS = {
    "account_id": "Account ID",
    "account_name": "Account name",
    **{
        f"{side}_{part}": f"{side.capitalize()} owner {label}"
        for side in _SIDES
        for part, label in zip(_PERSON, ("rep ID", "name", "e-mail", "CRM user ID"), strict=True)
    },
}
SALESFORCE_COLUMNS = ("Id", "OwnerId")
HUBSPOT_COLUMNS = ("Record ID", "Company owner")


def owner_changes(plan: Plan) -> pd.DataFrame:
    """One row per account whose owner the plan changes, in account order.

    Columns ``COLUMNS``, all ``string``; <NA> where there is no owner (an
    account without a last owner, or in an unassigned cell) or no e-mail/CRM id.
    """
    m = plan.market
    new = plan.account_owner()
    old = m.account_rep
    changed = np.flatnonzero(new != old)
    people = {part: _rep_column(m.reps, part) for part in _PERSON}
    acc = m.accounts
    out = {
        "account_id": acc["account_id"].astype(str).to_numpy()[changed],
        "account_name": acc["name"].astype(str).to_numpy()[changed],
    }
    for side, owner in (("old", old[changed]), ("new", new[changed])):
        for part, values in people.items():
            out[f"{side}_{part}"] = values[owner]  # position -1 -> the appended <NA>
    return pd.DataFrame({c: pd.array(v, dtype="string") for c, v in out.items()})


def _rep_column(reps: pd.DataFrame, column: str) -> np.ndarray:
    """A reps column as objects in rep order, with <NA> appended for "no owner" (-1)."""
    if column in reps.columns:
        values = reps[column].astype("string").replace("", pd.NA).to_numpy(dtype=object)
    else:
        values = np.full(len(reps), pd.NA, dtype=object)
    return np.append(values, [pd.NA])


def crm_table(changes: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """The two columns a CRM takes, or ``PlanError`` naming every row it would not take."""
    if fmt == "owner-changes-salesforce":
        columns, owner, what = SALESFORCE_COLUMNS, "new_crm_user_id", "crm_user_id"
    elif fmt == "owner-changes-hubspot":
        columns, owner, what = HUBSPOT_COLUMNS, "new_email", "email"
    else:
        raise ValueError(f"not a CRM format: {fmt!r}")
    table = pd.DataFrame(
        {columns[0]: changes["account_id"].astype(object),
         columns[1]: changes[owner].astype(object)}
    )  # fmt: skip
    problems = []
    for i, (account, rep, value) in enumerate(
        zip(changes["account_id"], changes["new_rep_id"], changes[owner], strict=True)
    ):
        line = i + 2  # the file's header is line 1
        if pd.isna(rep):
            problems.append(f"line {line} (account {account!r}): no new owner (unassigned)")
        elif pd.isna(value):
            problems.append(f"line {line} (account {account!r}): rep {rep!r} has no {what}")
        for column, cell in ((columns[0], account), (columns[1], value)):
            if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
                problems.append(
                    f"line {line} (account {account!r}): {column} {cell!r} begins with a "
                    "formula character"
                )
    if problems:
        raise PlanError(
            f"the {fmt} file was not written: "
            + "; ".join(problems)
            + ". A CRM stores what the file says, so these values are not escaped: fix them "
            "(or give the reps their CRM ids and e-mails) and export again; the readable "
            "owner-changes CSV lists every change."
        )
    return table


def write_owner_changes(plan: Plan, fmt: str, path: str | Path) -> Path:
    """Write one of ``OWNER_CHANGE_FORMATS`` as UTF-8 CSV with Unix line ends."""
    path = Path(path)
    changes = owner_changes(plan)
    if fmt == "owner-changes":
        table = neutralise_frame(changes.astype(object).rename(columns=HEADERS))
        table.to_csv(path, index=False, lineterminator="\n")
        return path
    table = crm_table(changes, fmt)
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def read_owner_changes(path: str | Path, fmt: str) -> pd.DataFrame:
    """Read a file ``write_owner_changes`` wrote back into its table (round trip).

    The readable CSV gives ``owner_changes``'s columns; a CRM file its two columns.
    """
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if fmt == "owner-changes":
        table = table.map(unneutralise).rename(columns={h: c for c, h in HEADERS.items()})
        return pd.DataFrame(
            {c: pd.array(table[c].replace("", pd.NA), dtype="string") for c in COLUMNS}
        )
    return table
