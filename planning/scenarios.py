"""Scenarios side by side: the list with key figures, actions, comparison, history, exports.

Dash-free: ``callbacks/scenarios.py`` unpacks a request, calls one function
here and packs the answer. Like ``planning.editing`` nothing is kept between
calls but memoised values of immutable inputs (a scenario's figures at one
version), so any gunicorn worker can answer any request.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np

from common.errors import PlanError
from data.exports import FORMATS, export_plan, write_comparison_workbook
from data.store import (
    MoveRecord,
    ReadOnlyScenarioError,
    ScenarioExistsError,
    ScenarioInfo,
    StaleVersionError,
)
from geo.lod import MAX_DRAWN, DisplayLevel, drawn_units, parse_view_key, quantise, view_key
from planning import editing
from planning.arrays import frozen
from planning.compare import Comparison, compare_plans
from planning.metrics import team_metrics
from planning.names import unique_name
from planning.plan import Plan
from planning.tally import moved_tally

ACTIONS = ("new", "branch", "rename", "delete", "open")
MAX_NAME = 200  # the store's column width
VIEW_PAD_DEG = 0.01  # margin around the changed cells: keeps rounded view keys around them
EXPORT_NAMES = {
    "csv": ("accounts", "csv"),
    "xlsx": ("workbook", "xlsx"),
    "geojson": ("territories", "geojson"),
    "parquet": ("territories", "parquet"),
    "plan": ("plan", "csv"),
}


@dataclass(frozen=True)
class ScenarioFigures:
    """The key figures of one scenario at one version (what the list shows)."""

    workload_worst_deviation: float
    coverage: float
    moved_accounts: int
    moved_share: float
    contiguous: bool


@dataclass(frozen=True)
class ScenarioRow:
    """One line of the scenario list: who it is, and its key figures."""

    info: ScenarioInfo
    figures: ScenarioFigures
    current: bool


@dataclass(frozen=True)
class Outcome:
    """What an action did: the scenario the page shows next, and what to tell the user.

    ``scenario_id`` is None when the page keeps its scenario; ``header`` is
    the new header text after a rename.
    """

    scenario_id: int | None
    message: str
    changed: bool
    header: str | None = None


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
    snapped: tuple[float, float, float, float] | None
    units: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    to_owner: np.ndarray
    cells: np.ndarray
    hover: list[str]
    complete: bool = True


@dataclass(frozen=True, eq=False)
class ScenarioComparison:
    """Scenario ``a`` (before) against ``b`` (after), with the changed cells as map units."""

    a: ScenarioInfo
    b: ScenarioInfo
    comparison: Comparison
    changed: ChangedView
    rep_ids: np.ndarray
    names: np.ndarray


# -- the list ------------------------------------------------------------------------------


def scenario_rows(url: str, current_id: int, tolerance: float) -> list[ScenarioRow]:
    """Every scenario of the current one's dataset, oldest first, with its key figures."""
    store = editing.open_store(url)
    dataset_id = store.scenario(current_id).dataset_id
    return [
        ScenarioRow(
            info,
            scenario_figures(url, info.id, info.version, info.created_at, tolerance),
            info.id == current_id,
        )
        for info in store.scenarios(dataset_id)
    ]


@lru_cache(maxsize=256)
def scenario_figures(
    url: str, scenario_id: int, version: int, created_at: datetime, tolerance: float
) -> ScenarioFigures:
    """Key figures of a scenario at ``version``; memoised, as a version never changes.

    ``created_at`` is part of the key because SQLite may give a deleted
    scenario's id to the next new one. "Moved" counts the accounts whose
    cell has another owner than in the baseline at the same resolution
    (pinned accounts never move), so the baseline itself reads 0.
    """
    board, plan, _ = editing.load(url, scenario_id)
    team = team_metrics(plan, tolerance)
    moved = int(plan.market.cell_accounts[plan.owner != board.baseline.owner].sum())
    total = int(plan.market.cell_accounts.sum())
    return ScenarioFigures(
        workload_worst_deviation=float(team["workload_worst_deviation"]),
        coverage=float(team["coverage"]),
        moved_accounts=moved,
        moved_share=moved / total if total else 0.0,
        contiguous=bool((plan.tally.components <= 1).all()),
    )


def compare_pair(rows: list[ScenarioRow], a: int | None, b: int | None) -> tuple[int, int]:
    """The two scenarios to compare: the user's picks while they exist, else baseline vs current.

    The default baseline is the one at the current scenario's cell size, so
    the pair can always be compared.
    """
    ids = {r.info.id for r in rows}
    current = next(r.info for r in rows if r.current)
    baseline = next(
        (r.info.id for r in rows if r.info.baseline and r.info.resolution == current.resolution),
        current.id,
    )
    return (a if a in ids else baseline), (b if b in ids else current.id)


