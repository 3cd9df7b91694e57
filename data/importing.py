"""Bring your own data: import a file and account for every one of its rows.

``import_accounts`` (and ``import_reps``, ``import_call_plan``) read any supported
file (``data.readers``), match its columns to fields (``data.mapping``), check every
row (``data.validation``) and return the imported frame with an ``ImportReport``.
The report keeps the promise the app makes to a planner: every row of the file is
either imported or excluded with a reason, ``imported + excluded == rows_read``,
always, and every problem names its spreadsheet row.

What happens to a row is the caller's choice, row by row (``choices``):

- a dict of corrected values, ``{"lat": "48.1"}``: a *fix*; the row is checked again
  with them;
- ``"exclude"``: the row is left out;
- ``"accept"``: its warnings are accepted (matters with ``accept_warnings=False``,
  where an unaccepted warning blocks its row like an error).

Without a choice, a row with an error blocks the whole import (nothing is imported,
as with ``load_accounts``) unless ``exclude_bad_rows=True`` leaves such rows out.
Excluding rows can clear other rows' errors (the second of two equal ids is fine
once the first is gone), so the check runs again on what is left until it is clean.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from common.errors import InputError, RowProblem
from data.formulas import neutralise_frame, unneutralise_frame
from data.locating import NOT_LOCATED, PRECISIONS
from data.mapping import FIELDS, load_mapping
from data.readers import MAX_FILE_BYTES, Progress, RawTable, read_raw
from data.segments import SegmentRule
from data.validation import (
    CHECKS,
    EMPTY_FRAMES,
    Checked,
    Problem,
    map_fields,
    order_call_plan,
    sort_reps,
)
from planning.area_choice import AreaChoice

RowChoice = Mapping[str, object] | Literal["exclude", "accept"]
"""A fix (field -> corrected value), ``"exclude"`` or ``"accept"``."""

BLANK = "blank"
HAS_ERRORS = "with errors"
WARNING_NOT_ACCEPTED = "with warnings not accepted"
BY_CHOICE = "by choice"
FILE_REFUSED = "held back by errors"

REPORT_COLUMNS = ("row", "column", "severity", "reason", "outcome")


@dataclass(frozen=True)
class ImportReport:
    """What happened to every row of one imported file.

    ``imported + excluded == rows_read`` holds for every report (checked on
    creation); ``excluded_because`` splits ``excluded`` by reason.
    """

    source: str
    kind: str
    rows_read: int
    imported: int
    excluded: int
    problems: tuple[Problem, ...] = ()
    excluded_because: Mapping[str, int] = field(default_factory=dict)
    excluded_rows: tuple[int, ...] = ()
    """Rows excluded one by one (blank, errors, choice), ascending; a refused file's
    remaining rows are not listed."""
    refused: bool = False
    """Nothing was imported because errors remain."""
    header_row: int = 1
    fixed_rows: tuple[int, ...] = ()
    segments_derived: int = 0
    swaps_applied: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    columns: tuple[tuple[str, str | None], ...] = ()
    """The mapping as applied: (column in the file, field or None), in file order."""
    located: Mapping[str, int] = field(default_factory=dict)
    """Issue 11 part 5: accounts placed per precision (coordinates, postcode, town)."""
    not_located: int = 0
    """Rows with a locating problem (an unknown postcode or town, an ambiguous town)."""

    def __post_init__(self) -> None:
        if self.imported + self.excluded != self.rows_read:
            raise ValueError(
                f"{self.source}: {self.imported} imported + {self.excluded} excluded "
                f"!= {self.rows_read} rows read"
            )
        if sum(self.excluded_because.values()) != self.excluded:
            raise ValueError(
                f"{self.source}: excluded_because {dict(self.excluded_because)} does not add "
                f"up to {self.excluded}"
            )

    @property
    def errors(self) -> list[Problem]:
        """Problems that block their row (or on the header row, the file)."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that do not block their row."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """Nothing was refused: the import went through (warnings allowed)."""
        return not self.refused

    @property
    def rows_with_problems(self) -> int:
        """Data rows with at least one problem."""
        return len({p.row for p in self.problems if p.row > self.header_row})

    def outcome(self, row: int) -> str:
        """``"imported"``, ``"excluded"`` or ``"not imported"`` for one spreadsheet row."""
        if row <= self.header_row:
            return "not imported" if self.refused else "imported"
        if row in self._excluded_set:
            return "excluded"
        return "not imported" if self.refused else "imported"

    @property
    def _excluded_set(self) -> frozenset[int]:
        return frozenset(self.excluded_rows)

    def to_frame(self) -> pd.DataFrame:
        """One line per problem: row, column, severity, reason, outcome of the row."""
        excluded = self._excluded_set
        refused = "not imported" if self.refused else "imported"
        records = [
            (
                p.row,
                p.column or "",
                p.severity,
                p.reason,
                "excluded" if p.row in excluded and p.row > self.header_row else refused,
            )
            for p in self.problems
        ]
        return pd.DataFrame.from_records(records, columns=list(REPORT_COLUMNS))

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str:
        """The problem list as CSV text (UTF-8, header line first); also written to ``path``."""
        buffer = io.StringIO()
        # a spreadsheet opens this file: a reason or value that starts like a formula stays text
        neutralise_frame(self.to_frame()).to_csv(buffer, index=False, lineterminator="\n")
        text = buffer.getvalue()
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def summary(self) -> str:
        """One paragraph a person reads: counts first, then every problem by row."""
        head = (
            f"{self.source}: {self.rows_read:,} rows read, {self.imported:,} imported, "
            f"{self.excluded:,} excluded"
        )
        if self.excluded_because:
            parts = ", ".join(f"{n:,} {why}" for why, n in self.excluded_because.items())
            head += f" ({parts})"
        head += (
            f"; {_count(self.rows_with_problems, 'row')} with problems "
            f"({_count(len(self.errors), 'error')}, {_count(len(self.warnings), 'warning')})"
        )
        extras = []
        if self.segments_derived:
            extras.append(f"{self.segments_derived:,} segments derived from TAM")
        if self.swaps_applied:
            extras.append(f"{self.swaps_applied:,} lat/lon swaps applied")
        if self.fixed_rows:
            extras.append(f"{len(self.fixed_rows):,} rows fixed")
        lines = [head + ("; " + "; ".join(extras) if extras else "")]
        lines += [f"  {p} ({p.severity})" for p in self.problems]
        return "\n".join(lines)

    def location_line(self) -> str:
        """``located: 812 by coordinates, 140 by postcode, 31 by town; 5 not located``."""
        parts = ", ".join(f"{self.located.get(p, 0):,} by {p}" for p in PRECISIONS)
        return f"located: {parts}; {self.not_located:,} not located"

    def raise_for_errors(self) -> None:
        """Raise the ``InputError`` ``load_accounts`` would, if any error remains."""
        if self.refused:
            errors: list[RowProblem] = list(self.errors)
            raise InputError(self.source, errors)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _split_choices(
    choices: Mapping[int, RowChoice] | None, rows: np.ndarray, kind: str
) -> tuple[dict[int, Mapping[str, object]], set[int], set[int]]:
    """Fixes, excluded rows and accepted rows, checked against the file."""
    fixes: dict[int, Mapping[str, object]] = {}
    excluded: set[int] = set()
    accepted: set[int] = set()
    if not choices:
        return fixes, excluded, accepted
    first, last = (int(rows[0]), int(rows[-1])) if len(rows) else (0, -1)
    for row, choice in choices.items():
        if not isinstance(row, (int, np.integer)) or not first <= row <= last:
            raise ValueError(f"choice for row {row!r}: the file's data rows are {first}-{last}")
        if choice == "exclude":
            excluded.add(int(row))
        elif choice == "accept":
            accepted.add(int(row))
        elif isinstance(choice, Mapping):
            unknown = [f for f in choice if f not in FIELDS[kind]]
            if unknown:
                raise ValueError(
                    f"fix for row {row} names {', '.join(map(repr, unknown))}; "
                    f"fields are {', '.join(FIELDS[kind])}"
                )
            fixes[int(row)] = choice
        else:
            raise ValueError(
                f"choice for row {row} is {choice!r}; expected 'exclude', 'accept' or a dict "
                "of corrected values"
            )
    return fixes, excluded, accepted


