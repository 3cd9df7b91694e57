"""Check raw input frames and turn them into the frames ``data.schemas`` promises.

A planner fixing a 5,000-row export wants every mistake at once, by spreadsheet
row, not one per upload; so each check is a vectorised mask over the whole file,
every failing row becomes a ``Problem``, and nothing is imported until no error is
left (``data.importing`` adds the choice to exclude or fix rows). Nothing is
dropped or guessed either: an empty revenue is an error, not a zero. The only rows
skipped are fully blank ones (no data to lose), and they still count when
numbering rows.

Numbers (the decimal-mark rule)
-------------------------------
Text cells are read as numbers with either a decimal point (``1,234.50``,
``1 234.5``, ``1'234.5``) or a decimal comma (``1.234,50``, ``1 234,50``, ``12,5``),
decided per column:

1. A cell is *evidence* when it reads in one style only (``48.85``, ``0.123``,
   ``1,234.50`` -> point; ``12,5``, ``1.000.000``, ``1.234,50`` -> comma). A cell
   reading the same in both (``1234``, ``1 234``) says nothing; a cell reading
   differently (``1.234``, ``1,234``: 1.234 or 1234?) is *ambiguous*.
2. A column takes the style most of its evidence shows. Without evidence, or on
   a tie, it takes the style most other numeric columns of the file show, then
   the one the delimiter suggests (``;`` -> comma, ``,`` -> point; ``read_raw``
   passes this hint); with none of these its ambiguous cells are errors, never
   guesses. ``decimal=`` overrides all of it.
3. Cells readable only in the other style are errors naming the column's style.
   Coordinates never have thousands separators, so in ``lat``/``lon`` a comma or
   a point is always the decimal mark.

Swapped coordinates (the swap rule)
-----------------------------------
The *bulk* of the data is the box between Tukey's far-out fences (quartiles
-/+ 3 IQR, the IQR at least 0.5 degrees) of lat and of lon, computed when at least
``SWAP_MIN_POINTS`` rows have valid coordinates. A row *looks swapped* when

- its lat is outside [-90, 90], its lon inside it, and (lat = lon, lon = lat)
  lies in the bulk (or there is no bulk): an error, the swap being the likely fix;
- or its point lies outside the bulk while the swapped point lies inside: a
  warning, since the point is valid but suspicious.

With ``accept_swaps=True`` both kinds are swapped and reported as warnings. A file
whose columns are swapped wholesale is not caught: it has no bulk to compare with.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from common.errors import InputError, RowProblem
from data.locating import COORDINATES, PRECISIONS, locate
from data.mapping import load_mapping, map_columns
from data.owners import Owners, match_owners
from data.plausibility import location_warnings
from data.readers import RawTable, read_raw
from data.schemas import ADDRESS_FIELDS
from data.segments import SegmentRule
from data.segments import derive_segments as segments_from_tam
from planning.area_choice import AreaChoice
from planning.callplan import CHANNELS, SEGMENTS
from planning.matching import LEVELS, MatchingError, experience_of  # issue 15
from planning.overlay import Layer, OverlayError, OverlayRule, layer_of  # issue 15

HEADER_ROW = 1
FIRST_DATA_ROW = 2
TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("false", "no", "0", "")
SEVERITIES = ("error", "warning")
SWAP_MIN_POINTS = 10
SWAP_FENCE_IQR = 3.0
SWAP_MIN_IQR_DEGREES = 0.5
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


@dataclass(frozen=True)
class Problem(RowProblem):
    """A ``RowProblem`` with a severity: an ``"error"`` blocks its row, a ``"warning"`` not.

    ``other_row`` is set when the problem exists because of another row (the first
    occurrence of a duplicate id), so excluding that row may clear this one.
    """

    severity: str = "error"
    other_row: int | None = None


# --- problems --------------------------------------------------------------------------


class _Problems:
    """Collects failing rows check by check; builds ``Problem`` only for those.

    Checks are boolean masks over the frame, so a clean million-row file costs a
    few numpy operations per check and no Python objects per row.
    """

    def __init__(self, rows: np.ndarray, header_row: int = HEADER_ROW, label: str = "row"):
        self.rows = rows
        self.header_row = header_row
        self.label = label
        self._found: list[tuple[np.ndarray, str | None, str, str, dict, np.ndarray | None]] = []
        self._extra: list[Problem] = []

    def add(
        self,
        mask: np.ndarray,
        column: str | None,
        reason: str,
        severity: str = "error",
        *,
        other_rows: np.ndarray | None = None,
        **fields: pd.Series | np.ndarray | _LazyText,
    ) -> None:
        """Record ``reason`` for each row where ``mask`` holds.

        ``reason`` may use ``{name}`` placeholders, filled per failing row from the
        equally long ``fields``; ``other_rows`` gives each row's ``other_row``.
        """
        where = np.flatnonzero(mask)
        if where.size:
            picked = {k: np.asarray(v)[where] for k, v in fields.items()}
            others = None if other_rows is None else np.asarray(other_rows)[where]
            self._found.append((where, column, reason, severity, picked, others))

    def add_file(self, column: str | None, reason: str, severity: str = "error") -> None:
        """Record a problem of the file as a whole; it is reported on the header row."""
        self._found.append((np.array([-1]), column, reason, severity, {}, None))

    def add_rows(self, problems: Iterable[RowProblem]) -> None:
        """Record problems found before validation (while reading), as errors."""
        self._extra.extend(Problem(p.row, p.column, p.reason, "error") for p in problems)

    def collect(self) -> list[Problem]:
        """Every problem, by row then check order."""
        out: list[tuple[int, int, Problem]] = [(p.row, -1, p) for p in self._extra]
        for order, (where, column, reason, severity, picked, others) in enumerate(self._found):
            for j, pos in enumerate(where):
                row = self.header_row if pos < 0 else int(self.rows[pos])
                text = reason.format(**{k: v[j] for k, v in picked.items()})
                if self.label == "feature" and pos >= 0:
                    text = f"feature {row - self.header_row - 1}: {text}"
                other = None if others is None else int(others[j])
                out.append((row, order, Problem(row, column, text, severity, other)))
        out.sort(key=lambda p: (p[0], p[1]))
        return [p for _, _, p in out]


@dataclass(frozen=True)
class Checked:
    """The outcome of checking one table, before anyone decides what to import.

    ``frame`` holds every non-blank row in file order, in the schema shape, with
    ``NaN``/``""`` where a cell is bad; ``rows`` gives each one's spreadsheet row.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    blank_rows: np.ndarray
    problems: list[Problem]
    header_ok: bool = True
    segments_derived: int = 0
    swaps_applied: int = 0

    @property
    def errors(self) -> list[Problem]:
        """Problems that block their row (or, on the header row, the file)."""
        return [p for p in self.problems if p.severity == "error"]

    def rows_with(self, severity: str) -> np.ndarray:
        """Boolean mask over ``frame``: rows having at least one problem of ``severity``."""
        bad = {p.row for p in self.problems if p.severity == severity}
        return np.isin(self.rows, np.fromiter(bad, dtype=np.int64, count=len(bad)))


