"""Deriving a data set: the current plan measured on another call plan, travel or team.

A stored data set never changes (scenarios point at it, and the board of a
data set is cached per worker). Every edit therefore makes a *new* data set
with the edited part and a new scenario on it that carries the current plan
over:

- same cells: the new scenario reuses the current planning area
  (``area_cells``), so every cell keeps its position;
- same owners: rep positions are remapped by ``rep_id``
  (``planning.team.carried_owner``); a removed rep's cells become unassigned
  (-1), never lost; locks stay.

The new scenario's ``settings["travel"]`` keeps a note of the travel model;
every screen measures with the data set's call plan
(``services.scenario_settings``, issue 12). Storing an import
(``use_import``) goes through the same store.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from common.errors import InputError
from common.logs import timed
from data.tallies import tally_to_bytes
from data.validation import validate_reps
from planning.area_choice import AreaChoice, call_plan_with_area, carry_area
from planning.callplan import TravelModel, travel_of
from planning.callplan_edits import (
    call_plan_changes,
    call_plan_from_values,
    call_plan_with_travel,
    travel_from_values,
)
from planning.edit_values import EditError
from planning.market import UNASSIGNED
from planning.names import unique_name, working_plan_name
from planning.overlay import field_rep_ids  # issue 15
from planning.plan import Plan
from planning.share_classes import carry_share
from planning.team import TeamChanges, accounts_for_team, carried_owner, team_changes, team_rows
from services import editing, overlay
from services.totals import require_account_rows  # issue 18 point 4

logger = logging.getLogger(__name__)
_EDITED = re.compile(r" \((call plan|team|effort plan) edited( \d+)?\)$")


@dataclass(frozen=True)
class Derived:
    """A new scenario on a new data set, with what changed in numbers."""

    scenario_id: int
    dataset_id: int
    name: str
    hours_before: float
    hours_after: float
    unassigned_cells: int
    travel_used: bool
    """False when the app's market ignored the stored travel settings."""


def total_hours(plan: Plan) -> float:
    """Visit plus travel hours of the whole market (every rep and the unassigned)."""
    t = plan.tally
    return float(int(t.visit_s.sum()) + int(t.travel_s.sum())) / 3600.0


def _stem(name: str) -> str:
    """A name without the "(call plan edited 2)" an earlier edit gave it."""
    return _EDITED.sub("", name)


def derive_scenario(
    url: str,
    scenario_id: int,
    label: str,
    *,
    accounts: pd.DataFrame | None = None,
    reps: pd.DataFrame | None = None,
    call_plan: pd.DataFrame | None = None,
) -> Derived | None:
    """A new data set with the given parts replaced, and a scenario carrying the plan over.

    Returns None when the parts equal the current ones (same fingerprint:
    nothing to do). The new scenario is named after the current one and
    ``label``; its parent is the current scenario.
    """
    with timed(logger, "data set derived", scenario=scenario_id, edit=label) as extra:
        store = editing.open_store(url)
        record = store.scenario(scenario_id)
        extra["dataset"] = record.dataset_id
        require_account_rows(store, record.dataset_id, f"a {label} edit")  # issue 18 point 4
        old_board, old_plan, _ = editing.load(url, scenario_id)
        cur_accounts, cur_reps, cur_plan = store.load_dataset(record.dataset_id)
        accounts = cur_accounts if accounts is None else accounts
        reps = cur_reps if reps is None else reps
        call_plan = cur_plan if call_plan is None else carry_area(call_plan, cur_plan)
        accounts, _ = accounts_for_team(accounts, reps["rep_id"])
        names = {d.id: d.name for d in store.datasets()}
        base = _stem(names.get(record.dataset_id, ""))
        dataset_id = store.ensure_dataset(f"{base} ({label} edited)", accounts, reps, call_plan)
        if dataset_id == record.dataset_id:
            extra["outcome"] = "unchanged"
            return None
        # issue 15: owners are positions among the field reps (overlay reps: a layer of their own)
        owner = carried_owner(record.owner, field_rep_ids(cur_reps), field_rep_ids(reps))
        new_board = editing.board(url, dataset_id, record.resolution, record.area_id)
        if new_board.market.n_cells != old_board.market.n_cells:
            raise EditError(
                f"the edited data tiles into {new_board.market.n_cells} cells, the plan has "
                f"{old_board.market.n_cells}; the plan cannot be carried over"
            )
        plan = Plan.from_owner(new_board.market, owner, record.locked)
        area_cells = new_board.market.area.cells if record.area_id is not None else None
        base_plan = new_board.baseline
        store.ensure_baseline(
            dataset_id, record.resolution, base_plan.owner, base_plan.locked,
            tally=tally_to_bytes(base_plan.tally), area_cells=area_cells,
        )  # fmt: skip
        travel = travel_of(call_plan)
        taken = {s.name for s in store.scenarios(dataset_id)}
        name = unique_name(taken, f"{_stem(record.name)} ({label} edited)")
        new_id = store.create_scenario(
            dataset_id, name, record.resolution, plan.owner, plan.locked,
            tally=tally_to_bytes(plan.tally), parent_id=scenario_id,
            settings={**record.settings, "travel": asdict(travel)}, area_cells=area_cells,
        )  # fmt: skip
        overlay.carry_overlay(url, scenario_id, new_id)  # issue 15 (h15d): keep the overlay
        derived = Derived(
            scenario_id=new_id,
            dataset_id=dataset_id,
            name=name,
            hours_before=total_hours(old_plan),
            hours_after=total_hours(plan),
            unassigned_cells=int((plan.owner == UNASSIGNED).sum()),
            travel_used=new_board.market.travel == travel,
        )
        extra |= {"new_dataset": dataset_id, "new_scenario": new_id,
                  "unassigned_cells": derived.unassigned_cells}  # fmt: skip
        return derived


