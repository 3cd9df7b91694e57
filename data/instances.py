"""The optimizer's instance files (units, reps, cost, adjacency) in, its plan file out.

Only the files are handled here; what each table must hold is checked by
:mod:`planning.optimizer.frames`. The tables are read in the order a user fixes them (reps, units,
cost, adjacency), each refused with all its bad rows before the next one is opened.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from common.errors import FileUnreadableError
from planning.optimizer.frames import (
    adjacency_from_table,
    assignment_table,
    cost_from_table,
    instance_from_tables,
    reps_from_table,
    text_table,
    units_from_table,
)
from planning.optimizer.instance import Instance


def read_table(path: str | Path, required: tuple[str, ...]) -> pd.DataFrame:
    """A CSV file as stripped text; refuse a file that is no CSV or lacks a column we need."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise FileUnreadableError(f"{path}: no such file") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise FileUnreadableError(f"{path}: not a readable CSV file ({err})") from None
    return text_table(frame, required, str(path))


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
    rep_table = reps_from_table(read_table(reps, ("rep_id",)), str(reps))
    unit_table = units_from_table(read_table(units, ("unit_id",)), str(units), rep_table.ids)
    matrix = cost_from_table(
        read_table(cost, ("unit_id", "rep_id", "cost")),
        str(cost),
        unit_table,
        rep_table.ids,
        units_source=str(units),
    )
    csr = None
    if adjacency is not None:
        csr = adjacency_from_table(
            read_table(adjacency, ("unit_a", "unit_b")), str(adjacency), unit_table
        )
    return instance_from_tables(
        unit_table,
        rep_table,
        matrix,
        csr,
        cost_counts_toward=cost_counts_toward,
        units_source=str(units),
    )


def write_assignment(path: str | Path, instance: Instance, owner: np.ndarray) -> int:
    """Write ``unit_id,rep_id``, one row per unit; returns the number of rows."""
    frame = assignment_table(instance, owner)
    frame.to_csv(path, index=False, lineterminator="\n")
    return len(frame)