# --- cells -----------------------------------------------------------------------------


def _text(col: pd.Series) -> pd.Series:
    """Cells as stripped strings, ``""`` where empty or missing (any input dtype)."""
    return col.astype("str").fillna("").str.strip()


def _is_empty(text: pd.Series) -> np.ndarray:
    """``text == ""`` as a numpy mask, without turning Arrow strings into Python objects."""
    return (text == "").to_numpy(dtype=bool, na_value=True)


def _blank_rows(raw: pd.DataFrame, key: str) -> np.ndarray:
    """Positions of rows with no value at all.

    Exports often end in a few ``,,,,`` lines; refusing them would be noise and
    keeping them would invent empty records. Only rows whose ``key`` is empty can
    be blank, so the full check runs on those few.
    """
    candidates = np.flatnonzero(_is_empty(_text(raw[key])))
    if not candidates.size:
        return candidates
    sub = raw.iloc[candidates]
    blank = np.ones(len(sub), dtype=bool)
    for i in range(sub.shape[1]):
        blank &= _is_empty(_text(sub.iloc[:, i]))
    return candidates[blank]


_SPACES = "\u00a0\u202f"
_AMBIGUOUS_POINT = r"^[+-]?[1-9]\d{0,2}\.\d{3}$"


def _number_pattern(mark: str, grouping: bool) -> str:
    """Full-match RE2 pattern of a number written with decimal ``mark``."""
    if mark == ".":
        group = rf"[1-9]\d{{0,2}}(?:,\d{{3}})+|[1-9]\d{{0,2}}(?:[ '{_SPACES}]\d{{3}})+"
    else:
        group = rf"[1-9]\d{{0,2}}(?:\.\d{{3}})+|[1-9]\d{{0,2}}(?:[ {_SPACES}]\d{{3}})+"
    whole = rf"\d+|{group}" if grouping else r"\d+"
    m = re.escape(mark)
    return rf"^[+-]?(?:(?:{whole})(?:{m}\d*)?|{m}\d+)(?:[eE][+-]?\d+)?$"


def _arrow_text(text: pd.Series) -> pa.ChunkedArray:
    """The Arrow strings behind a ``str`` Series (no copy when Arrow-backed)."""
    return pa.chunked_array(pa.array(text, type=pa.large_string(), from_pandas=True))


def _to_numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(
        array.to_numpy(zero_copy_only=False) if isinstance(array, pa.Array) else array.to_numpy()
    )


def _read_style(text: pa.ChunkedArray, mark: str, grouping: bool) -> tuple[np.ndarray, np.ndarray]:
    """Which cells read as numbers with decimal ``mark``, and their values (NaN elsewhere)."""
    ok = pc.fill_null(pc.match_substring_regex(text, _number_pattern(mark, grouping)), False)
    if grouping:
        separators = ",' " if mark == "." else ". "
        for separator in separators + _SPACES:
            text = pc.replace_substring(text, separator, "")
    if mark == ",":
        text = pc.replace_substring(text, ",", ".")
    text = pc.if_else(ok, text, pa.scalar("nan"))
    return _to_numpy(ok), _to_numpy(pc.cast(text, pa.float64()))


class _LazyText:
    """A native column's cells as text, made only when a problem quotes one (issue 18 point 4).

    Turning a clean 10M-row Parquet column of floats into strings took most of its check.
    """

    def __init__(self, col: pd.Series):
        self._col = col

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        return np.asarray(self._col.astype("str"), dtype=dtype)


class _NumberColumn:
    """One numeric column read both ways, until the file's style is decided.

    ``point``/``comma`` hold (readable, value) per cell; native numbers (Parquet,
    Excel) read the same either way and are never evidence.
    """

    text: pd.Series | _LazyText

    def __init__(self, col: pd.Series, grouping: bool):
        n = len(col)
        if _is_native(col):
            self.text = _LazyText(col)
            values = col.to_numpy(dtype="float64", na_value=np.nan)
            self.empty = np.isnan(values)
            self.point = self.comma = (~self.empty, values)
            return
        self.text = _text(col)
        native = np.zeros(n, dtype=bool)
        native_values = np.full(n, np.nan)
        if col.dtype == object:  # Excel or GeoJSON: numbers among text
            native = col.map(_is_number).to_numpy(dtype=bool)
            if native.any():
                native_values[native] = col[native].to_numpy(dtype="float64")
        self.empty = _is_empty(self.text) & ~native
        cell = ~self.empty & ~native
        text = pc.if_else(pa.array(cell), _arrow_text(self.text), pa.scalar("0"))
        try:  # fast path: plain numbers with a point (or none) cast in one go
            plain = _to_numpy(pc.cast(text, pa.float64()))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            point = _read_style(text, ".", grouping)
            comma = _read_style(text, ",", grouping)
        else:
            finite = np.isfinite(plain)
            has_mark = _to_numpy(pc.match_substring(text, "."))
            ambiguous = np.zeros(n, dtype=bool)
            if grouping:
                ambiguous = _to_numpy(pc.match_substring_regex(text, _AMBIGUOUS_POINT))
            comma_ok = finite & (~has_mark | ambiguous)
            comma_values = plain.copy()
            if ambiguous.any():
                grouped = pc.replace_substring(pc.filter(text, pa.array(ambiguous)), ".", "")
                comma_values[ambiguous] = _to_numpy(pc.cast(grouped, pa.float64()))
            point = (finite, plain)
            comma = (comma_ok, np.where(comma_ok, comma_values, np.nan))
        self.point = (point[0] & cell | native, np.where(native, native_values, point[1]))
        self.comma = (comma[0] & cell | native, np.where(native, native_values, comma[1]))

    def evidence(self) -> tuple[int, int]:
        """Cells that read with a point only, and with a comma only."""
        point_only = self.point[0] & ~self.comma[0]
        comma_only = self.comma[0] & ~self.point[0]
        return int(point_only.sum()), int(comma_only.sum())

    def ambiguous(self) -> np.ndarray:
        """Cells readable both ways with different values."""
        both = self.point[0] & self.comma[0]
        with np.errstate(invalid="ignore"):
            return both & (self.point[1] != self.comma[1])


