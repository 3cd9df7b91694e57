"""Scenario lifecycle: the list with key figures, actions, comparison, history, restore, exports.

``callbacks/scenarios.py`` unpacks a request, calls one function here and
packs the answer. Like ``services.editing`` nothing is kept between calls but
memoised values of immutable inputs (a scenario's figures at one version), so
any gunicorn worker can answer any request.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd

from common.errors import PlanError, ReadOnlyScenarioError, ScenarioExistsError, StaleVersionError
from common.logs import timed
from data.exports import ALL_FORMATS as FORMATS
from data.exports import export_plan, write_comparison_workbook
from data.tallies import tally_to_bytes
from planning.changes import changed_view
from planning.compare import compare_plans
from planning.editing import Edit, stepped
from planning.names import unique_name
from planning.scenarios import (
    ACTIONS,
    Outcome,
    ScenarioAction,
    ScenarioComparison,
    ScenarioFigures,
    ScenarioRow,
    after_delete,
    comparable,
    comparison_name,
    delete_question,
    export_name,
    name_too_long,
    read_only_text,
    scenario_figures,
    state_after,
)
from planning.targets import targets_for
from services import overlay  # issue 15 (h15d): the overlay layer in exports
from services.editing import load, open_store
from services.totals import require_account_list

logger = logging.getLogger(__name__)


# -- the list ------------------------------------------------------------------------------


def scenario_rows(url: str, current_id: int, tolerance: float) -> list[ScenarioRow]:
    """Every scenario of the current one's dataset, oldest first, with its key figures."""
    store = open_store(url)
    dataset_id = store.scenario(current_id).dataset_id
    return [
        ScenarioRow(
            info,
            figures(url, info.id, info.version, info.created_at, tolerance),
            info.id == current_id,
        )
        for info in store.scenarios(dataset_id)
    ]


@lru_cache(maxsize=256)
def figures(
    url: str, scenario_id: int, version: int, created_at: datetime, tolerance: float
) -> ScenarioFigures:
    """Key figures of a scenario at ``version``; memoised, as a version never changes.

    ``created_at`` is part of the key because SQLite may give a deleted
    scenario's id to the next new one.
    """
    board, plan, _ = load(url, scenario_id)
    return scenario_figures(plan, board.baseline.owner, tolerance)


def history(url: str, scenario_id: int) -> pd.DataFrame:
    """The scenario's move log, one row per entry (what the history table shows)."""
    return open_store(url).history(scenario_id)


# -- actions -------------------------------------------------------------------------------


def act(
    url: str, action: ScenarioAction | str, scenario_id: int, name: str | None = None
) -> Outcome:
    """New from baseline, branch, rename, delete or open, on behalf of the current scenario.

    Refusals (the baseline cannot be renamed or deleted, a name is taken)
    come back as messages: they are answers, not failures.
    """
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}, got {action!r}")
    what = ScenarioAction(action)
    with timed(logger, f"scenario {what.value}", scenario=scenario_id) as extra:
        outcome = _act(url, what, scenario_id, (name or "").strip())
        extra.update(next_scenario=outcome.scenario_id, changed=outcome.changed)
    return outcome


def _act(url: str, action: ScenarioAction, scenario_id: int, name: str) -> Outcome:
    store = open_store(url)
    record = store.scenario(scenario_id)
    too_long = name_too_long(name)
    if too_long:
        return Outcome(None, too_long, False)
    taken = {s.name for s in store.scenarios(record.dataset_id)}
    try:
        if action is ScenarioAction.OPEN:
            note = " It is read-only: branch it to make changes." if record.read_only else ""
            return Outcome(scenario_id, f"Opened “{record.name}”.{note}", False)
        if action is ScenarioAction.NEW:
            base = store.baseline_id(record.dataset_id, record.resolution)
            if base is None:
                raise PlanError(f"the dataset has no baseline at resolution {record.resolution}")
            new_name = name or unique_name(taken, "Scenario")
            new_id = store.duplicate_scenario(base, new_name)
            return Outcome(new_id, f"Created “{new_name}” from the baseline.", True)
        if action is ScenarioAction.BRANCH:
            new_name = name or unique_name(taken, f"{record.name} (branch)")
            new_id = store.duplicate_scenario(scenario_id, new_name)
            return Outcome(new_id, f"Branched “{record.name}” into “{new_name}”.", True)
        if action is ScenarioAction.RENAME:
            if record.read_only:
                return Outcome(None, read_only_text(record, "renamed"), False)
            if not name:
                return Outcome(None, "Type the new name first.", False)
            store.rename_scenario(scenario_id, name)
            return Outcome(None, f"Renamed “{record.name}” to “{name}”.", True, header=name)
        if record.read_only:
            return Outcome(None, read_only_text(record, "deleted"), False)
        store.delete_scenario(scenario_id)
        rest = store.scenarios(record.dataset_id)
        next_id = after_delete(rest, record.parent_id, record.resolution)
        return Outcome(next_id, f"Deleted “{record.name}”.", True)
    except ScenarioExistsError:
        return Outcome(None, f"A scenario named “{name}” exists already: pick another name.",
                       False)  # fmt: skip
    except ReadOnlyScenarioError as err:
        return Outcome(None, str(err), False)


