"""Check raw input frames and turn them into the frames ``data.schemas`` promises.

A planner fixing a 5,000-row export wants every mistake at once, by spreadsheet
row, not one per upload; so each check is a vectorised mask over the whole file,
every failing row becomes a ``RowProblem``, and nothing is imported until none
are left. Nothing is dropped or guessed either: an empty revenue is an error, not
a zero. The only rows skipped are fully blank ones (no data to lose), and they
still count when numbering rows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data.readers import read_table
from data.schemas import (
    ACCOUNT_COLUMNS,
    CALL_PLAN_COLUMNS,
    REP_COLUMNS,
    REP_OPTIONAL,
)
from geo.errors import InputError, RowProblem
from planning.callplan import CHANNELS, SEGMENTS

HEADER_ROW = 1
FIRST_DATA_ROW = 2
TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("false", "no", "0", "")
_DIGITS = re.compile(r"(\d+)")


def natural_key(s: str) -> tuple[tuple[str | int, ...], str]:
    """Sort key that orders ``R2`` before ``R10``, as a person reads rep ids.

    The rep order is the rep index of the core, and "ties go to the lower rep_id"
    means lower in this order. Text parts compare case-insensitively, digit runs as
    numbers; the id itself breaks remaining ties (``R02`` vs ``R2``) so the order
    is total and stable across runs.
    """
    parts = _DIGITS.split(s)
    key = tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts))
    return key, s


class _Problems:
    """Collects failing rows check by check; builds ``RowProblem`` only for those.

    Checks are boolean masks over the frame, so a clean million-row file costs a
    few numpy operations per check and no Python objects per row.
    """

    def __init__(self, rows: np.ndarray):
        self.rows = rows
        self._found: list[tuple[np.ndarray, str | None, str, dict[str, np.ndarray]]] = []

    def add(
        self,
        mask: np.ndarray,
        column: str | None,
        reason: str,
        **fields: pd.Series | np.ndarray,
    ) -> None:
        """Record ``reason`` for each row where ``mask`` holds.

        ``reason`` may use ``{name}`` placeholders, filled per failing row from the
        equally long ``fields``.
        """
        where = np.flatnonzero(mask)
        if where.size:
            picked = {k: np.asarray(v)[where] for k, v in fields.items()}
            self._found.append((where, column, reason, picked))

    def add_file(self, column: str | None, reason: str) -> None:
        """Record a problem of the file as a whole; it is reported on the header row."""
        self._found.append((np.array([-1]), column, reason, {}))

    def raise_if_any(self, source: str) -> None:
        """Raise one ``InputError`` listing every problem, by row then check order."""
        if not self._found:
            return
        problems: list[tuple[int, int, RowProblem]] = []
        for order, (where, column, reason, picked) in enumerate(self._found):
            for j, pos in enumerate(where):
                row = HEADER_ROW if pos < 0 else int(self.rows[pos])
                text = reason.format(**{k: v[j] for k, v in picked.items()})
                problems.append((row, order, RowProblem(row, column, text)))
        problems.sort(key=lambda p: (p[0], p[1]))
        raise InputError(source, [p for _, _, p in problems])


def _header(raw: pd.DataFrame, required: tuple[str, ...], source: str) -> pd.DataFrame:
    """Strip header names and refuse a file missing a required column.

    Without every required column no row can be judged, so this is the one check
    that stops before the row checks.
    """
    names = [str(c).strip() for c in raw.columns]
    problems: list[RowProblem] = []
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        listed = ", ".join(repr(n) for n in repeated)
        problems.append(RowProblem(HEADER_ROW, None, f"column(s) {listed} appear more than once"))
    missing = [c for c in required if c not in names]
    if missing:
        found = ", ".join(repr(n) for n in names) or "no columns"
        listed = ", ".join(repr(c) for c in missing)
        problems.append(
            RowProblem(HEADER_ROW, None, f"missing required column(s) {listed}; found {found}")
        )
    if problems:
        raise InputError(source, problems)
    if names != list(raw.columns):
        raw = raw.set_axis(names, axis=1)
    return raw


def _text(col: pd.Series) -> pd.Series:
    """Cells as stripped strings, ``""`` where empty or missing (any input dtype)."""
    return col.astype("str").fillna("").str.strip()


def _drop_blank_rows(raw: pd.DataFrame, key: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Remove rows with no value at all, returning the spreadsheet row of each kept row.

    Exports often end in a few ``,,,,`` lines; refusing them would be noise and
    keeping them would invent empty records. Only rows whose ``key`` is empty can
    be blank, so the full check runs on those few.
    """
    rows = np.arange(len(raw)) + FIRST_DATA_ROW
    candidates = np.flatnonzero(_text(raw[key]).to_numpy() == "")
    if not candidates.size:
        return raw, rows
    sub = raw.iloc[candidates]
    blank = np.ones(len(sub), dtype=bool)
    for i in range(sub.shape[1]):
        blank &= _text(sub.iloc[:, i]).to_numpy() == ""
    if not blank.any():
        return raw, rows
    keep = np.ones(len(raw), dtype=bool)
    keep[candidates[blank]] = False
    return raw.iloc[keep].reset_index(drop=True), rows[keep]


