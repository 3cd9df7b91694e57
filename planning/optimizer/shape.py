"""Shapes a planner would sign (issue 13 point 3): one-cell corridors and Polsby-Popper on a graph.

Definitions used by the search and by the tests:

- A unit is **thin** in its territory when it has at most two neighbours of the
  same owner and, if two, those two neither touch each other nor share another
  neighbour of that owner (the unit is a link of a chain one unit wide, or the
  tip of one; a corner of a block on a square grid is not thin). Units with at most two neighbours
  in the whole adjacency are never thin: the land itself is that narrow there.
- A **one-cell corridor** is two thin units of the same territory that touch:
  a chain of at least two units, one unit wide. A single thin unit (a bump on a
  border, or the tip of a wedge) is not a corridor.
- **Polsby-Popper on the graph**: ``4 pi area / perimeter^2`` with every unit a
  regular polygon of ``sides`` sides (the adjacency's largest degree: 6 on
  hexagons, 4 on a square grid) and unit side length. A territory's perimeter
  is the number of unit sides not shared with a unit of the same owner (sides
  toward another rep and sides at the area's edge). On equal hexagons this is
  exactly the Polsby-Popper of the union of cells; on H3 cells of one
  resolution it is close to ``planning.metrics``' figure.
"""

from __future__ import annotations

import math

import numpy as np

from planning.optimizer.instance import Instance

MIN_POLSBY_POPPER = 0.15
"""Least Polsby-Popper a territory should have where the area allows it (issue 13)."""

PP_GOAL = 0.3
"""Polsby-Popper below which the tidy pass weighs a territory's border more (ReCom's mean)."""


def neighbour_sets(instance: Instance) -> list[set[int]]:
    """Each unit's neighbours as a set, for "do these two touch" in the per-move checks."""
    return [set(n) for n in instance.neighbours]


def is_thin(neighbours: list[list[int]], sets: list[set[int]], owner: list[int], v: int) -> bool:
    """Whether unit ``v`` is thin in its territory under ``owner`` (see the module docstring)."""
    around = neighbours[v]
    if len(around) <= 2:
        return False
    rep = owner[v]
    same = [w for w in around if owner[w] == rep]
    if len(same) >= 3:
        return False
    if len(same) == 2:
        x, y = same
        if y in sets[x]:
            return False
        # a corner on a square grid: the two meet through a unit of the same owner
        return not any(owner[z] == rep and z != v for z in sets[x] & sets[y])
    return True


def thin_units(instance: Instance, owner: np.ndarray) -> np.ndarray:
    """``(U,)`` True where the unit is thin in its territory."""
    sets = neighbour_sets(instance)
    owner_list = np.asarray(owner).tolist()
    neighbours = instance.neighbours
    return np.array(
        [is_thin(neighbours, sets, owner_list, v) for v in range(instance.n_units)], dtype=bool
    )


def corridor_units(instance: Instance, owner: np.ndarray) -> np.ndarray:
    """``(U,)`` True where the unit is in a one-cell corridor (a thin unit touching another)."""
    owner = np.asarray(owner)
    thin = thin_units(instance, owner) & (owner >= 0)
    a, b = instance.edges
    pair = thin[a] & thin[b] & (owner[a] == owner[b])
    out = np.zeros(instance.n_units, dtype=bool)
    out[a[pair]] = True
    out[b[pair]] = True
    return out


def unit_sides(instance: Instance) -> int:
    """Sides of the polygon every unit counts as: the adjacency's largest degree (6 on hexagons)."""
    if instance.adjacency is None:
        return 6
    return max(int(np.diff(instance.adjacency[0]).max()), 3)


def polsby_popper(instance: Instance, owner: np.ndarray, sides: int | None = None) -> np.ndarray:
    """``(R,)`` Polsby-Popper of every territory on the graph (NaN for an empty one).

    Every unit is a regular ``sides``-gon of side 1 (area ``k / (4 tan(pi/k))``);
    the perimeter counts the sides of a territory's units not shared with the
    same owner.
    """
    units, perimeter, area_one = _territory_sides(instance, owner, sides)
    return _ratio(units * area_one, perimeter)


