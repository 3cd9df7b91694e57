"""Peers for the balance benchmark: PySAL spopt (AZP) and GerryChain (ReCom) on our instances.

Neither library is a dependency of Hexalign: ``requirements-bench.txt`` pins
them and this module imports them only inside the functions that use them,
so ``python -m benchmarks balance`` runs (and says so on stderr) without them.

Both peers get the same H3 adjacency, the same reps and the same time budget
as our optimizer, and both must start from a plan whose territories are each
one piece (AZP refuses any other start; a ReCom district must be connected to
be re-split). The unbalanced baseline is not always that, so
:func:`contiguous_seed` hands each stray piece to the neighbour it shares the
most edges with; that seed is what both peers start from, while our optimizer
gets the baseline as it is. Each peer returns an owner per cell; the benchmark
measures every method's plan with the same ``planning.metrics`` functions.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components

from planning.baseline import fill_empty
from planning.market import SECONDS_PER_HOUR, UNASSIGNED
from planning.plan import Plan

PEER_MODULES = {
    "spopt": ("spopt", "libpysal"),
    "recom": ("gerrychain", "networkx"),
    "recom_pair": ("gerrychain", "networkx"),
}
# Ties in the AZP objective (cells with no work) go to the seed owner: one
# account moved weighs this much against a squared relative deviation.
AZP_DISRUPTION_WEIGHT = 1e-9


@dataclass(frozen=True)
class PeerRun:
    """One peer's plan: an owner per cell, the seconds it ran, what to tell the reader."""

    owner: np.ndarray
    runtime: float
    notes: tuple[str, ...] = ()


def missing_modules(peer: str) -> list[str]:
    """The modules ``peer`` needs that do not import here (none when it can run)."""
    missing = []
    for module in PEER_MODULES[peer]:
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    return missing


# ---------------------------------------------------------------- shared pieces


