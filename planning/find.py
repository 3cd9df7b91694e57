"""Finding an account, a rep or a town by what the user types: the ranking, without any data.

Everything is compared folded (case and accents dropped, so "gdansk" finds
"Gdańsk"). What lies in or near the planning area comes first (every account
and rep does; a town only if it is near): a planner looks for places of the
plan, and "Mill" in the Netherlands must not push a rep called Miller off the
list. Then a match is ranked by how it matches: an exact id first, then an
exact name, then an id or a name that starts with the text, a word of the name
that does, and last the text anywhere in the name. Among equals, reps,
accounts and towns in that order, then the kind's own order (towns by
population, accounts and reps as listed).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import IntEnum, StrEnum

import numpy as np
import pandas as pd

MAX_MATCHES = 8
# letters NFKD does not take apart
_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "œ": "oe", "æ": "ae"})


class FoundKind(StrEnum):
    """What a match is; the order of the members is the order among equal matches."""

    REP = "rep"
    ACCOUNT = "account"
    TOWN = "town"


KIND_ORDER = {kind: i for i, kind in enumerate(FoundKind)}


class Quality(IntEnum):
    """How a candidate matches the text; lower is better."""

    EXACT_ID = 0
    EXACT_NAME = 1
    ID_PREFIX = 2
    NAME_PREFIX = 3
    WORD_PREFIX = 4
    SUBSTRING = 5
    NONE = 99


@dataclass(frozen=True)
class Match:
    """One line of the find box's list."""

    kind: FoundKind
    key: str
    """The account or rep id, or the town's GeoNames id."""
    label: str
    quality: Quality
    near: bool
    order: float
    """The kind's own order among equals (lower first)."""

    @property
    def value(self) -> str:
        """``kind:key``, what the list hands back when this line is chosen."""
        return f"{self.kind.value}:{self.key}"

    def rank(self) -> tuple[int, int, int, float]:
        """Sort key: near before far, quality, kind, the kind's own order."""
        return (0 if self.near else 1, int(self.quality), KIND_ORDER[self.kind], self.order)


def fold(text: str) -> str:
    """Text as compared: lower case, accents and spacing dropped.

    >>> fold("  Gdańsk ")
    'gdansk'
    >>> fold("Łódź")
    'lodz'
    """
    lowered = text.strip().casefold().translate(_FOLD)
    return "".join(
        c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c)
    )


def fold_all(texts: pd.Series) -> pd.Series:
    """``fold`` of every text (missing ones as empty), as a string Series on the same index.

    Plain ASCII texts (most CRM names and every id) only need lower case and
    trimming, done for the whole column at once; the rest go through ``fold``.
    A million ASCII names fold in under a second here (five with ``fold`` one by one).
    """
    raw = texts.fillna("").astype(str)
    out = raw.str.strip().str.lower()
    plain = raw.map(str.isascii).to_numpy(dtype=bool)
    if not plain.all():
        out[~plain] = raw[~plain].map(fold)
    return out


def parse_value(value: str) -> tuple[FoundKind, str]:
    """The kind and key of a chosen line (``Match.value``); ValueError for anything else.

    >>> parse_value("account:A-1:7")
    (<FoundKind.ACCOUNT: 'account'>, 'A-1:7')
    """
    kind, sep, key = str(value).partition(":")
    if not sep or not key:
        raise ValueError(f"a found value is kind:key, got {value!r}")
    return FoundKind(kind), key


