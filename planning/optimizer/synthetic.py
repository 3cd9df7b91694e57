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