def _territory_sides(
    instance: Instance, owner: np.ndarray, sides: int | None
) -> tuple[np.ndarray, np.ndarray, float]:
    """Per territory: units, perimeter in unit sides, and the area of one unit."""
    owner = np.asarray(owner)
    k = sides or unit_sides(instance)
    area_one = k / (4.0 * math.tan(math.pi / k))
    assigned = owner >= 0
    units = np.bincount(owner[assigned], minlength=instance.n_reps).astype(float)
    a, b = instance.edges
    same = (owner[a] == owner[b]) & (owner[a] >= 0)
    shared = np.bincount(owner[a[same]], minlength=instance.n_reps) * 2
    return units, units * k - shared, area_one


def _ratio(area: np.ndarray, perimeter: np.ndarray) -> np.ndarray:
    """``4 pi area / perimeter^2``, NaN where there is no perimeter."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(perimeter > 0, 4 * math.pi * area / np.maximum(perimeter, 1) ** 2, np.nan)


def regular_tiling(instance: Instance) -> bool:
    """Whether the units may tile the area as equal polygons (H3 cells, a grid): at most 6 sides.

    Polsby-Popper on the graph, edge sides and corridors mean something only
    there; on an irregular graph (points joined by Delaunay, degrees 3-12)
    the largest degree is no polygon's side count. No regular polygon tiles
    the plane with more than six neighbours a side.
    """
    return instance.adjacency is not None and unit_sides(instance) <= 6


def edge_sides(instance: Instance, sides: int | None = None) -> np.ndarray:
    """``(U,)`` sides of every unit at the area's edge (a coast, a border): no neighbour there."""
    k = sides or unit_sides(instance)
    if instance.adjacency is None:
        return np.full(instance.n_units, k)
    return np.clip(k - np.diff(instance.adjacency[0]), 0, None)


def inland_polsby_popper(
    instance: Instance, owner: np.ndarray, sides: int | None = None
) -> np.ndarray:
    """``(R,)`` Polsby-Popper with the sides at the area's edge left out of the perimeter.

    Why: a territory along a ragged coast or a border has a long perimeter no
    plan can shorten. When this figure clears the floor while
    :func:`polsby_popper` does not, the area, not the plan, makes it thin.
    At most 1 (a territory almost all coast would otherwise score above a circle).
    """
    owner = np.asarray(owner)
    k = sides or unit_sides(instance)
    units, perimeter, area_one = _territory_sides(instance, owner, k)
    coast = _coast_sides(instance, owner, k)
    return np.minimum(_ratio(units * area_one, perimeter - coast), 1.0)


def _coast_sides(instance: Instance, owner: np.ndarray, k: int) -> np.ndarray:
    """``(R,)`` sides of every territory at the area's edge."""
    assigned = owner >= 0
    return np.bincount(owner[assigned], weights=edge_sides(instance, k)[assigned],
                       minlength=instance.n_reps)  # fmt: skip


def edge_share(instance: Instance, owner: np.ndarray, sides: int | None = None) -> np.ndarray:
    """``(R,)`` share of every territory's perimeter at the area's edge (0 without perimeter)."""
    owner = np.asarray(owner)
    k = sides or unit_sides(instance)
    _, perimeter, _ = _territory_sides(instance, owner, k)
    coast = _coast_sides(instance, owner, k)
    return np.where(perimeter > 0, coast / np.maximum(perimeter, 1), 0.0)


def corridor_pairs_near(
    neighbours: list[list[int]], sets: list[set[int]], owner: list[int], u: int
) -> int:
    """One-cell-corridor pairs with an end in ``u`` or one of its neighbours.

    Only these can change when ``u`` changes owner (thinness depends on a unit's
    own neighbours), so comparing the count before and after a move tells
    whether the move creates a corridor. Pairs are counted from each end near
    ``u``, the same way before and after.
    """
    near = [u, *neighbours[u]]
    thin: dict[int, bool] = {}

    def thin_of(v: int) -> bool:
        t = thin.get(v)
        if t is None:
            t = thin[v] = is_thin(neighbours, sets, owner, v)
        return t

    count = 0
    for x in near:
        if not thin_of(x):
            continue
        rep = owner[x]
        for y in neighbours[x]:
            if owner[y] == rep and thin_of(y):
                count += 1
    return count


def move_creates_corridor(
    neighbours: list[list[int]], sets: list[set[int]], owner: list[int], u: int, b: int
) -> bool:
    """Whether giving ``u`` to rep ``b`` adds a one-cell corridor near it (``owner`` restored)."""
    a = owner[u]
    before = corridor_pairs_near(neighbours, sets, owner, u)
    owner[u] = b
    after = corridor_pairs_near(neighbours, sets, owner, u)
    owner[u] = a
    return after > before
