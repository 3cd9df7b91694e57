"""Recombination (issue 13 points 3-4): re-split two touching territories along a spanning tree.

Why: single-unit moves cannot undo a bad shape once balance holds it in place
(a territory shed half its cells and is left lace-like; a corridor is the only
link between two halves). After GerryChain's ReCom, one step merges the cells
of two touching territories, draws a random spanning tree of them and cuts one
tree edge: both sides of a cut are connected by construction, so every cut is
a contiguous split. Cuts are scored vectorised (one prefix sum per quantity
over the tree's depth-first order: a subtree is a contiguous range there):
both sides within tolerance (or no worse than before), locks, capacity and the
cap on accounts moved kept; then the shape of the two territories (Polsby-Popper
below :data:`~planning.optimizer.shape.MIN_POLSBY_POPPER`, one-cell corridors),
then the secondary objective (cost, cut edges, disruption). The best cut
replaces the pair's split when it is strictly better.

Trees are drawn three ways: plain random weights; weights that make edges
across the pair's present border dear (cuts near it: small changes, little
disruption); and, where costs differ, edges across the line of equal cost
between the two reps' homes made dear (cuts near that line: compact, cheap).
Exact cuts are rare with two balanced measures, so cuts within ``RELAXED``
times the tolerance are kept too and brought into the band by single border
moves (``_Pair.repair``); a sweep cut (cells by hops to a seed near each
home) adds one compact candidate per visit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from planning.optimizer import score
from planning.optimizer.constraints import removal_keeps_connected
from planning.optimizer.instance import Instance
from planning.optimizer.settings import Settings
from planning.optimizer.shape import (
    MIN_POLSBY_POPPER,
    PP_GOAL,
    is_thin,
    neighbour_sets,
    unit_sides,
)

TREES_PER_PAIR = 3
"""Spanning trees with at least one valid cut wanted for a pair on each visit."""

MAX_TREES = 40
"""Most spanning trees drawn for a pair on one visit (valid cuts are rare with two measures)."""

CUTS_SCORED = 96
"""Most valid cuts of one tree scored on shape and objective (a random sample beyond)."""

DEFICIT_SCALE = 100.0
"""Shape penalty per unit of Polsby-Popper below the floor; one corridor unit counts 1 (0.01)."""

GOAL_SCALE = 10.0
"""Shape penalty per unit of Polsby-Popper below ``PP_GOAL`` (0.1 below it weighs one corridor
unit) at compactness weight 1 or more, scaled down below it (none at 0): compact enough to sign
is not yet compact; re-splits move a few accounts more for it."""

REGULAR_SHARE = 0.5
"""Least share of units with the largest degree for Polsby-Popper to count in the shape penalty."""

RELAXED = 3.0
"""Cuts within this many times the tolerance are kept for repair (exact cuts are rare with two
measures)."""

REPAIRED = 3
"""Best cuts of a visit brought inside the band and scored exactly."""

REPAIR_MOVES = 0.25
"""Most single-unit moves a repair may make, as a share of the pair's units."""

SWEEP_SEEDS = 5
"""Cells nearest a rep's home among which the sweep draws its seed."""

REPAIR_SEARCH = 64
"""Units the contiguity check of a repair move may visit before it cautiously says no (as in the
search: a move that keeps a side whole almost always shows it within a few steps)."""

MAX_PASSES = 40
"""Most passes over the touching pairs."""

STALE_PASSES = 8
"""Passes in a row without an accepted step after which recombination stops (trees are random:
one fruitless pass proves little)."""

TARGET_MARGIN = 0.05
"""Repairs aim this share of the tolerance inside the band (4.75 % for 5 %): the team total, and
so every target, moves a little with travel when cells change hands."""

BORDER_BIAS = 1.0
"""Extra weight of a tree edge across the border the tree should rarely cross (random is 0-1)."""

# issue 13 point 4 (h13large): once shapes are signable, recombination spends its time on
# accounts moved. On the large benchmark the balance phase moves ~40 % of accounts and the
# shape passes reach mean Polsby-Popper 0.35 against a goal of 0.307: the margin is spent
# on disruption, shape held as a constraint.
THRIFT_MEAN_PP = 0.315
"""Mean graph Polsby-Popper from which re-splits minimise accounts moved ("thrift"): the
shape goal (ReCom's 0.307) with a margin, since the metrics measure the H3 cells' real
outlines. Thrift keeps the mean at or above it and no territory below the floor."""

THRIFT_WEIGHT = 20.0
"""How many times disruption counts in thrift re-splits (one account then outweighs about
twenty cut edges: borders stay signable through the floor and corridor rules, not the weight)."""

THRIFT_CHECK = 16
"""Pairs visited between two looks at whether the shapes are signable yet (thrift)."""

THRIFT_BAND = 0.995
"""Share of the tolerance reps outside a thrift re-split may reach as the team total moves."""

ORIGIN_BIAS = 1.0
"""Extra weight, in thrift, of tree edges across last quarter's border of the pair (cuts near it
hand cells back to their last owner)."""


