"""Plan files: CSV ``h3_cell,rep_id``, one row per owned cell.

The cells fix the resolution; cells a file does not list are unassigned.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import h3

from common.errors import FileUnreadableError, InputError, RowProblem
from data.formulas import neutralise_frame, unneutralise_frame
from geo.cells import cells_to_str
from planning.plan import Plan

PLAN_COLUMNS = ("h3_cell", "rep_id")


def read_plan_csv(path: str | Path, rep_ids: list[str] | None = None) -> pd.DataFrame:
    """Read and check a plan file; every bad row is reported at once.

    Returns a frame with ``h3_cell`` (uint64) and ``rep_id`` (str), and the
    resolution in ``frame.attrs["resolution"]``.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise FileUnreadableError(f"{path}: no such file") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise FileUnreadableError(f"{path}: not a readable CSV plan ({err})") from None
    raw = unneutralise_frame(raw)
    raw.columns = [c.strip() for c in raw.columns]
    missing = [c for c in PLAN_COLUMNS if c not in raw.columns]
    if missing:
        reason = f"missing column(s) {', '.join(missing)}; a plan file has h3_cell,rep_id"
        raise InputError(path.name, [RowProblem(1, None, reason)])
    problems: list[RowProblem] = []
    cells = np.zeros(len(raw), np.uint64)
    resolutions = np.full(len(raw), -1)
    known = set(rep_ids) if rep_ids is not None else None
    first_row: dict[str, int] = {}
    for i, (cell, rep) in enumerate(
        zip(raw["h3_cell"].str.strip(), raw["rep_id"].str.strip(), strict=True)
    ):
        row = i + 2
        if not h3.is_valid_cell(cell):
            problems.append(RowProblem(row, "h3_cell", f"{cell!r} is not an H3 cell id"))
        else:
            cells[i] = h3.str_to_int(cell)
            resolutions[i] = h3.get_resolution(cell)
            if cell in first_row:
                problems.append(
                    RowProblem(
                        row,
                        "h3_cell",
                        f"cell {cell} is listed again (first on row {first_row[cell]})",
                    )
                )
            else:
                first_row[cell] = row
        if not rep:
            problems.append(
                RowProblem(row, "rep_id", "empty rep_id (leave unassigned cells out instead)")
            )
        elif known is not None and rep not in known:
            problems.append(RowProblem(row, "rep_id", f"{rep!r} is not a known rep"))
    valid = resolutions[resolutions >= 0]
    if len(valid):
        main = int(np.bincount(valid).argmax())
        for k in np.flatnonzero((resolutions >= 0) & (resolutions != main)):
            reason = f"resolution {resolutions[k]} differs from the plan's {main}"
            problems.append(RowProblem(int(k) + 2, "h3_cell", reason))
    if problems:
        raise InputError(path.name, sorted(problems, key=lambda p: p.row))
    if not len(raw):
        reason = "the plan lists no cells, so its resolution is unknown"
        raise InputError(path.name, [RowProblem(1, None, reason)])
    table = pd.DataFrame({"h3_cell": cells, "rep_id": raw["rep_id"].str.strip().to_numpy()})
    table.attrs["resolution"] = int(valid[0])
    return table


def plan_to_frame(plan: Plan) -> pd.DataFrame:
    """Owned cells of a plan as ``h3_cell,rep_id`` rows (unassigned cells left out)."""
    owned = np.flatnonzero(plan.owner >= 0)
    return pd.DataFrame({
        "h3_cell": cells_to_str(plan.market.area.cells[owned]),
        "rep_id": plan.market.rep_ids[plan.owner[owned]],
    })  # fmt: skip


def write_plan_csv(plan: Plan, path: str | Path) -> Path:
    """Write the plan file that ``read_plan_csv`` and the app read back."""
    path = Path(path)
    # issue 12: ids a spreadsheet would run are neutralised (read_plan_csv undoes it); CRLF
    # makes the CSV writer quote a carriage return inside an id
    neutralise_frame(plan_to_frame(plan)).to_csv(path, index=False, lineterminator="\r\n")
    return path