def edges(plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Each H3 adjacency of the planning area once, as cell positions ``a < b``."""
    nb = plan.market.area.neighbours
    a = np.repeat(np.arange(len(nb)), nb.shape[1])
    b = nb.ravel()
    keep = b > a
    return a[keep], b[keep]


def territory_pieces(plan: Plan, owner: np.ndarray) -> np.ndarray:
    """Label of the connected piece (same owner, H3 adjacency) each cell belongs to."""
    a, b = edges(plan)
    same = owner[a] == owner[b]
    n = plan.market.n_cells
    graph = sparse.coo_matrix((np.ones(int(same.sum()), np.int8), (a[same], b[same])), (n, n))
    return connected_components(graph, directed=False)[1]


def contiguous_seed(plan: Plan) -> tuple[np.ndarray, int]:
    """The plan with every rep in one piece: strays go to the neighbour sharing most edges.

    Each rep keeps the piece holding most of its accounts (then most cells).
    Unassigned cells go to the nearest owner first. Returns the owner array
    and how many cells changed owner.
    """
    m = plan.market
    owner = fill_empty(m, np.asarray(plan.owner), np.asarray(plan.owner) == UNASSIGNED)
    for _ in range(m.n_reps + 1):
        piece = territory_pieces(plan, owner)
        n_pieces = piece.max() + 1
        piece_owner = np.zeros(n_pieces, np.int64)
        piece_owner[piece] = owner
        size = np.bincount(piece, minlength=n_pieces).astype(np.float64)
        weight = np.bincount(piece, weights=m.cell_accounts, minlength=n_pieces) * 1e6 + size
        keep = np.zeros(n_pieces, bool)
        best = np.full(m.n_reps, -1.0)
        for p in np.argsort(-weight, kind="stable").tolist():
            r = piece_owner[p]
            if r >= 0 and best[r] < 0:
                best[r] = weight[p]
                keep[p] = True
        strays = np.flatnonzero(~keep)
        if len(strays) == 0:
            break
        a, b = edges(plan)
        moved_any = False
        for p in strays.tolist():
            inside = piece[a] == p
            outside = piece[b] == p
            other = np.concatenate([owner[b[inside & ~outside]], owner[a[outside & ~inside]]])
            other = other[other != piece_owner[p]]
            if len(other) == 0:
                continue  # an island of its own: nothing to join
            owner[piece == p] = np.bincount(other).argmax()
            moved_any = True
        if not moved_any:
            break
    return owner, int((owner != plan.owner).sum())


def visit_hours(plan: Plan) -> np.ndarray:
    """Visit hours per cell (pinned accounts excluded: they stay with their rep)."""
    return plan.market.cell_visit_s / SECONDS_PER_HOUR


def pinned_hours(plan: Plan) -> np.ndarray:
    """Hours every rep carries whatever it owns: visits and travel for its pinned accounts."""
    m = plan.market
    return (m.pinned_visit_s + m.pinned_travel_s) / SECONDS_PER_HOUR


def capacity_share(plan: Plan) -> np.ndarray:
    """Each rep's share of the team's work: its capacity over the total, as our metrics use."""
    cap = plan.market.capacity_s.astype(np.float64)
    return cap / cap.sum() if cap.sum() > 0 else np.full(len(cap), 1.0 / len(cap))


def regions_to_reps(plan: Plan, labels: np.ndarray) -> np.ndarray:
    """Give each region the rep whose current accounts it overlaps most (Hungarian).

    Maximises the accounts that keep their owner over one-to-one region -> rep
    matchings, so disruption is as low as the regions allow. Regions beyond
    the number of reps (a method that made too many) and unlabelled cells
    stay unassigned.
    """
    m = plan.market
    labels = np.asarray(labels, dtype=np.int64)
    regions = np.unique(labels[labels >= 0])
    index = np.searchsorted(regions, labels)
    overlap = np.zeros((len(regions), m.n_reps))
    has = (labels >= 0) & (plan.owner >= 0)
    weight = m.cell_accounts + 1e-3  # empty cells still prefer to stay
    np.add.at(overlap, (index[has], plan.owner[has]), weight[has])
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    rep_of = np.full(len(regions), UNASSIGNED, np.int64)
    rep_of[rows] = cols
    return np.where(labels >= 0, rep_of[index], UNASSIGNED)


def _log(message: str) -> None:
    print(f"[balance] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- spopt AZP


class _Deadline(Exception):
    """The time budget ran out inside AZP's search."""


def spopt_azp(plan: Plan, seed: np.ndarray, budget_s: float, rng_seed: int = 0) -> PeerRun:
    """spopt's AZP from ``seed`` with a balance objective, stopped after ``budget_s``.

    AZP (Openshaw and Rao 1995) moves border cells between contiguous regions
    while the objective improves; spopt lets the caller supply both the
    objective and the rule that allows a move. Here the regions start as the
    reps' territories, the attribute of a cell is its workload for every rep
    (visit hours plus that rep's travel), and the objective is the sum over
    reps of the squared relative deviation from fair share (pinned hours
    included), with a hair of disruption to break ties. AZP has no time limit
    of its own: the move rule refuses to continue after ``budget_s``.
    """
    import libpysal
    from spopt.region import AZP
    from spopt.region.azp_util import AllowMoveStrategy

    m = plan.market
    start = time.perf_counter()
    a, b = edges(plan)
    neighbours: dict[int, list[int]] = {i: [] for i in range(m.n_cells)}
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        neighbours[i].append(j)
        neighbours[j].append(i)
    w = libpysal.weights.W(neighbours, silence_warnings=True)
    work = visit_hours(plan)[:, None] + m.travel_s / SECONDS_PER_HOUR
    attrs = pd.DataFrame(work, columns=[f"w{r}" for r in range(m.n_reps)])
    objective = _BalanceObjective(work, pinned_hours(plan), capacity_share(plan), seed,
                                  m.cell_accounts.astype(np.float64))  # fmt: skip
    _log(f"spopt AZP: W with {w.n} cells built in {time.perf_counter() - start:.1f} s")

    class BudgetedMove(AllowMoveStrategy):
        """AZP's rule (take a move that lowers the objective) until the deadline."""

        def __init__(self) -> None:
            self.deadline = time.perf_counter() + budget_s
            self.moves = 0

        def start_new_component(self, initial_labels, attr, objective_func, comp_idx):
            self.comp_idx = np.asarray(comp_idx)
            self.objective_func = objective_func
            self.objective_val = objective_func.value()

        def __call__(self, moving_area, new_region, labels):
            if time.perf_counter() > self.deadline:
                raise _Deadline
            cell = int(self.comp_idx[moving_area])
            diff = objective.change(cell, int(new_region))
            if diff >= 0:
                return False
            objective.move(cell, int(new_region))
            self.objective_val += diff
            self.moves += 1
            return True

    rule = BudgetedMove()
    model = AZP(
        attrs, w, list(attrs.columns), n_clusters=m.n_reps, allow_move_strategy=rule,
        random_state=rng_seed, initial_labels=seed.copy(), objective_func=objective,
    )  # fmt: skip
    solve_start = time.perf_counter()
    try:
        model.solve()
        notes = (f"spopt AZP reached its local optimum after {rule.moves} moves",)
    except _Deadline:
        notes = (f"spopt AZP stopped at the {budget_s:.0f} s budget after {rule.moves} moves "
                 "(not at its local optimum)",)  # fmt: skip
    runtime = time.perf_counter() - solve_start
    return PeerRun(regions_to_reps(plan, objective.owner), runtime, notes)


class _BalanceObjective:
    """Sum of squared relative deviations from fair share, kept up to date move by move.

    spopt asks the allow-move rule about each candidate move; the rule asks
    this object (cell positions of the whole area, not AZP's per-component
    indices) and calls ``move`` when it takes one, so no call rescans the plan.
    """

    def __init__(self, work, pinned, share, seed, accounts) -> None:
        self.work, self.pinned, self.share, self.accounts = work, pinned, share, accounts
        self.seed = np.asarray(seed, dtype=np.int64)
        self.owner = self.seed.copy()
        self.load = pinned + np.bincount(
            self.owner, weights=work[np.arange(len(self.owner)), self.owner], minlength=len(share)
        )
        self.moved = 0.0

    def _score(self, load: np.ndarray, moved: float) -> float:
        target = load.sum() * self.share
        return float(np.sum((load / target - 1.0) ** 2) + AZP_DISRUPTION_WEIGHT * moved)

    def value(self) -> float:
        """The objective of the current owners."""
        return self._score(self.load, self.moved)

    def _after(self, cell: int, rep: int) -> tuple[np.ndarray, float]:
        old = int(self.owner[cell])
        load = self.load.copy()
        load[old] -= self.work[cell, old]
        load[rep] += self.work[cell, rep]
        seed = int(self.seed[cell])
        moved = self.moved + self.accounts[cell] * (int(rep != seed) - int(old != seed))
        return load, moved

    def change(self, cell: int, rep: int) -> float:
        """How much giving ``cell`` to ``rep`` changes the objective (negative is better)."""
        return self._score(*self._after(cell, rep)) - self.value()

    def move(self, cell: int, rep: int) -> None:
        """Give ``cell`` to ``rep``."""
        self.load, self.moved = self._after(cell, rep)
        self.owner[cell] = rep


# ---------------------------------------------------------------- GerryChain ReCom


class _Stuck(Exception):
    """No pair of touching districts can be re-split within epsilon."""


def gerrychain_recom(
    plan: Plan,
    seed: np.ndarray,
    budget_s: float,
    epsilon: float,
    rng_seed: int = 0,
    *,
    pair_targets: bool = False,
) -> PeerRun:
    """A GerryChain ReCom chain from ``seed`` for ``budget_s`` seconds; the best-balanced state.

    Node population is a cell's workload for its seed owner (visit hours plus
    that rep's travel): ReCom needs one fixed number per node, while our
    workload depends on who owns the cell. Each district (rep) has its own
    target, fair share by capacity minus its pinned hours, which is how
    GerryChain's multi-member ReCom splits a merged pair; ``epsilon`` is our
    tolerance. GerryChain's own proposal raises on the first pair that no
    split within epsilon of both targets can fix, so pairs are drawn from
    those that can; the chain stops early when none is left.

    With ``pair_targets`` a merged pair is instead split in proportion to the
    two targets (within ``epsilon`` of that): every step then evens out two
    neighbours, and imbalance diffuses away instead of blocking the chain.

    The state kept is the one with the smallest worst deviation of true
    workload (travel from the rep that owns each cell), as our metrics count it.
    """
    import networkx as nx
    from gerrychain import MarkovChain, Partition
    from gerrychain.proposals.multi_member_tree_proposals import (
        epsilon_tree_bipartition_multi_member,
    )
    from gerrychain.tree import PopulationBalanceError, ReselectException, bipartition_tree
    from gerrychain.updaters import Tally

    m = plan.market
    start = time.perf_counter()
    cells = np.arange(m.n_cells)
    weight = visit_hours(plan) + m.travel_s[cells, seed] / SECONDS_PER_HOUR
    pinned = pinned_hours(plan)
    share = capacity_share(plan)
    target = (weight.sum() + pinned.sum()) * share - pinned
    graph = nx.Graph()
    graph.add_nodes_from((int(c), {"workload": float(weight[c])}) for c in cells)
    graph.add_edges_from(zip(*(x.tolist() for x in edges(plan)), strict=True))
    partition = Partition(
        graph,
        {int(c): int(seed[c]) for c in cells},
        updaters={"workload": Tally("workload", alias="workload", dtype_fn=float)},
    )
    to_cell = partition.graph.original_nx_node_id_for_internal_node_id
    cell_of_node = np.array([int(to_cell(n)) for n in range(m.n_cells)], np.int64)
    weight_of_node = weight[cell_of_node]
    accounts = m.cell_accounts.astype(np.float64)
    split = partial(bipartition_tree, max_attempts=1000, allow_pair_reselection=True)

    def pair_split(pop: dict, a: int, b: int) -> dict[int, float] | None:
        """Targets for re-splitting districts ``a`` and ``b``, None when no split can meet them."""
        total = pop[a] + pop[b]
        if pair_targets:
            return {a: total * target[a] / (target[a] + target[b]),
                    b: total * target[b] / (target[a] + target[b])}  # fmt: skip
        lower = max(target[a] * (1 - epsilon), total - target[b] * (1 + epsilon))
        upper = min(target[a] * (1 + epsilon), total - target[b] * (1 - epsilon))
        return {a: float(target[a]), b: float(target[b])} if lower <= upper else None

    def propose(state: Partition, *, rng: random.Random) -> Partition:
        pop, part = state["workload"], state.assignment
        pairs = sorted({tuple(sorted((part[u], part[v]))) for u, v in state["cut_edges"]})
        rng.shuffle(pairs)
        for a, b in pairs:
            targets = pair_split(pop, a, b)
            if targets is None:
                continue
            try:
                flips = epsilon_tree_bipartition_multi_member(
                    state.graph.subgraph(state.parts[a] | state.parts[b]), (a, b), targets,
                    "workload", epsilon, bipartition_tree_fn=split, rng=rng,
                )  # fmt: skip
            except (ReselectException, PopulationBalanceError, RuntimeError):
                continue
            return state.flip(keep_accounts(flips, targets))
        raise _Stuck

    def keep_accounts(flips: dict, targets: dict[int, float]) -> dict:
        """The split with its two labels swapped when that keeps more accounts with their rep.

        ReCom's labels are arbitrary; ours are reps. Swapping is allowed only
        when each half is also within epsilon of the other label's target.
        """
        nodes = np.fromiter(flips, np.int64, len(flips))
        label = np.fromiter(flips.values(), np.int64, len(flips))
        a, b = sorted(targets)
        pop_a = weight_of_node[nodes[label == a]].sum()
        pop_b = weight_of_node[nodes[label == b]].sum()
        if not (abs(pop_b / targets[a] - 1) <= epsilon and abs(pop_a / targets[b] - 1) <= epsilon):
            return flips
        cell = cell_of_node[nodes]
        kept = accounts[cell] * (seed[cell] == label)
        swapped = accounts[cell] * (seed[cell] == np.where(label == a, b, a))
        if swapped.sum() <= kept.sum():
            return flips
        return {node: (b if part == a else a) for node, part in flips.items()}

    def true_balance(state: Partition) -> tuple[float, float]:
        """Worst deviation and CV of workload / fair share, travel from each cell's owner."""
        owner = np.empty(m.n_cells, np.int64)
        owner[cell_of_node] = state.assignment_vector
        load = pinned + np.bincount(
            owner, weights=visit_hours(plan) + m.travel_s[cells, owner] / SECONDS_PER_HOUR,
            minlength=m.n_reps,
        )  # fmt: skip
        ratio = load / (load.sum() * share)
        return float(np.max(np.abs(ratio - 1.0))), float(ratio.std() / ratio.mean())

    _log(f"ReCom: graph and partition built in {time.perf_counter() - start:.1f} s")
    chain = MarkovChain(propose, (), initial_partition=partition, total_steps=10**9, rng=rng_seed)
    solve_start = time.perf_counter()
    best, best_score, steps, note = partition, true_balance(partition), 0, ""
    try:
        for state in chain:
            steps += 1
            score = true_balance(state)
            if score < best_score:
                best, best_score = state, score
            if time.perf_counter() - solve_start > budget_s:
                note = f"ReCom ran the {budget_s:.0f} s budget: {steps} states"
                break
    except _Stuck:
        note = (f"ReCom stopped after {steps} states: no pair of touching districts can be "
                f"re-split within {epsilon:.0%} of both targets")  # fmt: skip
    runtime = time.perf_counter() - solve_start
    owner = np.empty(m.n_cells, np.int64)
    owner[cell_of_node] = best.assignment_vector
    pop = best["workload"]
    by_weight = (np.array([pop[r] for r in range(m.n_reps)]) + pinned) / (target + pinned) - 1.0
    note += (f"; best state's worst deviation {best_score[0]:.1%} "
             f"({np.abs(by_weight).max():.1%} by node weight)")  # fmt: skip
    return PeerRun(owner, runtime, (note,))