# -- actions -------------------------------------------------------------------------------


def act(url: str, action: str, scenario_id: int, name: str | None = None) -> Outcome:
    """New from baseline, branch, rename, delete or open, on behalf of the current scenario.

    Refusals (the baseline cannot be renamed or deleted, a name is taken)
    come back as messages: they are answers, not failures.
    """
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}, got {action!r}")
    store = editing.open_store(url)
    record = store.scenario(scenario_id)
    name = (name or "").strip()
    if len(name) > MAX_NAME:
        return Outcome(None, f"Names are at most {MAX_NAME} characters; this one has {len(name)}.",
                       False)  # fmt: skip
    taken = {s.name for s in store.scenarios(record.dataset_id)}
    try:
        if action == "open":
            note = " It is read-only: branch it to make changes." if record.read_only else ""
            return Outcome(scenario_id, f"Opened “{record.name}”.{note}", False)
        if action == "new":
            base = store.baseline_id(record.dataset_id, record.resolution)
            if base is None:
                raise PlanError(f"the dataset has no baseline at resolution {record.resolution}")
            new_name = name or unique_name(taken, "Scenario")
            new_id = store.duplicate_scenario(base, new_name)
            return Outcome(new_id, f"Created “{new_name}” from the baseline.", True)
        if action == "branch":
            new_name = name or unique_name(taken, f"{record.name} (branch)")
            new_id = store.duplicate_scenario(scenario_id, new_name)
            return Outcome(new_id, f"Branched “{record.name}” into “{new_name}”.", True)
        if action == "rename":
            if record.read_only:
                return Outcome(None, _read_only_text(record, "renamed"), False)
            if not name:
                return Outcome(None, "Type the new name first.", False)
            store.rename_scenario(scenario_id, name)
            return Outcome(None, f"Renamed “{record.name}” to “{name}”.", True, header=name)
        if record.read_only:
            return Outcome(None, _read_only_text(record, "deleted"), False)
        store.delete_scenario(scenario_id)
        rest = store.scenarios(record.dataset_id)
        next_id = _after_delete(rest, record.parent_id, record.resolution)
        return Outcome(next_id, f"Deleted “{record.name}”.", True)
    except ScenarioExistsError:
        return Outcome(None, f"A scenario named “{name}” exists already: pick another name.",
                       False)  # fmt: skip
    except ReadOnlyScenarioError as err:
        return Outcome(None, str(err), False)


def delete_prompt(url: str, scenario_id: int) -> tuple[bool, str]:
    """Whether the scenario may be deleted, and the question (or the refusal) to show."""
    record = editing.open_store(url).scenario(scenario_id)
    if record.read_only:
        return False, _read_only_text(record, "deleted")
    return True, (
        f"Delete “{record.name}” and its history? Its branches keep their plans. "
        "This cannot be undone."
    )


def _read_only_text(record: ScenarioInfo, what: str) -> str:
    if record.baseline:
        return (
            f"The baseline (last quarter) cannot be {what}: every other scenario is compared "
            "with it. Branch it to make changes."
        )
    return f"“{record.name}” is read-only and cannot be {what}. Branch it to make changes."


def _after_delete(rest: list[ScenarioInfo], parent_id: int | None, resolution: int) -> int:
    """Where the page goes after a delete: the parent, else a working scenario, else a baseline."""
    ids = {s.id for s in rest}
    if parent_id in ids:
        return int(parent_id)
    editable = [s for s in rest if not s.read_only]
    same = [s for s in rest if s.resolution == resolution]
    for group in (editable, same, rest):
        if group:
            return group[0].id
    raise PlanError("the dataset has no scenario left to show")


# -- compare -------------------------------------------------------------------------------


def compare_scenarios(url: str, a_id: int, b_id: int, tolerance: float) -> ScenarioComparison:
    """Per-rep deltas, what moved, balance before and after, and the changed cells' units.

    Raises
    ------
    PlanError
        The two scenarios are drawn at different resolutions (or on other
        data), so their cells cannot be lined up.
    """
    store = editing.open_store(url)
    a, b = store.scenario(a_id), store.scenario(b_id)
    if (a.dataset_id, a.resolution, a.area_id) != (b.dataset_id, b.resolution, b.area_id):
        raise PlanError(
            f"“{a.name}” (resolution {a.resolution}) and “{b.name}” (resolution {b.resolution}) "
            "are drawn on different cells; compare scenarios of one cell size"
        )
    board, plan_a, _ = editing.load(url, a_id)
    _, plan_b, _ = editing.load(url, b_id)
    comparison = compare_plans(plan_a, plan_b, tolerance)
    market = board.market
    names = market.reps["name"].astype(str).to_numpy()
    changed = changed_view(board.levels, plan_a.owner, plan_b.owner, market.rep_ids)
    return ScenarioComparison(a, b, comparison, changed, market.rep_ids, names)


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


