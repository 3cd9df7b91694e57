"""The Data tab's import report: a file checked as mapped, with the user's row choices.

``check_import`` reads a file's cells (``data.importing``) twice, without and
with the user's row choices, so the problem list stays complete while the
counts follow the choices. The mapping editor starts from ``suggested_columns``
and shows ``column_samples``; ``report_csv`` is the "Download report" file.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypedDict

import pandas as pd

from data.formulas import neutralise_frame
from data.importing import ImportOptions, ImportReport, RowChoice, import_table
from data.mapping import FIELDS, REQUIRED, mapping_for_kind, suggest_mapping
from data.owners import Owners
from data.readers import Progress, RawTable
from planning.area_choice import AreaChoice

PROBLEM_COLUMNS = ("row", "column", "severity", "reason", "choice", "outcome")


class FileInfo(TypedDict):
    """What the Data tab keeps about a received file between checks (JSON in the page)."""

    name: str
    rows: int
    columns: list[str]
    samples: dict[str, str]
    mapping: dict[str, str | None]
    """Column -> field (None: ignored), as the user last left it."""
    header_row: int
    encoding: str | None
    sheet: str | None


def file_info(raw: RawTable, mapping: dict[str, str | None]) -> FileInfo:
    """The ``FileInfo`` of a file just read, with the mapping suggested for it."""
    return {
        "name": raw.source,
        "rows": len(raw.frame),
        "columns": [str(c) for c in raw.frame.columns],
        "samples": column_samples(raw),
        "mapping": mapping,
        "header_row": raw.header_row,
        "encoding": raw.encoding,
        "sheet": raw.sheet,
    }


def suggested_columns(
    columns: Iterable[str], kind: str, saved: Mapping | None = None
) -> dict[str, str | None]:
    """Column -> field for the mapping editor: a saved mapping's entries, then suggestions.

    Two columns that could both feed a field (``Latitude`` and ``Lat``) both show
    it, so that the check names them and the user picks one; a field the saved
    mapping already gives a column is not suggested again.
    """
    columns = [str(c) for c in columns]
    explicit = mapping_for_kind(saved, kind) if saved else {}
    rest = [c for c in columns if c not in explicit]
    suggested = suggest_mapping(rest, kind)
    taken = {f for f in explicit.values() if f}
    out: dict[str, str | None] = {}
    for c in columns:
        if c in explicit:
            out[c] = explicit[c]
        elif suggested.get(c) and suggested[c] not in taken:
            out[c] = suggested[c]
        else:
            out[c] = None
    return out


def column_samples(raw: RawTable, n: int = 3) -> dict[str, str]:
    """A few non-empty values of every column, for the mapping editor."""
    out = {}
    for column in raw.frame.columns:
        values = raw.frame[column].head(200).astype("string").str.strip()
        values = values[values.notna() & (values != "")]
        out[str(column)] = ", ".join(values.head(n).tolist())
    return out


def row_choices(
    decisions: Mapping[int, str | None], fixes: Mapping[int, Mapping[str, object]]
) -> dict[int, RowChoice]:
    """One choice per row from the report's controls: exclude wins, then a fix, then accept."""
    out: dict[int, RowChoice] = {}
    for row in sorted(set(decisions) | set(fixes)):
        typed = {f: v for f, v in (fixes.get(row) or {}).items() if v not in (None, "")}
        decision = decisions.get(row)
        if decision == "exclude":
            out[row] = "exclude"
        elif typed:
            out[row] = typed
        elif decision == "accept":
            out[row] = "accept"
    return out


@dataclass(frozen=True)
class ImportCheck:
    """A checked file: the frame to import, the full problem list, the counts after choices."""

    kind: str
    frame: pd.DataFrame
    report: ImportReport
    """After the choices: what "Use this data" would import."""
    problems: pd.DataFrame
    """Every problem row (``problem_table``)."""
    rows_with_problems: int

    @property
    def counts(self) -> dict[str, int]:
        """Rows read, imported, excluded and with problems (imported + excluded = read)."""
        r = self.report
        return {
            "read": r.rows_read,
            "imported": r.imported,
            "excluded": r.excluded,
            "with problems": self.rows_with_problems,
        }


