"""Account owners as CRMs write them, matched to reps (issue 11, point 6).

A CRM export names an account's owner as a person (Salesforce report "Account
Owner" = ``Anna Nowak``, HubSpot "Company owner" = a name or
``anna.nowak@firma.pl``) or as a user id (Salesforce API ``OwnerId`` =
``0055g00000AbCdEAAV``), never as our ``rep_id``. ``Owners`` holds what names
a rep (the reps file's ``rep_id``, ``name`` and the optional ``email`` and
``crm_user_id``) and ``match_owners`` turns each owner cell into a ``rep_id``:

1. the cell is a ``rep_id`` (exactly, as before issue 11): that rep;
2. otherwise every rep the cell names by CRM user id (exactly; a Salesforce
   18-character id also matches its 15-character form), by e-mail
   (case-insensitively) or by name (case-, accent-, space- and
   punctuation-insensitively: ``ANNA NOWAK`` = ``Anna  Nowak``; ``Łukasz`` =
   ``Lukasz``) is a candidate. One candidate: that rep. None: the owner is
   unmatched. Two or more (two reps called Anna Nowak): the owner is
   ambiguous, and the reason names the reps.

Nothing is guessed: an unmatched or ambiguous owner is an error on its row in
the import report, where the user fixes its ``rep_id`` or excludes the row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.mapping import normalise_name

SALESFORCE_SHORT_ID = 15
SALESFORCE_LONG_ID = 18


@dataclass(frozen=True)
class Owners:
    """The reps as an account's owner may be written: ids, names, e-mails, CRM user ids.

    Iterating yields the rep ids, so an ``Owners`` goes wherever a list of
    known rep ids went before (``ImportOptions.rep_ids``).
    """

    rep_ids: tuple[str, ...]
    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    crm_user_ids: tuple[str, ...] = ()
    """Same length as ``rep_ids`` (when given); ``""`` where a rep has none."""

    def __iter__(self) -> Iterator[str]:
        return iter(self.rep_ids)

    def __len__(self) -> int:
        return len(self.rep_ids)

    @classmethod
    def from_reps(cls, reps: pd.DataFrame) -> Owners:
        """The directory of a validated reps frame (``email``, ``crm_user_id`` optional)."""

        def column(name: str) -> tuple[str, ...]:
            if name not in reps.columns:
                return ("",) * len(reps)
            values = reps[name].astype("string").fillna("").str.strip()
            return tuple(values.tolist())

        return cls(column("rep_id"), column("name"), column("email"), column("crm_user_id"))

    @property
    def by_person(self) -> bool:
        """Whether owners may be given by name, e-mail or CRM id (not only by rep id)."""
        return any(self.names) or any(self.emails) or any(self.crm_user_ids)

    def candidates(self, owner: str) -> tuple[list[int], str]:
        """Positions of the reps ``owner`` names (not as a rep id), and how it named them."""
        found: dict[int, str] = {}
        key = normalise_name(owner)
        folded = owner.casefold()
        for i in range(len(self.rep_ids)):
            crm = self.crm_user_ids[i] if self.crm_user_ids else ""
            if crm and _same_crm_id(crm, owner):
                found.setdefault(i, "CRM user id")
            email = self.emails[i] if self.emails else ""
            if email and email.casefold() == folded:
                found.setdefault(i, "e-mail")
            name = self.names[i] if self.names else ""
            if key and normalise_name(name) == key:
                found.setdefault(i, "name")
        how = ", ".join(sorted(set(found.values())))
        return sorted(found), how


def _same_crm_id(known: str, given: str) -> bool:
    """Exact, or a Salesforce 18-character id and its 15-character (case-sensitive) form."""
    if known == given:
        return True
    short, long_ = sorted((known, given), key=len)
    return (
        len(short) == SALESFORCE_SHORT_ID
        and len(long_) == SALESFORCE_LONG_ID
        and long_[:SALESFORCE_SHORT_ID] == short
    )


@dataclass(frozen=True)
class OwnerMatch:
    """Each owner cell as a rep id, and the cells that named no rep or several."""

    rep_id: pd.Series
    """``string``: the matched rep id; the cell as given where unmatched or ambiguous."""
    unmatched: np.ndarray
    ambiguous: np.ndarray
    reason: np.ndarray
    """Per row, why an ambiguous owner is (``"matches reps R1 and R4 by name"``)."""


def match_owners(owner: pd.Series, known: Iterable[str]) -> OwnerMatch:
    """Match owner cells (``string`` with <NA> for none) to reps; see the module docstring.

    ``known`` is an ``Owners``, or plain rep ids (then only rule 1 applies,
    as before issue 11). Distinct values are matched once, so a million
    accounts owned by forty people cost forty look-ups.
    """
    owners = known if isinstance(known, Owners) else Owners(tuple(str(r).strip() for r in known))
    ids = {r: r for r in owners.rep_ids}
    resolved: dict[str, str] = {}
    ambiguous: dict[str, str] = {}
    for value in owner.dropna().unique().tolist():
        value = str(value)
        if value in ids:
            resolved[value] = value
            continue
        if not owners.by_person:
            continue
        positions, how = owners.candidates(value.strip())
        if len(positions) == 1:
            resolved[value] = owners.rep_ids[positions[0]]
        elif positions:
            listed = [owners.rep_ids[p] for p in positions]
            ambiguous[value] = f"matches reps {', '.join(listed[:-1])} and {listed[-1]} by {how}"
    codes, uniques = pd.factorize(owner.astype(object), use_na_sentinel=True)
    present = codes >= 0
    values = [str(u) for u in uniques]
    per_value = np.array([resolved.get(v, v) for v in values] + [None], dtype=object)
    matched = np.array([v in resolved for v in values] + [False], dtype=bool)
    unclear = np.array([v in ambiguous for v in values] + [False], dtype=bool)
    why = np.array([ambiguous.get(v, "") for v in values] + [""], dtype=object)
    # code -1 (no owner) indexes the last, appended entry
    return OwnerMatch(
        rep_id=pd.Series(pd.array(per_value[codes], dtype="string"), index=owner.index),
        unmatched=present & ~matched[codes] & ~unclear[codes],
        ambiguous=unclear[codes],
        reason=why[codes],
    )
