"""Candidate moves (one unit from its rep to another) and what each would change.

Everything here is vectorised over all candidates of one search round; the
search then walks the best of them one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planning.optimizer.instance import Instance


@dataclass(frozen=True)
class Candidates:
    """Moves of ``unit[i]`` from rep ``src[i]`` to rep ``dst[i]``."""

    unit: np.ndarray
    src: np.ndarray
    dst: np.ndarray

    def __len__(self) -> int:
        return len(self.unit)

    def take(self, keep: np.ndarray) -> Candidates:
        """The candidates selected by a mask or index array."""
        return Candidates(self.unit[keep], self.src[keep], self.dst[keep])


def _directed_edges(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    assert instance.adjacency is not None, "borders exist only where units touch"
    indptr, indices = instance.adjacency
    return np.repeat(np.arange(instance.n_units), np.diff(indptr)), indices


def boundary_candidates(instance: Instance, owner: np.ndarray, movable: np.ndarray) -> Candidates:
    """Every movable unit to every other rep it touches: the moves that keep contiguity possible."""
    src, dst = _directed_edges(instance)
    cut = owner[src] != owner[dst]
    units, reps = src[cut], owner[dst[cut]]
    keep = movable[units]
    key = np.unique(units[keep] * instance.n_reps + reps[keep])
    unit = key // instance.n_reps
    return Candidates(unit, owner[unit], key % instance.n_reps)


def free_candidates(
    instance: Instance, owner: np.ndarray, movable: np.ndarray, src_reps, dst_reps
) -> Candidates:
    """Every movable unit of rep ``src_reps[i]`` to ``dst_reps[i]``: moves without contiguity."""
    units, srcs, dsts = [], [], []
    members = np.flatnonzero(movable)
    by_rep = members[np.argsort(owner[members], kind="stable")]
    bounds = np.searchsorted(owner[by_rep], np.arange(instance.n_reps + 1))
    for a, b in zip(np.asarray(src_reps).tolist(), np.asarray(dst_reps).tolist(), strict=True):
        mine = by_rep[bounds[a] : bounds[a + 1]]
        units.append(mine)
        srcs.append(np.full(len(mine), a))
        dsts.append(np.full(len(mine), b))
    if not units:
        empty = np.empty(0, np.int64)
        return Candidates(empty, empty, empty)
    return Candidates(*(np.concatenate(x).astype(np.int64) for x in (units, srcs, dsts)))


def neighbour_counts(
    instance: Instance, owner: np.ndarray, moves: Candidates
) -> tuple[np.ndarray, np.ndarray]:
    """For each move: neighbours the unit has in its own rep and in the receiving rep.

    Moving it cuts the first kind of edge and joins the second, so the number
    of cut edges changes by ``same - into``.
    """
    if instance.adjacency is None:
        zero = np.zeros(len(moves), np.int64)
        return zero, zero
    src, dst = _directed_edges(instance)
    cut = owner[src] != owner[dst]
    same = np.bincount(src[~cut], minlength=instance.n_units)[moves.unit]
    keys, counts = np.unique(src[cut] * instance.n_reps + owner[dst[cut]], return_counts=True)
    if len(keys) == 0:
        return same, np.zeros(len(moves), np.int64)
    want = moves.unit * instance.n_reps + moves.dst
    at = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
    return same, np.where(keys[at] == want, counts[at], 0)


def shift(instance: Instance, moves: Candidates) -> tuple[np.ndarray, np.ndarray]:
    """What each move takes off the donor and adds to the receiver, ``(n, M)`` each.

    They differ only in the measure cost counts toward: the donor sheds the
    unit's cost for itself, the receiver takes on its own.
    """
    out = instance.measures[moves.unit]
    give, take = out.copy(), out.copy()
    k = instance.cost_measure
    if k >= 0:
        give[:, k] += instance.cost[moves.unit, moves.src]
        take[:, k] += instance.cost[moves.unit, moves.dst]
    return give, take


def excess_squared(load: np.ndarray, target: np.ndarray, tolerance: float) -> np.ndarray:
    """``(|load / target - 1| - tolerance)+ ^ 2``, elementwise; 0 where the target is 0."""
    safe = np.where(target > 0, target, 1.0)
    dev = np.where(target > 0, load / safe - 1.0, 0.0)
    return np.maximum(np.abs(dev) - tolerance, 0.0) ** 2
