"""Matching reps to ground: experience levels, and who holds contested and stronghold ground.

Issue 15, section 4. A rep may carry an experience level (``new``, ``experienced``, ``senior``;
the reps file's optional ``experience`` column, editable in the team editor). The market-share
classes of the ground (``planning.share_classes``) say where the fight is: contested ground
(revenue, share below the base threshold) needs an experienced hand, a stable stronghold does
not need a senior one. So, per rep:

- how many accounts and how much TAM of contested and of stronghold ground the rep holds, and
  what share of the rep's accounts that is;
- a flag where a **new** rep's contested share, or a **senior** rep's stronghold share, is at
  least ``flag_share`` (25% unless given): that ground would suit another rep better.

The team's **fit** is the share of the contested accounts held by reps with a known level
whose owner is experienced or senior (1.0 = every contested account in experienced hands).
Counts are whole accounts from ``planning.market_share.class_sums`` (pinned accounts count for
their rep), so the figures add up exactly to the class breakdown. A rep without a level is
never flagged and does not enter the fit.

Pure: no file, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd

from common.errors import HexalignError
from planning.market_share import class_sums
from planning.plan import Plan
from planning.share_classes import ShareClass

EXPERIENCE_COLUMN = "experience"
FLAG_SHARE = 0.25
"""Share of a rep's accounts from which a mismatch is flagged."""
UNKNOWN = -1
"""The level code of a rep without a level."""


class MatchingError(HexalignError, ValueError):
    """An experience level that cannot be read (one sentence)."""


class Experience(IntEnum):
    """A rep's experience level; the value orders them (and is the code in arrays)."""

    NEW = 0
    EXPERIENCED = 1
    SENIOR = 2

    @property
    def key(self) -> str:
        """The lower-case name used in files and exports."""
        return self.name.lower()


LEVELS: tuple[str, ...] = tuple(e.key for e in Experience)
_SYNONYMS = {
    "junior": Experience.NEW, "trainee": Experience.NEW, "novice": Experience.NEW,
    "mid": Experience.EXPERIENCED, "intermediate": Experience.EXPERIENCED,
    "experienced": Experience.EXPERIENCED, "new": Experience.NEW,
    "senior": Experience.SENIOR, "lead": Experience.SENIOR, "expert": Experience.SENIOR,
}  # fmt: skip


def experience_of(text: object) -> Experience:
    """The level a typed or filed value names (``New``, ``senior``, ``junior`` ...).

    Raises ``MatchingError`` naming the levels when the value is none of them.
    """
    key = str(text).strip().lower()
    if key in _SYNONYMS:
        return _SYNONYMS[key]
    raise MatchingError(f"experience {text!r} is not one of {', '.join(LEVELS)}")


def rep_levels(reps: pd.DataFrame) -> np.ndarray:
    """Each rep's level code (``Experience`` value, ``UNKNOWN`` where not given), int64."""
    if EXPERIENCE_COLUMN not in reps.columns:
        return np.full(len(reps), UNKNOWN, np.int64)
    out = np.full(len(reps), UNKNOWN, np.int64)
    for i, v in enumerate(reps[EXPERIENCE_COLUMN].tolist()):
        if v is None or v is pd.NA or (isinstance(v, float) and v != v) or not str(v).strip():
            continue
        out[i] = int(experience_of(v))
    return out


@dataclass(frozen=True)
class Ground:
    """What each rep holds of contested and stronghold ground (arrays of length R)."""

    accounts: np.ndarray
    contested_accounts: np.ndarray
    contested_tam_cents: np.ndarray
    stronghold_accounts: np.ndarray
    stronghold_tam_cents: np.ndarray


def ground_of(accounts: np.ndarray, tam_cents: np.ndarray) -> Ground:
    """Per rep, from class sums ``(R + 1, classes)`` (slot 0 unassigned, as the tally has it)."""
    c, s = int(ShareClass.CONTESTED), int(ShareClass.STRONGHOLD)
    return Ground(
        accounts=accounts[1:].sum(axis=1),
        contested_accounts=accounts[1:, c],
        contested_tam_cents=tam_cents[1:, c],
        stronghold_accounts=accounts[1:, s],
        stronghold_tam_cents=tam_cents[1:, s],
    )


