"""Instances from CSV files and plans back to CSV, for the command line.

Rows are numbered as a spreadsheet shows them: the header is row 1. Every
bad row is listed before anything is refused, so one run finds them all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from common.errors import FileUnreadableError, InputError, RowProblem
from planning.optimizer.instance import Instance, adjacency_from_edges

TRUE = frozenset({"1", "true", "yes", "y", "t"})
FALSE = frozenset({"", "0", "false", "no", "n", "f"})
UNIT_RESERVED = ("unit_id", "current_rep", "locked")


def _read(path: str | Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Every cell as stripped text; refuse a file without the columns we need."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise FileUnreadableError(f"{path}: no such file") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise FileUnreadableError(f"{path}: not a readable CSV file ({err})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            str(path),
            [
                RowProblem(1, c, f"missing column; the header has {list(frame.columns)}")
                for c in missing
            ],
        )
    return frame.apply(lambda col: col.str.strip())


def _by_row(problems: list[RowProblem]) -> list[RowProblem]:
    """Problems in the order a reader scrolls the file."""
    return sorted(problems, key=lambda p: p.row)


def _row(i: int) -> int:
    """Spreadsheet row of data row ``i`` (0-based): the header is row 1."""
    return i + 2


def _number(text: str, row: int, column: str, problems: list[RowProblem], *, positive=False):
    try:
        value = float(text)
    except ValueError:
        problems.append(RowProblem(row, column, f"expected a number, got {text!r}"))
        return np.nan
    if not np.isfinite(value) or value < 0 or (positive and value == 0):
        expected = "a number > 0" if positive else "a number >= 0"
        problems.append(RowProblem(row, column, f"expected {expected}, got {text!r}"))
        return np.nan
    return value


def _unique_ids(frame: pd.DataFrame, column: str, problems: list[RowProblem]) -> list[str]:
    ids = frame[column].tolist()
    first: dict[str, int] = {}
    for i, value in enumerate(ids):
        if value == "":
            problems.append(RowProblem(_row(i), column, "empty id"))
        elif value in first:
            problems.append(
                RowProblem(_row(i), column, f"{value!r} already on row {_row(first[value])}")
            )
        else:
            first[value] = i
    return ids


def read_instance(
    units: str | Path,
    reps: str | Path,
    cost: str | Path,
    adjacency: str | Path | None = None,
    *,
    cost_counts_toward: str | None = None,
) -> Instance:
    """Build an :class:`Instance` from the four CSV files of ``cli.py balance-instance``.

    Parameters
    ----------
    units
        ``unit_id,<measure columns>[,current_rep][,locked]``; every column other
        than those three is a measure and must hold numbers >= 0.
    reps
        ``rep_id[,capacity]``.
    cost
        ``unit_id,rep_id,cost``, one row for every unit and rep.
    adjacency
        ``unit_a,unit_b``, one row per pair of units that touch.
    """
    rep_frame = _read(reps, ("rep_id",))
    problems: list[RowProblem] = []
    rep_ids = _unique_ids(rep_frame, "rep_id", problems)
    capacity = None
    if "capacity" in rep_frame.columns:
        capacity = np.array(
            [
                _number(t, _row(i), "capacity", problems, positive=True)
                for i, t in enumerate(rep_frame["capacity"].tolist())
            ]
        )
    if not rep_ids:
        problems.append(RowProblem(2, "rep_id", "no reps in the file"))
    if problems:
        raise InputError(str(reps), _by_row(problems))
    rep_index = {r: i for i, r in enumerate(rep_ids)}

    unit_frame = _read(units, ("unit_id",))
    names = tuple(c for c in unit_frame.columns if c not in UNIT_RESERVED)
    if not names:
        raise InputError(
            str(units),
            [RowProblem(1, None, "no measure columns besides unit_id/current_rep/locked")],
        )
    unit_ids = _unique_ids(unit_frame, "unit_id", problems)
    rows = unit_frame[list(names)].itertuples(index=False, name=None)
    measures = np.array(
        [
            [_number(text, _row(i), name, problems) for text, name in zip(row, names, strict=True)]
            for i, row in enumerate(rows)
        ]
    ).reshape(len(unit_frame), len(names))
    current = np.full(len(unit_frame), -1)
    if "current_rep" in unit_frame.columns:
        for i, rid in enumerate(unit_frame["current_rep"].tolist()):
            if rid == "":
                continue
            if rid not in rep_index:
                problems.append(RowProblem(_row(i), "current_rep", f"unknown rep {rid!r}"))
            else:
                current[i] = rep_index[rid]
    locked = np.zeros(len(unit_frame), dtype=bool)
    if "locked" in unit_frame.columns:
        for i, text in enumerate(unit_frame["locked"].tolist()):
            flag = text.lower()
            if flag in TRUE:
                locked[i] = True
                if current[i] < 0:
                    problems.append(RowProblem(_row(i), "locked", "locked but no current_rep"))
            elif flag not in FALSE:
                problems.append(RowProblem(_row(i), "locked", f"expected true/false, got {text!r}"))
    if not unit_ids:
        problems.append(RowProblem(2, "unit_id", "no units in the file"))
    if problems:
        raise InputError(str(units), _by_row(problems))
    unit_index = {u: i for i, u in enumerate(unit_ids)}

    cost_frame = _read(cost, ("unit_id", "rep_id", "cost"))
    matrix = np.full((len(unit_ids), len(rep_ids)), np.nan)
    seen_at = np.zeros(matrix.shape, dtype=np.int64)
    for i, (uid, rid, text) in enumerate(
        cost_frame[["unit_id", "rep_id", "cost"]].itertuples(index=False, name=None)
    ):
        row = _row(i)
        u, r = unit_index.get(uid), rep_index.get(rid)
        if u is None:
            problems.append(RowProblem(row, "unit_id", f"unknown unit {uid!r}"))
        if r is None:
            problems.append(RowProblem(row, "rep_id", f"unknown rep {rid!r}"))
        value = _number(text, row, "cost", problems)
        if u is None or r is None:
            continue
        if seen_at[u, r]:
            problems.append(
                RowProblem(row, None, f"{uid!r}, {rid!r} already on row {seen_at[u, r]}")
            )
            continue
        seen_at[u, r] = row
        matrix[u, r] = value
    if problems:
        raise InputError(str(cost), _by_row(problems))
    gaps = np.argwhere(seen_at == 0)
    if len(gaps):
        raise InputError(
            f"{cost} (rows below are rows of {units})",
            [
                RowProblem(
                    _row(int(u)), None, f"no cost for unit {unit_ids[u]!r}, rep {rep_ids[r]!r}"
                )
                for u, r in gaps[:50]
            ],
        )

    csr = None
    if adjacency is not None:
        edge_frame = _read(adjacency, ("unit_a", "unit_b"))
        ends: list[tuple[int, int]] = []
        for i, (ua, ub) in enumerate(
            edge_frame[["unit_a", "unit_b"]].itertuples(index=False, name=None)
        ):
            a, b = unit_index.get(ua), unit_index.get(ub)
            for col, uid, pos in (("unit_a", ua, a), ("unit_b", ub, b)):
                if pos is None:
                    problems.append(RowProblem(_row(i), col, f"unknown unit {uid!r}"))
            if a is not None and a == b:
                problems.append(RowProblem(_row(i), None, f"unit {ua!r} next to itself"))
            elif a is not None and b is not None:
                ends.append((a, b))
        if problems:
            raise InputError(str(adjacency), _by_row(problems))
        pairs = np.array(ends, dtype=np.int64).reshape(-1, 2)
        csr = adjacency_from_edges(pairs[:, 0], pairs[:, 1], len(unit_ids))

    if cost_counts_toward is not None and cost_counts_toward not in names:
        raise InputError(
            str(units),
            [RowProblem(1, cost_counts_toward, f"no such measure column; measures are {names}")],
        )
    return Instance(
        measures=measures,
        measure_names=names,
        cost=matrix,
        adjacency=csr,
        cost_counts_toward=cost_counts_toward,
        capacity=capacity,
        current=current,
        locked=locked,
        unit_ids=np.array(unit_ids, dtype=object),
        rep_ids=np.array(rep_ids, dtype=object),
    )


def write_assignment(path: str | Path, instance: Instance, owner: np.ndarray) -> int:
    """Write ``unit_id,rep_id``, one row per unit; returns the number of rows."""
    frame = pd.DataFrame(
        {
            "unit_id": instance.unit_ids,
            "rep_id": [instance.rep_ids[r] if r >= 0 else "" for r in np.asarray(owner).tolist()],
        }
    )
    frame.to_csv(path, index=False, lineterminator="\n")
    return len(frame)