def match_quality(query: str, ids: pd.Series | None, names: pd.Series) -> np.ndarray:
    """Per candidate, its ``Quality`` for the folded ``query`` (``Quality.NONE``: no match).

    ``ids`` and ``names`` are folded already (``fold_all``), aligned; ``ids``
    may be None for candidates found by name only (towns).

    >>> names = pd.Series(["north star", "star", "stark & co", "mustard"])
    >>> match_quality("star", pd.Series(["n1", "s2", "star", "m4"]), names).tolist()
    [4, 1, 0, 5]
    """
    out = np.full(len(names), int(Quality.NONE), dtype=np.int64)
    if not query:
        return out
    name_values = names.to_numpy(dtype=object)
    has = names.str.contains(query, regex=False).to_numpy(dtype=bool, copy=True)
    if ids is not None:
        has = has | ids.str.contains(query, regex=False).to_numpy(dtype=bool)
    rows = np.flatnonzero(has)
    if not len(rows):
        return out
    sub_names = pd.Series(name_values[rows], dtype=object).astype(str)
    quality = np.full(len(rows), int(Quality.SUBSTRING), dtype=np.int64)
    word = sub_names.str.contains(" " + query, regex=False) | sub_names.str.contains(
        "-" + query, regex=False
    )
    quality = np.where(word.to_numpy(dtype=bool), int(Quality.WORD_PREFIX), quality)
    prefix = sub_names.str.startswith(query).to_numpy(dtype=bool)
    quality = np.where(prefix, int(Quality.NAME_PREFIX), quality)
    if ids is not None:
        sub_ids = pd.Series(ids.to_numpy(dtype=object)[rows], dtype=object).astype(str)
        quality = np.where(
            sub_ids.str.startswith(query).to_numpy(dtype=bool),
            np.minimum(quality, int(Quality.ID_PREFIX)),
            quality,
        )
    quality = np.where((sub_names == query).to_numpy(dtype=bool),
                       np.minimum(quality, int(Quality.EXACT_NAME)), quality)  # fmt: skip
    if ids is not None:
        exact_id = (sub_ids == query).to_numpy(dtype=bool)
        quality = np.where(exact_id, int(Quality.EXACT_ID), quality)
    out[rows] = quality
    return out


def first_matches(
    query: str, ids: pd.Series, names: pd.Series, limit: int = MAX_MATCHES
) -> tuple[np.ndarray, np.ndarray]:
    """Rows and qualities of the ``limit`` best candidates, by (quality, row): a level at a time.

    The same answer as ``top_rows(match_quality(...), rows in order)``, but each
    level (exact id, exact name, id prefix...) is one pass over the column and
    the search stops once ``limit`` rows are found: typing "ber" over a
    million accounts reads three columns' worth, not every kind of match.
    """
    if not query:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    levels = (
        (Quality.EXACT_ID, lambda: ids == query),
        (Quality.EXACT_NAME, lambda: names == query),
        (Quality.ID_PREFIX, lambda: ids.str.startswith(query)),
        (Quality.NAME_PREFIX, lambda: names.str.startswith(query)),
        (Quality.WORD_PREFIX, lambda: names.str.contains(" " + query, regex=False)
         | names.str.contains("-" + query, regex=False)),
        (Quality.SUBSTRING, lambda: names.str.contains(query, regex=False)
         | ids.str.contains(query, regex=False)),
    )  # fmt: skip
    taken = np.zeros(len(names), dtype=bool)
    rows: list[np.ndarray] = []
    qualities: list[np.ndarray] = []
    found = 0
    for quality, level in levels:
        new = np.flatnonzero(level().to_numpy(dtype=bool) & ~taken)[: limit - found]
        taken[new] = True
        rows.append(new)
        qualities.append(np.full(len(new), int(quality), dtype=np.int64))
        found += len(new)
        if found >= limit:
            break
    return np.concatenate(rows), np.concatenate(qualities)


def best(matches: list[Match], limit: int = MAX_MATCHES, per_kind: int = 5) -> list[Match]:
    """The ``limit`` best matches, best first (see the module's ranking).

    One kind takes at most ``per_kind`` lines while another kind has matches
    left, so that typing the start of a town's name shows the town even when
    a hundred accounts are named after it.
    """
    ranked = sorted(matches, key=Match.rank)
    chosen: list[Match] = []
    taken: dict[FoundKind, int] = {}
    for m in ranked:
        if len(chosen) < limit and taken.get(m.kind, 0) < per_kind:
            chosen.append(m)
            taken[m.kind] = taken.get(m.kind, 0) + 1
    for m in ranked:  # room left: fill it in rank order
        if len(chosen) >= limit:
            break
        if m not in chosen:
            chosen.append(m)
    return sorted(chosen, key=Match.rank)


def top_rows(
    quality: np.ndarray,
    order: np.ndarray,
    limit: int = MAX_MATCHES,
    near: np.ndarray | None = None,
) -> np.ndarray:
    """Rows of the ``limit`` best matching candidates of one kind, by (near, quality, order).

    Only these can make the merged list, whatever the other kinds hold.
    ``near`` is None when every candidate is near (accounts, reps).
    """
    rows = np.flatnonzero(quality < int(Quality.NONE))
    if len(rows) > limit:
        far = np.zeros(len(rows), bool) if near is None else ~near[rows]
        keep = np.lexsort((order[rows], quality[rows], far))[:limit]
        rows = rows[keep]
    return rows
