"""Accounts summed per H3 cell: the aggregate a single machine and a Dask cluster both build.

``build_market`` sums accounts per planning-area cell (``share_tam``, ``share_revenue`` and,
split by pins, ``cell_accounts`` and ``cell_segments``). The same sums keyed by H3 id instead of
area position are what a data set of any size boils down to before a plan is drawn, so the
Dask pipeline (``data.dask_accounts``, issue 18 point 4) and the single-machine path share
this one function and type: counts and money are integers (whole cents), so adding the
totals of any split of the accounts, in any order, gives the very same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.cells import latlng_to_cells
from planning.callplan import SEGMENTS
from planning.market import to_cents

SEGMENT_COLUMNS = tuple(f"segment_{s}" for s in SEGMENTS)
COLUMNS = ("cell", "accounts", *SEGMENT_COLUMNS, "tam_cents", "revenue_cents")
"""The columns of ``CellTotals.to_frame``: the H3 id as ``uint64``, every sum as ``int64``."""


@dataclass(frozen=True, eq=False)
class CellTotals:
    """Accounts, segments, TAM and revenue of every occupied H3 cell at one resolution.

    Attributes
    ----------
    cells
        (K,) sorted distinct H3 ids (``uint64``) holding at least one account.
    accounts, tam, revenue
        (K,) accounts in the cell, their TAM and revenue in whole cents (``int64``).
    segments
        (K, S) accounts per segment, in ``SEGMENTS`` order.
    """

    resolution: int
    cells: np.ndarray
    accounts: np.ndarray
    segments: np.ndarray
    tam: np.ndarray
    revenue: np.ndarray

    def __len__(self) -> int:
        return len(self.cells)

    def equals(self, other: CellTotals) -> bool:
        """Exact equality of the resolution and every array (for tests and assertions)."""
        return self.resolution == other.resolution and all(
            np.array_equal(getattr(self, f), getattr(other, f))
            for f in ("cells", "accounts", "segments", "tam", "revenue")
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per cell with ``COLUMNS``: what a worker sends and a file keeps."""
        data: dict[str, np.ndarray] = {"cell": self.cells, "accounts": self.accounts}
        data |= {c: self.segments[:, i] for i, c in enumerate(SEGMENT_COLUMNS)}
        data |= {"tam_cents": self.tam, "revenue_cents": self.revenue}
        return pd.DataFrame(data, columns=list(COLUMNS))

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, resolution: int) -> CellTotals:
        """Totals from rows of ``COLUMNS``, a cell possibly on several rows (their sum)."""
        cells = frame["cell"].to_numpy(np.uint64)
        uniq, inv = np.unique(cells, return_inverse=True)

        def summed(column: str) -> np.ndarray:
            return _sum_int(inv, frame[column].to_numpy(np.int64), len(uniq))

        segments = np.column_stack([summed(c) for c in SEGMENT_COLUMNS]).reshape(len(uniq), -1)
        return cls(resolution, uniq, summed("accounts"), segments, summed("tam_cents"),
                   summed("revenue_cents"))  # fmt: skip


def empty_totals(resolution: int) -> CellTotals:
    """No accounts at all."""
    nothing = np.zeros(0, np.int64)
    return CellTotals(resolution, np.zeros(0, np.uint64), nothing,
                      np.zeros((0, len(SEGMENTS)), np.int64), nothing, nothing)  # fmt: skip


def cell_totals(
    cells: np.ndarray, segment: pd.Series, tam: pd.Series, revenue: pd.Series, resolution: int
) -> CellTotals:
    """Sum accounts already binned to ``cells`` (one H3 id each); money in currency units.

    Money is turned into cents per account first (``planning.market.to_cents``), exactly as
    ``build_market`` does, so the sums equal the market's to the cent.
    """
    cells = np.asarray(cells, dtype=np.uint64)
    uniq, inv = np.unique(cells, return_inverse=True)
    seg_pos = pd.Index(SEGMENTS).get_indexer(pd.Series(segment).astype(str))
    if (seg_pos < 0).any():
        raise ValueError("every account needs a segment in " + ", ".join(SEGMENTS))
    segments = np.zeros((len(uniq), len(SEGMENTS)), np.int64)
    np.add.at(segments, (inv, seg_pos), 1)
    return CellTotals(
        resolution=resolution,
        cells=uniq,
        accounts=np.bincount(inv, minlength=len(uniq)).astype(np.int64),
        segments=segments,
        tam=_sum_int(inv, to_cents(tam), len(uniq)),
        revenue=_sum_int(inv, to_cents(revenue), len(uniq)),
    )


def totals_of_accounts(accounts: pd.DataFrame, resolution: int) -> CellTotals:
    """Bin validated accounts (``data.schemas`` shape) at ``resolution`` and sum them per cell."""
    lat = accounts["lat"].to_numpy(np.float64)
    lon = accounts["lon"].to_numpy(np.float64)
    cells = latlng_to_cells(lat, lon, resolution)
    return cell_totals(cells, accounts["segment"], accounts["tam"], accounts["revenue"], resolution)


def combined(parts: Iterable[CellTotals], resolution: int) -> CellTotals:
    """The totals of the union of disjoint sets of accounts (all at ``resolution``)."""
    parts = list(parts)
    if any(p.resolution != resolution for p in parts):
        raise ValueError(f"every part must be at resolution {resolution}")
    if not parts:
        return empty_totals(resolution)
    return CellTotals.from_frame(pd.concat([p.to_frame() for p in parts]), resolution)


def _sum_int(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Exact integer group sums (``bincount`` would go through float64)."""
    out = np.zeros(size, np.int64)
    np.add.at(out, index, np.asarray(values, dtype=np.int64))
    return out
