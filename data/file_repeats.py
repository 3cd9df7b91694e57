"""An ``account_id`` repeated across files: the later rows are errors, as within one file.

The importer reports a repeated id inside one file ("duplicate account_id 'x'; first on row
3") and, excluding bad rows, keeps the first. A data set split into files (issue 18 point 4)
gets the same rule across them: files in the order given, rows in file order, the first
occurrence kept, every later one an error naming the file and row of the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from data.importing import FILE_REFUSED, HAS_ERRORS, ImportReport
from data.validation import Problem

ID_COLUMNS = ("account_id", "file", "row")
"""What the rule needs of each kept row: its id, its file's position and its spreadsheet row."""


def kept_rows(report: ImportReport) -> np.ndarray:
    """Spreadsheet rows of the rows a file's import let through, in file order."""
    if report.refused:
        return np.zeros(0, np.int64)
    rows = np.arange(report.rows_read, dtype=np.int64) + report.header_row + 1
    return rows[~np.isin(rows, np.asarray(report.excluded_rows, dtype=np.int64))]


def repeats_across_files(ids: pd.DataFrame) -> pd.DataFrame:
    """Rows whose id came earlier (file, then row order), with the file and row of the first.

    ``ids`` has ``ID_COLUMNS``, each id at most once per file (the importer saw to that).
    Returns ``file``, ``row``, ``account_id``, ``first_file``, ``first_row``.
    """
    ordered = ids.sort_values(["file", "row"], kind="stable")
    later = ordered["account_id"].duplicated(keep="first").to_numpy()
    first = ordered[~later].set_index("account_id")[["file", "row"]]
    repeat = ordered[later]
    found = first.reindex(repeat["account_id"])
    return pd.DataFrame(
        {
            "file": repeat["file"].to_numpy(np.int64),
            "row": repeat["row"].to_numpy(np.int64),
            "account_id": repeat["account_id"].to_numpy(object),
            "first_file": found["file"].to_numpy(np.int64),
            "first_row": found["row"].to_numpy(np.int64),
        }
    )


def with_repeats(
    reports: Sequence[ImportReport], repeats: pd.DataFrame, *, refuse: bool
) -> tuple[ImportReport, ...]:
    """The reports with each repeat an error of its row: excluded, or its file refused.

    ``refuse`` follows the import's choice: without ``exclude_bad_rows`` a file with an error
    is imported not at all.
    """
    out = list(reports)
    for k, rows in repeats.groupby("file", sort=True):
        report = reports[int(k)]
        found = [
            Problem(int(r.row), "account_id", f"duplicate account_id {r.account_id!r}; first on "
                    f"row {int(r.first_row)} of {reports[int(r.first_file)].source}")
            for r in rows.itertuples()
        ]  # fmt: skip
        problems = tuple(sorted((*report.problems, *found), key=lambda p: p.row))
        because = dict(report.excluded_because)
        if refuse:
            because[FILE_REFUSED] = because.get(FILE_REFUSED, 0) + report.imported
            out[int(k)] = replace(report, problems=problems, imported=0,
                                  excluded=report.rows_read, excluded_because=because,
                                  refused=True)  # fmt: skip
            continue
        n = len(found)
        because[HAS_ERRORS] = because.get(HAS_ERRORS, 0) + n
        excluded_rows = tuple(sorted((*report.excluded_rows, *(p.row for p in found))))
        out[int(k)] = replace(report, problems=problems, imported=report.imported - n,
                              excluded=report.excluded + n, excluded_because=because,
                              excluded_rows=excluded_rows)  # fmt: skip
    return tuple(out)


def dropped(part: pd.DataFrame, repeats: pd.DataFrame, *, refuse: bool) -> pd.DataFrame:
    """``part`` without the repeated rows (``refuse``: without any row of their files)."""
    if not len(repeats) or not len(part):
        return part
    if refuse:
        return part[~part["file"].isin(repeats["file"].unique())]
    key = part["file"].to_numpy(np.int64) << 32 | part["row"].to_numpy(np.int64)
    bad = repeats["file"].to_numpy(np.int64) << 32 | repeats["row"].to_numpy(np.int64)
    return part[~np.isin(key, bad)]