def flags(levels: np.ndarray, ground: Ground, flag_share: float = FLAG_SHARE) -> list[str]:
    """Per rep: "new on contested", "senior on strongholds" or ""."""
    out = []
    for i, level in enumerate(levels):
        held = int(ground.accounts[i])
        contested = held > 0 and ground.contested_accounts[i] >= flag_share * held
        stronghold = held > 0 and ground.stronghold_accounts[i] >= flag_share * held
        if level == Experience.NEW and contested:
            out.append("new on contested")
        elif level == Experience.SENIOR and stronghold:
            out.append("senior on strongholds")
        else:
            out.append("")
    return out


@dataclass(frozen=True)
class Fit:
    """How well experience matches ground, team-wide."""

    contested: int
    """Contested accounts held by reps with a known level."""
    experienced: int
    """Of those, held by experienced or senior reps."""
    flagged: int
    """Reps flagged."""

    @property
    def share(self) -> float | None:
        """Experienced share of contested accounts (None: none held by a rep with a level)."""
        return self.experienced / self.contested if self.contested else None

    def text(self) -> str:
        """The fit in words."""
        if self.share is None:
            return "no contested ground held by a rep with an experience level"
        return (
            f"{self.share:.0%} of contested accounts with experienced or senior reps "
            f"({self.experienced:,} of {self.contested:,}); {self.flagged} rep(s) flagged"
        )


def fit_of(levels: np.ndarray, ground: Ground, flag_share: float = FLAG_SHARE) -> Fit:
    """The team's fit: contested accounts in experienced hands, and how many reps are flagged."""
    known = levels != UNKNOWN
    contested = int(ground.contested_accounts[known].sum())
    experienced = int(ground.contested_accounts[levels >= Experience.EXPERIENCED].sum())
    flagged = sum(1 for f in flags(levels, ground, flag_share) if f)
    return Fit(contested, experienced, flagged)


def ground_table(
    rep_ids: list[str], names: list[str], levels: np.ndarray, ground: Ground,
    flag_share: float = FLAG_SHARE,
) -> pd.DataFrame:  # fmt: skip
    """One row per rep: level, contested and stronghold accounts, TAM and shares, flag."""
    held = np.maximum(ground.accounts, 1)
    return pd.DataFrame({
        "rep_id": rep_ids,
        "name": names,
        "experience": [Experience(int(v)).key if v != UNKNOWN else "" for v in levels],
        "accounts": ground.accounts,
        "contested_accounts": ground.contested_accounts,
        "contested_tam": ground.contested_tam_cents / 100.0,
        "contested_share": np.where(ground.accounts > 0, ground.contested_accounts / held, 0.0),
        "stronghold_accounts": ground.stronghold_accounts,
        "stronghold_tam": ground.stronghold_tam_cents / 100.0,
        "stronghold_share": np.where(ground.accounts > 0, ground.stronghold_accounts / held, 0.0),
        "matching_flag": flags(levels, ground, flag_share),
    })  # fmt: skip


# --- on a plan ------------------------------------------------------------------------------


def plan_ground(plan: Plan) -> Ground:
    """What each rep of ``plan`` holds of contested and stronghold ground."""
    sums = class_sums(plan)
    return ground_of(sums.accounts, sums.tam)


def matching_table(plan: Plan, flag_share: float = FLAG_SHARE) -> pd.DataFrame:
    """The per-rep table of ``plan`` (rep order): what the panel shows and the export holds."""
    m = plan.market
    return ground_table(
        [str(r) for r in m.rep_ids], m.reps["name"].astype(str).tolist(), rep_levels(m.reps),
        plan_ground(plan), flag_share,
    )  # fmt: skip


def plan_fit(plan: Plan, flag_share: float = FLAG_SHARE) -> Fit:
    """The team's fit under ``plan``."""
    return fit_of(rep_levels(plan.market.reps), plan_ground(plan), flag_share)


