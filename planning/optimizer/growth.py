"""Starting plans: territories grown outwards from seed units over the adjacency."""

from __future__ import annotations

import heapq
import time

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment, linprog
from scipy.sparse import csgraph

from planning.optimizer import score
from planning.optimizer.instance import Instance
from planning.optimizer.repair import merge_fragments


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


# -- compact starts for design from scratch (issue 13 point 3, h13shape) ----------------------

LLOYD_ROUNDS = 6
"""Most rounds of "assign by the LP, move each centre to its territory's middle"."""

START_MARGIN = 0.6
"""The compact start's bands are this share of the tolerance: rounding and contiguity repairs
move a few units, and the search that follows has room to mend what they shift."""

COMPACT_START_LIMIT = 60_000
"""Most free unit x rep pairs for which design builds compact starts by LP (HiGHS answers in
well under a second there; the demo's 13,172 cells x 12 reps take seconds a round)."""


def hop_distances(instance: Instance, sources: np.ndarray) -> np.ndarray:
    """``(len(sources), U)`` steps over the adjacency from each source (inf where unreachable)."""
    indptr, indices = instance.adjacency  # type: ignore[misc]
    n = instance.n_units
    graph = sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n, n))
    return csgraph.shortest_path(graph, directed=False, unweighted=True, indices=sources)


def _load_weight(instance: Instance, cols: np.ndarray) -> np.ndarray:
    """Each unit's share of the balanced load and of the area, half and half (sums to 1)."""
    weight = np.full(instance.n_units, 0.5 / instance.n_units)
    for k in cols.tolist():
        column = instance.measures[:, k]
        if column.sum() > 0:
            weight += 0.5 / len(cols) * column / column.sum()
    return weight / weight.sum()


def spread_centres(
    instance: Instance, cols: np.ndarray, rng: np.random.Generator, count: int, within: np.ndarray
) -> np.ndarray:
    """``count`` centre units of ``within`` drawn k-means++ fashion on hop distances.

    The first is drawn by weight (load and area, :func:`_load_weight`), every
    next one by weight times its squared distance to the nearest centre so
    far: centres spread over the area, and denser where the load is.
    """
    weight = np.where(within, _load_weight(instance, cols), 0.0)
    weight = weight / weight.sum()
    centres = [int(rng.choice(instance.n_units, p=weight))]
    nearest = hop_distances(instance, np.array(centres))[0]
    for _ in range(1, count):
        far = np.where(np.isfinite(nearest), nearest, 0.0)
        p = weight * far**2
        if p.sum() <= 0:
            p = weight.copy()
        c = int(rng.choice(instance.n_units, p=p / p.sum()))
        centres.append(c)
        nearest = np.minimum(nearest, hop_distances(instance, np.array([c]))[0])
    return np.array(centres, dtype=np.int64)


def deepest_units(instance: Instance, owner: np.ndarray, old: np.ndarray) -> np.ndarray:
    """``(R,)`` each rep's unit farthest (in steps) from its territory's border: its middle.

    The border is every unit touching another rep or the area's edge (fewer
    neighbours than the most any unit has). A rep without units keeps ``old``.
    """
    a, b = instance.edges
    n = instance.n_units
    degree = np.diff(instance.adjacency[0])  # type: ignore[index]
    edge = degree < degree.max()
    diff = owner[a] != owner[b]
    border = edge.copy()
    border[a[diff]] = True
    border[b[diff]] = True
    same = ~diff
    graph = sparse.coo_matrix(
        (np.ones(int(same.sum()) * 2), (np.r_[a[same], b[same]], np.r_[b[same], a[same]])), (n, n)
    ).tocsr()
    depth = np.where(border, 0, -1)
    frontier = border.astype(float)
    level = 0
    while True:
        level += 1
        reached = (graph @ frontier > 0) & (depth < 0)
        if not reached.any():
            break
        depth[reached] = level
        frontier = reached.astype(float)
    out = np.array(old, dtype=np.int64)
    order = np.lexsort((np.arange(n), -depth, owner))  # per owner, deepest first
    first = np.r_[True, owner[order][1:] != owner[order][:-1]]
    for u in order[first].tolist():
        if owner[u] >= 0:
            out[owner[u]] = u
    return out


def _estimated_totals(instance: Instance, owner: np.ndarray) -> np.ndarray:
    """``(M,)`` team total of every measure under ``owner`` (travel included where it counts)."""
    return score.loads(instance, owner).sum(axis=0)


