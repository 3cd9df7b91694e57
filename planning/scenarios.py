"""Scenarios side by side, the pure part: rows and figures, action outcomes, restore points.

``services.scenarios`` reads the store and calls these; ``layouts.scenarios``
draws what they return. What a stored scenario is, is said here as a
protocol (``ScenarioSummary``), so the sales logic never imports the store.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np

from common.errors import PlanError
from planning.changes import ChangedView
from planning.compare import Comparison
from planning.metrics import team_metrics
from planning.plan import Plan

MAX_NAME = 200  # the store's column width
EXPORT_NAMES = {
    "csv": ("accounts", "csv"),
    "xlsx": ("workbook", "xlsx"),
    "geojson": ("territories", "geojson"),
    "parquet": ("territories", "parquet"),
    "plan": ("plan", "csv"),
    "owner-changes": ("owner-changes", "csv"),
    "owner-changes-salesforce": ("owner-changes-salesforce", "csv"),
    "owner-changes-hubspot": ("owner-changes-hubspot", "csv"),
}


class ScenarioAction(StrEnum):
    """What the Scenarios tab asks of a scenario."""

    NEW = "new"
    BRANCH = "branch"
    RENAME = "rename"
    DELETE = "delete"
    OPEN = "open"


ACTIONS = tuple(a.value for a in ScenarioAction)


class ScenarioSummary(Protocol):
    """What the logic and the screens read of a stored scenario (a ``data.store.ScenarioInfo``)."""

    @property
    def id(self) -> int:
        """Its id in the store."""
        ...

    @property
    def dataset_id(self) -> int:
        """The data set it plans."""
        ...

    @property
    def area_id(self) -> int | None:
        """The stored tiling it is drawn on (None: rebuilt from the data)."""
        ...

    @property
    def name(self) -> str:
        """Its name, unique within the data set."""
        ...

    @property
    def resolution(self) -> int:
        """Its H3 resolution (cell size)."""
        ...

    @property
    def read_only(self) -> bool:
        """Whether it refuses changes."""
        ...

    @property
    def baseline(self) -> bool:
        """Whether it is the data set's untouched plan."""
        ...


class LogEntry(Protocol):
    """One saved step of a scenario's log (a ``data.store.MoveRecord``), as a restore reads it."""

    @property
    def seq(self) -> int:
        """Its place in the log (1, 2, ...)."""
        ...

    @property
    def kind(self) -> str:
        """move, lock, unlock, restore, bulk, undo or redo."""
        ...

    @property
    def ref_seq(self) -> int | None:
        """The entry an undo or redo acted on."""
        ...

    @property
    def cells(self) -> np.ndarray:
        """The cells whose state changed."""
        ...

    @property
    def before(self) -> np.ndarray:
        """Their owners before."""
        ...

    @property
    def after(self) -> np.ndarray:
        """Their owners after."""
        ...

    @property
    def before_locked(self) -> np.ndarray:
        """Their lock flags before."""
        ...

    @property
    def after_locked(self) -> np.ndarray:
        """Their lock flags after."""
        ...


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

    info: ScenarioSummary
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
class ScenarioComparison:
    """Scenario ``a`` (before) against ``b`` (after), with the changed cells as map units."""

    a: ScenarioSummary
    b: ScenarioSummary
    comparison: Comparison
    changed: ChangedView
    rep_ids: np.ndarray
    names: np.ndarray


# -- the list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MovedVsBaseline:
    """What a plan moved away from its data set's baseline (issue 12 point 7c)."""

    accounts: int
    share: float
    """Of every account of the plan, pinned ones included."""
    tam_share: float
    """Of the plan's whole TAM."""


def moved_vs_baseline(plan: Plan, baseline_owner: np.ndarray) -> MovedVsBaseline:
    """Accounts whose owner differs from the data set's baseline at the same resolution.

    The one definition of "moved vs baseline": the map's panel and the scenario
    list both show this (they disagreed: the panel counted owners against last
    quarter's, account by account, so an untouched plan read 174 there and 0 in
    the list). An account moves when its cell has another owner than in the
    baseline (pinned accounts never move), so the baseline itself reads 0.
    """
    changed = plan.owner != baseline_owner
    market, tally = plan.market, plan.tally
    moved = int(market.cell_accounts[changed].sum())
    total = int(tally.accounts.sum())
    tam = int(tally.tam.sum())
    return MovedVsBaseline(
        accounts=moved,
        share=moved / total if total else 0.0,
        tam_share=int(market.cell_tam[changed].sum()) / tam if tam else 0.0,
    )


