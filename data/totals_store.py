"""Per-cell totals as the bytes a totals data set keeps in the store, and back (issue 18 point 4).

The groups (``planning.cell_totals.GROUP_COLUMNS``) go as Parquet (zstd): a few columns of
integers per (cell, owner, pin), a few MB for a million cells. The hull vertices go as one
``.npy`` array (``allow_pickle`` off). Both round-trip exactly (integers and float64).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from planning.cell_totals import GROUP_COLUMNS, CellTotals

StoredTotals = tuple[int, int, bytes, bytes]
"""(resolution, accounts, groups bytes, hull bytes): what ``Store.ensure_totals_dataset`` keeps."""


def totals_to_bytes(totals: CellTotals) -> StoredTotals:
    """The totals as stored; they must carry their groups and hull (a market needs both)."""
    if totals.groups is None or totals.hull is None:
        raise ValueError("per-cell totals without owners or hull cannot be planned on")
    groups = io.BytesIO()
    frame = totals.groups[list(GROUP_COLUMNS)].copy()
    frame["rep_id"] = frame["rep_id"].astype(str)
    frame.to_parquet(groups, engine="pyarrow", compression="zstd", index=False)
    hull = io.BytesIO()
    np.save(hull, np.asarray(totals.hull, np.float64), allow_pickle=False)
    return totals.resolution, int(totals.accounts.sum()), groups.getvalue(), hull.getvalue()


def totals_from_bytes(stored: StoredTotals) -> CellTotals:
    """The totals ``totals_to_bytes`` stored, equal to them (``CellTotals.equals``)."""
    resolution, _, groups, hull = stored
    frame = pd.read_parquet(io.BytesIO(groups))
    vertices = np.load(io.BytesIO(hull), allow_pickle=False)
    return CellTotals.from_groups(frame, resolution, vertices)
