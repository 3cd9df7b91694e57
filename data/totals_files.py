"""Per-cell account totals and multi-file problem lists written to files (issue 18 point 4)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from data.dask_accounts import BinnedAccounts
from geo.cells import cells_to_str
from planning.cell_totals import CellTotals

PROBLEM_COLUMNS = ("file", "row", "column", "severity", "reason")


def totals_frame(totals: CellTotals) -> pd.DataFrame:
    """The totals with the H3 id as the hexadecimal text users and other tools read."""
    frame = totals.to_frame()
    frame["cell"] = pd.array(cells_to_str(totals.cells), dtype="str")
    return frame.assign(resolution=totals.resolution)


def write_totals(totals: CellTotals, path: str | os.PathLike[str]) -> None:
    """Parquet when the name ends in ``.parquet``, CSV otherwise; money in whole cents."""
    frame = totals_frame(totals)
    if Path(path).suffix.lower() == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


def problems_frame(result: BinnedAccounts) -> pd.DataFrame:
    """Every problem of every file, one row each: file, spreadsheet row, column, severity."""
    rows = [(source, p.row, p.column or "", p.severity, p.reason)
            for source, p in result.problems()]  # fmt: skip
    return pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS))


def write_problems(result: BinnedAccounts, path: str | os.PathLike[str]) -> None:
    """The problem list as CSV."""
    problems_frame(result).to_csv(path, index=False)