def _is_native(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _majority(point: int, comma: int) -> str | None:
    if point > comma:
        return "."
    if comma > point:
        return ","
    return None


def _decide_styles(
    columns: Mapping[str, _NumberColumn], decimal: str | None, hint: str | None
) -> dict[str, str | None]:
    """Decimal mark per column by the rule in the module docstring."""
    if decimal is not None:
        if decimal not in (".", ","):
            raise ValueError(f"decimal must be '.' or ','; got {decimal!r}")
        return dict.fromkeys(columns, decimal)
    own = {name: _majority(*col.evidence()) for name, col in columns.items()}
    votes = [s for s in own.values() if s is not None]
    file_style = _majority(votes.count("."), votes.count(",")) or hint
    return {name: own[name] or file_style for name in columns}


_MARK_NAME = {".": "decimal point", ",": "decimal comma"}


def _check_number(
    problems: _Problems,
    col: _NumberColumn,
    style: str | None,
    name: str,
    *,
    low: float = 0.0,
    high: float | None = None,
    positive: bool = False,
    empty_reason: str | None = None,
    skip: np.ndarray | None = None,
) -> np.ndarray:
    """Read ``name`` in its decided style and report bad cells; returns float64 (NaN if bad).

    Parameters
    ----------
    style
        ``"."``, ``","`` or ``None`` (undecided: ambiguous cells are errors).
    low, high
        Allowed closed range; with ``high=None`` only ``>= low`` is required
        (money, visits), which the message calls "negative" when ``low`` is 0.
    positive
        Require ``> 0`` instead (capacity: a rep with no hours cannot be planned).
    empty_reason
        Reported for empty cells; ``None`` leaves empty cells to the caller.
    skip
        Rows whose range problems the caller reports itself (swapped coordinates).
    """
    text = col.text
    if empty_reason is not None:
        problems.add(col.empty, name, empty_reason)
    if style is None:
        ok_point, ok_comma = col.point[0], col.comma[0]
        ambiguous = col.ambiguous()
        readable = (ok_point | ok_comma) & ~ambiguous
        values = np.where(ok_point, col.point[1], col.comma[1])
        values[~readable] = np.nan
        problems.add(
            ~col.empty & ~ok_point & ~ok_comma,
            name,
            f"{name} {{value!r}} is not a number",
            value=text,
        )
        problems.add(
            ambiguous,
            name,
            f"{name} {{value!r}} is ambiguous: nothing in the file shows whether "
            "'.' or ',' is its decimal mark; write it without a thousands separator "
            "or choose the decimal mark",
            value=text,
        )
    else:
        other = "," if style == "." else "."
        readable, values = col.point if style == "." else col.comma
        values = np.where(readable, values, np.nan)
        other_only = ~readable & (col.comma if style == "." else col.point)[0]
        problems.add(
            ~col.empty & ~readable & ~other_only,
            name,
            f"{name} {{value!r}} is not a number",
            value=text,
        )
        problems.add(
            other_only,
            name,
            f"{name} {{value!r}} is not a number with a {_MARK_NAME[style]} like the rest "
            f"of the column (it has a {_MARK_NAME[other]})",
            value=text,
        )
    finite = np.isfinite(values)
    problems.add(
        readable & ~col.empty & ~finite, name, f"{name} {{value!r}} is not a number", value=text
    )
    number = readable & finite
    rest = number if skip is None else number & ~skip
    with np.errstate(invalid="ignore"):
        if positive:
            bad, reason = rest & ~(values > 0), f"{name} {{value}} must be greater than 0"
        elif high is None:
            word = "negative" if low == 0 else f"below {low:g}"
            bad, reason = rest & (values < low), f"{name} {{value}} is {word}"
        else:
            bad = rest & ((values < low) | (values > high))
            reason = f"{name} {{value}} is outside [{low:g}, {high:g}]"
    problems.add(bad, name, reason, value=text)
    return np.where(number, values, np.nan)


# --- swapped coordinates ---------------------------------------------------------------


def coordinate_bulk(lat: np.ndarray, lon: np.ndarray) -> tuple[float, float, float, float] | None:
    """The box ``(lat_low, lat_high, lon_low, lon_high)`` where most points lie, or ``None``.

    Tukey's far-out fences per axis (quartiles -/+ 3 IQR, the IQR at least
    ``SWAP_MIN_IQR_DEGREES``): robust to a quarter of the points being anywhere, so
    a few swapped rows do not move it. ``None`` below ``SWAP_MIN_POINTS`` points.
    """
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    if ok.sum() < SWAP_MIN_POINTS:
        return None
    box = []
    for values in (lat[ok], lon[ok]):
        q1, q3 = np.quantile(values, [0.25, 0.75])
        iqr = max(q3 - q1, SWAP_MIN_IQR_DEGREES)
        box += [q1 - SWAP_FENCE_IQR * iqr, q3 + SWAP_FENCE_IQR * iqr]
    return box[0], box[1], box[2], box[3]


def looks_swapped(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose lat and lon look swapped, by the rule in the module docstring.

    Returns
    -------
    certain, probable
        ``certain``: lat outside [-90, 90] and the swapped point valid (and in the
        bulk, if there is one). ``probable``: a valid point outside the bulk whose
        swapped point lies inside it.
    """
    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(lat) & np.isfinite(lon)
        valid = finite & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        swap_valid = finite & (np.abs(lon) <= 90) & (np.abs(lat) <= 180)
        box = coordinate_bulk(lat, lon)
        if box is None:
            return swap_valid & ~(np.abs(lat) <= 90), np.zeros(len(lat), dtype=bool)
        lat_lo, lat_hi, lon_lo, lon_hi = box
        inside = (lat >= lat_lo) & (lat <= lat_hi) & (lon >= lon_lo) & (lon <= lon_hi)
        swapped_inside = (lon >= lat_lo) & (lon <= lat_hi) & (lat >= lon_lo) & (lat <= lon_hi)
    certain = swap_valid & ~(np.abs(lat) <= 90) & swapped_inside
    probable = valid & ~inside & swapped_inside
    return certain, probable


def _check_coordinates(
    problems: _Problems,
    names: tuple[str, str],
    styles: Mapping[str, str | None],
    parsed: Mapping[str, _NumberColumn],
    *,
    accept_swaps: bool,
    report_empty: bool,
    skip_empty: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Read, range-check and swap-check a lat/lon pair; returns lat, lon and swaps applied."""
    lat_name, lon_name = names
    raw_lat = _loose_values(parsed[lat_name], styles[lat_name])
    raw_lon = _loose_values(parsed[lon_name], styles[lon_name])
    certain, probable = looks_swapped(raw_lat, raw_lon)
    swap = certain | probable
    out = {}
    for name in names:
        col = parsed[name]
        if report_empty:
            reason = f"missing coordinates: {name} is empty"
            problems.add(col.empty & ~skip_empty, name, reason)
        limit = 90.0 if name == lat_name else 180.0
        out[name] = _check_number(
            problems, col, styles[name], name, low=-limit, high=limit, skip=swap
        )
    text_lat, text_lon = parsed[lat_name].text, parsed[lon_name].text
    if accept_swaps:
        problems.add(
            swap,
            lat_name,
            f"{lat_name} and {lon_name} were swapped: read as {lat_name} {{lon}}, "
            f"{lon_name} {{lat}}",
            "warning",
            lat=text_lat,
            lon=text_lon,
        )
        lat_v = np.where(swap, raw_lon, out[lat_name])
        lon_v = np.where(swap, raw_lat, out[lon_name])
        return lat_v, lon_v, int(swap.sum())
    problems.add(
        certain,
        lat_name,
        f"{lat_name} {{lat}} is outside [-90, 90]; {lat_name} and {lon_name} look swapped "
        f"({lat_name} {{lon}}, {lon_name} {{lat}} would fit); accept swaps to read it so",
        lat=text_lat,
        lon=text_lon,
    )
    problems.add(
        probable,
        lat_name,
        f"{lat_name} and {lon_name} look swapped: ({{lat}}, {{lon}}) lies far from the "
        "other points and ({lon}, {lat}) among them; accept swaps to read it so",
        "warning",
        lat=text_lat,
        lon=text_lon,
    )
    lat_v = np.where(certain, np.nan, out[lat_name])
    return lat_v, out[lon_name], 0


def _loose_values(col: _NumberColumn, style: str | None) -> np.ndarray:
    """Values in the decided style (or any unambiguous reading), ignoring range."""
    if style is None:
        values = np.where(col.point[0], col.point[1], col.comma[1])
        values[col.ambiguous()] = np.nan
        return values
    readable, values = col.point if style == "." else col.comma
    return np.where(readable, values, np.nan)


# --- ids and flags ---------------------------------------------------------------------


def _check_repeats(
    problems: _Problems, values: pd.Series, name: str, considered: np.ndarray
) -> None:
    """Report every repeat of a value, naming the row where it first appeared."""
    dup = values.duplicated(keep="first").to_numpy()
    repeat = dup & considered
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
        other_rows=seen,
        value=values,
        first=seen,
    )


def _check_ids(problems: _Problems, ids: pd.Series, name: str) -> None:
    """Report empty ids and every repeat of a non-empty id."""
    empty = _is_empty(ids)
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


# --- the checks ------------------------------------------------------------------------


def _start(
    frame: pd.DataFrame,
    key: str,
    *,
    first_row: int,
    header_row: int,
    row_label: str,
    rows: np.ndarray | None,
    reader_problems: Iterable[RowProblem],
    empty: str | None = None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, _Problems, list[RowProblem]]:
    """The prologue of every check: blank rows out, rows numbered, the reader's problems in.

    ``rows`` overrides ``first_row``; ``empty`` is the file problem to report when
    no row is left under the header (None: the check reports its own). Returns
    the frame without blank rows, their spreadsheet rows, the blank rows, the
    problem collector and the reader's problems as a list.
    """
    numbers = np.arange(len(frame)) + first_row if rows is None else np.asarray(rows)
    blank = _blank_rows(frame, key)
    if blank.size:
        keep = np.ones(len(frame), dtype=bool)
        keep[blank] = False
        frame = frame.iloc[keep].reset_index(drop=True)
        numbers, blank = numbers[keep], numbers[blank]
    problems = _Problems(numbers, header_row, row_label)
    reader_problems = list(reader_problems)
    problems.add_rows(reader_problems)
    if empty is not None and frame.empty:
        problems.add_file(None, empty)
    return frame, numbers, blank, problems, reader_problems


def _empty_account_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": pd.Series([], dtype="str"),
            "name": pd.Series([], dtype="str"),
            "lat": pd.Series([], dtype="float64"),
            "lon": pd.Series([], dtype="float64"),
            "segment": pd.Series([], dtype="str"),
            "tam": pd.Series([], dtype="float64"),
            "revenue": pd.Series([], dtype="float64"),
            "rep_id": pd.Series([], dtype="string"),
            "pinned": pd.Series([], dtype=bool),
        }
    )


