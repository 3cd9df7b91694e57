"""Instances from text tables (every cell a string), and plans back to a table.

The files themselves are read and written in :mod:`data.instances`; here each table is checked
and turned into arrays, so the rules can be read and tested without a file. Rows are numbered as
a spreadsheet shows them: the header is row 1. Every bad row of a table is listed before anything
is refused, so one run finds them all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from common.errors import InputError, RowProblem
from planning.optimizer.instance import Adjacency, Instance, adjacency_from_edges

TRUE = frozenset({"1", "true", "yes", "y", "t"})
FALSE = frozenset({"", "0", "false", "no", "n", "f"})
UNIT_RESERVED = ("unit_id", "current_rep", "locked")


@dataclass(frozen=True)
class RepTable:
    """The reps of an instance: ids in file order and the optional capacity column."""

    ids: list[str]
    capacity: np.ndarray | None


@dataclass(frozen=True)
class UnitTable:
    """The units of an instance: ids, measure columns and the current plan with its locks."""

    ids: list[str]
    measure_names: tuple[str, ...]
    measures: np.ndarray
    current: np.ndarray
    locked: np.ndarray


def text_table(frame: pd.DataFrame, required: tuple[str, ...], source: str) -> pd.DataFrame:
    """Every cell as stripped text; refuse a table without the columns we need."""
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            source,
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


def _number(
    text: str, row: int, column: str, problems: list[RowProblem], *, positive: bool = False
) -> float:
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


def reps_from_table(frame: pd.DataFrame, source: str) -> RepTable:
    """Reps from ``rep_id[,capacity]`` (a :func:`text_table`)."""
    problems: list[RowProblem] = []
    rep_ids = _unique_ids(frame, "rep_id", problems)
    capacity = None
    if "capacity" in frame.columns:
        capacity = np.array(
            [
                _number(t, _row(i), "capacity", problems, positive=True)
                for i, t in enumerate(frame["capacity"].tolist())
            ]
        )
    if not rep_ids:
        problems.append(RowProblem(2, "rep_id", "no reps in the file"))
    if problems:
        raise InputError(source, _by_row(problems))
    return RepTable(rep_ids, capacity)


def units_from_table(frame: pd.DataFrame, source: str, rep_ids: list[str]) -> UnitTable:
    """Units from ``unit_id,<measure columns>[,current_rep][,locked]`` (a :func:`text_table`).

    Every column other than those three is a measure and must hold numbers >= 0.
    """
    rep_index = {r: i for i, r in enumerate(rep_ids)}
    names = tuple(c for c in frame.columns if c not in UNIT_RESERVED)
    if not names:
        raise InputError(
            source,
            [RowProblem(1, None, "no measure columns besides unit_id/current_rep/locked")],
        )
    problems: list[RowProblem] = []
    unit_ids = _unique_ids(frame, "unit_id", problems)
    rows = frame[list(names)].itertuples(index=False, name=None)
    measures = np.array(
        [
            [_number(text, _row(i), name, problems) for text, name in zip(row, names, strict=True)]
            for i, row in enumerate(rows)
        ]
    ).reshape(len(frame), len(names))
    current = np.full(len(frame), -1)
    if "current_rep" in frame.columns:
        for i, rid in enumerate(frame["current_rep"].tolist()):
            if rid == "":
                continue
            if rid not in rep_index:
                problems.append(RowProblem(_row(i), "current_rep", f"unknown rep {rid!r}"))
            else:
                current[i] = rep_index[rid]
    locked = np.zeros(len(frame), dtype=bool)
    if "locked" in frame.columns:
        for i, text in enumerate(frame["locked"].tolist()):
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
        raise InputError(source, _by_row(problems))
    return UnitTable(unit_ids, names, measures, current, locked)


def cost_from_table(
    frame: pd.DataFrame, source: str, units: UnitTable, rep_ids: list[str], units_source: str
) -> np.ndarray:
    """The unit x rep cost matrix from ``unit_id,rep_id,cost``, one row for every pair."""
    unit_index = {u: i for i, u in enumerate(units.ids)}
    rep_index = {r: i for i, r in enumerate(rep_ids)}
    problems: list[RowProblem] = []
    matrix = np.full((len(units.ids), len(rep_ids)), np.nan)
    seen_at = np.zeros(matrix.shape, dtype=np.int64)
    for i, (uid, rid, text) in enumerate(
        frame[["unit_id", "rep_id", "cost"]].itertuples(index=False, name=None)
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
        raise InputError(source, _by_row(problems))
    gaps = np.argwhere(seen_at == 0)
    if len(gaps):
        raise InputError(
            f"{source} (rows below are rows of {units_source})",
            [
                RowProblem(
                    _row(int(u)), None, f"no cost for unit {units.ids[u]!r}, rep {rep_ids[r]!r}"
                )
                for u, r in gaps[:50]
            ],
        )
    return matrix


def adjacency_from_table(frame: pd.DataFrame, source: str, units: UnitTable) -> Adjacency:
    """The units' adjacency (CSR) from ``unit_a,unit_b``, one row per pair of units that touch."""
    unit_index = {u: i for i, u in enumerate(units.ids)}
    problems: list[RowProblem] = []
    ends: list[tuple[int, int]] = []
    for i, (ua, ub) in enumerate(frame[["unit_a", "unit_b"]].itertuples(index=False, name=None)):
        a, b = unit_index.get(ua), unit_index.get(ub)
        for col, uid, pos in (("unit_a", ua, a), ("unit_b", ub, b)):
            if pos is None:
                problems.append(RowProblem(_row(i), col, f"unknown unit {uid!r}"))
        if a is not None and a == b:
            problems.append(RowProblem(_row(i), None, f"unit {ua!r} next to itself"))
        elif a is not None and b is not None:
            ends.append((a, b))
    if problems:
        raise InputError(source, _by_row(problems))
    pairs = np.array(ends, dtype=np.int64).reshape(-1, 2)
    return adjacency_from_edges(pairs[:, 0], pairs[:, 1], len(units.ids))


def instance_from_tables(
    units: UnitTable,
    reps: RepTable,
    cost: np.ndarray,
    adjacency: Adjacency | None,
    *,
    cost_counts_toward: str | None,
    units_source: str,
) -> Instance:
    """The :class:`Instance` the checked tables describe."""
    if cost_counts_toward is not None and cost_counts_toward not in units.measure_names:
        raise InputError(
            units_source,
            [
                RowProblem(
                    1,
                    cost_counts_toward,
                    f"no such measure column; measures are {units.measure_names}",
                )
            ],
        )
    return Instance(
        measures=units.measures,
        measure_names=units.measure_names,
        cost=cost,
        adjacency=adjacency,
        cost_counts_toward=cost_counts_toward,
        capacity=reps.capacity,
        current=units.current,
        locked=units.locked,
        unit_ids=np.array(units.ids, dtype=object),
        rep_ids=np.array(reps.ids, dtype=object),
    )


def assignment_table(instance: Instance, owner: np.ndarray) -> pd.DataFrame:
    """``unit_id,rep_id``, one row per unit; an unassigned unit has an empty rep."""
    return pd.DataFrame(
        {
            "unit_id": instance.unit_ids,
            "rep_id": [instance.rep_ids[r] if r >= 0 else "" for r in np.asarray(owner).tolist()],
        }
    )
