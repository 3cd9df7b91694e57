"""Starting plans: territories grown outwards from seed units over the adjacency."""

from __future__ import annotations

import heapq

import numpy as np

from planning.optimizer.instance import Instance


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


def grow(instance: Instance, seed_owner: np.ndarray) -> np.ndarray:
    """Give every unassigned unit to a rep by growing the seeded territories over the adjacency.

    Multi-source growth by cost: of all (unit, rep) pairs where the unit is
    unassigned and touches the rep's territory, the cheapest is taken next.
    Every territory grows only by neighbours, so it stays in one piece per
    seed, and each unit goes to the cheapest rep that can reach it: a
    Voronoi diagram by cost that respects the adjacency. Balancing is left to
    the search. Units no seed can reach (islands, or no adjacency at all) go
    whole-component to the rep that serves the component at least cost.
    """
    owner = np.array(seed_owner, dtype=np.int64)
    neighbours = instance.neighbours
    owner_list = owner.tolist()
    cost = instance.cost
    heap: list[tuple[float, int, int]] = []
    for u in np.flatnonzero(owner >= 0).tolist():
        r = owner_list[u]
        for v in neighbours[u]:
            if owner_list[v] < 0:
                heap.append((float(cost[v, r]), v, r))
    heapq.heapify(heap)
    while heap:
        _, u, r = heapq.heappop(heap)
        if owner_list[u] >= 0:
            continue
        owner_list[u] = r
        for v in neighbours[u]:
            if owner_list[v] < 0:
                heapq.heappush(heap, (float(cost[v, r]), v, r))
    owner = np.array(owner_list, dtype=np.int64)

    left = np.flatnonzero(owner < 0)
    if len(left):
        _, which = np.unique(instance.components[left], return_inverse=True)
        by_component = np.zeros((int(which.max()) + 1, instance.n_reps))
        np.add.at(by_component, which, instance.cost[left])
        owner[left] = np.argmin(by_component, axis=1)[which]
    return owner


def design_start(instance: Instance) -> np.ndarray:
    """A fresh plan: locked units stay, homes seed the rest, territories grow from there."""
    seed = np.where(instance.locked, instance.current, -1)
    homes = home_units(instance)
    free_home = seed[homes] < 0
    seed[homes[free_home]] = np.flatnonzero(free_home)
    return grow(instance, seed)