def _empty_rep_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep_id": pd.Series([], dtype="str"),
            "name": pd.Series([], dtype="str"),
            "home_lat": pd.Series([], dtype="float64"),
            "home_lon": pd.Series([], dtype="float64"),
            "capacity_hours": pd.Series([], dtype="float64"),
            "region": pd.Series([], dtype="string"),
        }
    )


def _empty_call_plan_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "visits_per_year": pd.Series([], dtype="float64"),
            "minutes_per_visit": pd.Series([], dtype="float64"),
            "channel": pd.Series([], dtype="str"),
        },
        index=pd.Index([], dtype="str", name="segment"),
    )


EMPTY_FRAMES = {
    "accounts": _empty_account_frame,
    "reps": _empty_rep_frame,
    "call_plan": _empty_call_plan_frame,
}
"""Kind -> a function returning an empty frame of the validated shape."""


# --- locating (issue 11 part 5) ---------------------------------------------------------


def _address_rows(frame: pd.DataFrame, parsed: Mapping[str, _NumberColumn]) -> np.ndarray:
    """Rows with neither lat nor lon but a postcode or a town: ``data.locating`` places them."""
    empty = parsed["lat"].empty & parsed["lon"].empty
    given = np.zeros(len(frame), dtype=bool)
    for name in ("postcode", "city"):
        if name in frame.columns:
            given |= ~_is_empty(_text(frame[name]))
    return empty & given


