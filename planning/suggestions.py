"""Repair suggestions after a move (issue 17 point 1): a few boundary cells from whom to whom.

A hand move usually leaves one rep over and another under. The repairs proposed here are
small and local on purpose: one boundary cell, or a cluster of two or three adjacent ones,
handed from a more loaded rep to a touching less loaded one. Candidates are scored all at
once over the boundary cells (numpy, no loop over cells), by the worst workload deviation
they leave; only the few best are then applied to the plan for their exact figures.

Why these rules:

- locked cells are never candidates, and pinned accounts never move with a cell (they stay
  with their rep whatever the cell's owner, ``planning.market``), so neither is touched;
- the giver must stay in one piece: a cell may leave only when the giver's cells among its
  neighbours are connected among themselves (then every path through the cell has a way
  round it), and the exact tally of the applied suggestion confirms no rep gained a piece;
- the receiver touches the cell, so it never gains a piece either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planning.market import SECONDS_PER_HOUR, Market
from planning.plan import Plan, reassign

MAX_SUGGESTIONS = 5
MAX_CLUSTER = 3
SEEDS = 40
"""How many of the best single cells are grown into clusters of two and three."""
PER_PAIR = 2
"""At most this many suggestions for one (giver, receiver) pair: the list offers choices."""


@dataclass(frozen=True)
class Suggestion:
    """One repair: give ``cells`` (plan positions) from rep ``giver`` to rep ``receiver``.

    Figures are exact (read from the applied plan's tally): the worst workload deviation
    before and after (signed, as ``team_metrics`` gives it), the change in total travel
    hours, the accounts the cells hold, and the change in contiguity pieces (never positive).
    """

    cells: tuple[int, ...]
    giver: int
    receiver: int
    giver_id: str
    receiver_id: str
    worst_before: float
    worst_after: float
    travel_hours_change: float
    accounts: int
    pieces_change: int

    def describe(self) -> str:
        """One line for the panel: from whom to whom, and what it does."""
        n = len(self.cells)
        travel = f"{self.travel_hours_change:+.1f} h travel"
        pieces = (
            "contiguity kept"
            if self.pieces_change == 0
            else f"joins {-self.pieces_change} piece{'s' if self.pieces_change < -1 else ''}"
        )
        return (
            f"{n} cell{'s' if n > 1 else ''} {self.giver_id} → {self.receiver_id}: "
            f"worst {self.worst_before:+.1%} → {self.worst_after:+.1%}, {travel}, "
            f"{self.accounts:,} accounts, {pieces}"
        )


def deviations(plan: Plan) -> np.ndarray:
    """(R,) workload deviation from fair share, as ``planning.metrics.rep_metrics`` computes it."""
    t = plan.tally
    work = (t.visit_s[1:] + t.travel_s[1:]).astype(np.float64)
    target = _targets(plan)
    return np.where(target > 0, work / np.where(target > 0, target, 1) - 1.0, 0.0)


def worst(dev: np.ndarray) -> float:
    """The deviation farthest from zero, with its sign (``metrics._worst``)."""
    return float(dev[int(np.argmax(np.abs(dev)))]) if len(dev) else 0.0


def suggest(
    plan: Plan,
    focus: tuple[int, ...] = (),
    limit: int = MAX_SUGGESTIONS,
    max_cluster: int = MAX_CLUSTER,
) -> list[Suggestion]:
    """Up to ``limit`` repairs that lower the worst workload deviation, best first.

    ``focus`` names the reps the last move touched: when some candidate involving one of
    them improves the worst deviation, only those are offered (the repair of what that move
    broke); otherwise any touching pair is. Returns an empty list when nothing helps.
    """
    m = plan.market
    if m.n_reps < 2:
        return []
    dev = deviations(plan)
    before = worst(dev)
    target = _targets(plan)
    work = (plan.tally.visit_s[1:] + plan.tally.travel_s[1:]).astype(np.float64)
    cells, recv = _boundary_pairs(plan, dev)
    if len(cells) == 0:
        return []
    groups = [cells[:, None]]
    receivers = [recv]
    seeds = _best(plan, groups[0], recv, work, target, SEEDS * 3)
    base, base_recv = cells[seeds][:, None], recv[seeds]
    for _ in range(max_cluster - 1):
        base, base_recv = _grow(plan, base, base_recv)
        if len(base) == 0:
            break
        groups.append(base)
        receivers.append(base_recv)
        keep = _best(plan, base, base_recv, work, target, SEEDS)
        base, base_recv = base[keep], base_recv[keep]
    ranked = _rank(plan, groups, receivers, work, target, before, focus)
    return _exact(plan, ranked, before, limit)


def _targets(plan: Plan) -> np.ndarray:
    """Fair-share workload seconds per rep (team total, unassigned visits included)."""
    m, t = plan.market, plan.tally
    total = float((t.visit_s[1:] + t.travel_s[1:]).sum() + t.visit_s[0])
    cap = m.capacity_s.astype(np.float64)
    share = cap / cap.sum() if cap.sum() else np.full(m.n_reps, 1.0 / m.n_reps)
    return total * share


def _boundary_pairs(plan: Plan, dev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cell, receiver) for every unlocked cell of a rep next to a less loaded rep."""
    m = plan.market
    owner, nb = plan.owner, m.area.neighbours
    free = np.flatnonzero((owner >= 0) & ~plan.locked)
    ring = nb[free]
    ring_owner = np.where(ring >= 0, owner[np.maximum(ring, 0)], -1)
    own = owner[free][:, None]
    ok = (ring_owner >= 0) & (ring_owner != own)
    ok &= dev[np.maximum(ring_owner, 0)] < dev[own]
    rows, cols = np.nonzero(ok)
    cells, recv = free[rows], ring_owner[rows, cols]
    key = np.unique(cells * m.n_reps + recv)
    cells, recv = key // m.n_reps, key % m.n_reps
    keeps = _keeps_giver_whole(plan, cells[:, None], recv)
    return cells[keeps], recv[keeps]


def _keeps_giver_whole(plan: Plan, groups: np.ndarray, recv: np.ndarray) -> np.ndarray:
    """Whether giving the last cell of each group keeps the giver's neighbours of it connected.

    The earlier cells of a group are taken as already given to the receiver. The local
    rule: the giver's cells among the six neighbours must form one connected set (through
    each other's neighbours); a cell with no neighbour of the giver is an island, free to go.
    """
    m = plan.market
    nb = m.area.neighbours
    cell = groups[:, -1]
    giver = plan.owner[cell]
    ring = nb[cell]  # (K, 6)
    ring_owner = np.where(ring >= 0, plan.owner[np.maximum(ring, 0)], -1)
    for j in range(groups.shape[1] - 1):
        ring_owner = np.where(ring == groups[:, j : j + 1], recv[:, None], ring_owner)
    mine = (ring >= 0) & (ring_owner == giver[:, None])
    # adjacency among the ring: ring[i] has ring[j] among its own neighbours
    ring_nb = nb[np.maximum(ring, 0)]  # (K, 6, 6)
    adj = (ring_nb[:, :, :, None] == ring[:, None, None, :]).any(axis=2)  # (K, 6, 6)
    adj &= mine[:, :, None] & mine[:, None, :]
    first = np.argmax(mine, axis=1)
    reach = np.zeros_like(mine)
    reach[np.arange(len(cell)), first] = True
    reach &= mine
    for _ in range(5):
        reach = reach | (adj & reach[:, :, None]).any(axis=1)
    whole = ~(mine & ~reach).any(axis=1)
    left = plan.tally.cells[giver + 1] > groups.shape[1]  # never empty a territory
    return whole & left


def _gains(plan: Plan, groups: np.ndarray, recv: np.ndarray) -> tuple[np.ndarray, ...]:
    """Workload seconds the giver loses and the receiver gains, per group."""
    m = plan.market
    giver = plan.owner[groups[:, 0]]
    visit = m.cell_visit_s[groups].sum(axis=1)
    lose = visit + m.travel_s[groups, giver[:, None]].sum(axis=1)
    gain = visit + m.travel_s[groups, recv[:, None]].sum(axis=1)
    return giver, lose.astype(np.float64), gain.astype(np.float64)


def _worst_after(
    plan: Plan, groups: np.ndarray, recv: np.ndarray, work: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """|worst deviation| once each group moves (only giver and receiver change)."""
    giver, lose, gain = _gains(plan, groups, recv)
    safe = np.where(target > 0, target, 1.0)
    dev = np.where(target > 0, work / safe - 1.0, 0.0)
    g_dev = np.abs((work[giver] - lose) / safe[giver] - 1.0) * (target[giver] > 0)
    r_dev = np.abs((work[recv] + gain) / safe[recv] - 1.0) * (target[recv] > 0)
    order = np.argsort(-np.abs(dev))[:3]
    rest = np.zeros(len(groups))
    found = np.zeros(len(groups), bool)
    for r in order.tolist():  # the largest |dev| among reps other than giver and receiver
        take = ~found & (giver != r) & (recv != r)
        rest = np.where(take, abs(dev[r]), rest)
        found |= take
    return np.maximum(np.maximum(g_dev, r_dev), rest)


def _best(plan, groups, recv, work, target, k: int) -> np.ndarray:
    """Indices of the ``k`` groups with the lowest worst deviation after."""
    after = _worst_after(plan, groups, recv, work, target)
    k = min(k, len(after))
    return np.argsort(after, kind="stable")[:k]


def _grow(plan: Plan, groups: np.ndarray, recv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every group plus one more unlocked cell of the same giver next to its last cell."""
    nb = plan.market.area.neighbours
    giver = plan.owner[groups[:, 0]]
    ring = nb[groups[:, -1]]
    ok = (ring >= 0) & (plan.owner[np.maximum(ring, 0)] == giver[:, None])
    ok &= ~plan.locked[np.maximum(ring, 0)]
    ok &= ~(ring[:, :, None] == groups[:, None, :]).any(axis=2)
    rows, cols = np.nonzero(ok)
    grown = np.column_stack([groups[rows], ring[rows, cols]])
    grown_recv = recv[rows]
    if len(grown) == 0:
        return grown, grown_recv
    keep = _keeps_giver_whole(plan, grown, grown_recv)
    grown, grown_recv = grown[keep], grown_recv[keep]
    key = np.column_stack([np.sort(grown, axis=1), grown_recv])
    _, first = np.unique(key, axis=0, return_index=True)
    return grown[first], grown_recv[first]


def _rank(plan, groups, receivers, work, target, before, focus) -> list[tuple[np.ndarray, int]]:
    """Candidates that improve the worst deviation, best first (focus reps' first)."""
    rows: list[tuple[float, int, int, tuple[int, ...], int]] = []
    for g, r in zip(groups, receivers, strict=True):
        after = _worst_after(plan, g, r, work, target)
        accounts = plan.market.cell_accounts[g].sum(axis=1)
        better = np.flatnonzero(after < abs(before) - 1e-12)
        for i in better[np.argsort(after[better], kind="stable")][:SEEDS].tolist():
            rows.append((float(after[i]), int(accounts[i]), len(g[i]), tuple(g[i].tolist()),
                         int(r[i])))  # fmt: skip
    owner = plan.owner
    if focus:
        near = [x for x in rows if owner[x[3][0]] in focus or x[4] in focus]
        rows = near or rows
    rows.sort(key=lambda x: (round(x[0], 9), x[2], x[1]))
    return [(np.array(x[3], np.int64), x[4]) for x in rows]


def _exact(
    plan: Plan, ranked: list[tuple[np.ndarray, int]], before: float, limit: int
) -> list[Suggestion]:
    """Apply the best candidates for their exact figures; keep those that really help."""
    m: Market = plan.market
    out: list[Suggestion] = []
    pairs: dict[tuple[int, int], int] = {}
    seen: set[frozenset[int]] = set()
    travel0 = plan.tally.travel_s.sum()
    for cells, r in ranked:
        if len(out) >= limit:
            break
        g = int(plan.owner[cells[0]])
        key = frozenset(cells.tolist())
        if pairs.get((g, r), 0) >= PER_PAIR or any(key & s for s in seen):
            continue
        after = reassign(plan, cells, r)
        pieces = int(after.tally.components.sum() - plan.tally.components.sum())
        if (after.tally.components[[g, r]] > np.maximum(plan.tally.components[[g, r]], 1)).any():
            continue
        w_after = worst(deviations(after))
        if abs(w_after) >= abs(before) - 1e-12:
            continue
        seen.add(key)
        pairs[(g, r)] = pairs.get((g, r), 0) + 1
        out.append(
            Suggestion(
                cells=tuple(int(c) for c in cells), giver=g, receiver=r,
                giver_id=str(m.rep_ids[g]), receiver_id=str(m.rep_ids[r]),
                worst_before=before, worst_after=w_after,
                travel_hours_change=float(after.tally.travel_s.sum() - travel0) / SECONDS_PER_HOUR,
                accounts=int(m.cell_accounts[cells].sum()), pieces_change=pieces,
            )
        )  # fmt: skip
    return out