def _numbers(col: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Series]:
    """Parse a column as float64 without guessing.

    Returns
    -------
    values, empty, invalid, text
        ``invalid`` marks non-empty cells that are not a finite number (``"12,5"``,
        ``"n/a"``, ``"inf"``); ``text`` is what the user typed, for messages.
    """
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        values = col.to_numpy(dtype="float64", na_value=np.nan)
        empty = np.isnan(values)
        return values, empty, ~empty & ~np.isfinite(values), col.astype("str")
    text = _text(col)
    empty = text.to_numpy() == ""
    try:
        # Arrow's cast is ~10x faster than pd.to_numeric; it fails on the first bad
        # cell, and then the slower parser finds all of them.
        values = pc.cast(pa.array(text.where(~empty, "nan")), pa.float64()).to_numpy(
            zero_copy_only=False
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return values, empty, ~empty & ~np.isfinite(values), text


def _check_number(
    problems: _Problems,
    col: pd.Series,
    name: str,
    *,
    low: float = 0.0,
    high: float | None = None,
    positive: bool = False,
    empty_reason: str | None = None,
) -> np.ndarray:
    """Parse ``name`` and report empty, non-numeric and out-of-range cells.

    Parameters
    ----------
    low, high
        Allowed closed range; with ``high=None`` only ``>= low`` is required
        (money, visits), which the message calls "negative" when ``low`` is 0.
    positive
        Require ``> 0`` instead (capacity: a rep with no hours cannot be planned).
    empty_reason
        Reported for empty cells; ``None`` leaves empty cells to the caller.
    """
    values, empty, invalid, text = _numbers(col)
    if empty_reason is not None:
        problems.add(empty, name, empty_reason)
    problems.add(invalid, name, f"{name} {{value!r}} is not a number", value=text)
    number = ~empty & ~invalid
    with np.errstate(invalid="ignore"):
        if positive:
            bad, reason = number & ~(values > 0), f"{name} {{value}} must be greater than 0"
        elif high is None:
            word = "negative" if low == 0 else f"below {low:g}"
            bad, reason = (
                number & (values < low),
                f"{name} {{value}} is {word}; expected >= {low:g}",
            )
        else:
            bad = number & ((values < low) | (values > high))
            reason = f"{name} {{value}} is outside [{low:g}, {high:g}]"
    problems.add(bad, name, reason, value=text)
    return values


def _check_repeats(problems: _Problems, ids: pd.Series, name: str, considered: np.ndarray) -> None:
    """Report every repeat of an id among ``considered`` rows, naming its first row.

    The first occurrence itself is not a problem: deleting the later rows fixes
    the file, and the message says where the kept one is.
    """
    values = ids.to_numpy()
    repeat = considered & ids.where(considered).duplicated(keep="first").to_numpy()
    if not repeat.any():
        return
    first = considered & ~repeat
    first_row = pd.Series(problems.rows[first], index=values[first])
    seen = np.zeros(len(values), dtype=np.int64)
    seen[repeat] = first_row.reindex(values[repeat]).to_numpy()
    problems.add(
        repeat,
        name,
        f"duplicate {name} {{value!r}}; first on row {{first}}",
        value=values,
        first=seen,
    )


def _check_ids(problems: _Problems, ids: pd.Series, name: str) -> None:
    """Report empty ids and every repeat of a non-empty id."""
    empty = ids.to_numpy() == ""
    problems.add(empty, name, f"{name} is empty")
    _check_repeats(problems, ids, name, ~empty)


def _flags(col: pd.Series) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Parse yes/no cells; empty means no, so a column of blanks pins nothing.

    Returns
    -------
    values, invalid, text
    """
    if pd.api.types.is_bool_dtype(col):
        values = col.fillna(False).to_numpy(dtype=bool)
        return values, np.zeros(len(col), dtype=bool), col.astype("str")
    if pd.api.types.is_numeric_dtype(col):
        numbers = col.to_numpy(dtype="float64", na_value=0.0)
        return numbers == 1, ~np.isin(numbers, (0.0, 1.0)), col.astype("str")
    text = _text(col)
    lower = text.str.lower()
    values = lower.isin(TRUE_WORDS).to_numpy()
    invalid = ~values & ~lower.isin(FALSE_WORDS).to_numpy()
    return values, invalid, text


def _optional_ids(raw: pd.DataFrame, name: str) -> pd.Series:
    """An optional text column as pandas ``string`` dtype, ``<NA>`` where empty or absent."""
    if name not in raw.columns:
        return pd.Series(pd.NA, index=raw.index, dtype="string")
    text = _text(raw[name]).astype("string")
    return text.mask(text == "")


def validate_accounts(
    raw: pd.DataFrame, rep_ids: Iterable[str] | None = None, source: str = "accounts"
) -> pd.DataFrame:
    """Check an accounts table and return it in the ``data.schemas`` account shape.

    Every bad cell of every row is reported in one ``InputError`` so the user
    fixes the file once; the core then trusts the result and never re-checks.

    Parameters
    ----------
    raw
        Cells as read by ``read_table``, in file order (row ``i`` is spreadsheet
        row ``i + 2``). Columns beyond the schema are ignored.
    rep_ids
        Known reps; when given, every non-empty ``rep_id`` must be one of them.
        ``None`` skips that check (accounts loaded before reps).
    source
        Names the input in the error message, usually the file name.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``name``, ``segment`` (upper case) as ``str``; ``lat``,
        ``lon``, ``tam``, ``revenue`` as float64; ``rep_id`` as ``string`` with
        ``<NA>``; ``pinned`` as bool; a fresh ``RangeIndex``.

    Raises
    ------
    InputError
        Lists every problem: a missing column (row 1), or per row an empty or
        repeated ``account_id``, missing, non-numeric or out-of-range coordinates,
        an unknown segment, empty, non-numeric or negative money, an unknown
        ``rep_id``, an unreadable ``pinned``, or a pinned account without a rep.
    """
    raw = _header(raw, ACCOUNT_COLUMNS, source)
    raw, rows = _drop_blank_rows(raw, "account_id")
    problems = _Problems(rows)
    if raw.empty:
        problems.add_file(None, "no accounts under the header")

    ids = _text(raw["account_id"])
    _check_ids(problems, ids, "account_id")

    coords = {}
    for name, limit in (("lat", 90.0), ("lon", 180.0)):
        coords[name] = _check_number(
            problems,
            raw[name],
            name,
            low=-limit,
            high=limit,
            empty_reason=f"missing coordinates: {name} is empty",
        )

    segment_text = _text(raw["segment"])
    segment = segment_text.str.upper()
    allowed = ", ".join(SEGMENTS)
    seg_empty = segment.to_numpy() == ""
    problems.add(seg_empty, "segment", f"segment is empty; expected one of {allowed}")
    problems.add(
        ~seg_empty & ~segment.isin(SEGMENTS).to_numpy(),
        "segment",
        f"segment {{value!r}} is not one of {allowed}",
        value=segment_text,
    )

    money = {}
    for name in ("tam", "revenue"):
        money[name] = _check_number(
            problems, raw[name], name, low=0.0, empty_reason=f"{name} is empty; expected >= 0"
        )

    rep = _optional_ids(raw, "rep_id")
    has_rep = rep.notna().to_numpy()
    if rep_ids is not None:
        known = pd.Index([str(r).strip() for r in rep_ids])
        problems.add(
            has_rep & ~rep.isin(known).to_numpy(dtype=bool, na_value=False),
            "rep_id",
            "rep_id {value!r} is not a known rep",
            value=rep.to_numpy(dtype=object),
        )

    pinned = np.zeros(len(raw), dtype=bool)
    if "pinned" in raw.columns:
        pinned, invalid, text = _flags(raw["pinned"])
        words = "/".join(w for w in TRUE_WORDS + FALSE_WORDS if w) + " or empty"
        problems.add(invalid, "pinned", f"pinned {{value!r}} is not one of {words}", value=text)
        problems.add(pinned & ~has_rep, "pinned", "pinned account has no rep_id to stay with")

    problems.raise_if_any(source)
    out = pd.DataFrame(
        {
            "account_id": ids.astype("str"),
            "name": _text(raw["name"]).astype("str"),
            "lat": coords["lat"],
            "lon": coords["lon"],
            "segment": segment.astype("str"),
            "tam": money["tam"],
            "revenue": money["revenue"],
            "rep_id": rep,
            "pinned": pinned,
        },
        index=raw.index,
    )
    return out.reset_index(drop=True)


def validate_reps(raw: pd.DataFrame, source: str = "reps") -> pd.DataFrame:
    """Check a reps table and return it in natural ``rep_id`` order.

    The returned order is the rep index of the core ("ties go to the lower
    rep_id"), so it must not depend on the row order of the file.

    Parameters
    ----------
    raw
        Cells as read by ``read_table``, in file order.
    source
        Names the input in the error message, usually the file name.

    Returns
    -------
    pandas.DataFrame
        ``rep_id``, ``name`` (the rep_id when empty) as ``str``; ``home_lat``,
        ``home_lon``, ``capacity_hours`` as float64; ``region`` as ``string`` with
        ``<NA>``; sorted by ``natural_key(rep_id)`` with a fresh ``RangeIndex``.

    Raises
    ------
    InputError
        Lists every problem: a missing column, an empty or repeated ``rep_id``, a
        rep without a home base, non-numeric or out-of-range coordinates, or a
        capacity that is empty, non-numeric or not above zero.
    """
    raw = _header(raw, REP_COLUMNS, source)
    raw, rows = _drop_blank_rows(raw, "rep_id")
    problems = _Problems(rows)
    if raw.empty:
        problems.add_file(None, "no reps under the header; a plan needs at least one")

    ids = _text(raw["rep_id"])
    _check_ids(problems, ids, "rep_id")

    # One message for a rep with no home at all, one per column when half is there.
    lat_empty = _text(raw["home_lat"]).to_numpy() == ""
    lon_empty = _text(raw["home_lon"]).to_numpy() == ""
    problems.add(
        lat_empty & lon_empty,
        "home_lat",
        "rep without a home base: home_lat and home_lon are empty",
    )
    problems.add(lat_empty & ~lon_empty, "home_lat", "home_lat is empty; a rep needs a home base")
    problems.add(lon_empty & ~lat_empty, "home_lon", "home_lon is empty; a rep needs a home base")
    home = {
        name: _check_number(problems, raw[name], name, low=-limit, high=limit)
        for name, limit in (("home_lat", 90.0), ("home_lon", 180.0))
    }

    capacity = _check_number(
        problems,
        raw["capacity_hours"],
        "capacity_hours",
        positive=True,
        empty_reason="capacity_hours is empty; expected hours per year > 0",
    )

    problems.raise_if_any(source)
    names = _text(raw["name"])
    out = pd.DataFrame(
        {
            "rep_id": ids.astype("str"),
            "name": names.where(names != "", ids).astype("str"),
            "home_lat": home["home_lat"],
            "home_lon": home["home_lon"],
            "capacity_hours": capacity,
            "region": _optional_ids(raw, REP_OPTIONAL[0]),
        },
        index=raw.index,
    )
    keys = [natural_key(r) for r in out["rep_id"]]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return out.iloc[order].reset_index(drop=True)


def validate_call_plan(raw: pd.DataFrame, source: str = "call plan") -> pd.DataFrame:
    """Check a call plan and return it shaped like ``default_call_plan()``.

    Workload is computed per segment, so a segment without a row would silently
    cost nothing; every segment must appear exactly once.

    Parameters
    ----------
    raw
        Cells as read by ``read_table``, in file order.
    source
        Names the input in the error message, usually the file name.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``segment`` in ``SEGMENTS`` order; ``visits_per_year`` and
        ``minutes_per_visit`` as float64 >= 0, ``channel`` (lower case) as ``str``.

    Raises
    ------
    InputError
        Lists every problem: a missing column, an unknown or repeated segment, a
        segment with no row (reported on row 1), a number that is empty,
        non-numeric or negative, or an unknown channel.
    """
    raw = _header(raw, CALL_PLAN_COLUMNS, source)
    raw, rows = _drop_blank_rows(raw, "segment")
    problems = _Problems(rows)

    segment_text = _text(raw["segment"])
    segment = segment_text.str.upper()
    allowed = ", ".join(SEGMENTS)
    known = segment.isin(SEGMENTS).to_numpy()
    empty = segment.to_numpy() == ""
    problems.add(empty, "segment", f"segment is empty; expected one of {allowed}")
    problems.add(
        ~empty & ~known,
        "segment",
        f"segment {{value!r}} is not one of {allowed}",
        value=segment_text,
    )
    for missing in sorted(set(SEGMENTS) - set(segment[known])):
        problems.add_file("segment", f"segment {missing} has no row; expected one per {allowed}")
    _check_repeats(problems, segment, "segment", known)

    numbers = {}
    for name in ("visits_per_year", "minutes_per_visit"):
        numbers[name] = _check_number(
            problems, raw[name], name, low=0.0, empty_reason=f"{name} is empty; expected >= 0"
        )

    channel_text = _text(raw["channel"])
    channel = channel_text.str.lower()
    channel_empty = channel.to_numpy() == ""
    problems.add(
        channel_empty, "channel", f"channel is empty; expected one of {', '.join(CHANNELS)}"
    )
    problems.add(
        ~channel_empty & ~channel.isin(CHANNELS).to_numpy(),
        "channel",
        f"channel {{value!r}} is not one of {', '.join(CHANNELS)}",
        value=channel_text,
    )

    problems.raise_if_any(source)
    out = pd.DataFrame(
        {
            "visits_per_year": numbers["visits_per_year"],
            "minutes_per_visit": numbers["minutes_per_visit"],
            "channel": channel.astype("str").to_numpy(),
        },
        index=pd.Index(segment.astype("str").to_numpy(), name="segment"),
    )
    return out.reindex(pd.Index(list(SEGMENTS), name="segment"))


def load_accounts(
    path: str | os.PathLike[str], rep_ids: Iterable[str] | None = None
) -> pd.DataFrame:
    """Read and validate an accounts file; problems name the file."""
    return validate_accounts(read_table(path), rep_ids, source=Path(path).name)


def load_reps(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and validate a reps file; problems name the file."""
    return validate_reps(read_table(path), source=Path(path).name)


def load_call_plan(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and validate a call-plan file; problems name the file."""
    return validate_call_plan(read_table(path), source=Path(path).name)