def _apply_fixes(
    frame: pd.DataFrame, fixes: Mapping[int, Mapping[str, object]], first_row: int
) -> pd.DataFrame:
    """The frame with corrected cells; a fixed column becomes ``object`` to hold any value."""
    if not fixes:
        return frame
    frame = frame.copy()
    by_field: dict[str, dict[int, object]] = {}
    for row, values in fixes.items():
        for name, value in values.items():
            by_field.setdefault(name, {})[row - first_row] = value
    for name, cells in by_field.items():
        column = (
            frame[name].astype(object)
            if name in frame.columns
            else pd.Series("", index=frame.index, dtype=object)
        )
        positions = np.fromiter(cells, dtype=np.int64)
        column.iloc[positions] = pd.Series(list(cells.values()), dtype=object).to_numpy()
        frame[name] = column
    return frame


@dataclass(frozen=True)
class ImportOptions:
    """How a file is read and what its import lets through: one value for every kind.

    The importers take it whole (``import_table(raw, "accounts", options)``) or
    field by field as keywords (``import_accounts(path, exclude_bad_rows=True)``);
    a field a kind does not use is ignored (``rep_ids`` and ``derive_segments``
    concern accounts, ``accept_swaps`` accounts and reps).

    Attributes
    ----------
    mapping
        Column mapping or the path of a saved one (``data.mapping``); columns it
        does not name are matched by their names.
    sheet
        Workbook sheet; default: the sheet that looks most like a table of the kind.
    rep_ids
        Known reps; an account's ``rep_id`` outside them is an error.
    exclude_bad_rows
        Leave rows with errors out and import the rest, instead of importing nothing.
    accept_swaps
        Swap lat and lon where they look swapped (``data.validation`` says when).
    derive_segments
        Fill empty or absent segments from TAM by this ``SegmentRule``.
    choices
        Spreadsheet row -> fix (dict of corrected values), ``"exclude"`` or
        ``"accept"``; see the module docstring.
    accept_warnings
        ``False`` makes a warning block its row until accepted, fixed or excluded.
    decimal
        ``"."`` or ``","`` to override decimal-mark detection.
    max_bytes
        Refuse files bigger than this.
    """

    mapping: Mapping | str | os.PathLike[str] | None = None
    sheet: str | None = None
    rep_ids: Iterable[str] | None = None
    exclude_bad_rows: bool = False
    accept_swaps: bool = False
    derive_segments: SegmentRule | None = None
    choices: Mapping[int, RowChoice] | None = None
    accept_warnings: bool = True
    decimal: str | None = None
    max_bytes: int = MAX_FILE_BYTES
    area: AreaChoice | None = None
    """The planning area accounts are checked against (issue 11 point 3: outside is a warning)."""

    def but(self, **changes: Any) -> ImportOptions:
        """These options with some fields changed (a ``TypeError`` names an unknown one)."""
        return replace(self, **changes) if changes else self