def compact_assignment(
    instance: Instance,
    cols: np.ndarray,
    tolerance: float,
    ceiling: np.ndarray,
    cap_col: int,
    centres: np.ndarray,
    totals: np.ndarray,
    time_limit: float | None = None,
) -> np.ndarray | None:
    """The plan nearest the centres (sum of squared steps) whose loads fit the bands, by LP.

    The relaxed assignment of every free unit to the reps, each rep's
    balanced loads within ``tolerance`` of its share of ``totals`` (fixed
    here: travel moves them a little), under the capacity ceiling; units go
    to the rep of the largest share (only as many units as there are bands
    are split). A Hess districting model: its plans are compact and nearly
    balanced. None when HiGHS finds no such relaxed plan in time.
    """
    n_reps = instance.n_reps
    hops = hop_distances(instance, centres)  # (R, U)
    finite = np.isfinite(hops)
    far = (hops[finite].max() + 1) * 3 if finite.any() else 1.0
    dist = np.where(finite, hops, far).T  # (U, R)
    fixed_owner = np.where(instance.locked, instance.current, -1)
    # units no centre reaches (an island) go whole to the rep that serves them cheapest, as in
    # :func:`grow`; the LP shares out the rest
    orphan = ~finite.any(axis=0) & (fixed_owner < 0)
    if orphan.any():
        left = np.flatnonzero(orphan)
        _, which = np.unique(instance.components[left], return_inverse=True)
        by_component = np.zeros((int(which.max()) + 1, n_reps))
        np.add.at(by_component, which, instance.cost[left])
        fixed_owner[left] = np.argmin(by_component, axis=1)[which]
    free = np.flatnonzero(fixed_owner < 0)
    base = score.loads(instance, fixed_owner)  # pinned amounts, locked units and islands
    nf = len(free)
    if nf == 0:
        return fixed_owner
    price = dist[free] ** 2 / max(float((dist[free] ** 2).mean()), 1e-9)
    cost = price.ravel()
    var_u = np.repeat(np.arange(nf), n_reps)
    var_r = np.tile(np.arange(n_reps), nf)
    a_eq = sparse.csr_matrix((np.ones(nf * n_reps), (var_u, np.arange(nf * n_reps))),
                             shape=(nf, nf * n_reps))  # fmt: skip
    rows, data, lo, hi = [], [], [], []
    cm = instance.cost_measure
    share = instance.share
    for k in cols.tolist():
        amount = np.repeat(instance.measures[free, k][:, None], n_reps, axis=1)
        if k == cm:
            amount = amount + instance.cost[free]
        target = share * totals[k]
        scale = max(float(target.mean()), 1e-12)
        rows.append(var_r)
        data.append(amount.ravel() / scale)
        lo.append((target * (1 - tolerance) - base[:, k]) / scale)
        hi.append((target * (1 + tolerance) - base[:, k]) / scale)
    if cap_col >= 0 and np.isfinite(ceiling).any():
        amount = np.repeat(instance.measures[free, cap_col][:, None], n_reps, axis=1)
        if cap_col == cm:
            amount = amount + instance.cost[free]
        scale = max(float(ceiling[np.isfinite(ceiling)].mean()), 1e-12)
        rows.append(var_r)
        data.append(amount.ravel() / scale)
        lo.append(np.full(n_reps, -np.inf))
        hi.append(np.where(np.isfinite(ceiling), ceiling - base[:, cap_col], np.inf) / scale)
    if rows:
        offset = np.arange(len(rows)).repeat(nf * n_reps) * n_reps
        a_ub = sparse.csr_matrix(
            (np.concatenate(data), (np.concatenate(rows) + offset, np.tile(np.arange(nf * n_reps),
             len(rows)))), shape=(len(rows) * n_reps, nf * n_reps))  # fmt: skip
        lo_all, hi_all = np.concatenate(lo), np.concatenate(hi)
        a_ub = sparse.vstack([a_ub[np.isfinite(hi_all)], -a_ub[np.isfinite(lo_all)]]).tocsr()
        b_ub = np.r_[hi_all[np.isfinite(hi_all)], -lo_all[np.isfinite(lo_all)]]
    else:
        a_ub, b_ub = None, None
    options = {} if time_limit is None else {"time_limit": max(time_limit, 0.05)}
    # a rep takes no unit its centre cannot reach (another island): no LP plan strands it there
    reach = finite.T[free].astype(float).ravel()
    bounds = np.column_stack([np.zeros(nf * n_reps), reach])
    solved = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=np.ones(nf), bounds=bounds,
                     method="highs-ds", options=options)  # fmt: skip
    if solved.status != 0 or solved.x is None:
        return None
    owner = fixed_owner.copy()
    xs = solved.x.reshape(nf, n_reps)
    owner[free] = np.argmax(xs, axis=1)
    return owner


def compact_start(
    instance: Instance,
    cols: np.ndarray,
    tolerance: float,
    ceiling: np.ndarray,
    cap_col: int,
    rng: np.random.Generator,
    deadline: float | None = None,
) -> np.ndarray | None:
    """A compact, nearly balanced fresh plan: spread centres, then Lloyd rounds of the Hess LP.

    Centres are drawn by :func:`spread_centres`, as many on each island as
    reps have their home there, matched to those reps at least cost; each round assigns the units by
    :func:`compact_assignment` and moves every centre to the middle of its
    territory (:func:`deepest_units`), until the centres stay put. Stray
    pieces join a neighbour (:func:`~planning.optimizer.repair.merge_fragments`).
    None without an adjacency, beyond ``COMPACT_START_LIMIT`` or when the LP fails.
    """
    free = int((~instance.locked).sum())
    if instance.adjacency is None or free * instance.n_reps > COMPACT_START_LIMIT:
        return None
    # as many centres on each island as reps live there (a design grows from the homes' land),
    # matched to those reps at least cost
    homes = home_units(instance)
    centres = np.empty(instance.n_reps, dtype=np.int64)
    for component in np.unique(instance.components[homes]).tolist():
        reps = np.flatnonzero(instance.components[homes] == component)
        drawn = spread_centres(instance, cols, rng, len(reps),
                               instance.components == component)  # fmt: skip
        _, match = linear_sum_assignment(instance.cost[np.ix_(drawn, reps)])
        centres[reps[match]] = drawn
    owner = None
    guess = np.argmin(hop_distances(instance, centres), axis=0)
    totals = _estimated_totals(instance, guess)
    for _ in range(LLOYD_ROUNDS):
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and left <= 0:
            break
        new = compact_assignment(instance, cols, tolerance * START_MARGIN, ceiling, cap_col,
                                 centres, totals, left)  # fmt: skip
        if new is None:
            break
        owner = new
        totals = _estimated_totals(instance, owner)
        moved = deepest_units(instance, owner, centres)
        if np.array_equal(moved, centres):
            break
        centres = moved
    if owner is None:
        return None
    return merge_fragments(instance, owner)
