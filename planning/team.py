"""Editing the team: a rep added, removed or changed, and the plan carried over by rep_id.

Reps are positions inside the core (``market.rep_ids`` order), and a new team
may sort differently, so a plan moves to a new team by ``rep_id``
(``carried_owner``): same rep, same cells; a removed rep's cells become
unassigned (-1), never lost. Accounts whose last owner left the team lose
that owner (``accounts_for_team``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planning.edit_values import EditError, number, signed
from planning.market import UNASSIGNED
from planning.matching import MatchingError, experience_of

REP_FIELDS = ("rep_id", "name", "home_lat", "home_lon", "capacity_hours")
"""The columns every rep has (the add-a-rep form asks for them)."""
GROUP_FIELDS = ("region", "district")
"""Issue 14: where a rep sits in the hierarchy (optional; ``planning.hierarchy``)."""
EXPERIENCE_FIELD = "experience"
"""Issue 15: a rep's experience level (optional; ``planning.matching.Experience``)."""
EDITOR_FIELDS = (*REP_FIELDS, *GROUP_FIELDS, EXPERIENCE_FIELD)
"""The columns of the team a person edits."""


def carried_owner(
    owner: np.ndarray, old_rep_ids: Iterable[str], new_rep_ids: Iterable[str]
) -> np.ndarray:
    """Cell owners as positions of the new team: same rep_id, same cells; gone reps -> -1."""
    old = np.asarray([str(r) for r in old_rep_ids], dtype=object)
    new_index = pd.Index([str(r) for r in new_rep_ids])
    where = new_index.get_indexer(old) if len(old) else np.zeros(0, np.int64)
    owner = np.asarray(owner, dtype=np.int64)
    lookup = np.append(where, UNASSIGNED)  # owner -1 reads the last slot
    return lookup[np.where(owner >= 0, owner, len(where))].astype(np.int64)


def accounts_for_team(accounts: pd.DataFrame, rep_ids: Iterable[str]) -> tuple[pd.DataFrame, int]:
    """Accounts whose last owner is outside the team lose that owner (and their pin).

    Returns the accounts and how many lost their owner.
    """
    if "rep_id" not in accounts.columns:
        return accounts, 0
    known = set(map(str, rep_ids))
    owner = accounts["rep_id"].astype("string")
    gone = (owner.notna() & ~owner.isin(known)).to_numpy(bool)
    if not gone.any():
        return accounts, 0
    out = accounts.copy()
    out["rep_id"] = owner.mask(gone)
    if "pinned" in out.columns:
        out["pinned"] = out["pinned"].fillna(False).astype(bool) & ~gone
    return out, int(gone.sum())


def team_rows(rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """The team table's rows as text cells, the way a reps file arrives (to be checked like one)."""
    if not rows:
        raise EditError("the team needs at least one rep")
    return pd.DataFrame(
        [{f: "" if r.get(f) is None else str(r.get(f)) for f in EDITOR_FIELDS}
         for r in rows]
    )  # fmt: skip


def new_rep_row(values: Mapping[str, object], taken: Iterable[str]) -> dict[str, object]:
    """A row for the team table from the "add a rep" form, or one sentence saying why not."""
    rep_id = str(values.get("rep_id") or "").strip()
    if not rep_id:
        raise EditError("a new rep needs a rep id")
    if rep_id in set(map(str, taken)):
        raise EditError(f"rep id {rep_id!r} is taken; pick another")
    lat = signed(values.get("home_lat"), "home lat")
    lon = signed(values.get("home_lon"), "home lon")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise EditError(f"home {lat:g}, {lon:g} is not a latitude, longitude pair")
    capacity = number(values.get("capacity_hours"), "capacity")
    if capacity <= 0:
        raise EditError(f"capacity must be above zero, got {capacity:g}")
    name = str(values.get("name") or "").strip() or rep_id
    typed = {f: str(values.get(f) or "").strip() for f in GROUP_FIELDS}
    groups = {f: v for f, v in typed.items() if v}  # issue 14: only when given
    level = str(values.get(EXPERIENCE_FIELD) or "").strip()  # issue 15: only when given
    if level:
        try:
            groups[EXPERIENCE_FIELD] = experience_of(level).key
        except MatchingError as err:
            raise EditError(str(err)) from None
    return {"rep_id": rep_id, "name": name, "home_lat": lat, "home_lon": lon,
            "capacity_hours": capacity, **groups}  # fmt: skip


@dataclass(frozen=True)
class TeamChanges:
    """What differs between two teams, by rep_id."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    capacity: tuple[tuple[str, float, float], ...]
    moved: tuple[str, ...]
    renamed: tuple[str, ...]
    regrouped: tuple[str, ...] = ()
    """Reps whose region or district changed (issue 14)."""
    reskilled: tuple[str, ...] = ()
    """Reps whose experience level changed (issue 15)."""

    def __bool__(self) -> bool:
        return any(
            (
                self.added,
                self.removed,
                self.capacity,
                self.moved,
                self.renamed,
                self.regrouped,
                self.reskilled,
            )
        )

    def text(self) -> str:
        """The changes in words."""
        parts = []
        if self.added:
            parts.append("added " + ", ".join(self.added))
        if self.removed:
            parts.append("removed " + ", ".join(self.removed))
        parts += [f"{r} capacity {a:,.0f} → {b:,.0f} h/yr" for r, a, b in self.capacity]
        if self.moved:
            parts.append("new home for " + ", ".join(self.moved))
        if self.renamed:
            parts.append("renamed " + ", ".join(self.renamed))
        if self.regrouped:
            parts.append("new region or district for " + ", ".join(self.regrouped))
        if self.reskilled:
            parts.append("new experience level for " + ", ".join(self.reskilled))
        return "; ".join(parts) or "no change"


def team_changes(old: pd.DataFrame, new: pd.DataFrame) -> TeamChanges:
    """Added, removed and edited reps, in rep_id order."""
    a = old.set_index(old["rep_id"].astype(str))
    b = new.set_index(new["rep_id"].astype(str))
    both = [r for r in b.index if r in a.index]
    capacity = tuple(
        (r, float(a.loc[r, "capacity_hours"]), float(b.loc[r, "capacity_hours"]))
        for r in both
        if not np.isclose(a.loc[r, "capacity_hours"], b.loc[r, "capacity_hours"])
    )
    moved = tuple(
        r
        for r in both
        if not (
            np.isclose(a.loc[r, "home_lat"], b.loc[r, "home_lat"])
            and np.isclose(a.loc[r, "home_lon"], b.loc[r, "home_lon"])
        )
    )
    renamed = tuple(r for r in both if str(a.loc[r, "name"]) != str(b.loc[r, "name"]))
    regrouped = tuple(
        r for r in both if any(_group(a, r, f) != _group(b, r, f) for f in GROUP_FIELDS)
    )
    reskilled = tuple(
        r for r in both if _group(a, r, EXPERIENCE_FIELD) != _group(b, r, EXPERIENCE_FIELD)
    )  # issue 15
    return TeamChanges(
        added=tuple(r for r in b.index if r not in a.index),
        removed=tuple(r for r in a.index if r not in b.index),
        capacity=capacity,
        moved=moved,
        renamed=renamed,
        regrouped=regrouped,
        reskilled=reskilled,
    )


def _group(team: pd.DataFrame, rep: str, field: str) -> str:
    """A rep's region or district as text ("" when the team has none)."""
    if field not in team.columns:
        return ""
    value = team.loc[rep, field]
    return "" if value is None or pd.isna(value) else str(value).strip()
