"""Starting plans: territories grown outwards from seed units over the adjacency."""

from __future__ import annotations

import heapq

import numpy as np

from planning.optimizer.instance import Instance
from planning.optimizer.settings import Settings


def home_units(instance: Instance) -> np.ndarray:
    """Each rep's home: the unit that costs that rep least, one unit per rep.

    A unit locked to someone else cannot be a home; when two reps would share
    a home, the later rep takes its next cheapest unit.
    """
    taken = np.zeros(instance.n_units, dtype=bool)
    homes = np.empty(instance.n_reps, dtype=np.int64)
    for r in range(instance.n_reps):
        usable = ~taken & (~instance.locked | (instance.current == r))
        cost = np.where(usable, instance.cost[:, r], np.inf)
        homes[r] = int(np.argmin(cost)) if usable.any() else int(np.argmin(instance.cost[:, r]))
        taken[homes[r]] = True
    return homes


def _growth_weights(instance: Instance, settings: Settings) -> np.ndarray:
    """Per-measure weights that turn a rep's loads into one 'how full' number."""
    cols = [instance.measure_index(n) for n in settings.balance_names]
    totals = instance.measures.sum(axis=0) + instance.fixed.sum(axis=0)
    weights = np.zeros(instance.n_measures)
    for k, w in zip(cols, settings.balance_weights, strict=True):
        weights[k] = w / totals[k] if totals[k] > 0 else 0.0
    return weights


def grow(instance: Instance, settings: Settings, seed_owner: np.ndarray) -> np.ndarray:
    """Give every unassigned unit to a rep by growing the seeded territories.

    The emptiest rep (balanced measures over its share) grows next, by its
    cheapest unassigned neighbour, so territories come out near balanced and
    round around their seeds. A rep walled in by others stops growing. Units
    no seed can reach over the adjacency (islands, or no adjacency at all) go
    whole-component to the rep that serves the component at least cost.
    """
    owner = np.array(seed_owner, dtype=np.int64)
    n_reps = instance.n_reps
    weights = _growth_weights(instance, settings)
    unit_fill = instance.measures @ weights
    cost_fill = weights[instance.cost_measure] if instance.cost_measure >= 0 else 0.0
    fill = instance.fixed @ weights
    assigned = owner >= 0
    np.add.at(fill, owner[assigned], unit_fill[assigned])
    if cost_fill:
        np.add.at(fill, owner[assigned], cost_fill * instance.cost[assigned, owner[assigned]])
    fill = (fill / instance.share).tolist()
    share = instance.share.tolist()

    neighbours = instance.neighbours
    owner_list = owner.tolist()
    frontier: list[list[tuple[float, int]]] = [[] for _ in range(n_reps)]
    cost = instance.cost
    for u in np.flatnonzero(assigned).tolist():
        r = owner_list[u]
        for v in neighbours[u]:
            if owner_list[v] < 0:
                frontier[r].append((float(cost[v, r]), v))
    for heap in frontier:
        heapq.heapify(heap)
    queue = [(fill[r], r) for r in range(n_reps) if frontier[r]]
    heapq.heapify(queue)
    unit_fill_list = unit_fill.tolist()
    while queue:
        _, r = heapq.heappop(queue)
        heap = frontier[r]
        while heap and owner_list[heap[0][1]] >= 0:
            heapq.heappop(heap)
        if not heap:
            continue
        c, u = heapq.heappop(heap)
        owner_list[u] = r
        fill[r] += (unit_fill_list[u] + cost_fill * c) / share[r]
        for v in neighbours[u]:
            if owner_list[v] < 0:
                heapq.heappush(heap, (float(cost[v, r]), v))
        heapq.heappush(queue, (fill[r], r))
    owner = np.array(owner_list, dtype=np.int64)

    left = np.flatnonzero(owner < 0)
    if len(left):
        _, which = np.unique(instance.components[left], return_inverse=True)
        by_component = np.zeros((int(which.max()) + 1, n_reps))
        np.add.at(by_component, which, instance.cost[left])
        owner[left] = np.argmin(by_component, axis=1)[which]
    return owner


def design_start(instance: Instance, settings: Settings) -> np.ndarray:
    """A fresh plan: locked units stay, homes seed the rest, territories grow from there."""
    seed = np.where(instance.locked, instance.current, -1)
    homes = home_units(instance)
    free_home = seed[homes] < 0
    seed[homes[free_home]] = np.flatnonzero(free_home)
    return grow(instance, settings, seed)
