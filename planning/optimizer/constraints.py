"""Rules every plan the optimizer returns must keep: contiguity, locks, capacity."""

from __future__ import annotations

from collections import deque

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse import csgraph

from planning.optimizer import score
from planning.optimizer.instance import Instance
from planning.optimizer.settings import Settings


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


RELAXATION_LIMIT = 200_000
"""Most unit x rep pairs for which :func:`relaxed_plan_exists` is asked (seconds on the demo)."""


def relaxed_plan_exists(
    instance: Instance,
    settings: Settings,
    *,
    with_cap: bool = True,
    with_ceiling: bool = True,
    time_limit: float = 5.0,
) -> bool | None:
    """Whether any plan, territories in pieces and units split allowed, meets the bands (LP).

    The LP relaxation of the assignment (HiGHS): every balanced measure of
    every rep within ``settings.tolerance`` of its target (travel counted
    where it counts, so the team total follows the plan), locked units put,
    under the capacity ceiling (``with_ceiling``) and the cap on accounts
    moved (``with_cap``, rebalance). ``False`` proves that no plan meets them
    all, in one piece or not; ``True`` says only that these rules alone do not
    rule one out (contiguity and whole units may still). None: no answer
    within ``time_limit`` or the instance is larger than ``RELAXATION_LIMIT``.
    """
    exists, _ = relaxed_plan(instance, settings, with_cap=with_cap, with_ceiling=with_ceiling,
                             time_limit=time_limit)  # fmt: skip
    return exists


def relaxed_plan(
    instance: Instance,
    settings: Settings,
    *,
    with_cap: bool = True,
    with_ceiling: bool = True,
    time_limit: float = 5.0,
    keep_current: bool = False,
) -> tuple[bool | None, np.ndarray | None]:
    """:func:`relaxed_plan_exists`, and the LP's ``(U, R)`` shares of every unit per rep.

    ``keep_current``: among the plans that meet the rules, the one that keeps
    the most disruption weight with its current owner (a vertex, by simplex:
    few units split), as a start for a search that stalled off target;
    otherwise any (interior point), as the yes/no question needs.
    """
    n_units, n_reps = instance.n_units, instance.n_reps
    if n_units * n_reps > RELAXATION_LIMIT:
        return None, None
    n = n_units * n_reps
    uu = np.repeat(np.arange(n_units), n_reps)
    rr = np.tile(np.arange(n_reps), n_units)
    lower = np.zeros((n_units, n_reps))
    upper = np.ones((n_units, n_reps))
    locked = np.flatnonzero(instance.locked)
    upper[locked] = 0.0
    upper[locked, instance.current[locked]] = 1.0
    lower[locked, instance.current[locked]] = 1.0
    a_eq = sparse.csr_matrix((np.ones(n), (uu, np.arange(n))), shape=(n_units, n))
    blocks: list[sparse.spmatrix] = []  # rows over x and, last, the team total t (if any)
    rhs: list[np.ndarray] = []
    total_rows: list[sparse.spmatrix] = []
    total_rhs: list[float] = []
    tol = settings.tolerance + 1e-9
    cm = instance.cost_measure
    share = instance.share

    def amount_of(k: int) -> np.ndarray:
        amount = np.repeat(instance.measures[:, k][:, None], n_reps, axis=1)
        return amount + instance.cost if k == cm else amount

    for k in score.balance_columns(instance, settings)[0].tolist():
        amount = amount_of(k)
        fixed = instance.fixed[:, k]
        scale = max(float(amount.mean(axis=1).sum() + fixed.sum()) / n_reps, 1e-12)
        own = sparse.csr_matrix((amount.ravel(), (rr, np.arange(n))), shape=(n_reps, n))
        if k != cm:
            total = float(instance.measures[:, k].sum() + fixed.sum())
            blocks += [own / scale, -own / scale]
            rhs += [((1 + tol) * share * total - fixed) / scale,
                    -((1 - tol) * share * total - fixed) / scale]  # fmt: skip
            continue
        # the team total follows the plan: one more variable t = fixed + sum of amount x,
        # and load_r - band share_r t <= / >= 0 (sparse rows instead of dense ones)
        total_rows.append(
            sparse.hstack(
                [
                    sparse.csr_matrix(amount.ravel()[None, :]) / scale,
                    sparse.csr_matrix(np.array([[-1.0]])),
                ]
            )  # fmt: skip
        )
        total_rhs.append(-fixed.sum() / scale)
        column = sparse.csr_matrix(share[:, None])
        for sign, band in ((1.0, 1 + tol), (-1.0, 1 - tol)):
            blocks.append(sparse.hstack([sign * own / scale, -sign * band * column]))
            rhs.append(-sign * fixed / scale)
    ceiling = score.capacity_ceiling(instance, settings)
    if with_ceiling and np.isfinite(ceiling).any():
        k = score.capacity_measure(instance, settings)
        amount = amount_of(k)
        scale = max(float(ceiling[np.isfinite(ceiling)].mean()), 1e-12)
        own = sparse.csr_matrix((amount.ravel(), (rr, np.arange(n))), shape=(n_reps, n))
        finite = np.isfinite(ceiling)
        blocks.append(own[finite] / scale)
        rhs.append((ceiling[finite] - instance.fixed[finite, k]) / scale)
    had = np.flatnonzero(instance.current >= 0)
    weight = instance.disruption_weight
    if (
        with_cap
        and settings.mode == "rebalance"
        and settings.disruption_cap is not None
        and len(had)
        and weight[had].sum() > 0
    ):
        total = float(weight[had].sum())
        cols = had * n_reps + instance.current[had]
        row = sparse.csr_matrix((-weight[had] / total, (np.zeros(len(had)), cols)), shape=(1, n))
        blocks.append(row)
        rhs.append(np.array([-(1 - settings.disruption_cap) + 1e-9]))
    if not blocks and not keep_current:
        return True, None
    extra = 1 if total_rows else 0  # the team total's variable
    width = n + extra

    def padded(block: sparse.spmatrix) -> sparse.spmatrix:
        if block.shape[1] == width:
            return block
        return sparse.hstack([block, sparse.csr_matrix((block.shape[0], width - block.shape[1]))])

    a_eq = padded(a_eq)
    b_eq = np.ones(n_units)
    if total_rows:
        a_eq = sparse.vstack([a_eq, *total_rows])
        b_eq = np.r_[b_eq, total_rhs]
    bounds = np.column_stack([lower.ravel(), upper.ravel()])
    if extra:
        bounds = np.vstack([bounds, [0.0, np.inf]])
    c = np.zeros(width)
    if keep_current and len(had) and weight[had].sum() > 0:
        c[had * n_reps + instance.current[had]] = -weight[had] / weight[had].sum()
    solved = linprog(
        c,
        A_ub=sparse.vstack([padded(b) for b in blocks]).tocsr() if blocks else None,
        b_ub=np.concatenate(rhs) if blocks else None,
        A_eq=a_eq.tocsr(),
        b_eq=b_eq,
        bounds=bounds,
        method="highs" if keep_current else "highs-ipm",
        options={"time_limit": max(time_limit, 0.1)},
    )
    if solved.status == 0:
        return True, solved.x[:n].reshape(n_units, n_reps)
    if solved.status == 2:
        return False, None
    return None, None
