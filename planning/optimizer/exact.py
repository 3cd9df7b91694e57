"""Exhaustive search for small instances: every assignment of the free units, scored.

Plans compare by these keys, in order: disruption above the cap (a limit the
caller set for this run wins), pieces beyond one per rep and adjacency
component (when contiguity is on), load above capacity (with
``max_capacity``), imbalance, then the secondary objective. The first plan in
enumeration order wins ties, so the answer is deterministic.
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
    one unit labelled with itself. Arrays are unit-major so each step reads
    contiguous rows.
    """
    n, n_units = owners.shape
    a, b = instance.edges
    if len(a) == 0 or n == 0:
        return np.zeros(n, np.int64)
    by_unit = np.ascontiguousarray(owners.T)
    same = by_unit[a] == by_unit[b]
    dtype = np.int16 if n_units < 2**15 else np.int64
    labels = np.repeat(np.arange(n_units, dtype=dtype)[:, None], n, axis=1)
    pairs = list(zip(a.tolist(), b.tolist(), strict=True))
    while True:
        before = labels.copy()
        for e, (u, v) in enumerate(pairs):
            low = np.where(same[e], np.minimum(labels[u], labels[v]), labels[u])
            labels[u] = low
            labels[v] = np.where(same[e], low, labels[v])
        labels = np.take_along_axis(labels, labels.astype(np.intp), axis=0)
        if np.array_equal(labels, before):
            break
    pieces = (labels == np.arange(n_units, dtype=dtype)[:, None]).sum(axis=0)
    present = np.zeros(n, np.int64)
    comps = instance.components
    for c in np.unique(comps).tolist():
        members = by_unit[comps == c]
        for r in range(instance.n_reps):
            present += (members == r).any(axis=0)
    return pieces - present


def _keys(instance: Instance, settings: Settings, owners: np.ndarray) -> list[np.ndarray]:
    """Sort keys below contiguity, least important first (the order ``np.lexsort`` reads)."""
    load = score.loads(instance, owners)
    obj = score.objective(instance, settings, owners, load)
    return [
        np.asarray(obj.secondary),
        np.asarray(obj.imbalance),
        np.round(score.capacity_overflow(instance, settings, load), 9),
    ]


def _better(keys: list[np.ndarray], best: tuple[float, ...]) -> np.ndarray:
    """Rows whose keys (least important first) beat ``best`` (most important first)."""
    less = np.zeros(len(keys[0]), dtype=bool)
    equal = np.ones(len(keys[0]), dtype=bool)
    for k, b in zip(reversed(keys), best, strict=True):
        less |= equal & (k < b)
        equal &= k == b
    return less


def _chunk_best(instance, settings, owners, best_key):
    """Index and key of the best plan in ``owners`` that beats ``best_key``, or None.

    Only plans with the least disruption above the cap compete. Contiguity
    is the costliest key to compute, so those plans are taken in order of the
    keys below it and checked in growing batches: the first one with no
    excess piece wins. Only when none has, every remaining plan is checked.
    """
    over = np.round(score.disruption_overflow(instance, settings, owners), 12)
    least = float(over.min())
    if best_key is not None and least > best_key[0]:
        return None
    inner = best_key[1:] if best_key is not None and least == best_key[0] else None
    keys = _keys(instance, settings, owners)
    contiguity = settings.contiguity and instance.adjacency is not None
    rows = np.flatnonzero(over == least)
    if inner is not None:
        if not contiguity:
            rows = rows[_better([k[rows] for k in keys], inner[1:])]
        elif inner[0] == 0:
            rows = rows[_better([k[rows] for k in keys], inner[1:])]
    if len(rows) == 0:
        return None
    rows = rows[np.lexsort([k[rows] for k in keys])]
    if not contiguity:
        i = int(rows[0])
        return i, (least, 0.0, *(float(k[i]) for k in reversed(keys)))
    done, size = 0, 64
    excess = np.empty(len(rows), np.int64)
    while done < len(rows):
        batch = rows[done : done + size]
        excess[done : done + len(batch)] = excess_pieces_batch(instance, owners[batch])
        hit = np.flatnonzero(excess[done : done + len(batch)] == 0)
        if len(hit):
            i = int(batch[hit[0]])
            return i, (least, 0.0, *(float(k[i]) for k in reversed(keys)))
        done += len(batch)
        size *= 4
    j = int(np.argmin(excess))
    i = int(rows[j])
    key = (least, float(excess[j]), *(float(k[i]) for k in reversed(keys)))
    return (i, key) if best_key is None or key < best_key else None


def solve_exact(
    instance: Instance,
    settings: Settings,
    *,
    should_stop: Callable[[], bool] | None = None,
    deadline: float | None = None,
    progress: Callable[[int, np.ndarray], None] | None = None,
) -> tuple[np.ndarray, bool]:
    """The best plan over every assignment of the unlocked units.

    Returns the plan and whether the search finished (the plan is then a
    proven optimum); stopping early returns the best plan seen. ``progress``
    hears the chunk number and the best plan after every chunk of plans.
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
        found = _chunk_best(instance, settings, owners, best_key)
        if found is not None:
            best_owner, best_key = owners[found[0]].copy(), found[1]
        assert best_owner is not None  # the first chunk always has a best plan
        if progress is not None:
            progress(start // CHUNK + 1, best_owner)
        stop = should_stop is not None and should_stop()
        if stop or (deadline is not None and time.perf_counter() > deadline):
            return best_owner, start + CHUNK >= total
    assert best_owner is not None
    return best_owner, True
