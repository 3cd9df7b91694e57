"""Starting plans: territories grown outwards from seed units over the adjacency."""

from __future__ import annotations

import heapq

import numpy as np
from scipy import sparse

from planning.optimizer.instance import Instance


def relative_cost(instance: Instance) -> np.ndarray:
    """How near each rep is to each unit against the team, ``(U, R)``: cost over its mean.

    A busy cell next door and a quiet one next door rank alike. A unit that
    costs every rep nothing (an empty cell when cost is travel per visit) says
    nothing about who is near; it takes the mean over its neighbours, spread
    out from the nearest units that do say (0 when none does).
    """
    cost = instance.cost
    mean = cost.mean(axis=1, keepdims=True)
    out = cost / np.where(mean > 0, mean, 1.0)
    known = mean[:, 0] > 0
    if known.all() or not known.any() or instance.adjacency is None:
        return out
    indptr, indices = instance.adjacency
    graph = sparse.csr_matrix(
        (np.ones(len(indices)), indices, indptr), shape=(instance.n_units, instance.n_units)
    )
    while True:
        reached = graph @ known.astype(float)
        fill = ~known & (reached > 0)
        if not fill.any():
            return out
        sums = graph[fill] @ np.where(known[:, None], out, 0.0)
        out[fill] = sums / reached[fill, None]
        known = known | fill


def home_units(instance: Instance) -> np.ndarray:
    """Each rep's home: the unit that costs that rep least against the others, one unit per rep.

    Cost is compared with the unit's mean cost over all reps, so a unit that
    costs everybody nothing (an empty cell when cost is travel per visit)
    says nothing about where a rep lives and is passed over while any unit
    costs something. A unit locked to someone else cannot be a home; when two
    reps would share a home, the later rep takes its next cheapest unit.
    """
    taken = np.zeros(instance.n_units, dtype=bool)
    homes = np.empty(instance.n_reps, dtype=np.int64)
    relative = relative_cost(instance)
    informative = (instance.cost > 0).any(axis=1)
    if informative.any():
        relative[~informative] = np.inf
    for r in range(instance.n_reps):
        usable = ~taken & (~instance.locked | (instance.current == r))
        cost = np.where(usable, relative[:, r], np.inf)
        homes[r] = int(np.argmin(cost)) if usable.any() else int(np.argmin(instance.cost[:, r]))
        taken[homes[r]] = True
    return homes


def grow(instance: Instance, seed_owner: np.ndarray) -> np.ndarray:
    """Give every unassigned unit to a rep by growing the seeded territories over the adjacency.

    Multi-source growth by cost: of all (unit, rep) pairs where the unit is
    unassigned and touches the rep's territory, the cheapest by
    :func:`relative_cost` is taken next (ties: fewest steps from the seed). A
    unit that costs every rep nothing thus counts as near as its surroundings
    say, and empty land is shared out, not flooded by the first rep to touch
    it. Every territory grows only by neighbours, so it stays in one piece per
    seed, and each unit goes to the cheapest rep that can reach it: a
    Voronoi diagram by cost that respects the adjacency. Balancing is left to
    the search. Units no seed can reach (islands, or no adjacency at all) go
    whole-component to the rep that serves the component at least cost.
    """
    owner = np.array(seed_owner, dtype=np.int64)
    neighbours = instance.neighbours
    owner_list = owner.tolist()
    cost = relative_cost(instance).tolist()
    heap: list[tuple[float, int, int, int]] = []
    for u in np.flatnonzero(owner >= 0).tolist():
        r = owner_list[u]
        for v in neighbours[u]:
            if owner_list[v] < 0:
                heap.append((cost[v][r], 1, v, r))
    heapq.heapify(heap)
    while heap:
        _, steps, u, r = heapq.heappop(heap)
        if owner_list[u] >= 0:
            continue
        owner_list[u] = r
        for v in neighbours[u]:
            if owner_list[v] < 0:
                heapq.heappush(heap, (cost[v][r], steps + 1, v, r))
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
