"""Making a plan contiguous before the search starts: stray pieces join a neighbour."""

from __future__ import annotations

import numpy as np

from planning.optimizer.constraints import territory_pieces
from planning.optimizer.instance import Instance


def merge_fragments(
    instance: Instance, owner: np.ndarray, budget: float | None = None
) -> np.ndarray:
    """Hand every stray piece of a territory to the neighbouring rep it touches most.

    A rep keeps, per adjacency component, its piece with the most locked
    units (then the most units); its other pieces there are fragments. A
    fragment goes whole to the rep whose kept piece it shares the most edges
    with, which joins that piece, so nobody gains a piece. Fragments that hold
    locked units stay (the lock wins over contiguity), and fragments touching
    only other fragments wait for the next pass.

    Parameters
    ----------
    budget
        Most disruption weight these moves may add (a disruption cap wins
        over contiguity): the cheapest fragments go first, the rest stay.
    """
    owner = np.array(owner, dtype=np.int64)
    left = np.inf if budget is None else float(budget)
    had = instance.current >= 0
    if instance.adjacency is None:
        return owner
    a, b = instance.edges
    n_reps = instance.n_reps
    for _ in range(instance.n_units):
        labels, _ = territory_pieces(instance, owner)
        n_pieces = int(labels.max()) + 1
        size = np.bincount(labels, minlength=n_pieces)
        locked = np.bincount(labels, weights=instance.locked, minlength=n_pieces)
        first = np.full(n_pieces, -1)
        first[labels[::-1]] = np.arange(instance.n_units)[::-1]
        rep = owner[first]
        group = rep * (int(instance.components.max()) + 1) + instance.components[first]
        order = np.lexsort((size, locked, group))
        last_of_group = np.r_[group[order][1:] != group[order][:-1], True]
        kept = np.zeros(n_pieces, dtype=bool)
        kept[order[last_of_group]] = True
        kept |= rep < 0
        movable = ~kept & (locked == 0)
        if not movable.any():
            break
        pa, pb = labels[a], labels[b]
        cut = pa != pb
        pa, pb = pa[cut], pb[cut]
        frag = np.concatenate([pa, pb])
        other = np.concatenate([pb, pa])
        use = movable[frag] & kept[other] & (rep[other] >= 0)
        if not use.any():
            break
        key = frag[use] * n_reps + rep[other[use]]
        keys, counts = np.unique(key, return_counts=True)
        pieces, reps = keys // n_reps, keys % n_reps
        best = np.lexsort((-counts, pieces))
        head = np.r_[True, pieces[best][1:] != pieces[best][:-1]]
        target = np.full(n_pieces, -1)
        target[pieces[best][head]] = reps[best][head]
        to = target[labels]
        # What each fragment's move adds to the weight away from its current owner.
        extra = (
            instance.disruption_weight
            * had
            * ((to != instance.current).astype(float) - (owner != instance.current))
        )
        price = np.bincount(labels, weights=np.where(to >= 0, extra, 0.0), minlength=n_pieces)
        candidates = np.flatnonzero(target >= 0)
        candidates = candidates[np.argsort(price[candidates], kind="stable")]
        spent = np.cumsum(np.maximum(price[candidates], 0.0))
        chosen = candidates[spent <= left + 1e-9]
        if len(chosen) == 0:
            break
        left -= float(np.maximum(price[chosen], 0.0).sum())
        take = np.zeros(n_pieces, dtype=bool)
        take[chosen] = True
        move = take[labels]
        owner[move] = to[move]
    return owner