def import_table(
    raw: RawTable,
    kind: str,
    options: ImportOptions | None = None,
    *,
    progress: Progress | None = None,
    **changes: Any,
) -> tuple[pd.DataFrame, ImportReport]:
    """Import a table already read: map columns, apply choices, check, decide per row.

    ``kind`` is ``"accounts"``, ``"reps"`` or ``"call_plan"``; ``options``
    (and keywords naming its fields, which override it) are those of
    ``ImportOptions`` (``sheet`` and ``max_bytes`` concern reading, done already).
    """
    opt = (options or ImportOptions()).but(**changes)
    mapping = opt.mapping
    if isinstance(mapping, (str, os.PathLike)):
        mapping = load_mapping(mapping)
    n = len(raw.frame)
    all_rows = np.arange(n, dtype=np.int64) + raw.first_row
    context: dict[str, Any] = {
        "source": raw.source,
        "kind": kind,
        "rows_read": n,
        "header_row": raw.header_row,
        "encoding": raw.encoding,
        "delimiter": raw.delimiter,
        "sheet": raw.sheet,
    }
    optional = ("segment",) if kind == "accounts" and opt.derive_segments is not None else ()
    # issue 12: a leading ' (our exports' formula escape, a spreadsheet's "text") is undone
    frame, header_reasons = map_fields(
        unneutralise_frame(raw.frame), kind, mapping, optional=optional
    )
    context["columns"] = applied_mapping(raw.frame.columns, frame.columns, kind)
    if header_reasons:
        problems = tuple(Problem(raw.header_row, None, r) for r in header_reasons)
        because = {FILE_REFUSED: n} if n else {}
        report = ImportReport(
            imported=0, excluded=n, problems=problems, excluded_because=because,
            refused=True, **context,
        )  # fmt: skip
        return EMPTY_FRAMES[kind](), report

    fixes, by_choice, accepted = _split_choices(opt.choices, all_rows, kind)
    frame = _apply_fixes(frame, fixes, raw.first_row)
    fixed_coords = {r for r, v in fixes.items() if {"lat", "lon", "home_lat", "home_lon"} & set(v)}
    reader_problems = [p for p in raw.problems if p.row not in fixed_coords or p.column is None]
    check_options: dict = {
        "header_row": raw.header_row,
        "row_label": raw.row_label,
        "decimal": opt.decimal,
        "decimal_hint": raw.decimal_hint,
    }
    if kind == "accounts":
        check_options |= {
            "rep_ids": opt.rep_ids,
            "accept_swaps": opt.accept_swaps,
            "derive_segments": opt.derive_segments,
            "area": opt.area,
        }
    elif kind == "reps":
        check_options["accept_swaps"] = opt.accept_swaps

    excluded: dict[str, list[int]] = {BLANK: [], HAS_ERRORS: [], WARNING_NOT_ACCEPTED: []}
    excluded[BY_CHOICE] = sorted(by_choice)
    settled: list[Problem] = []  # problems of rows already excluded for them
    keep = ~np.isin(all_rows, list(by_choice))
    check = CHECKS[kind]
    checked: Checked | None = None
    refused = False
    while True:
        rows = all_rows[keep]
        if checked is not None and not len(rows):
            settled.append(
                Problem(raw.header_row, None, "no rows left to import: every row was excluded")
            )
            checked = None  # its problems are settled already
            refused = True
            break
        if progress is not None:
            progress(0.85, f"checking {len(rows):,} rows of {raw.source}")
        row_set = set(rows.tolist())
        checked = check(
            frame.iloc[np.flatnonzero(keep)].reset_index(drop=True),
            rows=rows,
            reader_problems=[p for p in reader_problems if p.row in row_set],
            **check_options,
        )
        if checked.blank_rows.size:
            excluded[BLANK].extend(checked.blank_rows.tolist())
            keep &= ~np.isin(all_rows, checked.blank_rows)
        errors = checked.rows_with("error")
        blocked = errors.copy()
        if not opt.accept_warnings:
            blocked |= checked.rows_with("warning") & ~np.isin(checked.rows, list(accepted))
        file_errors = any(p.row <= raw.header_row for p in checked.errors)
        if file_errors or not blocked.any():
            refused = file_errors
            break
        if not opt.exclude_bad_rows:
            refused = True
            break
        own = _rows_with_own_errors(checked)
        if (blocked & own).any():  # a duplicate may be fine once its first is gone
            blocked &= own
            errors &= own
        bad_rows = checked.rows[blocked]
        excluded[HAS_ERRORS].extend(checked.rows[errors].tolist())
        excluded[WARNING_NOT_ACCEPTED].extend(checked.rows[blocked & ~errors].tolist())
        bad_set = set(bad_rows.tolist())
        settled += [p for p in checked.problems if p.row in bad_set]
        keep &= ~np.isin(all_rows, bad_rows)

    found = sorted(settled + (checked.problems if checked else []), key=lambda p: p.row)
    found = _ragged_alone(found, raw.problems)
    one_by_one = sorted(r for rows_ in excluded.values() for r in rows_)
    because = {why: len(r) for why, r in excluded.items() if r}
    if refused:
        out = EMPTY_FRAMES[kind]()
        remaining = n - len(one_by_one)
        if remaining:
            because[FILE_REFUSED] = remaining
        imported = 0
    else:
        assert checked is not None  # not refused: the last check passed
        out = checked.frame
        if kind == "reps":
            out = sort_reps(out)
        elif kind == "call_plan":
            out = order_call_plan(out)
        imported = len(checked.frame)
    located, not_located = _location_counts(kind, checked, found)
    report = ImportReport(
        imported=imported,
        excluded=n - imported,
        problems=tuple(found),
        excluded_because=because,
        excluded_rows=tuple(one_by_one),
        refused=refused,
        fixed_rows=tuple(sorted(fixes)),
        segments_derived=0 if refused or checked is None else checked.segments_derived,
        swaps_applied=0 if refused or checked is None else checked.swaps_applied,
        located=located,
        not_located=not_located,
        **context,
    )
    if progress is not None:
        progress(1.0, f"{raw.source}: {imported:,} of {n:,} rows imported")
    return out, report