def fit_change_text(before: Plan, after: Plan) -> str | None:
    """The fit before and after a change of plan (auto-balance), in words.

    None when no rep has a level: there is nothing to say.
    """
    if not (rep_levels(before.market.reps) != UNKNOWN).any():
        return None
    a, b = plan_fit(before), plan_fit(after)
    return f"Experience fit before: {a.text()}; after: {b.text()}."


def experience_preference(plan: Plan, weight: float) -> np.ndarray | None:
    """What auto-balance adds, per (cell, rep), for a new rep holding contested ground.

    ``weight`` per contested account over the plan's accounts in cells: at 1, handing one
    contested account from a new rep to an experienced, senior or unlevelled one is worth
    about as much as the disruption term charges for moving one account
    (``Settings.disruption_weight`` 1, see ``planning.optimizer.score``), so the optimizer
    makes that trade only where balance and the other terms allow. The cost falls on new
    reps only, so the fit (contested accounts with experienced or senior reps) can only gain.

    None (the instance then is exactly as without the weight) when ``weight`` is 0, no rep
    is new or no cell is contested.
    """
    if weight < 0:
        raise MatchingError(f"the experience weight must be 0 or more; got {weight}")
    m = plan.market
    new = rep_levels(m.reps) == Experience.NEW
    contested = np.where(
        m.cell_class == int(ShareClass.CONTESTED), np.asarray(m.cell_accounts, np.float64), 0.0
    )
    if weight == 0 or not new.any() or not contested.any():
        return None
    per_account = weight / max(float(np.asarray(m.cell_accounts).sum()), 1.0)
    return np.outer(contested * per_account, new.astype(np.float64))


def neighbour_reps(plan: Plan) -> list[set[int]]:
    """For each rep, the reps whose territory touches it (cells sharing an edge)."""
    owner = plan.owner
    nb = plan.market.area.neighbours
    out: list[set[int]] = [set() for _ in range(plan.market.n_reps)]
    rows = np.repeat(np.arange(len(owner)), nb.shape[1])
    cols = nb.ravel()
    ok = cols >= 0
    a, b = owner[rows[ok]], owner[cols[ok]]
    pair = (a >= 0) & (b >= 0) & (a != b)
    for x, y in set(zip(a[pair].tolist(), b[pair].tolist(), strict=True)):
        out[x].add(y)
    return out


def suggestions(plan: Plan, flag_share: float = FLAG_SHARE) -> list[str]:
    """Per flagged rep, a neighbour whose level suits that ground better, in words.

    A new rep on contested ground: the touching experienced or senior rep holding the least
    contested ground. A senior rep on strongholds: the touching new or experienced rep holding
    the most contested ground (the senior could take it in exchange). No suggestion where no
    touching rep fits. Neighbours, so a hand-over keeps territories in one piece more often.
    """
    m = plan.market
    levels = rep_levels(m.reps)
    ground = plan_ground(plan)
    touching = neighbour_reps(plan)
    ids = [str(r) for r in m.rep_ids]
    out = []
    for r, flag in enumerate(flags(levels, ground, flag_share)):
        if not flag:
            continue
        if flag == "new on contested":
            fits = [n for n in touching[r] if levels[n] >= Experience.EXPERIENCED]
            if fits:
                best = min(fits, key=lambda n: (int(ground.contested_accounts[n]), ids[n]))
                out.append(
                    f"{ids[r]} (new) holds {int(ground.contested_accounts[r])} contested "
                    f"account(s); {ids[best]} ({Experience(int(levels[best])).key}, next door) "
                    "could take contested cells"
                )
        else:
            fits = [n for n in touching[r] if 0 <= levels[n] < Experience.SENIOR]
            if fits:
                best = max(fits, key=lambda n: (int(ground.contested_accounts[n]), ids[n]))
                out.append(
                    f"{ids[r]} (senior) holds {int(ground.stronghold_accounts[r])} stronghold "
                    f"account(s); {ids[best]} ({Experience(int(levels[best])).key}, next door, "
                    f"{int(ground.contested_accounts[best])} contested) could swap ground with them"
                )
    return out