def _locate_rows(
    problems: _Problems, frame: pd.DataFrame, address: np.ndarray, lat: np.ndarray, lon: np.ndarray
) -> pd.Series | None:
    """Fill ``lat``/``lon`` of the address rows in place; each row's location precision.

    ``None`` when the file has no address and no ``location_precision`` column
    (the frame then keeps its old shape: every point is the file's own). A row
    that cannot be located is an error naming why; a precision read back from
    our own export is kept for rows that have coordinates.
    """
    columns = set(frame.columns)
    if not columns & {*ADDRESS_FIELDS, "location_precision"}:
        return None
    own = np.isfinite(lat) & np.isfinite(lon)
    precision = np.where(own, COORDINATES, "").astype(object)
    if "location_precision" in columns:
        given_text = _text(frame["location_precision"])
        given = given_text.str.lower().to_numpy(dtype=object)
        known = np.isin(given, PRECISIONS)
        problems.add(
            ~known & (given != ""),
            "location_precision",
            f"location_precision {{value!r}} is not one of {', '.join(PRECISIONS)}",
            value=given_text,
        )
        precision = np.where(known & own, given, precision)
    precision[address] = ""
    if address.any():
        where = np.flatnonzero(address)
        cells = {
            name: frame[name].iloc[where] if name in columns else None
            for name in ("country", "postcode", "city", "region")
        }
        found = locate(cells["country"], cells["postcode"], cells["city"], cells["region"])
        lat[where], lon[where] = found.lat, found.lon
        precision[where] = found.precision
        for column in ("country", "postcode", "city", "region"):
            failed = np.zeros(len(frame), dtype=bool)
            failed[where] = found.column == column
            reasons = np.full(len(frame), "", dtype=object)
            reasons[where] = found.reason
            problems.add(failed, column, "{why}", why=reasons)
    out = pd.Series(precision, index=frame.index, dtype="string")
    return out.mask(out == "")


def check_accounts(
    frame: pd.DataFrame,
    rep_ids: Iterable[str] | None = None,
    *,
    rows: np.ndarray | None = None,
    first_row: int = FIRST_DATA_ROW,
    header_row: int = HEADER_ROW,
    row_label: str = "row",
    decimal: str | None = None,
    decimal_hint: str | None = None,
    accept_swaps: bool = False,
    derive_segments: SegmentRule | None = None,
    reader_problems: Iterable[RowProblem] = (),
    area: AreaChoice | None = None,
) -> Checked:
    """Every problem of an accounts table whose columns are already fields, without raising.

    Parameters
    ----------
    frame
        Cells with field names as columns (``data.mapping.map_columns``).
    rep_ids
        Known reps; when given, every non-empty ``rep_id`` must be one of them.
    rows
        Spreadsheet row of each frame row; default ``first_row`` onwards.
    decimal, decimal_hint
        Decimal mark forced, or suggested by the file's layout (module docstring).
    accept_swaps
        Swap lat and lon on rows that look swapped, with a warning.
    derive_segments
        Fill empty (or absent) segments from TAM by this rule.
    reader_problems
        Errors found while reading (a GeoJSON feature without a Point); empty
        coordinates on those rows are not reported a second time.
    area
        The planning area the accounts are checked against (``data.plausibility``); accounts
        far from all the others are warned about whatever it is.
    """
    if "segment" not in frame.columns:
        frame = frame.assign(segment="")
    no_columns = [c for c in ("lat", "lon") if c not in frame.columns]  # an address instead
    frame = frame.assign(**dict.fromkeys(no_columns, ""))
    frame, rows, blank, problems, reader_problems = _start(
        frame, "account_id", first_row=first_row, header_row=header_row, row_label=row_label,
        rows=rows, reader_problems=reader_problems, empty="no accounts under the header",
    )  # fmt: skip
    if no_columns:
        problems.add_file(
            None,
            f"no {' or '.join(no_columns)} column: accounts are placed from their postcode or "
            "town (map a column to lat and lon if the file has coordinates)",
            "warning",
        )

    ids = _text(frame["account_id"])
    _check_ids(problems, ids, "account_id")

    parsed = {
        "lat": _NumberColumn(frame["lat"], grouping=False),
        "lon": _NumberColumn(frame["lon"], grouping=False),
        "tam": _NumberColumn(frame["tam"], grouping=True),
        "revenue": _NumberColumn(frame["revenue"], grouping=True),
    }
    styles = _decide_styles(parsed, decimal, decimal_hint)
    flagged = np.isin(rows, [p.row for p in reader_problems if p.column in ("lat", "lon")])
    address = _address_rows(frame, parsed) & ~flagged
    lat, lon, swaps = _check_coordinates(
        problems, ("lat", "lon"), styles, parsed,
        accept_swaps=accept_swaps, report_empty=True, skip_empty=flagged | address,
    )  # fmt: skip
    precision = _locate_rows(problems, frame, address, lat, lon)
    # issue 11 point 7 (planning-area branch): implausible locations are warnings (located rows
    # included); a row the swap rule already flags (not accepted) is told once, by that rule
    told = np.logical_or(*looks_swapped(lat, lon))
    for warning in location_warnings(lat, lon, area):
        problems.add(warning.mask & ~told, "lat", warning.reason, "warning", **warning.fields)

    segment_text = _text(frame["segment"])
    segment = segment_text.str.upper()
    allowed = ", ".join(SEGMENTS)
    seg_empty = _is_empty(segment)
    derived = 0
    if derive_segments is not None:
        tam = _loose_values(parsed["tam"], styles["tam"])
        with np.errstate(invalid="ignore"):
            has_tam = np.isfinite(tam) & (tam >= 0)
        fill = seg_empty & has_tam
        if fill.any():
            values = segment.to_numpy(dtype=object).copy()
            values[fill] = segments_from_tam(tam[has_tam], derive_segments)[fill[has_tam]]
            segment = pd.Series(values, index=segment.index, dtype="str")
            derived = int(fill.sum())
        seg_empty = np.zeros(len(frame), dtype=bool)  # no TAM: its own problem says so
    problems.add(seg_empty, "segment", f"segment is empty; expected one of {allowed}")
    problems.add(
        ~_is_empty(segment) & ~segment.isin(SEGMENTS).to_numpy(),
        "segment",
        f"segment {{value!r}} is not one of {allowed}",
        value=segment_text,
    )

    money = {}
    for name in ("tam", "revenue"):
        money[name] = _check_number(
            problems, parsed[name], styles[name], name, low=0.0,
            empty_reason=f"{name} is empty; expected >= 0",
        )  # fmt: skip

    rep = _optional_ids(frame, "rep_id")
    has_rep = rep.notna().to_numpy()
    if rep_ids is not None:
        rep = _check_owners(problems, rep, rep_ids)

    pinned = np.zeros(len(frame), dtype=bool)
    if "pinned" in frame.columns:
        pinned, invalid, text = _flags(frame["pinned"])
        words = "/".join(w for w in TRUE_WORDS + FALSE_WORDS if w) + " or empty"
        problems.add(invalid, "pinned", f"pinned {{value!r}} is not one of {words}", value=text)
        problems.add(pinned & ~has_rep, "pinned", "pinned account has no rep_id to stay with")

    out = pd.DataFrame(
        {
            "account_id": ids.astype("str"),
            "name": _text(frame["name"]).astype("str"),
            "lat": lat,
            "lon": lon,
            "segment": segment.astype("str"),
            "tam": money["tam"],
            "revenue": money["revenue"],
            "rep_id": rep,
            "pinned": pinned,
            **_optional_texts(frame, ADDRESS_FIELDS),
        },
        index=frame.index,
    )
    if precision is not None:  # issue 11 part 5: how the point was found
        out["location_precision"] = precision
    out = out.reset_index(drop=True)
    return Checked(out, rows, blank, problems.collect(), True, derived, swaps)