class Recombination:
    """ReCom steps over one instance; ``run`` improves an owner array in place.

    Parameters
    ----------
    ceiling
        ``(R,)`` most load of ``cap_col`` per rep (infinite without a ceiling).
    cap_col
        Capacity measure column, -1 without ``max_capacity``.
    """

    def __init__(
        self,
        instance: Instance,
        settings: Settings,
        rng: np.random.Generator,
        *,
        ceiling: np.ndarray,
        cap_col: int,
    ) -> None:
        self.instance = instance
        self.settings = settings
        self.rng = rng
        self.ceiling = ceiling
        self.cap_col = cap_col
        self.cols, self.weights = score.balance_columns(instance, settings)
        self.rebalance = settings.mode == "rebalance"
        self.weight_total = float(instance.disruption_weight[instance.current >= 0].sum()) or 1.0
        self.cost_ref = score.cost_reference(instance)
        self.n_edges = max(len(instance.edges[0]), 1)
        self.sides = unit_sides(instance)
        self.area_one = self.sides / (4.0 * math.tan(math.pi / self.sides))
        self.sets = neighbour_sets(instance)
        # the goal beyond the floor counts as much as the caller counts compactness (up to 1 x)
        self.goal_scale = GOAL_SCALE * min(settings.compactness_weight, 1.0)
        # Polsby-Popper on the graph counts every unit as a regular polygon of the largest
        # degree: on hexagons and grids a measure of shape, on irregular graphs (a Delaunay
        # triangulation: degrees 3-12) mostly a count of units, so there only corridors count
        degree = np.diff(instance.adjacency[0])  # type: ignore[index]
        self.regular = bool((degree == self.sides).mean() >= REGULAR_SHARE)
        self.cap = None
        if self.rebalance and settings.disruption_cap is not None:
            self.cap = settings.disruption_cap * self.weight_total + 1e-9
        indptr, indices = instance.adjacency  # type: ignore[misc]
        self.indptr, self.indices = indptr, indices
        self.varied_cost = bool(np.ptp(instance.cost, axis=1).max() > 0)
        self.accepted = 0
        # issue 13 point 4 (h13large): thrift re-splits minimise accounts moved, shape held
        self.thrift_allowed = self.rebalance and settings.disruption_weight > 0 and self.regular
        self.thrift = False
        self.disruption_scale = 1.0
        self.rep_pp = np.zeros(instance.n_reps)
        self.tried = 0  # spanning trees drawn
        self.valid = 0  # cuts inside the relaxed band (for tuning)
        self.sideways = False  # accept a different split as good as the present one (h13shape)

    # -- scoring a whole pair -------------------------------------------------

    def _pp(self, units: np.ndarray, inner: np.ndarray) -> np.ndarray:
        """Graph Polsby-Popper of territories of ``units`` cells sharing ``inner`` edges."""
        perimeter = np.maximum(units * self.sides - 2 * inner, 1)
        return 4 * math.pi * units * self.area_one / perimeter**2

    def _deficit(self, pp: np.ndarray) -> np.ndarray:
        """Shape penalty of territories with Polsby-Popper ``pp``: the floor, then the goal."""
        if not self.regular:
            return np.zeros(np.shape(pp))
        return (
            np.maximum(MIN_POLSBY_POPPER - pp, 0.0) * DEFICIT_SCALE
            + np.maximum(PP_GOAL - pp, 0.0) * self.goal_scale
        )

    def rep_pp_of(self, owner: np.ndarray) -> np.ndarray:
        """``(R,)`` graph Polsby-Popper of every territory (0 for an empty one)."""
        inst = self.instance
        units = np.bincount(owner[owner >= 0], minlength=inst.n_reps).astype(float)
        a, b = inst.edges
        same = (owner[a] == owner[b]) & (owner[a] >= 0)
        inner = np.bincount(owner[a[same]], minlength=inst.n_reps).astype(float)
        return np.where(units > 0, self._pp(units, inner), 0.0)

    def update_thrift(self, owner: np.ndarray) -> bool:
        """Switch to thrift once the plan's shapes are signable (see ``THRIFT_MEAN_PP``).

        Signable: mean graph Polsby-Popper at least ``THRIFT_MEAN_PP`` and none
        below the floor. Once on, thrift stays on (its re-splits keep both).
        Returns whether thrift is on.
        """
        if not self.thrift_allowed:
            return False
        self.rep_pp = self.rep_pp_of(owner)
        if not self.thrift:
            used = np.bincount(owner[owner >= 0], minlength=self.instance.n_reps) > 0
            pp = self.rep_pp[used]
            if len(pp) and pp.mean() >= THRIFT_MEAN_PP and pp.min() >= MIN_POLSBY_POPPER:
                self.thrift = True
                self.goal_scale = 0.0  # the goal is met: the floor and corridors still count
                self.disruption_scale = THRIFT_WEIGHT
        return self.thrift

    def thrift_allows(self, a: int, b: int, pp: np.ndarray) -> bool:
        """Whether a thrift re-split leaving ``a`` and ``b`` at ``pp`` keeps shapes signable."""
        if not self.thrift:
            return True
        used = int((self.rep_pp > 0).sum()) or 1
        before = self.rep_pp[a] + self.rep_pp[b]
        mean = (float(self.rep_pp.sum()) - before + float(pp.sum())) / used
        if mean < THRIFT_MEAN_PP and pp.sum() < before:
            return False
        return not (pp.min() < MIN_POLSBY_POPPER and pp.min() < min(self.rep_pp[a], self.rep_pp[b]))

    def _corridors(self, nodes: list[int], owner: list[int]) -> int:
        """Units of ``nodes`` in a one-cell corridor under ``owner``."""
        neighbours, sets = self.instance.neighbours, self.sets
        thin = {v: is_thin(neighbours, sets, owner, v) for v in nodes}
        count = 0
        for v in nodes:
            if thin[v] and any(owner[w] == owner[v] and thin.get(w, False) for w in neighbours[v]):
                count += 1
        return count

    # -- one step -------------------------------------------------------------

    def step(self, owner: np.ndarray, owner_list: list[int], a: int, b: int, load, target) -> bool:
        """Re-split the pair ``(a, b)`` if a spanning-tree cut (repaired) is strictly better.

        Up to ``MAX_TREES`` trees are drawn until ``TREES_PER_PAIR`` of them had a
        cut within ``RELAXED`` times the tolerance; the best cuts by shape, then
        objective (and one sweep cut, :meth:`_Pair.sweep_cut`), are brought
        inside the band by :meth:`_Pair.repair` and scored exactly. ``owner``
        and ``owner_list`` are updated together, ``load`` and ``target``
        (``(R, M)``) too. Balance is judged on the pair against the targets of
        the moment; the caller checks the whole plan (travel moves every target).
        """
        pair = _Pair.build(self, owner, a, b, load, target)
        if pair is None:
            return False
        now = pair.exact_key(pair.is_a, owner_list, strict=False)
        if now is None:
            return False
        picks: list[tuple[tuple, np.ndarray]] = []
        kinds = ["plain", "border"] + (["homes"] if self.varied_cost else [])
        if self.thrift:
            kinds = ["origin", "border", "origin", "plain"]
        fruitful = 0
        for attempt in range(MAX_TREES):
            if fruitful >= TREES_PER_PAIR:
                break
            self.tried += 1
            found = pair.best_cut(kinds[attempt % len(kinds)])
            if found is None:
                return False  # the pair is not one connected region (islands)
            if found:
                fruitful += 1
                picks.extend(found)
        sweep = pair.sweep_cut()
        if sweep is not None:
            picks.append(sweep)
        if self.thrift:  # issue 13 point 4 (h13large): every cell back with its last owner
            origin = pair.origin_cut()
            if origin is not None:
                picks.append(origin)
        if not picks:
            return False
        picks.sort(key=lambda p: p[0])
        exact = [p for p in picks if not p[0][1]][:REPAIRED]
        loose = [p for p in picks if p[0][1]][:REPAIRED]
        best_key, best_assign = now, None
        for _, cut in exact + loose:
            is_a = pair.repair(cut, owner_list)
            if is_a is None:
                continue
            key = pair.exact_key(is_a, owner_list, strict=True)
            if key is not None and (
                key < best_key
                # issue 13 point 3 (h13shape): a design may walk along a plateau of equal splits
                or (
                    self.sideways
                    and best_assign is None
                    and key <= best_key
                    and bool((is_a != pair.is_a).any())
                )
            ):
                best_key, best_assign = key, is_a
        if best_assign is None:
            return False
        assign = np.where(best_assign, a, b)
        owner[pair.nodes] = assign
        for v, r in zip(pair.node_list, assign.tolist(), strict=True):
            owner_list[v] = r
        load[a] = pair.base_a + pair.la[best_assign].sum(axis=0)
        load[b] = pair.base_b + pair.lb[~best_assign].sum(axis=0)
        if self.thrift:
            self.rep_pp[[a, b]] = pair.split_pp(best_assign)
        target[:] = score.targets(self.instance, load)
        self.accepted += 1
        return True

    # -- passes ---------------------------------------------------------------

    def run(
        self,
        owner: np.ndarray,
        *,
        deadline: float | None,
        check: Callable[[], None] | None = None,
        max_passes: int = MAX_PASSES,
        balance_first: bool = False,
    ) -> int:
        """Pass over the touching pairs, worst shapes first, until ``STALE_PASSES`` accept nothing.

        Returns the number of accepted steps; ``owner`` holds the result.
        ``check`` is called before each step (it may raise to stop).
        ``balance_first`` (a search stalled off target) visits only pairs with
        a rep off target, the farthest off first.
        """
        inst = self.instance
        owner_list = owner.tolist()
        load = score.loads(inst, owner)
        target = score.targets(inst, load)
        accepted_before = self.accepted
        stale = 0
        for _ in range(max_passes):
            if not balance_first:
                self.update_thrift(owner)
            pairs = self._pairs(owner, load, target if balance_first else None)
            gained = 0
            for i, (a, b) in enumerate(pairs):
                if deadline is not None and time.perf_counter() > deadline:
                    return self.accepted - accepted_before
                if check is not None:
                    check()
                if i and i % THRIFT_CHECK == 0 and not balance_first and not self.thrift:
                    self.update_thrift(owner)  # a pass is long on big plans: switch mid-pass
                if self.step(owner, owner_list, a, b, load, target):
                    gained += 1
            stale = 0 if gained else stale + 1
            if stale >= STALE_PASSES:
                break
            target = score.targets(inst, score.loads(inst, owner))
        return self.accepted - accepted_before

    def _pairs(self, owner: np.ndarray, load=None, target=None) -> list[tuple[int, int]]:
        """Touching rep pairs, those with the least compact territory first (random ties).

        With ``target``: only pairs with a rep off target, the farthest off first.
        """
        inst = self.instance
        a, b = inst.edges
        oa, ob = owner[a], owner[b]
        diff = (oa != ob) & (oa >= 0) & (ob >= 0)
        lo, hi = np.minimum(oa[diff], ob[diff]), np.maximum(oa[diff], ob[diff])
        keys = np.unique(lo * inst.n_reps + hi)
        if len(keys) == 0:
            return []
        pa, pb = np.divmod(keys, inst.n_reps)
        units = np.bincount(owner[owner >= 0], minlength=inst.n_reps)
        same = (oa == ob) & (oa >= 0)
        inner = np.bincount(oa[same], minlength=inst.n_reps)
        pp = self._pp(units.astype(float), inner.astype(float))
        worst = np.minimum(pp[pa], pp[pb])
        if self.thrift and target is None:
            # accounts held by one rep of the pair that the other had last quarter, most first
            cur = inst.current
            held = (owner >= 0) & (cur >= 0) & (owner != cur)
            n = inst.n_reps
            swap = np.bincount(owner[held] * n + cur[held], weights=inst.disruption_weight[held],
                               minlength=n * n).reshape(n, n)  # fmt: skip
            worst = -(swap[pa, pb] + swap[pb, pa])
        if target is not None:
            dev = np.abs(score.deviations(load, target)[:, self.cols]).max(axis=1)
            worst = -np.maximum(dev[pa], dev[pb])
            off = worst < -self.settings.tolerance
            pa, pb, worst, keys = pa[off], pb[off], worst[off], keys[off]
        order = np.lexsort((self.rng.random(len(keys)), worst))
        return list(zip(pa[order].tolist(), pb[order].tolist(), strict=True))


