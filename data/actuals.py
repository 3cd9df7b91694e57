"""Actuals files read, mapped and checked like accounts; their reports written formula-safe.

A revenue file (``account_id, period, revenue``) or a visits file (``date, account_id,
rep_id, channel``) is read by ``data.readers`` (CSV, Excel, Parquet), its columns matched
by ``data.mapping`` (kinds ``actual_revenue`` and ``visits``: synonyms and saved mappings
work as for accounts), and every row checked by ``planning.actuals`` for the chosen
period. Header problems refuse the file in one sentence; row problems exclude the row
and are listed by spreadsheet row, so ``kept + excluded == rows read``.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from common.errors import FileUnreadableError
from data.formulas import neutralise_frame, unneutralise_frame
from data.mapping import map_columns
from data.readers import read_raw
from data.uploads import decode_upload, size_refusal, upload_size
from planning.actuals import BadRow, CheckedActuals, Period, check_revenue, check_visits

KIND_OF = {"revenue": "actual_revenue", "visits": "visits"}
"""What a caller calls the file -> the mapper's kind."""


@dataclass(frozen=True)
class ActualsFile:
    """One checked actuals file: its name, what kind it is, and the rows kept or excluded."""

    source: str
    kind: str
    checked: CheckedActuals

    def summary(self) -> str:
        """One line: rows read, kept and excluded (those listed by row)."""
        c = self.checked
        text = f"{self.source}: {c.rows:,} rows read, {len(c.kept):,} kept, {c.excluded:,} excluded"
        return text + (" (listed by row)" if c.excluded else "")


def read_actuals(
    path: str | os.PathLike[str],
    kind: str,
    period: Period,
    accounts: Iterable[str],
    reps: Iterable[str],
    *,
    mapping: Mapping | None = None,
    name: str | None = None,
) -> ActualsFile:
    """Read and check one ``kind`` (``revenue`` or ``visits``) file for ``period``.

    Raises
    ------
    FileUnreadableError
        The file cannot be read, or its header lacks a field or names one twice
        (one sentence naming the file).
    """
    if kind not in KIND_OF:
        raise ValueError(f"kind must be revenue or visits, got {kind!r}")
    raw = read_raw(path, kind=KIND_OF[kind], mapping=mapping)
    source = name or raw.source
    frame, problems = map_columns(raw.frame, KIND_OF[kind], mapping)
    if problems:
        raise FileUnreadableError(f"{source}: " + "; ".join(problems) + ".")
    frame = unneutralise_frame(frame)
    if kind == "revenue":
        checked = check_revenue(frame, period, accounts, first_row=raw.first_row)
    else:
        checked = check_visits(frame, period, accounts, reps, first_row=raw.first_row)
    extra = tuple(raw.problems)
    if extra:  # rows the reader could not split: listed too, never dropped
        bad = checked.bad + tuple(BadRow(p.row, p.column, p.reason) for p in extra)
        checked = CheckedActuals(checked.kept, bad, checked.rows)
    return ActualsFile(source, kind, checked)


def report_csv(files: Iterable[ActualsFile]) -> str:
    """Every excluded row of the files as one CSV (file, row, column, reason), formula-safe."""
    frames = [f.checked.report().assign(file=f.source) for f in files]
    columns = ["file", "row", "column", "reason"]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    buffer = io.StringIO()
    neutralise_frame(table[columns]).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def read_actuals_upload(
    filename: str,
    contents: str,
    kind: str,
    period: Period,
    accounts: Iterable[str],
    reps: Iterable[str],
    *,
    max_bytes: int,
) -> ActualsFile:
    """Check an uploaded file (a ``data:...;base64,`` URL), read from a private temporary copy."""
    if upload_size(contents) > max_bytes:
        raise FileUnreadableError(size_refusal(filename, upload_size(contents), max_bytes))
    data = decode_upload(contents, filename)
    with tempfile.TemporaryDirectory(prefix="hexalign-actuals-") as folder:
        path = Path(folder) / ("upload" + Path(filename).suffix.lower())
        path.write_bytes(data)
        return read_actuals(path, kind, period, accounts, reps, name=filename)