# --- issue 11: CRM exports (owners as people, address and CRM fields kept) -------------


def _optional_texts(frame: pd.DataFrame, names: Iterable[str]) -> dict[str, pd.Series]:
    """Optional text fields the file has (``string``, <NA> where empty); absent ones left out."""
    return {name: _optional_ids(frame, name) for name in names if name in frame.columns}


def _check_shared_people(problems: _Problems, frame: pd.DataFrame) -> None:
    """Warn where two reps share an e-mail or a CRM user id: owners given by it are ambiguous."""
    for column, what in (("email", "e-mail"), ("crm_user_id", "CRM user id")):
        if column not in frame.columns:
            continue
        values = _optional_ids(frame, column)
        keys = values.str.casefold() if column == "email" else values
        shared = (keys.duplicated(keep=False) & keys.notna()).to_numpy(dtype=bool)
        problems.add(
            shared,
            column,
            f"{column} {{value!r}} is another rep's too: an account owner given by this "
            f"{what} will match both reps",
            "warning",
            value=values.to_numpy(dtype=object),
        )


def _check_owners(problems: _Problems, rep: pd.Series, rep_ids: Iterable[str]) -> pd.Series:
    """Owners as rep ids (``data.owners``); unmatched and ambiguous ones are row errors."""
    match = match_owners(rep, rep_ids)
    by_person = isinstance(rep_ids, Owners) and rep_ids.by_person
    unknown = "rep_id {value!r} is not a known rep" + (
        ": no rep has this rep_id, name, e-mail or CRM user id" if by_person else ""
    )
    value = rep.to_numpy(dtype=object)
    problems.add(match.unmatched, "rep_id", unknown, value=value)
    problems.add(
        match.ambiguous,
        "rep_id",
        "owner {value!r} {why}; give the rep_id (or the e-mail) to say which",
        value=value,
        why=match.reason,
    )
    return match.rep_id


def check_reps(
    frame: pd.DataFrame,
    *,
    rows: np.ndarray | None = None,
    first_row: int = FIRST_DATA_ROW,
    header_row: int = HEADER_ROW,
    row_label: str = "row",
    decimal: str | None = None,
    decimal_hint: str | None = None,
    accept_swaps: bool = False,
    reader_problems: Iterable[RowProblem] = (),
) -> Checked:
    """Every problem of a reps table whose columns are already fields, in file order.

    Parameters are those of ``check_accounts``; ``validate_reps`` sorts the result.
    """
    frame, rows, blank, problems, reader_problems = _start(
        frame, "rep_id", first_row=first_row, header_row=header_row, row_label=row_label,
        rows=rows, reader_problems=reader_problems,
        empty="no reps under the header; a plan needs at least one",
    )  # fmt: skip

    ids = _text(frame["rep_id"])
    _check_ids(problems, ids, "rep_id")

    parsed = {
        "home_lat": _NumberColumn(frame["home_lat"], grouping=False),
        "home_lon": _NumberColumn(frame["home_lon"], grouping=False),
        "capacity_hours": _NumberColumn(frame["capacity_hours"], grouping=True),
    }
    styles = _decide_styles(parsed, decimal, decimal_hint)
    # One message for a rep with no home at all, one per column when half is there.
    flagged = np.isin(rows, [p.row for p in reader_problems])
    lat_empty = parsed["home_lat"].empty & ~flagged
    lon_empty = parsed["home_lon"].empty & ~flagged
    problems.add(
        lat_empty & lon_empty,
        "home_lat",
        "rep without a home base: home_lat and home_lon are empty",
    )
    problems.add(lat_empty & ~lon_empty, "home_lat", "home_lat is empty; a rep needs a home base")
    problems.add(lon_empty & ~lat_empty, "home_lon", "home_lon is empty; a rep needs a home base")
    lat, lon, swaps = _check_coordinates(
        problems, ("home_lat", "home_lon"), styles, parsed,
        accept_swaps=accept_swaps, report_empty=False, skip_empty=flagged,
    )  # fmt: skip

    capacity = _check_number(
        problems,
        parsed["capacity_hours"],
        styles["capacity_hours"],
        "capacity_hours",
        positive=True,
        empty_reason="capacity_hours is empty; expected hours per year > 0",
    )
    names = _text(frame["name"])
    _check_shared_people(problems, frame)
    out = pd.DataFrame(
        {
            "rep_id": ids.astype("str"),
            "name": names.where(names != "", ids).astype("str"),
            "home_lat": lat,
            "home_lon": lon,
            "capacity_hours": capacity,
            "region": _optional_ids(frame, "region"),
            **_optional_texts(frame, ("district", "email", "crm_user_id")),  # district: issue 14
            **_check_experience(problems, frame),  # issue 15
            **_check_layers(problems, frame),  # issue 15: overlay reps
        },
        index=frame.index,
    ).reset_index(drop=True)
    return Checked(out, rows, blank, problems.collect(), True, 0, swaps)


