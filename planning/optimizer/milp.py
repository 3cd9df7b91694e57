"""The generic instance as a mixed-integer programme, solved by HiGHS (``scipy.optimize.milp``).

Why a MILP beside the local search: the search gets every rep inside
tolerance fast but cannot say how far its plan is from the best possible.
HiGHS returns its best plan together with a proven dual bound, so every
answer comes with a gap, and on instances of up to a few hundred units the
gap closes to zero within seconds.

The model (``x[u, r] = 1`` when rep ``r`` serves unit ``u``):

- every unit has exactly one rep; locked units keep theirs (fixed bounds);
- balance bands: on every balanced measure, every rep's load (pinned amounts,
  units owned, and travel when the cost counts toward the measure) lies within
  ``(1 +- tolerance) x`` its share of the team total (a linear constraint even
  when travel makes the total depend on the plan);
- capacity as a ceiling (``Settings.max_capacity``, see
  :func:`~planning.optimizer.score.capacity_ceiling`);
- disruption cap: the weight of units whose owner differs from ``reference``
  at most ``cap x`` the weight of units that had an owner (rebalance only);
- contiguity (``method``): by default separator cuts added lazily: the model
  is solved without contiguity, and while a territory is in pieces, rows
  ``x[v, r] + x[w, r] - sum over a separator S of x[u, r] <= 1`` (a path from
  ``v`` to ``w`` must cross ``S``) are added and the model is solved again;
  every round relaxes the contiguous problem, so its bound holds. ``flow``
  uses one single-commodity flow with a root per rep instead, ``anchored``
  adds flows from each rep's locked units to the cuts;
- objective: exactly the secondary term of
  :func:`~planning.optimizer.score.objective` (cost over its reference,
  share of edges cut, share of disruption weight moved), plus optionally
  a distance-to-centre compactness proxy (``centre_weight``).

scipy's HiGHS interface has no incumbent callback, no warm start and no
lazy-constraint callback (hence the re-solves): the caller passes its best
objective as a ``cutoff`` and keeps the better of the two plans (see
:func:`planning.optimizer.search.balance`). Pure: no files.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from planning.optimizer import score
from planning.optimizer.constraints import territory_pieces
from planning.optimizer.instance import Instance
from planning.optimizer.settings import Settings

BAND_SAFETY = 1e-7
"""The bands are tightened by this relative amount, so a plan HiGHS accepts within
its feasibility tolerance is inside the band when recounted exactly."""

CUTS_PER_PIECE = 8
"""Separator cuts added per stray piece, ring and round (one per unit of the piece, up to this)."""

RINGS = 3
"""Separators tried around a stray piece: its border, then the border of piece and border, ...
One cut per ring keeps the solver from merely growing the piece by a layer next round."""

TIE_BREAK = 0.01
"""Most the cost tie-break may add, as a share of the smallest step of the objective."""

PROVEN_GAP = 1e-6
"""A gap at or below this (relative, or absolute when the objective is near 0)
counts as zero: HiGHS closes gaps to its own 1e-6 absolute tolerance."""


@dataclass(frozen=True)
class MilpResult:
    """What HiGHS found within the time limit.

    Attributes
    ----------
    owner
        ``(U,)`` best plan found, or None when none was found in time or none exists.
    objective
        The plan's secondary objective (as :func:`score.objective` computes it), or None.
    bound
        Proven lower bound on the secondary objective of every plan inside
        the bands and rules, or None when the solver proved none.
    status
        ``optimal``, ``time limit``, ``infeasible`` or ``failed``.
    runtime
        Seconds spent in the solver (model building included).
    """

    owner: np.ndarray | None
    objective: float | None
    bound: float | None
    status: str
    runtime: float
    message: str = ""

    @property
    def gap(self) -> float | None:
        """``(objective - bound) / objective``, 0 when proven; None without both."""
        return relative_gap(self.objective, self.bound)

    @property
    def proven(self) -> bool:
        """The plan is optimal: the gap is zero (within :data:`PROVEN_GAP`)."""
        gap = self.gap
        return self.owner is not None and gap is not None and gap <= PROVEN_GAP


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """How far ``objective`` may be above the best possible, as a share of it."""
    if objective is None or bound is None or not np.isfinite(bound):
        return None
    diff = max(objective - bound, 0.0)
    if diff <= PROVEN_GAP:
        return 0.0
    return diff / max(abs(objective), PROVEN_GAP)


class _Model:
    """Variables, bounds, rows and objective, built column block by column block."""

    def __init__(self) -> None:
        self.n = 0
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.integral: list[np.ndarray] = []
        self.rows: list[tuple[sparse.spmatrix, np.ndarray, np.ndarray]] = []

    def add_vars(self, count: int, lower: float | np.ndarray, upper: float | np.ndarray,
                 integer: bool) -> int:  # fmt: skip
        start = self.n
        self.n += count
        self.lower.append(np.broadcast_to(np.asarray(lower, float), (count,)).copy())
        self.upper.append(np.broadcast_to(np.asarray(upper, float), (count,)).copy())
        self.integral.append(np.full(count, 1 if integer else 0, dtype=np.int8))
        return start

    def add_rows(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n_rows: int,
                 lower: float | np.ndarray, upper: float | np.ndarray) -> None:  # fmt: skip
        """Rows ``lower <= A x <= upper`` from triplets with row numbers ``0..n_rows-1``."""
        if n_rows == 0:
            return
        matrix = sparse.coo_matrix((vals, (rows, cols)), shape=(n_rows, self.n))
        lo = np.broadcast_to(np.asarray(lower, float), (n_rows,)).copy()
        hi = np.broadcast_to(np.asarray(upper, float), (n_rows,)).copy()
        self.rows.append((matrix, lo, hi))

    def constraint(self) -> LinearConstraint:
        blocks = [m.tocsr() for m, _, _ in self.rows]
        width = self.n
        blocks = [sparse.csr_matrix((b.data, b.indices, b.indptr), shape=(b.shape[0], width))
                  for b in blocks]  # fmt: skip
        matrix = sparse.vstack(blocks, format="csr")
        lo = np.concatenate([lo for _, lo, _ in self.rows])
        hi = np.concatenate([hi for _, _, hi in self.rows])
        return LinearConstraint(matrix, lo, hi)


def solve_milp(
    instance: Instance,
    settings: Settings,
    *,
    time_limit: float | None = None,
    reference: np.ndarray | None = None,
    weight: np.ndarray | None = None,
    centre_weight: float = 0.0,
    relax: bool = False,
    allowed: np.ndarray | None = None,
    method: Literal["cuts", "flow", "anchored"] = "cuts",
    tie_break: bool = True,
    cutoff: float | None = None,
) -> MilpResult:
    """Best plan within the bands and rules for the secondary objective, with a proven bound.

    Parameters
    ----------
    time_limit
        Seconds HiGHS may take; ``settings.time_limit`` when None.
    reference, weight
        ``(U,)`` owner each unit is compared with for disruption (-1: none) and
        the weight moving it costs; ``instance.current`` and
        ``instance.disruption_weight`` by default.
    centre_weight
        Compactness by distance to a centre: adds ``centre_weight x`` the sum
        of ``cost[u, r]`` (read as the distance from rep ``r``'s home) over the
        sum of every unit's least cost. Only this call's objective and bound
        include it; :func:`score.objective` does not.
    cutoff
        The secondary objective of a plan the caller has (inside the bands,
        keeping every rule): only strictly better plans are searched for, which
        prunes the search; status ``no better plan`` with ``bound = cutoff``
        proves the caller's plan optimal.
    method
        Contiguity model: ``cuts`` (default) re-solves with separator cuts
        while a territory is in pieces; ``flow`` is one single-commodity flow
        with a root per rep to choose; ``anchored`` adds, to the cuts, a flow
        per rep from one of its locked units (a fixed root).
    allowed
        ``(U, R)`` which rep may serve which unit (a neighbourhood of a large
        search fixes the rest); every pair by default. Bounds and gaps then
        hold within that neighbourhood only.
    relax
        Solve the LP relaxation only: its optimum is a lower bound (status
        ``optimal``) and no plan comes back.
    """
    started = time.perf_counter()
    inst = instance
    n_units, n_reps = inst.n_units, inst.n_reps
    reference = inst.current if reference is None else np.asarray(reference, np.int64)
    weight = inst.disruption_weight if weight is None else np.asarray(weight, np.float64)
    rebalance = settings.mode == "rebalance"
    contiguity = settings.contiguity and inst.adjacency is not None
    a_edge, b_edge = inst.edges
    n_edges = len(a_edge)
    flow = contiguity and method == "flow"
    need_cut = n_edges > 0 and (flow or settings.compactness_weight > 0)

    model = _Model()
    lower = np.zeros((n_units, n_reps))
    locked = np.flatnonzero(inst.locked)
    lower[locked, inst.current[locked]] = 1.0
    upper = np.ones((n_units, n_reps))
    upper[locked] = 0.0
    upper[locked, inst.current[locked]] = 1.0
    if allowed is not None:
        upper = np.minimum(upper, np.asarray(allowed, dtype=float))
    x0 = model.add_vars(n_units * n_reps, lower.ravel(), upper.ravel(), True)

    def xi(u: np.ndarray, r: np.ndarray) -> np.ndarray:
        return x0 + u * n_reps + r

    units = np.arange(n_units)
    reps = np.arange(n_reps)
    uu, rr = np.meshgrid(units, reps, indexing="ij")  # (U, R)

    # Every unit has exactly one rep.
    model.add_rows(np.repeat(units, n_reps), xi(uu, rr).ravel(), np.ones(n_units * n_reps),
                   n_units, 1.0, 1.0)  # fmt: skip

    # Balance bands.
    cols, _ = score.balance_columns(inst, settings)
    share = inst.share
    tol = max(settings.tolerance - BAND_SAFETY, 0.0)
    cm = inst.cost_measure
    for k in np.unique(cols).tolist():
        amount = np.repeat(inst.measures[:, k][:, None], n_reps, axis=1)  # (U, R)
        if k == cm:
            amount = amount + inst.cost
        fixed = inst.fixed[:, k]
        scale = float(amount.mean(axis=1).sum() + fixed.sum()) / n_reps or 1.0
        if k != cm:
            total = float(inst.measures[:, k].sum() + fixed.sum())
            if total <= 0:
                continue  # every target is 0: no deviation to bound
            # fixed_r + sum_u m[u] x[u, r] within (1 +- tol) share_r total
            rows = np.repeat(reps, n_units)
            col = xi(np.tile(units, n_reps), rows)
            vals = np.tile(inst.measures[:, k], n_reps) / scale
            lo = ((1 - tol) * share * total - fixed) / scale
            hi = ((1 + tol) * share * total - fixed) / scale
            model.add_rows(rows, col, vals, n_reps, lo, hi)
            continue
        # Travel counts toward k: the total depends on the plan, the band stays linear.
        const_total = float(fixed.sum())
        for side, band in ((+1, 1 + tol), (-1, 1 - tol)):
            # load_r - c share_r T <= 0 (side +1), >= 0 (side -1)
            rows_l, cols_l, vals_l = [], [], []
            for r in range(n_reps):
                coef = -band * share[r] * amount  # (U, R): every x[u, q] in T
                coef[:, r] += amount[:, r]
                rows_l.append(np.full(n_units * n_reps, r))
                cols_l.append(xi(uu, rr).ravel())
                vals_l.append(coef.ravel() / scale)
            rhs = (band * share * const_total - fixed) / scale
            if side > 0:
                model.add_rows(np.concatenate(rows_l), np.concatenate(cols_l),
                               np.concatenate(vals_l), n_reps, -np.inf, rhs)  # fmt: skip
            else:
                model.add_rows(np.concatenate(rows_l), np.concatenate(cols_l),
                               np.concatenate(vals_l), n_reps, rhs, np.inf)  # fmt: skip

    # Capacity as a ceiling.
    ceiling = score.capacity_ceiling(inst, settings)
    if np.isfinite(ceiling).any():
        k = score.capacity_measure(inst, settings)
        amount = inst.measures[:, k][:, None] + (inst.cost if k == cm else 0.0)
        amount = np.broadcast_to(amount, (n_units, n_reps))
        finite = np.flatnonzero(np.isfinite(ceiling))
        scale = float(ceiling[finite].mean()) or 1.0
        rows = np.repeat(np.arange(len(finite)), n_units)
        col = xi(np.tile(units, len(finite)), np.repeat(finite, n_units))
        vals = amount[:, finite].T.ravel() / scale
        hi = (ceiling[finite] - inst.fixed[finite, k]) / scale
        model.add_rows(rows, col, vals, len(finite), -np.inf, hi)

    # Disruption: moved weight = W - sum_u w_u x[u, ref_u] over units that had an owner.
    had = np.flatnonzero(reference >= 0)
    weight_total = float(weight[had].sum())
    if rebalance and settings.disruption_cap is not None and len(had) and weight_total > 0:
        # W - sum w x <= cap W  <=>  sum w x >= (1 - cap) W  (scaled by W)
        model.add_rows(np.zeros(len(had), np.int64), xi(had, reference[had]),
                       weight[had] / weight_total, 1,
                       1 - settings.disruption_cap - 1e-9, np.inf)  # fmt: skip

    # A rep with a locked unit w in u's adjacency component keeps w, so if it also
    # serves u != w it needs a neighbour of u: x[u, r] <= sum over v next to u of x[v, r].
    # Valid for contiguous plans, and it rules out one-unit fragments from the start.
    if contiguity and n_edges > 0 and method == "cuts" and inst.locked.any():
        _anchored_rows(model, inst, x0)
    if contiguity and n_edges > 0 and method == "anchored" and inst.locked.any():
        _anchored_rows(model, inst, x0)
        _anchored_flows(model, inst, x0)

    # Cut edges: y_e >= |x[a, r] - x[b, r]| for every r.
    y0 = -1
    if need_cut:
        y0 = model.add_vars(n_edges, 0.0, 1.0, False)  # integral at any integral x
        e = np.arange(n_edges)
        ee = np.repeat(e, n_reps)
        er = np.tile(reps, n_edges)
        n_pairs = n_edges * n_reps
        rows = np.arange(n_pairs)
        for sign in (+1, -1):
            # y_e - s (x[a, r] - x[b, r]) >= 0
            model.add_rows(
                np.concatenate([rows, rows, rows]),
                np.concatenate([y0 + ee, xi(a_edge[ee], er), xi(b_edge[ee], er)]),
                np.concatenate([np.ones(n_pairs), np.full(n_pairs, -sign), np.full(n_pairs, sign)]),
                n_pairs, 0.0, np.inf,
            )  # fmt: skip

    # Contiguity: roots and a single-commodity flow along uncut edges.
    if flow and n_edges > 0:
        z0 = model.add_vars(n_units * n_reps, 0.0, 1.0, True)
        zz = z0 + (uu * n_reps + rr).ravel()
        # z[u, r] <= x[u, r]
        n_ur = n_units * n_reps
        model.add_rows(
            np.concatenate([np.arange(n_ur)] * 2),
            np.concatenate([zz, xi(uu, rr).ravel()]),
            np.concatenate([np.ones(n_ur), -np.ones(n_ur)]),
            n_ur,
            -np.inf,
            0.0,
        )
        # a unit is its rep's root or has a neighbour of the same rep (valid, and it
        # tightens the relaxation: no single-unit fragments)
        assert inst.adjacency is not None  # flow needs edges
        indptr, indices = inst.adjacency
        deg = np.diff(indptr)
        src = np.repeat(units, deg)
        n_nb = len(indices)
        rows = np.concatenate([
            (src[:, None] * n_reps + reps).ravel(),
            np.arange(n_ur),
            np.arange(n_ur),
        ])  # fmt: skip
        model.add_rows(
            rows,
            np.concatenate([xi(np.repeat(indices, n_reps), np.tile(reps, n_nb)), zz,
                            xi(uu, rr).ravel()]),
            np.concatenate([np.ones(n_nb * n_reps), np.ones(n_ur), -np.ones(n_ur)]),
            n_ur, 0.0, np.inf,
        )  # fmt: skip
        # at most one root per rep and adjacency component
        comps = inst.components
        _, comp = np.unique(comps, return_inverse=True)
        n_comp = int(comp.max()) + 1
        rows = (comp[:, None] * n_reps + rr).ravel()
        model.add_rows(rows, zz, np.ones(n_ur), n_comp * n_reps, -np.inf, 1.0)
        # flow on each arc, only where the edge is not cut
        big = float(np.bincount(comp).max())
        f0 = model.add_vars(2 * n_edges, 0.0, big, False)
        arcs_from = np.concatenate([a_edge, b_edge])
        arcs_to = np.concatenate([b_edge, a_edge])
        arc_edge = np.concatenate([np.arange(n_edges)] * 2)
        n_arcs = 2 * n_edges
        # f + big y <= big
        model.add_rows(np.concatenate([np.arange(n_arcs)] * 2),
                       np.concatenate([f0 + np.arange(n_arcs), y0 + arc_edge]),
                       np.concatenate([np.ones(n_arcs), np.full(n_arcs, big)]),
                       n_arcs, -np.inf, big)  # fmt: skip
        # in - out + big sum_r z[u, r] >= 1 for every unit
        model.add_rows(
            np.concatenate([arcs_to, arcs_from, np.repeat(units, n_reps)]),
            np.concatenate([f0 + np.arange(n_arcs), f0 + np.arange(n_arcs), zz]),
            np.concatenate([np.ones(n_arcs), -np.ones(n_arcs), np.full(n_ur, big)]),
            n_units, 1.0, np.inf,
        )  # fmt: skip

    # Objective: the secondary term of score.objective, plus the centre proxy.
    c = np.zeros(model.n)
    offset = 0.0
    cost_part = settings.cost_weight / score.cost_reference(inst) * inst.cost
    if centre_weight > 0:
        nearest = float(inst.cost.min(axis=1).sum()) or 1.0
        cost_part = cost_part + centre_weight / nearest * inst.cost
    c[x0 : x0 + n_units * n_reps] += cost_part.ravel()
    if inst.preference is not None:  # issue 15: already weighted by the caller
        c[x0 : x0 + n_units * n_reps] += inst.preference.ravel()
    if need_cut and settings.compactness_weight > 0:
        c[y0 : y0 + n_edges] += settings.compactness_weight / n_edges
    if rebalance and settings.disruption_weight > 0 and weight_total > 0:
        share_w = settings.disruption_weight / weight_total
        offset += settings.disruption_weight
        c[xi(had, reference[had])] -= share_w * weight[had]
    # Ties (many plans move equally few units) are broken toward cheap plans by a
    # cost term worth less than one step of an objective that moves in whole steps
    # (see _lattice): it cannot change the optimum, and the bound, less its largest
    # value and rounded up to the next step, stays a bound.
    slack = 0.0
    lattice = _lattice(inst, settings, weight[had], weight_total, n_edges, centre_weight)
    if tie_break and lattice > 0 and float(inst.cost.max()) > 0:
        spread = float(inst.cost.max(axis=1).sum())
        extra = TIE_BREAK * lattice / spread * inst.cost
        c[x0 : x0 + n_units * n_reps] += extra.ravel()
        slack = float(extra.max(axis=1).sum())

    limit = settings.time_limit if time_limit is None else time_limit
    deadline = None if limit is None else started + float(limit)
    integrality = np.concatenate(model.integral)
    if relax:
        integrality = np.zeros_like(integrality)
    bounds = Bounds(np.concatenate(model.lower), np.concatenate(model.upper))
    base = model.constraint()
    better_than = None
    if cutoff is not None and not relax:
        # Only plans strictly better than the caller's: one whole step better on a
        # lattice (the tie-break adds less than a step), else by a hair.
        margin = (1 - TIE_BREAK - 1e-6) * lattice if lattice > 0 else 1e-9 * max(abs(cutoff), 1)
        rhs = cutoff - offset - margin + (slack if lattice else 0.0)
        better_than = LinearConstraint(sparse.csr_matrix(c[None, :]), -np.inf, rhs)
    lazy = contiguity and n_edges > 0 and method in ("cuts", "anchored") and not relax
    cuts: list[tuple[np.ndarray, np.ndarray]] = []  # (columns, coefficients), each <= 1
    bound: float | None = None
    rounds = 0
    while True:
        rounds += 1
        options: dict[str, float | bool] = {"disp": False, "mip_rel_gap": 0.0}
        if deadline is not None:
            options["time_limit"] = max(deadline - time.perf_counter(), 0.2)
        constraints = [base] if better_than is None else [base, better_than]
        if cuts:
            rows = np.concatenate([np.full(len(cc), i) for i, (cc, _) in enumerate(cuts)])
            matrix = sparse.csr_matrix(
                (
                    np.concatenate([v for _, v in cuts]),
                    (rows, np.concatenate([cc for cc, _ in cuts])),
                ),
                shape=(len(cuts), model.n),
            )
            constraints.append(LinearConstraint(matrix, -np.inf, 1.0))
        result = milp(c, integrality=integrality, bounds=bounds, constraints=constraints,
                      options=options)  # fmt: skip
        runtime = time.perf_counter() - started
        message = f"{result.message} ({rounds} round(s), {len(cuts)} contiguity cut(s))"
        if relax:
            value = (
                None
                if result.x is None
                else _on_lattice(float(result.fun) + offset - slack, lattice)
            )
            return MilpResult(None, None, value, _status(result.status), runtime, message)
        if result.status == 2:
            if better_than is not None and cutoff is not None:  # nothing beats it: optimum
                return MilpResult(None, None, float(cutoff), "no better plan", runtime, message)
            return MilpResult(None, None, None, "infeasible", runtime, message)
        dual = getattr(result, "mip_dual_bound", None)
        if result.status == 0 and result.x is not None:
            dual = float(result.fun)
        if dual is not None and np.isfinite(dual):
            # every round relaxes the contiguous problem: its bound holds for it
            here = float(dual) + offset - slack
            bound = here if bound is None else max(bound, here)
        if result.x is None:
            bound = None if bound is None else _on_lattice(bound, lattice)
            return MilpResult(None, None, bound, _status(result.status), runtime, message)
        xs = result.x[x0 : x0 + n_units * n_reps].reshape(n_units, n_reps)
        owner = np.argmax(xs, axis=1).astype(np.int64)
        if lazy:
            new = _contiguity_cuts(inst, owner, x0)
            if new:
                cuts += new
                if deadline is not None and time.perf_counter() >= deadline:
                    bound = None if bound is None else _on_lattice(bound, lattice)
                    return MilpResult(None, None, bound, "time limit", runtime, message)
                continue
        value = float(score.objective(inst, settings, owner).secondary)
        if centre_weight > 0:
            value = float(result.fun) + offset - slack
        if bound is not None:
            bound = min(_on_lattice(bound, lattice), value)
        return MilpResult(owner, value, bound, _status(result.status), runtime, message)


def _anchored_flows(model: _Model, inst: Instance, x0: int) -> None:
    """A flow per rep from one of its locked units, so its units there are joined to that unit.

    For each rep ``r`` and adjacency component holding a unit locked to ``r``
    (the anchor ``a``): flow ``g`` on both directions of every edge of the
    component, ``g[u -> v] <= size x[u, r]`` and ``<= size x[v, r]``, and every
    unit but ``a`` keeps one unit of what flows in: ``in - out = x[u, r]``. The
    root is fixed, so the relaxation is much tighter than with a root per rep to
    choose; pieces elsewhere are left to the lazy cuts.
    """
    n_reps = inst.n_reps
    comps = inst.components
    a_edge, b_edge = inst.edges
    anchors: dict[tuple[int, int], int] = {}
    for w in np.flatnonzero(inst.locked).tolist():
        anchors.setdefault((int(comps[w]), int(inst.current[w])), w)
    for (comp, r), anchor in sorted(anchors.items()):
        keep = comps[a_edge] == comp
        ea, eb = a_edge[keep], b_edge[keep]
        n_arcs = 2 * len(ea)
        if n_arcs == 0:
            continue
        units = np.flatnonzero(comps == comp)
        size = float(len(units))
        tail = np.concatenate([ea, eb])
        head = np.concatenate([eb, ea])
        g0 = model.add_vars(n_arcs, 0.0, size, False)
        arcs = g0 + np.arange(n_arcs)
        for end in (tail, head):  # g - size x[end, r] <= 0
            model.add_rows(np.concatenate([np.arange(n_arcs)] * 2),
                           np.concatenate([arcs, x0 + end * n_reps + r]),
                           np.concatenate([np.ones(n_arcs), np.full(n_arcs, -size)]),
                           n_arcs, -np.inf, 0.0)  # fmt: skip
        others = units[units != anchor]
        row_of = np.full(inst.n_units, -1)
        row_of[others] = np.arange(len(others))
        into = row_of[head] >= 0
        out_of = row_of[tail] >= 0
        model.add_rows(
            np.concatenate([row_of[head[into]], row_of[tail[out_of]], np.arange(len(others))]),
            np.concatenate([arcs[into], arcs[out_of], x0 + others * n_reps + r]),
            np.concatenate([np.ones(int(into.sum())), -np.ones(int(out_of.sum())),
                            -np.ones(len(others))]),
            len(others), 0.0, 0.0,
        )  # fmt: skip


def _anchored_rows(model: _Model, inst: Instance, x0: int) -> None:
    """Rows ``sum over v next to u of x[v, r] - x[u, r] >= 0`` where rep ``r`` has a locked unit.

    Only for units ``u`` that are not locked to ``r`` and share an adjacency
    component with one of ``r``'s locked units (see :func:`solve_milp`).
    """
    n_reps = inst.n_reps
    comps = inst.components
    locked = np.flatnonzero(inst.locked)
    anchored = {(int(comps[w]), int(inst.current[w])) for w in locked.tolist()}
    rows, cols, vals = [], [], []
    n_rows = 0
    for u, nbs in enumerate(inst.neighbours):
        if not nbs:
            continue
        for r in range(n_reps):
            if (int(comps[u]), r) not in anchored:
                continue
            if inst.locked[u]:
                continue
            rows += [n_rows] * (len(nbs) + 1)
            cols += [x0 + v * n_reps + r for v in nbs] + [x0 + u * n_reps + r]
            vals += [1.0] * len(nbs) + [-1.0]
            n_rows += 1
    model.add_rows(np.array(rows, np.int64), np.array(cols, np.int64), np.array(vals), n_rows,
                   0.0, np.inf)  # fmt: skip


def _contiguity_cuts(
    inst: Instance, owner: np.ndarray, x0: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Separator cuts for every territory piece cut off from its rep's largest piece.

    For a piece ``S`` of rep ``r``, a unit ``v`` in it and a unit ``w`` of the
    rep's largest piece in the same adjacency component:
    ``x[v, r] + x[w, r] - sum over the neighbours u of S of x[u, r] <= 1``.
    Valid for every contiguous plan: a path from ``v`` to ``w`` leaves ``S``
    through one of its neighbours.
    """
    n_reps = inst.n_reps
    labels, _ = territory_pieces(inst, owner)
    neighbours = inst.neighbours
    comps = inst.components
    out = []
    for r in range(n_reps):
        mine = np.flatnonzero(owner == r)
        if len(mine) == 0:
            continue
        for comp in np.unique(comps[mine]).tolist():
            here = mine[comps[mine] == comp]
            pieces, sizes = np.unique(labels[here], return_counts=True)
            if len(pieces) <= 1:
                continue
            anchored = here[inst.locked[here]]
            main = labels[anchored[0]] if len(anchored) else pieces[np.argmax(sizes)]
            w = int(anchored[0]) if len(anchored) else int(here[labels[here] == main][0])
            for piece in pieces.tolist():
                if piece == main:
                    continue
                members = here[labels[here] == piece]
                ring = set(members.tolist())
                for _ in range(RINGS):
                    border = {v for u in ring for v in neighbours[u]} - ring
                    if w in border or not border:
                        break
                    for v in members[:CUTS_PER_PIECE].tolist():
                        cols = np.array([v, w, *sorted(border)], np.int64) * n_reps + r + x0
                        vals = np.concatenate([[1.0, 1.0], -np.ones(len(border))])
                        out.append((cols, vals))
                    ring |= border
    return out


def _lattice(inst: Instance, settings: Settings, weights: np.ndarray, weight_total: float,
             n_edges: int, centre_weight: float) -> float:  # fmt: skip
    """The step every objective value is a multiple of, or 0 when there is none.

    Moving units of whole-number weight, or cutting whole edges, changes the
    objective by whole steps; a bound may then be rounded up to the next step.
    """
    if settings.cost_weight > 0 or centre_weight > 0 or inst.preference is not None:
        return 0.0
    rebalance = settings.mode == "rebalance"
    disruption = rebalance and settings.disruption_weight > 0 and weight_total > 0
    compact = settings.compactness_weight > 0 and n_edges > 0
    if disruption and compact:
        return 0.0
    if disruption:
        if not np.allclose(weights, np.round(weights)):
            return 0.0
        return settings.disruption_weight / weight_total
    if compact:
        return settings.compactness_weight / n_edges
    return 0.0


def _on_lattice(bound: float, step: float) -> float:
    """``bound`` rounded up to the next multiple of ``step`` (unchanged without one)."""
    if step <= 0:
        return bound
    return float(np.ceil(bound / step - 1e-6) * step)


def _status(code: int) -> str:
    return {0: "optimal", 1: "time limit", 2: "infeasible"}.get(code, "failed")
