"""The cells that change owner between two plans, as map units one geometry URL can draw.

Pure: the comparison of two scenarios (``services.scenarios``) hands the two
owner arrays here and the Scenarios tab draws the result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo.lod import MAX_DRAWN, BBox, DisplayLevel, drawn_units, parse_view_key, quantise, view_key

VIEW_PAD_DEG = 0.01  # margin around the changed cells: keeps rounded view keys around them


@dataclass(frozen=True, eq=False)
class ChangedView:
    """The cells that change owner between two plans, as map units of one display level.

    Attributes
    ----------
    level
        Index into the board's display levels (0: the plan's own cells).
    snapped
        The view whose geometry (``/geo/...``) holds every unit; None = whole area.
    units
        Unit indices of the level that hold at least one changed cell.
    to_owner
        Receiving rep position per unit (the most common one for coarse units; -1 unassigned).
    cells
        Changed cells per unit.
    hover
        "from R03 to R07" per unit, with cell counts for coarse units.
    """

    level: int
    resolution: int
    snapped: BBox | None
    units: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    to_owner: np.ndarray
    cells: np.ndarray
    hover: list[str]
    complete: bool = True


def changed_view(
    levels: list[DisplayLevel],
    before: np.ndarray,
    after: np.ndarray,
    rep_ids: np.ndarray,
    max_drawn: int = MAX_DRAWN,
) -> ChangedView:
    """The changed cells as units of the finest level that draws them all from one geometry URL.

    Level 0 (the cells themselves) when at most ``max_drawn`` cells change
    and a served view holds them all; else coarser units, each coloured by
    the rep receiving most of its changed cells.
    """
    changed = np.flatnonzero(np.asarray(before) != np.asarray(after))
    if len(changed) == 0:
        return _changed_units(levels, 0, None, changed, before, after, rep_ids)
    for index, level in enumerate(levels):
        units = np.unique(level.unit_of_cell[changed])
        if len(units) > max_drawn:
            continue
        for snapped in (_snapped_around(level, units), None):
            if np.isin(units, drawn_units(levels, index, snapped)).all():
                return _changed_units(levels, index, snapped, changed, before, after, rep_ids)
    coarsest = len(levels) - 1  # more changed units than any view draws: show what fits
    view = _changed_units(levels, coarsest, None, changed, before, after, rep_ids)
    keep = np.isin(view.units, drawn_units(levels, coarsest, None))
    hover = [h for h, k in zip(view.hover, keep, strict=True) if k]
    return ChangedView(
        view.level, view.resolution, None, view.units[keep], view.lat[keep], view.lon[keep],
        view.to_owner[keep], view.cells[keep], hover, complete=bool(keep.all()),
    )  # fmt: skip


def _snapped_around(level: DisplayLevel, units: np.ndarray) -> BBox | None:
    """A served view key (snapped and read back) around the units' centres."""
    lat, lon = level.lat[units], level.lon[units]
    bbox = (
        float(lon.min()) - VIEW_PAD_DEG,
        float(lat.min()) - VIEW_PAD_DEG,
        float(lon.max()) + VIEW_PAD_DEG,
        float(lat.max()) + VIEW_PAD_DEG,
    )
    return parse_view_key(view_key(quantise(bbox)))


def _changed_units(
    levels: list[DisplayLevel],
    index: int,
    snapped: BBox | None,
    changed: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
    rep_ids: np.ndarray,
) -> ChangedView:
    level = levels[index]
    unit_of = level.unit_of_cell[changed]
    units, inverse, counts = np.unique(unit_of, return_inverse=True, return_counts=True)
    n_reps = len(rep_ids)
    to = np.asarray(after)[changed]
    frm = np.asarray(before)[changed]
    votes = np.zeros((len(units), n_reps + 1), np.int64)
    np.add.at(votes, (inverse, to + 1), 1)
    to_owner = votes.argmax(axis=1) - 1 if len(units) else np.zeros(0, np.int64)
    labels = np.append(np.asarray(rep_ids, dtype=object), "unassigned")  # -1 -> last
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], np.arange(len(units) + 1))
    hover = []
    for u in range(len(units)):
        run = order[starts[u] : starts[u + 1]]
        hover.append(move_text(frm[run], to[run], labels))
    return ChangedView(
        level=index,
        resolution=level.resolution,
        snapped=snapped,
        units=units.astype(np.int64),
        lat=level.lat[units],
        lon=level.lon[units],
        to_owner=to_owner.astype(np.int64),
        cells=counts.astype(np.int64),
        hover=hover,
    )


def move_text(before: np.ndarray, after: np.ndarray, labels: np.ndarray) -> str:
    """Hover text of a unit: "from R03 to R07", or "3 cells from R03 (2), R05 (1) to R07"."""

    def owners(values: np.ndarray) -> str:
        found, counts = np.unique(values, return_counts=True)
        if len(found) == 1:
            return str(labels[found[0]])
        pairs = sorted(
            zip(counts.tolist(), found.tolist(), strict=True), key=lambda p: (-p[0], p[1])
        )
        return ", ".join(f"{labels[v]} ({c})" for c, v in pairs)

    text = f"from {owners(before)} to {owners(after)}"
    return text if len(before) == 1 else f"{len(before):,} cells {text}"
