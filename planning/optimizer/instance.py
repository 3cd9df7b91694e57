"""The generic problem the optimizer solves: units, reps, measures and costs.

The optimizer never sees H3 cells, accounts or Dash. Whoever calls it turns its
own world into an :class:`Instance`: units and reps are integer positions
``0..U-1`` and ``0..R-1``, measures are columns of one float array, and the
adjacency (if any) is a symmetric CSR pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse
from scipy.sparse import csgraph

from common.errors import PlanError
from planning.arrays import frozen

Adjacency = tuple[np.ndarray, np.ndarray]


def adjacency_from_edges(a: ArrayLike, b: ArrayLike, n_units: int) -> Adjacency:
    """Symmetric CSR ``(indptr, indices)`` from undirected edges ``a[i] - b[i]``.

    Duplicates and self-loops are dropped: neither changes which units touch.
    """
    u = np.asarray(a, dtype=np.int64)
    v = np.asarray(b, dtype=np.int64)
    if u.shape != v.shape:
        raise PlanError(f"edge ends differ in length: {u.shape} and {v.shape}")
    bad = (u < 0) | (u >= n_units) | (v < 0) | (v >= n_units)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise PlanError(
            f"edge {i} joins units {u[i]} and {v[i]}; units are 0..{n_units - 1} "
            f"({int(bad.sum())} such edge(s))"
        )
    keep = u != v
    rows = np.concatenate([u[keep], v[keep]])
    cols = np.concatenate([v[keep], u[keep]])
    m = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n_units, n_units)
    )
    m.sum_duplicates()
    m.sort_indices()
    return m.indptr.astype(np.int64), m.indices.astype(np.int64)


def grid_adjacency(rows: int, cols: int) -> Adjacency:
    """Four-neighbour adjacency of a ``rows x cols`` grid, unit ``r * cols + c``."""
    ids = np.arange(rows * cols).reshape(rows, cols)
    a = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    b = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    return adjacency_from_edges(a, b, rows * cols)


@dataclass(frozen=True, eq=False)
class Instance:
    """Everything the optimizer needs to know about one balancing problem.

    Arrays are copied, checked and made read-only on construction; optional
    fields get their neutral default, so code downstream never tests for None
    except on ``adjacency`` (no contiguity without it) and ``capacity`` (equal
    shares without it).

    Parameters
    ----------
    measures
        ``(U, M)`` non-negative amounts per unit, e.g. visit hours and TAM.
    measure_names
        ``M`` unique column names, referred to by :class:`Settings`.
    cost
        ``(U, R)`` non-negative cost of rep ``r`` serving unit ``u`` (travel hours).
    adjacency
        ``(indptr, indices)`` CSR of units that touch; made symmetric here.
    cost_counts_toward
        Measure that the cost adds to when a rep owns the unit: the unit's
        workload for rep ``r`` is ``workload[u] + cost[u, r]``.
    capacity
        ``(R,)`` positive capacities: targets are ``total x capacity / sum``
        and, with ``Settings.max_capacity``, a hard ceiling on the load of
        :attr:`capacity_measure`.
    current
        ``(U,)`` owner today, ``-1`` for unassigned.
    locked
        ``(U,)`` units that must keep their current owner.
    fixed
        ``(R, M)`` amounts that always count for a rep (pinned accounts).
    disruption_weight
        ``(U,)`` what moving the unit costs in disruption (accounts, TAM); 1 each by default.
    unit_ids, rep_ids
        Labels for messages and files; positions by default.
    preference
        ``(U, R)`` what rep ``r`` holding unit ``u`` adds to the secondary objective as it
        stands (already weighted by the caller), counted toward no measure; None: nothing.
        Issue 15: auto-balance preferring experienced reps on contested ground
        (``planning.matching.experience_preference``), which the travel ``cost`` cannot
        carry because it counts toward workload.
    """

    measures: np.ndarray
    measure_names: tuple[str, ...]
    cost: np.ndarray
    adjacency: Adjacency | None = None
    cost_counts_toward: str | None = None
    capacity: np.ndarray | None = None
    # None given here means the neutral default; after __post_init__ these are always arrays
    current: np.ndarray = None  # type: ignore[assignment]
    locked: np.ndarray = None  # type: ignore[assignment]
    fixed: np.ndarray = None  # type: ignore[assignment]
    disruption_weight: np.ndarray = None  # type: ignore[assignment]
    unit_ids: np.ndarray = None  # type: ignore[assignment]
    rep_ids: np.ndarray = None  # type: ignore[assignment]
    preference: np.ndarray | None = None  # issue 15 (h15d): experience on contested ground

    def __post_init__(self) -> None:
        measures = np.array(self.measures, dtype=np.float64)
        if measures.ndim == 1:
            measures = measures[:, None]
        if measures.ndim != 2:
            raise PlanError(f"measures must be (units, measures); got shape {measures.shape}")
        n_units, n_measures = measures.shape
        if n_units == 0:
            raise PlanError("an instance needs at least one unit; got none")
        names = tuple(str(n) for n in self.measure_names)
        if len(names) != n_measures or len(set(names)) != n_measures:
            raise PlanError(
                f"need {n_measures} unique measure names for {n_measures} column(s); got {names}"
            )
        cost = np.array(self.cost, dtype=np.float64)
        if cost.ndim != 2 or cost.shape[0] != n_units or cost.shape[1] < 1:
            raise PlanError(f"cost must be ({n_units}, reps); got shape {cost.shape}")
        n_reps = cost.shape[1]
        for label, arr in (("measures", measures), ("cost", cost)):
            if not np.isfinite(arr).all() or (arr < 0).any():
                raise PlanError(f"{label} must be finite and >= 0; min is {np.nanmin(arr)}")
        if self.cost_counts_toward is not None and self.cost_counts_toward not in names:
            raise PlanError(
                f"cost_counts_toward is {self.cost_counts_toward!r}; measures are {names}"
            )

        def vector(value, default, dtype, label):
            if value is None:
                return np.full(n_units, default, dtype=dtype)
            arr = np.array(value, dtype=dtype)
            if arr.shape != (n_units,):
                raise PlanError(f"{label} must have shape ({n_units},); got {arr.shape}")
            return arr

        current = vector(self.current, -1, np.int64, "current")
        if ((current < -1) | (current >= n_reps)).any():
            bad = current[(current < -1) | (current >= n_reps)]
            raise PlanError(f"current owners must be -1..{n_reps - 1}; got {sorted(set(bad))[:5]}")
        locked = vector(self.locked, False, bool, "locked")
        if (locked & (current < 0)).any():
            u = int(np.flatnonzero(locked & (current < 0))[0])
            raise PlanError(f"unit {u} is locked but has no current owner")
        weight = vector(self.disruption_weight, 1.0, np.float64, "disruption_weight")
        if not np.isfinite(weight).all() or (weight < 0).any():
            raise PlanError("disruption_weight must be finite and >= 0")

        if self.capacity is None:
            capacity = None
        else:
            capacity = np.array(self.capacity, dtype=np.float64)
            if capacity.shape != (n_reps,) or not (capacity > 0).all():
                raise PlanError(
                    f"capacity must be {n_reps} positive numbers; got {capacity.tolist()[:5]}"
                )
        fixed = np.zeros((n_reps, n_measures)) if self.fixed is None else np.array(self.fixed)
        fixed = fixed.astype(np.float64)
        if fixed.shape != (n_reps, n_measures) or not np.isfinite(fixed).all():
            raise PlanError(
                f"fixed must be finite, shape ({n_reps}, {n_measures}); got {fixed.shape}"
            )

        adjacency = None
        if self.adjacency is not None:
            indptr, indices = (np.asarray(x, dtype=np.int64) for x in self.adjacency)
            if indptr.shape != (n_units + 1,) or indptr[-1] != len(indices):
                raise PlanError(
                    f"adjacency indptr must have {n_units + 1} entries ending at "
                    f"len(indices)={len(indices)}; got {indptr.shape[0]} ending at {indptr[-1]}"
                )
            src = np.repeat(np.arange(n_units), np.diff(indptr))
            adjacency = tuple(frozen(x) for x in adjacency_from_edges(src, indices, n_units))

        unit_ids = np.arange(n_units) if self.unit_ids is None else np.asarray(self.unit_ids)
        rep_ids = np.arange(n_reps) if self.rep_ids is None else np.asarray(self.rep_ids)
        if unit_ids.shape != (n_units,) or rep_ids.shape != (n_reps,):
            raise PlanError(
                f"need {n_units} unit ids and {n_reps} rep ids; "
                f"got {unit_ids.shape[0]} and {rep_ids.shape[0]}"
            )
        preference = None
        if self.preference is not None:
            preference = np.array(self.preference, dtype=np.float64)
            if preference.shape != (n_units, n_reps) or not np.isfinite(preference).all():
                raise PlanError(
                    f"preference must be finite, shape ({n_units}, {n_reps}); "
                    f"got {preference.shape}"
                )
        for name, value in (
            ("preference", preference),
            ("measures", measures),
            ("measure_names", names),
            ("cost", cost),
            ("adjacency", adjacency),
            ("capacity", None if capacity is None else frozen(capacity)),
            ("current", current),
            ("locked", locked),
            ("fixed", fixed),
            ("disruption_weight", weight),
            ("unit_ids", unit_ids),
            ("rep_ids", rep_ids),
        ):
            if isinstance(value, np.ndarray):
                value = frozen(value)
            object.__setattr__(self, name, value)

    @property
    def n_units(self) -> int:
        """U, the number of units."""
        return self.measures.shape[0]

    @property
    def n_reps(self) -> int:
        """R, the number of reps."""
        return self.cost.shape[1]

    @property
    def n_measures(self) -> int:
        """M, the number of measures."""
        return self.measures.shape[1]

    def measure_index(self, name: str) -> int:
        """Column of measure ``name``; the error lists the names we have."""
        try:
            return self.measure_names.index(name)
        except ValueError:
            known = self.measure_names
            raise PlanError(f"unknown measure {name!r}; measures are {known}") from None

    @property
    def cost_measure(self) -> int:
        """Column the cost adds to, or -1 when cost is only a cost."""
        if self.cost_counts_toward is None:
            return -1
        return self.measure_index(self.cost_counts_toward)

    @cached_property
    def share(self) -> np.ndarray:
        """Each rep's share of every total: capacity over total capacity, equal without."""
        if self.capacity is None:
            return np.full(self.n_reps, 1.0 / self.n_reps)
        return self.capacity / self.capacity.sum()

    @cached_property
    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Each undirected edge once, as ``(a, b)`` with ``a < b``; empty without adjacency."""
        if self.adjacency is None:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        indptr, indices = self.adjacency
        src = np.repeat(np.arange(self.n_units), np.diff(indptr))
        keep = src < indices
        return src[keep], indices[keep]

    @cached_property
    def components(self) -> np.ndarray:
        """Connected component of each unit in the adjacency (one per unit without it)."""
        if self.adjacency is None:
            return np.arange(self.n_units)
        indptr, indices = self.adjacency
        m = sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.int8), indices, indptr),
            shape=(self.n_units, self.n_units),
        )
        return csgraph.connected_components(m, directed=False)[1]

    @cached_property
    def neighbours(self) -> list[list[int]]:
        """Adjacency as Python lists, for the per-move loops that index one unit at a time."""
        if self.adjacency is None:
            return [[] for _ in range(self.n_units)]
        indptr, indices = self.adjacency
        flat = indices.tolist()
        bounds = indptr.tolist()
        return [flat[bounds[u] : bounds[u + 1]] for u in range(self.n_units)]

    def unit_label(self, u: int) -> str:
        """The caller's name for unit ``u``."""
        return str(self.unit_ids[u])

    def rep_label(self, r: int) -> str:
        """The caller's name for rep ``r``."""
        return str(self.rep_ids[r])