def _ragged_alone(found: list[Problem], read: Iterable[RowProblem]) -> list[Problem]:
    """Problems with those of a ragged line's shifted cells left out (issue 12 point 6).

    A CSV line with more or fewer fields than the header is one problem of its row
    (the reader's, on no column); what validation says of its cells (``lat`` is
    not a number...) follows from the shift and would only bury it.
    """
    whole = {(p.row, p.reason) for p in read if p.column is None}
    if not whole:
        return found
    rows = {row for row, _ in whole}
    return [
        p for p in found if p.row not in rows or (p.column is None and (p.row, p.reason) in whole)
    ]


def applied_mapping(
    before: Iterable[object], after: Iterable[object], kind: str
) -> tuple[tuple[str, str | None], ...]:
    """(column in the file, the field it became or None), from the frame before and after."""
    fields = set(FIELDS[kind])
    return tuple(
        (str(b).strip(), str(a) if str(a) in fields else None)
        for b, a in zip(before, after, strict=True)
    )


def _location_counts(
    kind: str, checked: Checked | None, problems: Iterable[Problem]
) -> tuple[dict[str, int], int]:
    """Accounts placed per precision in the last check, and rows that could not be placed.

    Part 5 of issue 11. A file without an address has every point its own
    (all ``coordinates``); rows whose locating failed carry no precision.
    """
    if kind != "accounts":
        return {}, 0
    missing = len({p.row for p in problems if p.reason.startswith(NOT_LOCATED)})
    if checked is None:
        return dict.fromkeys(PRECISIONS, 0), missing
    frame = checked.frame
    if "location_precision" in frame.columns:
        counts = frame["location_precision"].value_counts()
        located = {p: int(counts.get(p, 0)) for p in PRECISIONS}
    else:
        ok = np.isfinite(frame["lat"].to_numpy()) & np.isfinite(frame["lon"].to_numpy())
        located = {p: int(ok.sum()) if p == PRECISIONS[0] else 0 for p in PRECISIONS}
    return located, missing


