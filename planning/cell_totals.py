"""Accounts summed per H3 cell: the aggregate a single machine and a Dask cluster both build.

``build_market`` sums accounts per planning-area cell (``share_tam``, ``share_revenue`` and,
split by pins, ``cell_accounts`` and ``cell_segments``). The same sums keyed by H3 id instead of
area position are what a data set of any size boils down to before a plan is drawn, so the
Dask pipeline (``data.dask_accounts``, issue 18 point 4) and the single-machine path share
this one function and type: counts and money are integers (whole cents), so adding the
totals of any split of the accounts, in any order, gives the very same numbers.

Issue 18 point 4 (planning on the totals): a market needs more than the per-cell sums. It
needs who owned what last quarter (the baseline, disruption) and which accounts are pinned
(their rep carries them wherever they sit), and the tiling follows the accounts' hull. So the
aggregate is kept by *group*: one row per (cell, last owner, pinned) with the accounts per
segment, TAM and revenue (``GROUP_COLUMNS``); the per-cell sums are the groups' sums; and the
accounts' convex-hull vertices come along (``hull``). A group's owner is the text the file
gave (``""``: none): which rep it names is decided when a market is built on a team
(``planning.market_totals``), as ``build_market`` decides it per account. Every group figure is
an integer or an exact set (the hull's extreme points), so both paths still give equal totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import ConvexHull, QhullError

from geo.area import hull_candidates
from geo.cells import latlng_to_cells
from planning.callplan import SEGMENTS
from planning.market import to_cents

SEGMENT_COLUMNS = tuple(f"segment_{s}" for s in SEGMENTS)
COLUMNS = ("cell", "accounts", *SEGMENT_COLUMNS, "tam_cents", "revenue_cents")
"""The columns of ``CellTotals.to_frame``: the H3 id as ``uint64``, every sum as ``int64``."""
GROUP_KEYS = ("cell", "rep_id", "pinned")
GROUP_COLUMNS = (*GROUP_KEYS, "accounts", *SEGMENT_COLUMNS, "tam_cents", "revenue_cents")
"""The columns of ``CellTotals.groups``: one row per (cell, last owner as given, pinned)."""
NO_OWNER = ""


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
    groups
        The same accounts by (cell, last owner, pinned), ``GROUP_COLUMNS``, sorted by those
        keys; None for totals made without owners (then no market can be built on them).
    hull
        (H, 2) lon/lat of the accounts' convex-hull vertices, sorted; None when unknown.
    """

    resolution: int
    cells: np.ndarray
    accounts: np.ndarray
    segments: np.ndarray
    tam: np.ndarray
    revenue: np.ndarray
    groups: pd.DataFrame | None = None
    hull: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.cells)

    def equals(self, other: CellTotals) -> bool:
        """Exact equality of the resolution, every array, and the groups and hull both carry.

        Totals read from a per-cell frame (``to_frame``, a ``cli.py bin --out`` file) carry
        neither groups nor hull; those are compared on their per-cell sums only.
        """
        same = self.resolution == other.resolution and all(
            np.array_equal(getattr(self, f), getattr(other, f))
            for f in ("cells", "accounts", "segments", "tam", "revenue")
        )
        if not same:
            return False
        if self.hull is not None and other.hull is not None:
            if not np.array_equal(self.hull, other.hull):
                return False
        if self.groups is None or other.groups is None:
            return True
        mine, theirs = self.groups, other.groups
        return len(mine) == len(theirs) and all(
            np.array_equal(mine[c].to_numpy(), theirs[c].to_numpy()) for c in GROUP_COLUMNS
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per cell with ``COLUMNS``: what a worker sends and a file keeps."""
        data: dict[str, np.ndarray] = {"cell": self.cells, "accounts": self.accounts}
        data |= {c: self.segments[:, i] for i, c in enumerate(SEGMENT_COLUMNS)}
        data |= {"tam_cents": self.tam, "revenue_cents": self.revenue}
        return pd.DataFrame(data, columns=list(COLUMNS))

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, resolution: int) -> CellTotals:
        """Totals from rows of ``COLUMNS``, a cell possibly on several rows (their sum).

        Rows of ``GROUP_COLUMNS`` give the groups too (``from_groups``).
        """
        if "rep_id" in frame.columns:
            return cls.from_groups(frame, resolution)
        cells = frame["cell"].to_numpy(np.uint64)
        uniq, inv = np.unique(cells, return_inverse=True)

        def summed(column: str) -> np.ndarray:
            return _sum_int(inv, frame[column].to_numpy(np.int64), len(uniq))

        segments = np.column_stack([summed(c) for c in SEGMENT_COLUMNS]).reshape(len(uniq), -1)
        return cls(resolution, uniq, summed("accounts"), segments, summed("tam_cents"),
                   summed("revenue_cents"))  # fmt: skip

    @classmethod
    def from_groups(
        cls, frame: pd.DataFrame, resolution: int, hull: np.ndarray | None = None
    ) -> CellTotals:
        """Totals from rows of ``GROUP_COLUMNS``, a group possibly on several rows (their sum)."""
        groups = _summed_groups(frame)
        per_cell = _summed_groups(groups.assign(rep_id=NO_OWNER, pinned=False))
        segments = per_cell[list(SEGMENT_COLUMNS)].to_numpy(np.int64).reshape(len(per_cell), -1)
        return cls(
            resolution,
            per_cell["cell"].to_numpy(np.uint64),
            per_cell["accounts"].to_numpy(np.int64),
            segments,
            per_cell["tam_cents"].to_numpy(np.int64),
            per_cell["revenue_cents"].to_numpy(np.int64),
            groups=groups,
            hull=hull,
        )


def empty_totals(resolution: int) -> CellTotals:
    """No accounts at all."""
    nothing = np.zeros(0, np.int64)
    return CellTotals(resolution, np.zeros(0, np.uint64), nothing,
                      np.zeros((0, len(SEGMENTS)), np.int64), nothing, nothing,
                      groups=_summed_groups(empty_groups()), hull=np.zeros((0, 2)))  # fmt: skip


def empty_groups() -> pd.DataFrame:
    """A ``GROUP_COLUMNS`` frame without rows, with its dtypes (a Dask ``meta``)."""
    return pd.DataFrame({
        c: pd.Series([], dtype="uint64" if c == "cell" else "str" if c == "rep_id"
                     else "bool" if c == "pinned" else "int64")
        for c in GROUP_COLUMNS
    })  # fmt: skip


def cell_totals(
    cells: np.ndarray,
    segment: pd.Series,
    tam: pd.Series,
    revenue: pd.Series,
    resolution: int,
    rep_id: pd.Series | None = None,
    pinned: pd.Series | None = None,
) -> CellTotals:
    """Sum accounts already binned to ``cells`` (one H3 id each); money in currency units.

    Money is turned into cents per account first (``planning.market.to_cents``), exactly as
    ``build_market`` does, so the sums equal the market's to the cent. ``rep_id`` and
    ``pinned`` (default: no owner, not pinned) split each cell into its groups.
    """
    frame = group_rows(cells, segment, tam, revenue, rep_id, pinned)
    return CellTotals.from_groups(frame, resolution)


def group_rows(
    cells: np.ndarray,
    segment: pd.Series,
    tam: pd.Series,
    revenue: pd.Series,
    rep_id: pd.Series | None = None,
    pinned: pd.Series | None = None,
) -> pd.DataFrame:
    """The accounts summed per group: ``GROUP_COLUMNS`` rows, one per (cell, owner, pinned).

    Vectorised on integer codes (issue 18: 10M accounts in seconds): the owner text is
    factorised once, each account gets one int64 key, and the sums are taken over the accounts
    sorted by key (``np.add.reduceat``, exact in int64).
    """
    cells = np.asarray(cells, dtype=np.uint64)
    n = len(cells)
    seg_pos = pd.Index(SEGMENTS).get_indexer(pd.Series(segment).astype(str))
    if (seg_pos < 0).any():
        raise ValueError("every account needs a segment in " + ", ".join(SEGMENTS))
    if rep_id is None:
        codes, owners = np.zeros(n, np.int64), np.array([NO_OWNER], dtype=object)
    else:
        text = pd.Series(rep_id).astype("string").fillna(NO_OWNER)
        codes, uniques = pd.factorize(text, sort=True)
        codes, owners = codes.astype(np.int64), np.asarray(uniques, dtype=object)
    pin = (
        np.zeros(n, bool)
        if pinned is None
        else pd.Series(pinned).astype("boolean").fillna(False).to_numpy(bool)
    )
    if not n:
        return empty_groups()
    pin &= owners[codes] != NO_OWNER  # a pin needs an owner (as ``build_market`` rules)
    cell_u, cell_inv = np.unique(cells, return_inverse=True)
    key = (cell_inv.astype(np.int64) * len(owners) + codes) * 2 + pin
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    first = key[starts]

    def summed(values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(np.asarray(values, np.int64)[order], starts)

    data: dict[str, object] = {
        "cell": cell_u[first // 2 // len(owners)],
        "rep_id": owners[(first // 2) % len(owners)],
        "pinned": (first % 2).astype(bool),
        "accounts": np.diff(np.r_[starts, n]).astype(np.int64),
    }
    data |= {c: summed(seg_pos == i) for i, c in enumerate(SEGMENT_COLUMNS)}
    data |= {"tam_cents": summed(to_cents(tam)), "revenue_cents": summed(to_cents(revenue))}
    return pd.DataFrame(data, columns=list(GROUP_COLUMNS))


def totals_of_accounts(accounts: pd.DataFrame, resolution: int) -> CellTotals:
    """Bin validated accounts (``data.schemas`` shape) at ``resolution`` and sum them per cell."""
    lat = accounts["lat"].to_numpy(np.float64)
    lon = accounts["lon"].to_numpy(np.float64)
    cells = latlng_to_cells(lat, lon, resolution)
    frame = group_rows(cells, accounts["segment"], accounts["tam"], accounts["revenue"],
                       accounts.get("rep_id"), accounts.get("pinned"))  # fmt: skip
    return CellTotals.from_groups(frame, resolution, hull_vertices(np.column_stack([lon, lat])))


def combined(parts: Iterable[CellTotals], resolution: int) -> CellTotals:
    """The totals of the union of disjoint sets of accounts (all at ``resolution``)."""
    parts = list(parts)
    if any(p.resolution != resolution for p in parts):
        raise ValueError(f"every part must be at resolution {resolution}")
    if not parts:
        return empty_totals(resolution)
    if any(p.groups is None for p in parts):
        return CellTotals.from_frame(pd.concat([p.to_frame() for p in parts]), resolution)
    hulls = [p.hull for p in parts if p.hull is not None]
    hull = hull_vertices(np.concatenate(hulls)) if len(hulls) == len(parts) else None
    frame = pd.concat([p.groups for p in parts if p.groups is not None])
    return CellTotals.from_groups(frame, resolution, hull)


def hull_vertices(xy: np.ndarray) -> np.ndarray:
    """The convex hull's vertices of lon/lat points, sorted (lon, then lat): a set, not a ring.

    The hull of any split of the points is the hull of the parts' vertices, so the sorted
    vertices are the same whichever way the accounts were split: the Dask path sends each
    part's and keeps the vertices of their union. Fewer than three distinct points, or all on
    one line, keep the distinct points (on a line: its two ends).
    """
    xy = hull_candidates(np.asarray(xy, dtype=np.float64).reshape(-1, 2))
    xy = xy[np.lexsort((xy[:, 1], xy[:, 0]))]
    if len(xy) > 1:
        xy = xy[np.r_[True, np.any(xy[1:] != xy[:-1], axis=1)]]
    if len(xy) < 3:
        return xy
    try:
        return xy[np.sort(ConvexHull(xy).vertices)]
    except QhullError:  # all on one line: its ends are the first and last in lon/lat order
        return xy[[0, -1]]


def _summed_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """``GROUP_COLUMNS`` rows summed per group key, sorted by the keys, with exact dtypes."""
    keys = pd.DataFrame({
        "cell": frame["cell"].to_numpy(np.uint64),
        "rep_id": frame["rep_id"].astype("string").fillna(NO_OWNER).to_numpy(dtype=object),
        "pinned": frame["pinned"].to_numpy(bool),
    })  # fmt: skip
    codes = [pd.factorize(keys[k], sort=True)[0] for k in GROUP_KEYS]
    if not len(frame):
        return empty_groups()
    order = np.lexsort(tuple(reversed(codes)))
    stacked = np.column_stack(codes)[order]
    first = np.r_[True, np.any(stacked[1:] != stacked[:-1], axis=1)]
    group = np.cumsum(first) - 1
    n = int(group[-1]) + 1 if len(group) else 0
    out: dict[str, object] = {k: keys[k].to_numpy()[order][first] for k in GROUP_KEYS}
    for column in GROUP_COLUMNS[len(GROUP_KEYS) :]:
        out[column] = _sum_int(group, frame[column].to_numpy(np.int64)[order], n)
    result = pd.DataFrame(out, columns=list(GROUP_COLUMNS))
    result["cell"] = result["cell"].astype(np.uint64)
    result["pinned"] = result["pinned"].astype(bool)
    result["rep_id"] = result["rep_id"].astype(object)
    return result.reset_index(drop=True)


def _sum_int(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Exact integer group sums (``bincount`` would go through float64)."""
    out = np.zeros(size, np.int64)
    np.add.at(out, index, np.asarray(values, dtype=np.int64))
    return out