def scenario_figures(plan: Plan, baseline_owner: np.ndarray, tolerance: float) -> ScenarioFigures:
    """Key figures of a plan; "moved" as ``moved_vs_baseline`` counts it."""
    team = team_metrics(plan, tolerance)
    moved = moved_vs_baseline(plan, baseline_owner)
    return ScenarioFigures(
        workload_worst_deviation=float(team["workload_worst_deviation"]),
        coverage=float(team["coverage"]),
        moved_accounts=moved.accounts,
        moved_share=moved.share,
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
    return (a if a in ids and a is not None else baseline), (
        b if b in ids and b is not None else current.id
    )


# -- actions -------------------------------------------------------------------------------


def name_too_long(name: str) -> str | None:
    """The refusal for a name the store cannot hold, or None when it fits."""
    if len(name) > MAX_NAME:
        return f"Names are at most {MAX_NAME} characters; this one has {len(name)}."
    return None


def read_only_text(record: ScenarioSummary, what: str) -> str:
    """Why a read-only scenario (the baseline, or one marked so) cannot be ``what`` (renamed...)."""
    if record.baseline:
        return (
            f"The baseline (last quarter) cannot be {what}: every other scenario is compared "
            "with it. Branch it to make changes."
        )
    return f"“{record.name}” is read-only and cannot be {what}. Branch it to make changes."


def delete_question(record: ScenarioSummary) -> tuple[bool, str]:
    """Whether the scenario may be deleted, and the question (or the refusal) to show."""
    if record.read_only:
        return False, read_only_text(record, "deleted")
    return True, (
        f"Delete “{record.name}” and its history? Its branches keep their plans. "
        "This cannot be undone."
    )


def after_delete(rest: Sequence[ScenarioSummary], parent_id: int | None, resolution: int) -> int:
    """Where the page goes after a delete: the parent, else a working scenario, else a baseline."""
    ids = {s.id for s in rest}
    if parent_id is not None and parent_id in ids:
        return int(parent_id)
    editable = [s for s in rest if not s.read_only]
    same = [s for s in rest if s.resolution == resolution]
    for group in (editable, same, rest):
        if group:
            return group[0].id
    raise PlanError("the dataset has no scenario left to show")


def comparable(a: ScenarioSummary, b: ScenarioSummary) -> None:
    """Raise ``PlanError`` unless the two scenarios are drawn on the same cells.

    Raises
    ------
    PlanError
        The two scenarios are drawn at different resolutions (or on other
        data), so their cells cannot be lined up.
    """
    if (a.dataset_id, a.resolution, a.area_id) != (b.dataset_id, b.resolution, b.area_id):
        raise PlanError(
            f"“{a.name}” (resolution {a.resolution}) and “{b.name}” (resolution {b.resolution}) "
            "are drawn on different cells; compare scenarios of one cell size"
        )


# -- history and restore -------------------------------------------------------------------


def state_after(
    moves: Sequence[LogEntry], owner: np.ndarray, locked: np.ndarray, seq: int
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


# -- files ---------------------------------------------------------------------------------


def export_name(scenario_name: str, fmt: str) -> str:
    """The download's file name for a scenario exported in ``fmt`` (a key of ``EXPORT_NAMES``)."""
    what, suffix = EXPORT_NAMES[fmt]
    return f"{slug(scenario_name)}-{what}.{suffix}"


def comparison_name(a_name: str, b_name: str) -> str:
    """The download's file name of the comparison workbook of ``a`` against ``b``."""
    return f"compare-{slug(a_name)}-vs-{slug(b_name)}.xlsx"


def slug(name: str) -> str:
    """A file-name-safe version of a scenario name.

    >>> slug("Q3 draft / west")
    'Q3-draft-west'
    """
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "scenario"