def check_import(
    raw: RawTable,
    kind: str,
    mapping: Mapping[str, str | None],
    *,
    choices: Mapping[int, RowChoice] | None = None,
    rep_ids: Iterable[str] | None = None,
    exclude_errors: bool = False,
    accept_warnings: bool = True,
    progress: Progress | None = None,
    area: AreaChoice | None = None,
) -> ImportCheck:
    """Check a file as mapped; every problem is listed, the counts follow the choices.

    The first pass runs without choices (its problems are the file's), the
    second with them (choices clear problems from the report: an excluded row
    is no longer checked). Choices for rows outside the file are dropped.
    """
    options = ImportOptions(
        mapping={str(c): f for c, f in mapping.items()},
        rep_ids=(
            None
            if kind != "accounts" or rep_ids is None
            else rep_ids
            if isinstance(rep_ids, Owners)
            else list(rep_ids)
        ),  # fmt: skip
        exclude_bad_rows=exclude_errors,
        accept_warnings=accept_warnings,
        area=area if kind == "accounts" else None,
    )
    first_row, last_row = raw.first_row, raw.first_row + len(raw.frame) - 1
    choices = {r: c for r, c in (choices or {}).items() if first_row <= r <= last_row}
    base_frame, base = import_table(raw, kind, options, progress=progress)
    if choices and not any(p.row <= raw.header_row for p in base.problems):
        frame, final = import_table(raw, kind, options.but(choices=choices))
    else:
        frame, final = base_frame, base
    return ImportCheck(
        kind=kind,
        frame=frame,
        report=final,
        problems=problem_table(base, final, choices),
        rows_with_problems=base.rows_with_problems,
    )


def problem_table(
    base: ImportReport, final: ImportReport, choices: Mapping[int, RowChoice]
) -> pd.DataFrame:
    """Every problem of the file with the row's choice and outcome, by row.

    A row the choices touched shows the problems it still has (a fix may
    bring a new one) or, when it has none left, the ones it had.
    """
    final_rows = {p.row for p in final.problems}
    problems = list(final.problems) + [p for p in base.problems if p.row not in final_rows]
    problems.sort(key=lambda p: p.row)
    fixed = set(final.fixed_rows)
    records = []
    for p in problems:
        choice = choices.get(p.row)
        shown = (
            "" if choice is None else choice if isinstance(choice, str) else
            "fix " + ", ".join(f"{k}={v}" for k, v in choice.items())
        )  # fmt: skip
        outcome = final.outcome(p.row)
        if p.row in fixed and outcome == "imported" and p.row not in final_rows:
            outcome = "fixed, imported"
        records.append((p.row, p.column or "", p.severity, p.reason, shown, outcome))
    return pd.DataFrame.from_records(records, columns=list(PROBLEM_COLUMNS))


def report_csv(checks: Iterable[ImportCheck]) -> str:
    """The problem lists of the checked files as one CSV: file, row, column, ..., outcome."""
    frames = [c.problems.assign(file=c.report.source) for c in checks]
    table = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["file", *PROBLEM_COLUMNS])
    )
    buffer = io.StringIO()
    # opened in a spreadsheet: values quoted from the file (a name "=1+1") stay text
    safe = neutralise_frame(table[["file", *PROBLEM_COLUMNS]])
    safe.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def fixable(kind: str, column: str) -> bool:
    """Whether the report offers a text box to correct this field."""
    return column in FIELDS[kind]


def required_fields(kind: str) -> tuple[str, ...]:
    """Fields a file of this kind must map."""
    return REQUIRED[kind]