def _snapped_around(level: DisplayLevel, units: np.ndarray):
    """A served view key (snapped and read back) around the units' centres."""
    lat, lon = level.lat[units], level.lon[units]
    bbox = (
        float(lon.min()) - VIEW_PAD_DEG,
        float(lat.min()) - VIEW_PAD_DEG,
        float(lon.max()) + VIEW_PAD_DEG,
        float(lat.max()) + VIEW_PAD_DEG,
    )
    return parse_view_key(view_key(quantise(bbox)))


def _changed_units(levels, index, snapped, changed, before, after, rep_ids) -> ChangedView:
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


# -- history and restore -------------------------------------------------------------------


def state_after(
    moves: list[MoveRecord], owner: np.ndarray, locked: np.ndarray, seq: int
) -> tuple[np.ndarray, np.ndarray]:
    """Owners and locks right after log entry ``seq`` (0: as the scenario was created).

    Walks back from the current state, reverting every later entry. Each
    entry lists exactly the cells it changed with their state on either
    side, so this is exact. A move that was undone and then dropped from the
    redo stack by a new move is gone from the log, but its undo entry holds
    the same cells the other way round, which stands in for it.
    """
    by_seq = {m.seq: (m.cells, m.before, m.before_locked) for m in moves}
    if seq != 0 and seq not in by_seq:
        known = ", ".join(str(s) for s in sorted(by_seq)) or "none"
        raise ValueError(f"the log has no entry {seq} (entries: {known})")
    for m in moves:
        if m.kind in ("undo", "redo") and m.ref_seq is not None and m.ref_seq not in by_seq:
            # an undo holds the move's cells after -> before; a redo before -> after
            was = (m.after, m.after_locked) if m.kind == "undo" else (m.before, m.before_locked)
            by_seq[m.ref_seq] = (m.cells, *was)
    owner, locked = np.array(owner, np.int64), np.array(locked, bool)
    for s in sorted((s for s in by_seq if s > seq), reverse=True):
        cells, before, before_locked = by_seq[s]
        owner[cells], locked[cells] = before, before_locked
    return owner, locked


def restore(
    url: str, scenario_id: int, version: int, seq: int, user: str | None = None
) -> editing.Edit:
    """Bring the scenario back to how it was right after log entry ``seq``, as one logged step.

    The restore is itself a move (kind "restore") on the undo stack, so undo
    takes it back. Raises ``StaleVersionError`` when the scenario moved on
    since ``version``, like every other edit.
    """
    store = editing.open_store(url)
    _, plan, stored = editing.load(url, scenario_id)
    if stored != version:
        raise StaleVersionError(scenario_id, version, stored)
    owner, locked = state_after(store.moves(scenario_id), plan.owner, plan.locked, seq)
    changed = np.flatnonzero((owner != plan.owner) | (locked != plan.locked))
    moved = np.flatnonzero(owner != plan.owner)
    tally = moved_tally(plan.market, plan.tally, plan.owner, owner, moved)
    after = Plan(plan.market, frozen(owner), frozen(locked), tally)
    new_version = store.commit_move(
        scenario_id, version, kind="restore", cells=changed, before=plan.owner[changed],
        after_rep=None, owner=after.owner, locked=after.locked,
        tally=editing.tally_to_bytes(tally), user=user,
    )  # fmt: skip
    return editing.Edit(after, new_version, changed)


# -- files ---------------------------------------------------------------------------------


def export_file(url: str, scenario_id: int, fmt: str, tolerance: float) -> tuple[str, bytes]:
    """A file name and the bytes of the scenario in ``fmt`` (one of ``data.exports.FORMATS``)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    record = editing.open_store(url).scenario(scenario_id)
    _, plan, _ = editing.load(url, scenario_id)
    what, suffix = EXPORT_NAMES[fmt]
    filename = f"{slug(record.name)}-{what}.{suffix}"
    with tempfile.TemporaryDirectory() as folder:
        path = export_plan(
            plan, fmt, Path(folder) / filename, settings=record.settings, title=record.name,
            tolerance=tolerance,
        )  # fmt: skip
        return filename, path.read_bytes()


def comparison_file(url: str, a_id: int, b_id: int, tolerance: float) -> tuple[str, bytes]:
    """The comparison workbook (summary, per-rep deltas, moved cells) as a file name and bytes."""
    result = compare_scenarios(url, a_id, b_id, tolerance)
    filename = f"compare-{slug(result.a.name)}-vs-{slug(result.b.name)}.xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path = write_comparison_workbook(result.comparison, Path(folder) / filename)
        return filename, path.read_bytes()


def slug(name: str) -> str:
    """A file-name-safe version of a scenario name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "scenario"