def _check_experience(problems: _Problems, frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Issue 15: the optional ``experience`` column as level keys; an unknown level is an error."""
    if "experience" not in frame.columns:
        return {}
    given = _optional_ids(frame, "experience")
    keys: list[object] = []
    bad = np.zeros(len(given), bool)
    for i, value in enumerate(given.tolist()):
        if value is pd.NA or value is None:
            keys.append(pd.NA)
            continue
        try:
            keys.append(experience_of(value).key)
        except MatchingError:
            keys.append(pd.NA)
            bad[i] = True
    problems.add(
        bad, "experience", f"experience {{value!r}} is not one of {', '.join(LEVELS)}",
        value=given.to_numpy(dtype=object),
    )  # fmt: skip
    return {"experience": pd.Series(pd.array(keys, dtype="string"), index=frame.index)}


def _check_layers(problems: _Problems, frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Issue 15: ``layer`` (field or overlay) and each overlay rep's ``overlay`` rule."""
    if "layer" not in frame.columns:
        return {}
    given = _optional_ids(frame, "layer")
    rules = _optional_ids(frame, "overlay")
    layers: list[str] = []
    bad_layer = np.zeros(len(given), bool)
    no_rule = np.zeros(len(given), bool)
    bad_rule = np.zeros(len(given), bool)
    why = np.full(len(given), "", dtype=object)
    for i, (value, rule) in enumerate(zip(given.tolist(), rules.tolist(), strict=True)):
        try:
            layer = layer_of(None if value is pd.NA else value)
        except OverlayError:
            bad_layer[i] = True
            layers.append("field")
            continue
        layers.append(layer.value)
        if layer is Layer.OVERLAY:
            if rule is pd.NA:
                no_rule[i] = True
                continue
            try:
                OverlayRule.parse(rule)
            except OverlayError as err:
                bad_rule[i], why[i] = True, str(err)
    problems.add(bad_layer, "layer", "layer {value!r} is not field or overlay",
                 value=given.to_numpy(dtype=object))  # fmt: skip
    needs = "an overlay rep needs an overlay rule, e.g. segment=C; channel=remote"
    problems.add(no_rule, "overlay", needs)
    problems.add(bad_rule, "overlay", "{why}", why=why)
    out = {"layer": pd.Series(pd.array(layers, dtype="string"), index=frame.index)}
    if "overlay" in frame.columns:
        out["overlay"] = rules
    return out


def check_call_plan(
    frame: pd.DataFrame,
    *,
    rows: np.ndarray | None = None,
    first_row: int = FIRST_DATA_ROW,
    header_row: int = HEADER_ROW,
    row_label: str = "row",
    decimal: str | None = None,
    decimal_hint: str | None = None,
    reader_problems: Iterable[RowProblem] = (),
) -> Checked:
    """Every problem of a call plan whose columns are already fields, in file order."""
    frame, rows, blank, problems, _ = _start(
        frame, "segment", first_row=first_row, header_row=header_row, row_label=row_label,
        rows=rows, reader_problems=reader_problems,
    )  # fmt: skip

    segment_text = _text(frame["segment"])
    segment = segment_text.str.upper()
    allowed = ", ".join(SEGMENTS)
    known = segment.isin(SEGMENTS).to_numpy()
    empty = _is_empty(segment)
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

    parsed = {
        name: _NumberColumn(frame[name], grouping=True)
        for name in ("visits_per_year", "minutes_per_visit")
    }
    styles = _decide_styles(parsed, decimal, decimal_hint)
    numbers = {
        name: _check_number(
            problems, parsed[name], styles[name], name, low=0.0,
            empty_reason=f"{name} is empty; expected >= 0",
        )
        for name in parsed
    }  # fmt: skip

    channel_text = _text(frame["channel"])
    channel = channel_text.str.lower()
    channel_empty = _is_empty(channel)
    problems.add(
        channel_empty, "channel", f"channel is empty; expected one of {', '.join(CHANNELS)}"
    )
    problems.add(
        ~channel_empty & ~channel.isin(CHANNELS).to_numpy(),
        "channel",
        f"channel {{value!r}} is not one of {', '.join(CHANNELS)}",
        value=channel_text,
    )
    out = pd.DataFrame(
        {
            "visits_per_year": numbers["visits_per_year"],
            "minutes_per_visit": numbers["minutes_per_visit"],
            "channel": channel.astype("str").to_numpy(),
        },
        index=pd.Index(segment.astype("str").to_numpy(), name="segment"),
    )
    return Checked(out, rows, blank, problems.collect())


CHECKS = {"accounts": check_accounts, "reps": check_reps, "call_plan": check_call_plan}
"""Kind -> check function."""


# --- validate: check and refuse --------------------------------------------------------


def map_fields(
    raw: pd.DataFrame,
    kind: str,
    mapping: Mapping | str | os.PathLike[str] | None,
    *,
    optional: Iterable[str] = (),
) -> tuple[pd.DataFrame, list[str]]:
    """``map_columns``, except that an accounts file may give an address instead of lat/lon.

    Issue 11 part 5: a HubSpot export has a postcode, a city and a country but
    no coordinates. When lat or lon is missing and a postcode or city column is
    mapped, the file is accepted and its rows are located (``data.locating``);
    otherwise the header problems are the usual ones.
    """
    frame, reasons = map_columns(raw, kind, mapping, optional=optional)
    if reasons and kind == "accounts":
        alt, alt_reasons = map_columns(raw, kind, mapping, optional=(*optional, "lat", "lon"))
        if not alt_reasons and {"postcode", "city"} & set(alt.columns):
            return alt, []
    return frame, reasons


def _validated(
    raw: pd.DataFrame | RawTable,
    kind: str,
    source: str,
    mapping: Mapping | str | os.PathLike[str] | None,
    optional: Iterable[str] = (),
    **options: Any,
) -> pd.DataFrame:
    """The prologue and epilogue of every ``validate_*``: map, check, refuse on any error.

    Returns the checked frame (not yet sorted); raises an ``InputError`` naming
    what the header lacks, or every error of every row.
    """
    raw = raw if isinstance(raw, RawTable) else RawTable(raw, source)
    frame, reasons = map_fields(raw.frame, kind, mapping, optional=optional)
    if reasons:
        header: list[RowProblem] = [Problem(raw.header_row, None, r) for r in reasons]
        raise InputError(source, header)
    checked = CHECKS[kind](
        frame, first_row=raw.first_row, header_row=raw.header_row, row_label=raw.row_label,
        decimal_hint=raw.decimal_hint, reader_problems=raw.problems, **options,
    )  # fmt: skip
    errors: list[RowProblem] = list(checked.errors)
    if errors:
        raise InputError(source, errors)
    return checked.frame


def validate_accounts(
    raw: pd.DataFrame | RawTable,
    rep_ids: Iterable[str] | None = None,
    source: str = "accounts",
    *,
    mapping: Mapping | str | os.PathLike[str] | None = None,
    decimal: str | None = None,
    accept_swaps: bool = False,
    derive_segments: SegmentRule | None = None,
) -> pd.DataFrame:
    """Check an accounts table and return it in the ``data.schemas`` account shape.

    Every bad cell of every row is reported in one ``InputError`` so the user
    fixes the file once; the core then trusts the result and never re-checks.
    Warnings (a point that looks swapped) do not stop the import; see
    ``data.importing`` for the full report.

    Parameters
    ----------
    raw
        Cells as read by ``read_table`` (row ``i`` is spreadsheet row ``i + 2``), or
        the ``RawTable`` of ``read_raw`` (which knows where the header was).
        Columns are matched to fields by ``mapping`` and then by name
        (``data.mapping``); other columns are ignored.
    rep_ids
        Known reps; when given, every non-empty ``rep_id`` must be one of them.
        ``None`` skips that check (accounts loaded before reps).
    source
        Names the input in the error message, usually the file name.
    mapping, decimal, accept_swaps, derive_segments
        See ``check_accounts`` and ``data.mapping``.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``name``, ``segment`` (upper case) as ``str``; ``lat``,
        ``lon``, ``tam``, ``revenue`` as float64; ``rep_id`` as ``string`` with
        ``<NA>``; ``pinned`` as bool; a fresh ``RangeIndex``.

    Raises
    ------
    InputError
        Lists every error: a missing column (on the header row), or per row an
        empty or repeated ``account_id``, missing, non-numeric, ambiguous,
        out-of-range or swapped coordinates, an unknown segment, empty,
        non-numeric or negative money, an unknown ``rep_id``, an unreadable
        ``pinned``, or a pinned account without a rep.
    """
    optional = ("segment",) if derive_segments is not None else ()
    return _validated(
        raw, "accounts", source, mapping, optional, rep_ids=rep_ids, decimal=decimal,
        accept_swaps=accept_swaps, derive_segments=derive_segments,
    )  # fmt: skip


def validate_reps(
    raw: pd.DataFrame | RawTable,
    source: str = "reps",
    *,
    mapping: Mapping | str | os.PathLike[str] | None = None,
    decimal: str | None = None,
    accept_swaps: bool = False,
) -> pd.DataFrame:
    """Check a reps table and return it in natural ``rep_id`` order.

    The returned order is the rep index of the core ("ties go to the lower
    rep_id"), so it must not depend on the row order of the file.

    Parameters
    ----------
    raw
        Cells as read by ``read_table``, in file order, or a ``RawTable``.
    source
        Names the input in the error message, usually the file name.
    mapping, decimal, accept_swaps
        As for ``validate_accounts``.

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
    frame = _validated(raw, "reps", source, mapping, decimal=decimal, accept_swaps=accept_swaps)
    return sort_reps(frame)


def sort_reps(reps: pd.DataFrame) -> pd.DataFrame:
    """Reps in natural ``rep_id`` order with a fresh index (the core's rep order)."""
    keys = [natural_key(r) for r in reps["rep_id"]]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return reps.iloc[order].reset_index(drop=True)


def validate_call_plan(
    raw: pd.DataFrame | RawTable,
    source: str = "call plan",
    *,
    mapping: Mapping | str | os.PathLike[str] | None = None,
    decimal: str | None = None,
) -> pd.DataFrame:
    """Check a call plan and return it shaped like ``default_call_plan()``.

    Workload is computed per segment, so a segment without a row would silently
    cost nothing; every segment must appear exactly once.

    Parameters
    ----------
    raw
        Cells as read by ``read_table``, in file order, or a ``RawTable``.
    source
        Names the input in the error message, usually the file name.
    mapping, decimal
        As for ``validate_accounts``.

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
    return order_call_plan(_validated(raw, "call_plan", source, mapping, decimal=decimal))


def order_call_plan(plan: pd.DataFrame) -> pd.DataFrame:
    """A checked call plan indexed by segment in ``SEGMENTS`` order."""
    return plan.reindex(pd.Index(list(SEGMENTS), name="segment"))


def load_accounts(
    path: str | os.PathLike[str],
    rep_ids: Iterable[str] | None = None,
    *,
    mapping: Mapping | str | os.PathLike[str] | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read and validate an accounts file of any supported format; problems name the file."""
    raw = read_raw(path, sheet=sheet, kind="accounts", mapping=_loaded(mapping))
    return validate_accounts(raw, rep_ids, source=Path(path).name, mapping=_loaded(mapping))


def load_reps(
    path: str | os.PathLike[str],
    *,
    mapping: Mapping | str | os.PathLike[str] | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read and validate a reps file of any supported format; problems name the file."""
    raw = read_raw(path, sheet=sheet, kind="reps", mapping=_loaded(mapping))
    return validate_reps(raw, source=Path(path).name, mapping=_loaded(mapping))


def load_call_plan(
    path: str | os.PathLike[str],
    *,
    mapping: Mapping | str | os.PathLike[str] | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read and validate a call-plan file; problems name the file."""
    raw = read_raw(path, sheet=sheet, kind="call_plan", mapping=_loaded(mapping))
    return validate_call_plan(raw, source=Path(path).name, mapping=_loaded(mapping))


def _loaded(mapping: Mapping | str | os.PathLike[str] | None) -> Mapping | None:
    """A mapping given as a path, loaded; dicts and ``None`` as they are."""
    if isinstance(mapping, (str, os.PathLike)):
        return load_mapping(mapping)
    return mapping