def delete_prompt(url: str, scenario_id: int) -> tuple[bool, str]:
    """Whether the scenario may be deleted, and the question (or the refusal) to show."""
    return delete_question(open_store(url).scenario(scenario_id))


# -- compare -------------------------------------------------------------------------------


def compare_scenarios(url: str, a_id: int, b_id: int, tolerance: float) -> ScenarioComparison:
    """Per-rep deltas, what moved, balance before and after, and the changed cells' units.

    Raises
    ------
    PlanError
        The two scenarios are drawn at different resolutions (or on other
        data), so their cells cannot be lined up.
    """
    store = open_store(url)
    a, b = store.scenario(a_id), store.scenario(b_id)
    comparable(a, b)
    board, plan_a, _ = load(url, a_id)
    _, plan_b, _ = load(url, b_id)
    targets = (targets_for(plan_a, a.settings)[0], targets_for(plan_b, b.settings)[0])  # issue 14
    comparison = compare_plans(plan_a, plan_b, tolerance, targets)
    market = board.market
    names = market.reps["name"].astype(str).to_numpy()
    changed = changed_view(board.levels, plan_a.owner, plan_b.owner, market.rep_ids)
    return ScenarioComparison(a, b, comparison, changed, market.rep_ids, names)


# -- history and restore -------------------------------------------------------------------


def restore(url: str, scenario_id: int, version: int, seq: int, user: str | None = None) -> Edit:
    """Bring the scenario back to how it was right after log entry ``seq``, as one logged step.

    The restore is itself a move (kind "restore") on the undo stack, so undo
    takes it back. Raises ``StaleVersionError`` when the scenario moved on
    since ``version``, like every other edit.
    """
    with timed(logger, "scenario restore", scenario=scenario_id, seq=seq) as extra:
        store = open_store(url)
        _, plan, stored = load(url, scenario_id)
        if stored != version:
            raise StaleVersionError(scenario_id, version, stored)
        owner, locked = state_after(store.moves(scenario_id), plan.owner, plan.locked, seq)
        change = stepped(plan, owner, locked)
        after, changed = change.after, change.touched
        new_version = store.commit_move(
            scenario_id, version, kind="restore", cells=changed, before=plan.owner[changed],
            after_rep=None, owner=after.owner, locked=after.locked,
            tally=tally_to_bytes(after.tally), user=user,
        )  # fmt: skip
        extra.update(cells=len(changed), version=new_version)
    return Edit(after, new_version, changed)


# -- files ---------------------------------------------------------------------------------


def export_file(url: str, scenario_id: int, fmt: str, tolerance: float) -> tuple[str, bytes]:
    """A file name and the bytes of the scenario in ``fmt`` (one of ``data.exports.ALL_FORMATS``).

    An owner-changes file for a CRM is refused (``PlanError``, one sentence naming the
    rows) when the CRM would not take it as it is (``data.owner_changes``).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    with timed(logger, "scenario exported", scenario=scenario_id, format=fmt) as extra:
        record = open_store(url).scenario(scenario_id)
        extra["dataset"] = record.dataset_id
        _, plan, _ = load(url, scenario_id)
        require_account_list(plan, fmt)  # issue 18 point 4: not from per-cell totals
        filename = export_name(record.name, fmt)
        with tempfile.TemporaryDirectory() as folder:
            path = export_plan(
                plan, fmt, Path(folder) / filename, settings=record.settings, title=record.name,
                tolerance=tolerance, overlay=overlay.overlay_plan_of(url, scenario_id),  # issue 15
            )  # fmt: skip
            blob = path.read_bytes()
        extra["bytes"] = len(blob)
    return filename, blob


def comparison_file(url: str, a_id: int, b_id: int, tolerance: float) -> tuple[str, bytes]:
    """The comparison workbook (summary, per-rep deltas, moved cells) as a file name and bytes."""
    with timed(logger, "comparison exported", scenario=b_id, against=a_id) as extra:
        result = compare_scenarios(url, a_id, b_id, tolerance)
        extra["dataset"] = result.b.dataset_id
        filename = comparison_name(result.a.name, result.b.name)
        with tempfile.TemporaryDirectory() as folder:
            path = write_comparison_workbook(result.comparison, Path(folder) / filename)
            blob = path.read_bytes()
        extra["bytes"] = len(blob)
    return filename, blob


__all__ = [
    "act",
    "compare_scenarios",
    "comparison_file",
    "delete_prompt",
    "export_file",
    "figures",
    "history",
    "restore",
    "scenario_rows",
]


# -- issue 16 point 4 (keyboard): "[" and "]" open the previous and next scenario -------------


def neighbour_scenario(url: str, current_id: int, step: int) -> tuple[int, str]:
    """The scenario ``step`` places from the current one in its data set's list (wrapping).

    The list is the Scenarios tab's order (oldest first), so the keys walk what the tab shows.
    """
    store = open_store(url)
    listed = list(store.scenarios(store.scenario(current_id).dataset_id))
    at = next((k for k, info in enumerate(listed) if info.id == current_id), 0)
    chosen = listed[(at + step) % len(listed)]
    return chosen.id, chosen.name