def _rows_with_own_errors(checked: Checked) -> np.ndarray:
    """Rows with an error that does not hinge on another row, or with any warning."""
    own = {p.row for p in checked.problems if p.severity != "error" or p.other_row is None}
    return np.isin(checked.rows, list(own))


def _read(
    path: str | os.PathLike[str], kind: str, options: ImportOptions, progress: Progress | None
) -> tuple[RawTable, ImportOptions]:
    """The file's cells, and the options with a mapping path loaded (read once, used twice)."""
    mapping = options.mapping
    if isinstance(mapping, (str, os.PathLike)):
        mapping = load_mapping(mapping)
        options = options.but(mapping=mapping)
    scaled = None
    if progress is not None:

        def scaled(fraction: float, message: str) -> None:
            progress(0.8 * fraction, message)

    raw = read_raw(
        path, sheet=options.sheet, kind=kind, mapping=mapping, max_bytes=options.max_bytes,
        progress=scaled,
    )  # fmt: skip
    return raw, options


def import_file(
    path: str | os.PathLike[str],
    kind: str,
    options: ImportOptions | None = None,
    *,
    progress: Progress | None = None,
    **changes: Any,
) -> tuple[pd.DataFrame, ImportReport]:
    """Import one file of any kind; ``options`` and keywords as for ``import_table``."""
    raw, options = _read(path, kind, (options or ImportOptions()).but(**changes), progress)
    return import_table(raw, kind, options, progress=progress)


def import_accounts(
    path: str | os.PathLike[str],
    options: ImportOptions | None = None,
    *,
    progress: Progress | None = None,
    **changes: Any,
) -> tuple[pd.DataFrame, ImportReport]:
    """Import an accounts file (CSV, Excel, Parquet, GeoJSON) with a report on every row.

    Parameters
    ----------
    options
        How to read the file and what to let through (``ImportOptions``).
    progress
        ``progress(fraction, message)``, called while reading and checking.
    **changes
        Fields of ``ImportOptions`` by name (``exclude_bad_rows=True``), over ``options``.

    Returns
    -------
    frame, report
        The accounts in the ``data.schemas`` shape (empty when the import was
        refused) and the ``ImportReport``.

    Raises
    ------
    FileUnreadableError
        The file cannot be read at all; row problems never raise.
    """
    return import_file(path, "accounts", options, progress=progress, **changes)


def import_reps(
    path: str | os.PathLike[str],
    options: ImportOptions | None = None,
    *,
    progress: Progress | None = None,
    **changes: Any,
) -> tuple[pd.DataFrame, ImportReport]:
    """Import a reps file with a report on every row; see ``import_accounts``.

    The frame is in natural ``rep_id`` order, the core's rep index.
    """
    return import_file(path, "reps", options, progress=progress, **changes)