class _Pair:
    """The cells of two touching territories, with everything a cut of them is scored by.

    Arrays are indexed by the pair's own cell positions ``0..n-1`` (``nodes``
    maps them to units); ``la`` / ``lb`` are each cell's measures under rep
    ``a`` / ``b`` (travel added where it counts), ``mv_*`` and ``c_*`` its
    disruption weight moved and cost under each.
    """

    recom: Recombination
    a: int
    b: int
    n: int
    nodes: np.ndarray
    node_list: list[int]
    ex: np.ndarray
    ey: np.ndarray
    is_a: np.ndarray
    la: np.ndarray
    lb: np.ndarray
    mv_a: np.ndarray
    mv_b: np.ndarray
    c_a: np.ndarray
    c_b: np.ndarray
    o_a: np.ndarray
    o_b: np.ndarray
    lock_a: np.ndarray
    lock_b: np.ndarray
    free: np.ndarray
    cols: np.ndarray
    ta: np.ndarray
    tb: np.ndarray
    base_a: np.ndarray
    base_b: np.ndarray
    tol: float
    inside: float
    moved_now: float
    global_moved: float
    imb_now: float
    loose_now: float
    team_load: np.ndarray

    @classmethod
    def build(cls, recom: Recombination, owner, a, b, load, target) -> _Pair | None:
        """The pair ``(a, b)`` under ``owner``; None when there is nothing to re-split."""
        inst = recom.instance
        nodes = np.flatnonzero((owner == a) | (owner == b))
        n = len(nodes)
        if n < 2:
            return None
        self = cls()
        self.recom, self.a, self.b, self.n = recom, a, b, n
        self.nodes, self.node_list = nodes, nodes.tolist()
        local = np.full(inst.n_units, -1, dtype=np.int64)
        local[nodes] = np.arange(n)
        starts, ends = recom.indptr[nodes], recom.indptr[nodes + 1]
        counts = ends - starts
        src = np.repeat(np.arange(n), counts)
        flat = recom.indices[np.repeat(ends - counts.cumsum(), counts) + np.arange(counts.sum())]
        dst = local[flat]
        keep = (dst >= 0) & (src < dst)
        self.ex, self.ey = src[keep], dst[keep]
        if len(self.ex) < n - 1:
            return None
        self.is_a = owner[nodes] == a
        meas = inst.measures[nodes]
        self.la, self.lb = meas.copy(), meas.copy()
        k = inst.cost_measure
        if k >= 0:
            self.la[:, k] += inst.cost[nodes, a]
            self.lb[:, k] += inst.cost[nodes, b]
        cur = inst.current[nodes]
        w = inst.disruption_weight[nodes] * (cur >= 0)
        self.mv_a, self.mv_b = w * (cur != a), w * (cur != b)
        self.c_a, self.c_b = inst.cost[nodes, a], inst.cost[nodes, b]
        # each unit's part of the secondary objective under a or b: weighted cost, plus the
        # experience preference (issue 15) that score.evaluate counts toward no measure
        scale = recom.settings.cost_weight / recom.cost_ref
        self.o_a, self.o_b = scale * self.c_a, scale * self.c_b
        if inst.preference is not None:
            self.o_a = self.o_a + inst.preference[nodes, a]
            self.o_b = self.o_b + inst.preference[nodes, b]
        locked = inst.locked[nodes]
        self.lock_a = locked & (cur == a)
        self.lock_b = locked & (cur == b)
        self.free = ~locked
        self.cols = recom.cols
        self.ta, self.tb = target[a, self.cols], target[b, self.cols]
        self.base_a = load[a] - self.la[self.is_a].sum(axis=0)  # pinned amounts
        self.base_b = load[b] - self.lb[~self.is_a].sum(axis=0)
        self.tol = recom.settings.tolerance
        self.inside = self.tol * (1 - TARGET_MARGIN)
        self.team_load = load[:, self.cols].copy()  # every rep's balanced loads (thrift's check)
        self.moved_now = float(np.where(self.is_a, self.mv_a, self.mv_b).sum())
        self.global_moved = float(score.moved_weight(inst, owner)) if recom.cap is not None else 0.0
        self.imb_now = float(self.excess(load[a, self.cols], load[b, self.cols], self.tol))
        self.loose_now = float(
            self.excess(load[a, self.cols], load[b, self.cols], self.tol * RELAXED)
        )
        return self

    # -- scores ---------------------------------------------------------------

    def excess(self, load_a: np.ndarray, load_b: np.ndarray, band: float) -> np.ndarray:
        """Imbalance penalty of the two reps' balanced loads (last axis: balanced columns)."""
        weights = self.recom.weights

        def one(values: np.ndarray, goal: np.ndarray) -> np.ndarray:
            safe = np.where(goal > 0, goal, 1.0)
            d = np.where(goal > 0, np.abs(values / safe - 1.0) - band, 0.0)
            return (np.maximum(d, 0.0) ** 2 * weights).sum(axis=-1)

        return (one(load_a, self.ta) + one(load_b, self.tb)) * score.IMBALANCE_SCALE

    def spread(self, load_a: np.ndarray, load_b: np.ndarray) -> np.ndarray:
        """Weighted squared relative deviation of both reps from target (the repair's guide)."""
        weights = self.recom.weights
        da = load_a / np.where(self.ta > 0, self.ta, 1.0) - 1.0
        db = load_b / np.where(self.tb > 0, self.tb, 1.0) - 1.0
        return ((da**2 + db**2) * weights).sum(axis=-1)

    def secondary(self, cut, moved, unit_part):
        """The settings' secondary objective, for the pair's part of it.

        ``unit_part`` is the sum of the units' ``o_a``/``o_b`` (weighted cost and preference).
        """
        recom, settings = self.recom, self.recom.settings
        out = settings.compactness_weight * cut / recom.n_edges
        out = out + unit_part
        if recom.rebalance:
            out = (
                out
                + settings.disruption_weight * recom.disruption_scale * moved / recom.weight_total
            )
        return out

    def exact_key(self, is_a: np.ndarray, owner_list: list[int], *, strict: bool):
        """(imbalance, shape, secondary) of a split, None if it breaks a hard rule.

        ``strict`` scores balance against the band narrowed by ``TARGET_MARGIN``
        (new splits), else against the tolerance (the split as it stands).
        """
        recom, a, b = self.recom, self.a, self.b
        load_a = self.base_a + self.la[is_a].sum(axis=0)
        load_b = self.base_b + self.lb[~is_a].sum(axis=0)
        # the pair's own imbalance against the targets as they stand (travel moves the team
        # total a little with every step: the caller re-checks the whole plan at the end)
        imb = float(self.excess(load_a[self.cols], load_b[self.cols],
                                self.inside if strict else self.tol))  # fmt: skip
        if strict:
            if imb > self.imb_now + 1e-9:
                return None
            if (self.lock_a & ~is_a).any() or (self.lock_b & is_a).any():
                return None
            if recom.cap_col >= 0 and (
                load_a[recom.cap_col] > recom.ceiling[a] + 1e-9
                or load_b[recom.cap_col] > recom.ceiling[b] + 1e-9
            ):
                return None
        moved = float(np.where(is_a, self.mv_a, self.mv_b).sum())
        if strict and recom.cap is not None:
            if self.global_moved - self.moved_now + moved > recom.cap:
                return None
        cost = float(np.where(is_a, self.o_a, self.o_b).sum())
        ia, ib = is_a[self.ex], is_a[self.ey]
        inner_a, inner_b = int((ia & ib).sum()), int((~ia & ~ib).sum())
        cut = len(self.ex) - inner_a - inner_b
        units_a = int(is_a.sum())
        pp = recom._pp(np.array([units_a, self.n - units_a]), np.array([inner_a, inner_b]))
        old = [owner_list[v] for v in self.node_list]
        for v, flag in zip(self.node_list, is_a.tolist(), strict=True):
            owner_list[v] = a if flag else b
        corridors = recom._corridors(self.node_list, owner_list)
        for v, r in zip(self.node_list, old, strict=True):
            owner_list[v] = r
        shape = float(recom._deficit(pp).sum()) + corridors
        if (
            strict
            and recom.thrift
            and not (recom.thrift_allows(a, b, pp) and self.team_ok(load_a, load_b))
        ):
            return None
        return (round(imb, 9), round(shape, 9), float(self.secondary(cut, moved, cost)))

    def team_ok(self, load_a: np.ndarray, load_b: np.ndarray) -> bool:
        """Whether every other rep stays within tolerance once the pair holds these loads.

        Thrift hands cells back to nearer homes: travel, the team total and with
        it every target fall, which can push reps outside the pair out of the
        band (the caller would then undo the whole pass).
        """
        team = self.team_load.copy()
        team[self.a], team[self.b] = load_a[self.cols], load_b[self.cols]
        target = team.sum(axis=0) * self.recom.instance.share[:, None]
        dev = np.abs(score.deviations(team, target))
        before = np.abs(score.deviations(self.team_load, self.team_load.sum(axis=0)
                                         * self.recom.instance.share[:, None]))  # fmt: skip
        return bool((dev <= np.maximum(self.tol * THRIFT_BAND, before) + 1e-12).all())

    def split_pp(self, is_a: np.ndarray) -> np.ndarray:
        """Graph Polsby-Popper of ``a`` and ``b`` under the split ``is_a``."""
        ia, ib = is_a[self.ex], is_a[self.ey]
        inner = np.array([int((ia & ib).sum()), int((~ia & ~ib).sum())])
        units = int(is_a.sum())
        return self.recom._pp(np.array([units, self.n - units]), inner)

    # -- cuts -----------------------------------------------------------------

    def best_cut(self, flavour: str) -> list[tuple] | None:
        """The best cuts of one random spanning tree, as ``(rank, is_a)``; None if not connected.

        Two at most: the best inside the narrowed band, the best needing repair.
        """
        recom, n, ex, ey = self.recom, self.n, self.ex, self.ey
        rng = recom.rng
        weight = rng.random(len(ex))
        if flavour == "border":
            weight += BORDER_BIAS * (self.is_a[ex] != self.is_a[ey])
        elif flavour == "origin":
            side = recom.instance.current[self.nodes] == self.a
            weight += ORIGIN_BIAS * (side[ex] != side[ey])
        elif flavour == "homes":
            side = (self.c_a - self.c_b) < 0
            weight += BORDER_BIAS * (side[ex] != side[ey])
        graph = sparse.coo_matrix((weight + 1e-9, (ex, ey)), shape=(n, n)).tocsr()
        tree = csgraph.minimum_spanning_tree(graph)
        order, pred = csgraph.depth_first_order(tree, int(rng.integers(n)), directed=False)
        if len(order) < n:
            return None
        pos = np.empty(n, dtype=np.int64)
        pos[order] = np.arange(n)
        pred_list = pred.tolist()
        size_list = [1] * n
        for v in order[::-1].tolist():
            p = pred_list[v]
            if p >= 0:
                size_list[p] += size_list[v]
        size = np.asarray(size_list)
        cand = order[1:]  # cutting the edge above each non-root node
        lo, hi = pos[cand], pos[cand] + size[cand]

        def subtree(values: np.ndarray) -> np.ndarray:
            ordered = values[order].astype(float)
            prefix = np.concatenate([np.zeros((1, *ordered.shape[1:])), np.cumsum(ordered, axis=0)])
            return prefix[hi] - prefix[lo]

        cols = self.cols
        s_la, s_lb = subtree(self.la[:, cols]), subtree(self.lb[:, cols])
        t_la, t_lb = self.la[:, cols].sum(axis=0), self.lb[:, cols].sum(axis=0)
        s_ka, s_kb = subtree(self.lock_a), subtree(self.lock_b)
        n_ka, n_kb = int(self.lock_a.sum()), int(self.lock_b.sum())
        s_ma, s_mb = subtree(self.mv_a), subtree(self.mv_b)
        s_ca, s_cb = subtree(self.o_a), subtree(self.o_b)
        base_a, base_b = self.base_a[cols], self.base_b[cols]
        band = self.tol * RELAXED
        best: dict[bool, tuple] = {}
        for orient in (0, 1):  # 0: the subtree goes to a, 1: to b
            if orient == 0:
                load_a, load_b = base_a + s_la, base_b + (t_lb - s_lb)
                moved = s_ma + (self.mv_b.sum() - s_mb)
                cost = s_ca + (self.o_b.sum() - s_cb)
                ok = (s_kb == 0) & (n_ka - s_ka == 0)
            else:
                load_a, load_b = base_a + (t_la - s_la), base_b + s_lb
                moved = s_mb + (self.mv_a.sum() - s_ma)
                cost = s_cb + (self.o_a.sum() - s_ca)
                ok = (s_ka == 0) & (n_kb - s_kb == 0)
            loose = self.excess(load_a, load_b, band)
            ok &= loose <= self.loose_now + 1e-9
            idx = np.flatnonzero(ok)
            recom.valid += len(idx)
            if len(idx) > CUTS_SCORED:
                idx = rng.choice(idx, CUTS_SCORED, replace=False)
            if len(idx) == 0:
                continue
            px, py = pos[ex], pos[ey]
            low, high = lo[idx][:, None], hi[idx][:, None]
            inx = (px >= low) & (px < high)
            iny = (py >= low) & (py < high)
            inner_sub = (inx & iny).sum(axis=1)
            cut = (inx != iny).sum(axis=1)
            inner_rest = len(ex) - inner_sub - cut
            n_sub = size[cand[idx]]
            pp_sub, pp_rest = recom._pp(n_sub, inner_sub), recom._pp(n - n_sub, inner_rest)
            shape = recom._deficit(pp_sub) + recom._deficit(pp_rest)
            need = self.excess(load_a[idx], load_b[idx], self.inside) > 0
            sec = self.secondary(cut, moved[idx], cost[idx])
            for exact in (True, False):
                pool = np.flatnonzero(~need) if exact else np.arange(len(idx))
                if len(pool) == 0:
                    continue
                r = int(pool[np.lexsort((sec[pool], np.round(shape[pool], 2)))[0]])
                rank = (round(float(shape[r]), 2), bool(need[r]), float(sec[r]))
                if exact in best and rank >= best[exact][0]:
                    continue
                start = int(pos[cand[idx[r]]])
                in_sub = np.zeros(n, dtype=bool)
                in_sub[order[start : start + int(n_sub[r])]] = True
                best[exact] = (rank, in_sub if orient == 0 else ~in_sub)
        return list(best.values())

    def sweep_cut(self) -> tuple | None:
        """A compact split: cells by (hops to a's seed) - (hops to b's seed), cut where loads fit.

        Seeds are the cells nearest each rep's home where costs differ (random
        among the closest few), else random cells of each side. The split puts
        the cells nearest a's seed with a, as many as bring a closest to its
        targets; a border close to the line between the seeds is as short as
        borders get. None when a side would be in pieces.
        """
        recom, n, ex, ey = self.recom, self.n, self.ex, self.ey
        rng = recom.rng
        seeds = []
        for side, home_cost in ((self.is_a, self.c_a), (~self.is_a, self.c_b)):
            pool = np.flatnonzero(side)
            if len(pool) == 0:
                return None
            if recom.varied_cost:
                pool = pool[np.argsort(home_cost[pool], kind="stable")[:SWEEP_SEEDS]]
            seeds.append(int(rng.choice(pool)))
        graph = sparse.coo_matrix((np.ones(len(ex)), (ex, ey)), shape=(n, n)).tocsr()
        hops = csgraph.shortest_path(graph, directed=False, unweighted=True, indices=seeds)
        if not np.isfinite(hops).all():
            return None
        key = hops[0] - hops[1] + 0.5 * rng.random(n)
        order = np.argsort(key, kind="stable")
        cols = self.cols
        prefix_a = np.cumsum(self.la[order][:, cols], axis=0)
        suffix_b = self.lb[:, cols].sum(axis=0) - np.cumsum(self.lb[order][:, cols], axis=0)
        m = np.arange(1, n)  # a takes the first m cells
        load_a = self.base_a[cols] + prefix_a[m - 1]
        load_b = self.base_b[cols] + suffix_b[m - 1]
        spread = self.spread(load_a, load_b)
        best = int(m[int(np.argmin(spread))])
        is_a = np.zeros(n, dtype=bool)
        is_a[order[:best]] = True
        if (self.lock_a & ~is_a).any() or (self.lock_b & is_a).any():
            return None
        for side in (is_a, ~is_a):
            keep = side[ex] & side[ey]
            part = sparse.coo_matrix((np.ones(int(keep.sum())), (ex[keep], ey[keep])), shape=(n, n))
            labels = csgraph.connected_components(part, directed=False)[1]
            if len(np.unique(labels[side])) > 1:
                return None
        ia, ib = is_a[ex], is_a[ey]
        inner_a, inner_b = int((ia & ib).sum()), int((~ia & ~ib).sum())
        pp = recom._pp(np.array([best, n - best]), np.array([inner_a, inner_b]))
        need = bool(self.excess(load_a[best - 1], load_b[best - 1], self.inside) > 0)
        moved = float(np.where(is_a, self.mv_a, self.mv_b).sum())
        cost = float(np.where(is_a, self.o_a, self.o_b).sum())
        sec = float(self.secondary(len(ex) - inner_a - inner_b, moved, cost))
        return (round(float(recom._deficit(pp).sum()), 2), need, sec), is_a

    def origin_cut(self) -> tuple | None:
        """The split that hands every cell of the pair back to its last owner (thrift).

        Cells that neither rep held last quarter stay on their side. None when
        that changes nothing or leaves a side in pieces; the caller brings it
        into the band (:meth:`repair`) and scores it like any other cut.
        """
        a, b, ex, ey = self.a, self.b, self.ex, self.ey
        cur = self.recom.instance.current[self.nodes]
        is_a = np.where(cur == a, True, np.where(cur == b, False, self.is_a))
        if (is_a == self.is_a).all() or is_a.all() or not is_a.any():
            return None
        if (self.lock_a & ~is_a).any() or (self.lock_b & is_a).any():
            return None
        n = self.n
        for side in (is_a, ~is_a):
            keep = side[ex] & side[ey]
            part = sparse.coo_matrix((np.ones(int(keep.sum())), (ex[keep], ey[keep])), shape=(n, n))
            labels = csgraph.connected_components(part, directed=False)[1]
            if len(np.unique(labels[side])) > 1:
                return None
        cols = self.cols
        load_a = self.base_a[cols] + self.la[is_a][:, cols].sum(axis=0)
        load_b = self.base_b[cols] + self.lb[~is_a][:, cols].sum(axis=0)
        ia, ib = is_a[ex], is_a[ey]
        inner_a, inner_b = int((ia & ib).sum()), int((~ia & ~ib).sum())
        units = int(is_a.sum())
        pp = self.recom._pp(np.array([units, n - units]), np.array([inner_a, inner_b]))
        need = bool(self.excess(load_a, load_b, self.inside) > 0)
        moved = float(np.where(is_a, self.mv_a, self.mv_b).sum())
        cost = float(np.where(is_a, self.o_a, self.o_b).sum())
        sec = float(self.secondary(len(ex) - inner_a - inner_b, moved, cost))
        return (round(float(self.recom._deficit(pp).sum()), 2), need, sec), is_a

    def repair(self, is_a: np.ndarray, owner_list: list[int]) -> np.ndarray | None:
        """Bring a split inside the narrowed band by single border moves; None if that fails.

        Each move is the border unit whose move lowers the pair's imbalance most
        (ties: the one with more neighbours on the receiving side), keeping
        both sides in one piece and locked units put.
        """
        is_a = is_a.copy()
        cols, ex, ey = self.cols, self.ex, self.ey
        la, lb = self.la[:, cols], self.lb[:, cols]
        load_a = self.base_a[cols] + la[is_a].sum(axis=0)
        load_b = self.base_b[cols] + lb[~is_a].sum(axis=0)
        now = float(self.excess(load_a, load_b, self.inside))
        if now <= 0:
            return is_a
        a, b = self.a, self.b
        neighbours = self.recom.instance.neighbours
        old = [owner_list[v] for v in self.node_list]
        for v, flag in zip(self.node_list, is_a.tolist(), strict=True):
            owner_list[v] = a if flag else b
        try:
            for _ in range(max(int(REPAIR_MOVES * self.n), 4)):
                diff = is_a[ex] != is_a[ey]
                border = np.unique(np.concatenate([ex[diff], ey[diff]]))
                border = border[self.free[border]]
                if len(border) == 0:
                    return None
                to_b = is_a[border]
                sign = np.where(to_b, -1.0, 1.0)[:, None]
                new_a = load_a + sign * la[border]
                new_b = load_b - sign * lb[border]
                after = self.excess(new_a, new_b, self.inside)
                guide = self.spread(new_a, new_b)
                same = np.bincount(np.concatenate([ex[~diff], ey[~diff]]), minlength=self.n)
                deg = np.bincount(np.concatenate([ex, ey]), minlength=self.n)
                into = deg[border] - same[border]
                # toward the targets (both measures), fronts before spikes
                order = np.lexsort((guide, into < 2))
                guide_now = float(self.spread(load_a, load_b))
                moved = False
                for i in order.tolist():
                    if guide[i] >= guide_now - 1e-15:
                        continue
                    v = int(border[i])
                    u = self.node_list[v]
                    if not removal_keeps_connected(neighbours, owner_list, u, REPAIR_SEARCH):
                        continue
                    side = is_a[v]
                    if (is_a.sum() if side else (~is_a).sum()) <= 1:
                        continue
                    is_a[v] = not side
                    owner_list[u] = a if is_a[v] else b
                    load_a, load_b = new_a[i], new_b[i]
                    now = float(after[i])
                    moved = True
                    break
                if not moved:
                    return None
                if now <= 0:
                    return is_a
            return None
        finally:
            for v, r in zip(self.node_list, old, strict=True):
                owner_list[v] = r
