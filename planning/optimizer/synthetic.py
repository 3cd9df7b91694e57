"""Synthetic instances on a grid, for tests, benchmarks and trying settings out."""

from __future__ import annotations

import numpy as np

from planning.optimizer.instance import Instance, grid_adjacency


def grid_instance(
    rows: int,
    cols: int,
    n_reps: int,
    *,
    seed: int = 0,
    travel_per_step: float = 0.0,
    capacity: bool = False,
) -> Instance:
    """A ``rows x cols`` grid of units with random workload and TAM, reps at random homes.

    Each unit's current owner is the nearest home (a Voronoi plan: contiguous
    but unbalanced, as real inherited territories are). Cost is the grid
    distance to the home; with ``travel_per_step`` > 0 it also adds
    ``travel_per_step x distance`` to the unit's workload for its owner.
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
        adjacency=grid_adjacency(rows, cols),
        cost_counts_toward="workload" if travel_per_step else None,
        capacity=rng.uniform(0.8, 1.2, n_reps) * measures[:, 0].sum() / n_reps
        if capacity
        else None,
        current=np.argmin(distance, axis=1),
        unit_ids=np.array([f"u{i}" for i in range(rows * cols)]),
        rep_ids=np.array([f"R{r + 1}" for r in range(n_reps)]),
    )
