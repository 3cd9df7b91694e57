"""How much load should cross each border between territories: a small linear program.

Without it a local search stalls when an overloaded rep is surrounded by reps
that are within tolerance: none of them gains anything by taking its units.
The flow says which borders the surplus should travel over, so reps in the
middle pass it on.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import linprog


def desired_flows(
    pairs: np.ndarray,
    load: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    price: np.ndarray | None = None,
) -> np.ndarray:
    """Cheapest flow over rep borders that brings every load into ``[low, high]``.

    Parameters
    ----------
    pairs
        ``(P, 2)`` directed: load may flow from ``pairs[i, 0]`` to ``pairs[i, 1]``
        (a border whose units on one side are all locked flows one way only).
    load, low, high
        ``(R,)`` loads now and the band each should end in.
    price
        ``(P,)`` cost per unit of flow along each pair, 1 by default: a border
        that proved hard to cross can be made dearer.

    Returns
    -------
    ``(P,)`` flow along each pair, >= 0. Where the band cannot be reached (a
    walled-in rep, a team over capacity) slack absorbs the rest, so the program
    always has an answer.
    """
    n_pairs, n_reps = len(pairs), len(load)
    if n_pairs == 0:
        return np.zeros(0)
    scale = float(np.mean(np.abs(high))) or 1.0
    load, low, high = load / scale, low / scale, high / scale
    col = np.arange(n_pairs)
    incidence = sparse.csr_matrix(
        (
            np.r_[-np.ones(n_pairs), np.ones(n_pairs)],
            (np.r_[pairs[:, 0], pairs[:, 1]], np.r_[col, col]),
        ),
        shape=(n_reps, n_pairs),
    )
    eye = sparse.identity(n_reps, format="csr")
    zero = sparse.csr_matrix((n_reps, n_reps))
    a_ub = sparse.vstack(
        [sparse.hstack([incidence, -eye, zero]), sparse.hstack([-incidence, zero, -eye])],
        format="csr",
    )
    b_ub = np.r_[high - load, load - low]
    price = np.ones(n_pairs) if price is None else np.asarray(price, dtype=float)
    penalty = 10.0 * (n_reps + 1) * float(price.max())
    c = np.r_[price, np.full(2 * n_reps, penalty)]
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    if res.status != 0:
        return np.zeros(n_pairs)
    return np.maximum(res.x[:n_pairs], 0.0) * scale
