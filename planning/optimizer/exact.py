"""Exhaustive search for small instances: every assignment of the free units, scored.

Plans compare by the same key as the local search's best plan, in order:
pieces beyond one per rep and adjacency component (when contiguity is on),
load above capacity (with ``max_capacity``), disruption above the cap, then
imbalance, then the secondary objective. The first plan in enumeration order
wins ties, so the answer is deterministic.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from planning.optimizer import score
from planning.optimizer.instance import Instance
from planning.optimizer.settings import Settings

CHUNK = 1 << 15


def assignment_count(instance: Instance) -> int:
    """How many plans an exhaustive search would score: reps ** free units."""
    return instance.n_reps ** int((~instance.locked).sum())


def excess_pieces_batch(instance: Instance, owners: np.ndarray) -> np.ndarray:
    """For each plan in ``owners`` (N, U): pieces beyond one per rep and adjacency component.

    Labels spread the smallest unit number along edges whose ends share an
    owner, with pointer jumping, until nothing changes; every piece then has
    one unit labelled with itself.
    """
    n, n_units = owners.shape
    a, b = instance.edges
    if len(a) == 0:
        return np.zeros(n, np.int64)
    same = owners[:, a] == owners[:, b]
    labels = np.broadcast_to(np.arange(n_units), owners.shape).copy()
    pairs = list(zip(a.tolist(), b.tolist(), strict=True))
    while True:
        before = labels.copy()
        for e, (u, v) in enumerate(pairs):
            s = same[:, e]
            low = np.minimum(labels[:, u], labels[:, v])
            labels[:, u] = np.where(s, low, labels[:, u])
            labels[:, v] = np.where(s, low, labels[:, v])
        labels = np.take_along_axis(labels, labels, axis=1)
        if np.array_equal(labels, before):
            break
    pieces = (labels == np.arange(n_units)).sum(axis=1)
    present = np.zeros(n, np.int64)
    comps = instance.components
    for c in np.unique(comps).tolist():
        members = owners[:, comps == c]
        for r in range(instance.n_reps):
            present += (members == r).any(axis=1)
    return pieces - present


def _keys(instance: Instance, settings: Settings, owners: np.ndarray) -> list[np.ndarray]:
    """Sort keys, most important last (the order ``np.lexsort`` reads them)."""
    obj = score.objective(instance, settings, owners)
    keys = [
        np.asarray(obj.secondary),
        np.asarray(obj.imbalance),
        np.round(score.disruption_overflow(instance, settings, owners), 12),
        np.round(score.capacity_overflow(instance, settings, score.loads(instance, owners)), 9),
    ]
    if settings.contiguity and instance.adjacency is not None:
        keys.append(excess_pieces_batch(instance, owners))
    return keys


def solve_exact(
    instance: Instance,
    settings: Settings,
    *,
    should_stop: Callable[[], bool] | None = None,
    deadline: float | None = None,
) -> tuple[np.ndarray, bool]:
    """The best plan over every assignment of the unlocked units.

    Returns the plan and whether the search finished (the plan is then a
    proven optimum); stopping early returns the best plan seen.
    """
    free = np.flatnonzero(~instance.locked)
    n_reps = instance.n_reps
    total = assignment_count(instance)
    powers = n_reps ** np.arange(len(free), dtype=np.int64)
    base = np.where(instance.locked, instance.current, 0)
    best_owner, best_key = None, None
    for start in range(0, total, CHUNK):
        index = np.arange(start, min(start + CHUNK, total), dtype=np.int64)
        owners = np.broadcast_to(base, (len(index), instance.n_units)).copy()
        owners[:, free] = (index[:, None] // powers) % n_reps
        keys = _keys(instance, settings, owners)
        i = int(np.lexsort(keys)[0])
        key = tuple(float(k[i]) for k in reversed(keys))
        if best_key is None or key < best_key:
            best_owner, best_key = owners[i].copy(), key
        stop = should_stop is not None and should_stop()
        if stop or (deadline is not None and time.perf_counter() > deadline):
            return best_owner, start + CHUNK >= total
    return best_owner, True
