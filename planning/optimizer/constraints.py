"""Rules every plan the optimizer returns must keep: contiguity, locks, capacity."""

from __future__ import annotations

from collections import deque

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from planning.optimizer.instance import Instance


def territory_pieces(instance: Instance, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Connected pieces of every territory.

    Returns
    -------
    labels
        ``(U,)`` piece number of each unit (unassigned units are pieces of their own).
    pieces
        ``(R,)`` number of pieces per rep; 1 is contiguous, 0 is an empty territory.
    """
    owner = np.asarray(owner)
    a, b = instance.edges
    same = (owner[a] == owner[b]) & (owner[a] >= 0)
    n = instance.n_units
    graph = sparse.coo_matrix((np.ones(int(same.sum()), np.int8), (a[same], b[same])), (n, n))
    labels = csgraph.connected_components(graph, directed=False)[1]
    assigned = np.flatnonzero(owner >= 0)
    _, first = np.unique(labels[assigned], return_index=True)
    pieces = np.bincount(owner[assigned[first]], minlength=instance.n_reps)
    return labels, pieces


def excess_pieces(instance: Instance, owner: np.ndarray) -> int:
    """Pieces beyond one per rep per adjacency component: 0 when contiguous where it can be.

    A rep that owns units on two islands has two pieces but no excess: no plan
    could join them.
    """
    owner = np.asarray(owner)
    _, pieces = territory_pieces(instance, owner)
    assigned = owner >= 0
    reachable = np.unique(owner[assigned] * instance.n_units + instance.components[assigned])
    return int(pieces.sum() - len(reachable))


def removal_keeps_connected(
    neighbours: list[list[int]], owner: list[int], u: int, limit: int | None = None
) -> bool:
    """Whether unit ``u`` can leave its rep without splitting the piece it sits in.

    Breadth-first searches start from every neighbour of ``u`` in the same
    territory and take turns; searches that meet merge. All merged: still
    connected. One runs dry first: that side is cut off, and finding that out
    cost only the size of the smaller side. On a grid the searches usually
    meet within a few steps around ``u``.

    With ``limit``, give up after that many units searched and answer False:
    never a wrong yes, sometimes a cautious no (the sides meet only far away).
    """
    rep = owner[u]
    starts = [v for v in neighbours[u] if owner[v] == rep]
    if len(starts) <= 1:
        return True
    label = {u: -1}
    parent = list(range(len(starts)))
    queues: dict[int, deque[int]] = {}
    for i, s in enumerate(starts):
        label[s] = i
        queues[i] = deque([s])

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    budget = -1 if limit is None else limit
    while True:
        for g in list(queues):
            queue = queues.get(g)
            if queue is None:
                continue
            if not queue or budget == 0:
                return False
            budget -= 1
            w = queue.popleft()
            for v in neighbours[w]:
                if owner[v] != rep:
                    continue
                h = label.get(v)
                if h is None:
                    label[v] = g
                    queue.append(v)
                elif h >= 0:
                    h = root(h)
                    if h != g:
                        parent[h] = g
                        queue.extend(queues.pop(h))
                        if len(queues) == 1:
                            return True


def locks_kept(instance: Instance, owner: np.ndarray) -> bool:
    """Every locked unit still has its current owner."""
    owner = np.asarray(owner)
    return bool((owner[instance.locked] == instance.current[instance.locked]).all())
