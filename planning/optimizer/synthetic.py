"""Synthetic instances on a grid, for tests, benchmarks and trying settings out."""

from __future__ import annotations

import numpy as np

from planning.optimizer.instance import Adjacency, Instance, adjacency_from_edges, grid_adjacency


def hex_adjacency(rows: int, cols: int) -> Adjacency:
    """Six-neighbour adjacency of ``rows x cols`` cells in offset rows (odd rows shifted right)."""
    ids = np.arange(rows * cols).reshape(rows, cols)
    a = [ids[:, :-1].ravel(), ids[:-1, :].ravel()]
    b = [ids[:, 1:].ravel(), ids[1:, :].ravel()]
    even, odd = ids[0:-1:2], ids[1::2]
    a += [even[:, 1:].ravel()]  # even row: down-left
    b += [ids[1::2][: len(even), :-1].ravel()]
    nxt = ids[2::2]
    a += [odd[: len(nxt), :-1].ravel()]  # odd row: down-right
    b += [nxt[:, 1:].ravel()]
    return adjacency_from_edges(np.concatenate(a), np.concatenate(b), rows * cols)


def grid_instance(
    rows: int,
    cols: int,
    n_reps: int,
    *,
    seed: int = 0,
    travel_per_step: float = 0.0,
    capacity: bool = False,
    hexagonal: bool = False,
) -> Instance:
    """A ``rows x cols`` grid of units with random workload and TAM, reps at random homes.

    Each unit's current owner is the nearest home (a Voronoi plan: contiguous
    but unbalanced, as real inherited territories are). Cost is the grid
    distance to the home; with ``travel_per_step`` > 0 it also adds
    ``travel_per_step x distance`` to the unit's workload for its owner.
    ``hexagonal`` gives every unit six neighbours, as H3 cells have.
    """
    rng = np.random.default_rng(seed)
    y, x = np.divmod(np.arange(rows * cols), cols)
    homes = rng.choice(rows * cols, size=n_reps, replace=False)
    hy, hx = np.divmod(homes, cols)
    distance = np.hypot(y[:, None] - hy[None, :], x[:, None] - hx[None, :])
    measures = np.stack(
        [rng.gamma(4.0, 2.5, rows * cols), rng.lognormal(3.0, 0.8, rows * cols)], axis=1
    )
    return Instance(
        measures=measures,
        measure_names=("workload", "tam"),
        cost=distance * travel_per_step if travel_per_step else distance,
        adjacency=hex_adjacency(rows, cols) if hexagonal else grid_adjacency(rows, cols),
        cost_counts_toward="workload" if travel_per_step else None,
        capacity=rng.uniform(0.8, 1.2, n_reps) * measures[:, 0].sum() / n_reps
        if capacity
        else None,
        current=np.argmin(distance, axis=1),
        unit_ids=np.array([f"u{i}" for i in range(rows * cols)]),
        rep_ids=np.array([f"R{r + 1}" for r in range(n_reps)]),
    )


def seeded_instance(
    n_units: int,
    n_reps: int,
    seed: int,
    *,
    adjacency: bool = True,
    travel_per_unit: float = 0.0,
    locked_share: float = 0.0,
) -> Instance:
    """A generic instance of ``n_units`` random points in the unit square (tests against optima).

    Units are points drawn uniformly; reps live at ``n_reps`` of them (their
    homes). Workload is gamma-distributed (mean 10), cost is the straight-line
    distance to the rep's home times 10 (two decimals), the current owner is
    the nearest home (a Voronoi plan: compact, unbalanced), and with
    ``adjacency`` units touch along their Delaunay triangulation (planar and
    connected, like the cells of a map). ``travel_per_unit`` > 0 adds that
    share of the cost to the unit's workload for its owner; ``locked_share``
    of the units, drawn at random, keep their current owner. Deterministic for
    one seed and parameters.
    """
    from scipy.spatial import Delaunay

    if n_units < max(n_reps, 3):
        raise ValueError(f"need at least {max(n_reps, 3)} units for {n_reps} reps")
    rng = np.random.default_rng(seed)
    points = rng.uniform(0.0, 1.0, size=(n_units, 2))
    homes = rng.choice(n_units, size=n_reps, replace=False)
    distance = np.hypot(*(points[:, None, :] - points[None, homes, :]).transpose(2, 0, 1))
    cost = np.round(10.0 * distance, 2)
    workload = np.round(rng.gamma(4.0, 2.5, n_units), 2)
    current = np.argmin(distance, axis=1)
    locked = np.zeros(n_units, dtype=bool)
    if locked_share > 0:
        locked[rng.choice(n_units, size=int(locked_share * n_units), replace=False)] = True
        locked[homes] = True  # a rep keeps its home: locks never strand a rep
    adj = None
    if adjacency:
        simplices = Delaunay(points).simplices
        a = np.concatenate([simplices[:, 0], simplices[:, 1], simplices[:, 2]])
        b = np.concatenate([simplices[:, 1], simplices[:, 2], simplices[:, 0]])
        adj = adjacency_from_edges(a, b, n_units)
    return Instance(
        measures=workload[:, None],
        measure_names=("workload",),
        cost=cost * travel_per_unit if travel_per_unit else cost,
        adjacency=adj,
        cost_counts_toward="workload" if travel_per_unit else None,
        current=current,
        locked=locked,
        unit_ids=np.array([f"u{i:03d}" for i in range(n_units)]),
        rep_ids=np.array([f"R{r + 1}" for r in range(n_reps)]),
    )