def apply_call_plan(
    url: str, scenario_id: int, call_plan: pd.DataFrame, travel: TravelModel
) -> Derived | None:
    """Measure the current plan under another call plan and travel model (new data set)."""
    return derive_scenario(
        url, scenario_id, "call plan", call_plan=call_plan_with_travel(call_plan, travel)
    )


def apply_team(url: str, scenario_id: int, reps: pd.DataFrame) -> Derived | None:
    """Measure the current plan with another team; a removed rep's cells become unassigned."""
    return derive_scenario(url, scenario_id, "team", reps=reps)


def current_inputs(url: str, scenario_id: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Accounts, reps and call plan of a scenario's data set."""
    store = editing.open_store(url)
    return store.load_dataset(store.scenario(scenario_id).dataset_id)


def cells_of(url: str, scenario_id: int, rep_ids: Iterable[str]) -> int:
    """How many cells these reps own in the scenario (what removing them unassigns)."""
    store = editing.open_store(url)
    record = store.scenario(scenario_id)
    _, reps, _ = store.load_dataset(record.dataset_id)
    field = pd.Series(field_rep_ids(reps), dtype=object)  # issue 15: the field layer's positions
    positions = np.flatnonzero(field.isin(set(map(str, rep_ids))).to_numpy())
    return int(np.isin(record.owner, positions).sum())


def reps_from_rows(rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """The team as typed in the reps editor, checked like a reps file, in rep_id order."""
    try:
        return validate_reps(team_rows(rows), source="team", decimal=".")
    except InputError as err:
        first = err.problems[0] if err.problems else None
        raise EditError(
            f"the team cannot be used: {first.reason if first else err}"
            + (f" (and {len(err.problems) - 1} more)" if len(err.problems) > 1 else "")
        ) from None


def area_centre(url: str, scenario_id: int) -> tuple[float, float]:
    """The middle of the scenario's planning area (mean of its cell centres), lat and lon."""
    board, _, _ = editing.load(url, scenario_id)
    area = board.market.area
    return float(np.mean(area.lat)), float(np.mean(area.lon))


# --- the editors' use cases: one call per Apply ----------------------------------------


@dataclass(frozen=True)
class CallPlanEdit:
    """What an Apply of the call-plan editor did: the changes in words, the new scenario."""

    changes: tuple[str, ...]
    derived: Derived | None
    """None when nothing changed."""


def edit_call_plan(
    url: str,
    scenario_id: int,
    plan_values: Mapping[str, Mapping[str, object]],
    travel_values: Mapping[str, object],
) -> CallPlanEdit:
    """The call plan and travel as typed, checked, and applied when they differ.

    Raises ``EditError`` (one sentence) when a value cannot be used.
    """
    call_plan = call_plan_from_values(plan_values)
    travel = travel_from_values(travel_values)
    _, _, old_plan = current_inputs(url, scenario_id)
    # issue 14: the data set's class thresholds and effort plan stay with the edited call plan
    call_plan = carry_share(call_plan, old_plan)
    changes = call_plan_changes(old_plan, call_plan, travel_of(old_plan), travel)
    derived = apply_call_plan(url, scenario_id, call_plan, travel) if changes else None
    return CallPlanEdit(tuple(changes), derived)


@dataclass(frozen=True)
class TeamEdit:
    """What an Apply of the team editor did, or the question it asks first."""

    changes: TeamChanges
    derived: Derived | None
    """The new scenario; None when nothing changed or a removal awaits a yes."""
    removing: tuple[tuple[str, str], ...] = ()
    """(rep_id, name) of the reps a removal would drop, while it awaits a yes."""
    cells: int = 0
    """Cells the reps in ``removing`` own (they become unassigned)."""

    @property
    def needs_confirmation(self) -> bool:
        """Reps would be removed, and nobody has said yes yet."""
        return bool(self.removing)


def edit_team(
    url: str, scenario_id: int, rows: Sequence[Mapping[str, object]], *, confirmed: bool
) -> TeamEdit:
    """The team as typed, checked, and applied when it differs.

    A removal is applied only ``confirmed``; before that the edit names the
    reps and the cells they would leave unassigned. Raises ``EditError`` (one
    sentence) when the team cannot be used.
    """
    reps = reps_from_rows(rows)
    _, old_reps, _ = current_inputs(url, scenario_id)
    changes = team_changes(old_reps, reps)
    if not changes:
        return TeamEdit(changes, None)
    if changes.removed and not confirmed:
        names = dict(zip(old_reps["rep_id"].astype(str), old_reps["name"].astype(str), strict=True))
        removing = tuple((r, names.get(r, "")) for r in changes.removed)
        return TeamEdit(changes, None, removing, cells_of(url, scenario_id, changes.removed))
    return TeamEdit(changes, apply_team(url, scenario_id, _with_crm_people(reps, old_reps)))


def _with_crm_people(reps: pd.DataFrame, old_reps: pd.DataFrame) -> pd.DataFrame:
    """The edited team with each kept rep's ``email`` and ``crm_user_id`` (the editor has none).

    Issue 11: they name the rep in CRM exports and in the owner-changes files.
    """
    out = reps.copy()
    # issue 15: a rep's layer and overlay rule are not in the editor either; they stay too
    for column in ("email", "crm_user_id", "layer", "overlay"):
        if column in old_reps.columns:
            known = dict(zip(old_reps["rep_id"].astype(str), old_reps[column], strict=True))
            values = [known.get(r, pd.NA) for r in out["rep_id"].astype(str)]
            out[column] = pd.array(values, dtype="string")
    return out


# --- storing an import -----------------------------------------------------------------


@dataclass(frozen=True)
class UsedImport:
    """An import stored as a data set, opened on its working scenario."""

    dataset_id: int
    scenario_id: int
    scenario_name: str
    accounts: int
    reps: int
    cleared: int
    """Accounts whose last owner is not in the team and now have none."""
    outside: int = 0
    """Accounts kept out of the plan: outside the planning area (the import report names them)."""


def use_import(
    url: str,
    scenario_id: int,
    name: str,
    accounts: pd.DataFrame | None,
    reps: pd.DataFrame | None,
    area: AreaChoice | None = None,
) -> tuple[int, int, int]:
    """Store imported accounts and/or reps as a data set; the missing part is the current one.

    ``area`` is the planning area chosen for it (None keeps the current data set's).
    Returns the data set id, its working scenario id, and how many accounts
    lost a last owner who is not in the team.
    """
    cur_accounts, cur_reps, call_plan = current_inputs(url, scenario_id)
    accounts = cur_accounts if accounts is None else accounts
    reps = cur_reps if reps is None else reps
    accounts, cleared = accounts_for_team(accounts, reps["rep_id"])
    if area is not None:
        call_plan = call_plan_with_area(call_plan, area)
    dataset_id, working = editing.ensure_scenarios(
        url, name, accounts, reps, call_plan, working_name=working_plan_name(name)
    )
    return dataset_id, working, cleared


def store_import(
    url: str,
    scenario_id: int,
    name: str,
    accounts: pd.DataFrame | None,
    reps: pd.DataFrame | None,
    area: AreaChoice | None = None,
) -> UsedImport:
    """``use_import``, then what the page says about it: counts and the scenario's name."""
    with timed(logger, "import used", scenario=scenario_id, name=name) as extra:
        dataset_id, working, cleared = use_import(url, scenario_id, name, accounts, reps, area)
        board, _, _ = editing.load(url, working)
        record = editing.open_store(url).scenario(working)
        market = board.market
        extra |= {"dataset": dataset_id, "new_scenario": working,
                  "accounts": len(market.accounts), "reps": market.n_reps}  # fmt: skip
        return UsedImport(
            dataset_id, working, record.name, len(market.accounts), market.n_reps, cleared,
            market.outside_accounts,
        )  # fmt: skip
