"""Opening the app's data set: what a fresh page needs to start on.

The app reads its inputs (the demo by default) once per worker, stores them
once in the database with a baseline and a working scenario, and starts
every page on that scenario.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd

from common.errors import PlanError, ScenarioNotFoundError
from common.logs import timed
from common.settings import Settings
from data.demo import demo_paths
from data.sources import source_key
from data.validation import load_accounts, load_call_plan, load_reps
from planning.area_choice import DEFAULT_AREA, call_plan_with_area
from planning.callplan import default_call_plan
from planning.names import unique_name, working_plan_name
from planning.overlay import Layer, field_rep_ids, rep_layers  # issue 15
from services.editing import ensure_scenarios, open_store, scenario_exists

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Session:
    """The configured data set as stored: its team, and the scenario a page opens on."""

    database_url: str
    dataset_id: int
    scenario_id: int
    resolution: int
    rep_ids: list[str]
    rep_names: list[str]


def open_session(settings: Settings) -> Session:
    """Read the configured files (the demo when none), store them, ensure baseline and working plan.

    Idempotent: every worker (and every restart) lands on the same stored
    data set and working scenario.
    """
    accounts_path, reps_path = settings.accounts, settings.reps
    if accounts_path is None or reps_path is None:
        accounts_path, reps_path = demo_paths()
    name = Path(accounts_path).stem
    url = settings.database_url
    with timed(logger, "data set opened", dataset=name) as extra:
        reps = load_reps(reps_path)
        # issue 18: the same files as at an earlier start open their stored data set unread
        key = source_key([accounts_path, reps_path, settings.call_plan], DEFAULT_AREA.text)
        opened = _stored_from(url, key)
        read = opened is None
        if opened is None:
            accounts = load_accounts(accounts_path, rep_ids=list(reps["rep_id"]))
            call_plan = (
                load_call_plan(settings.call_plan) if settings.call_plan else default_call_plan()
            )
            call_plan = call_plan_with_area(call_plan, DEFAULT_AREA)  # land, unless edited later
            opened = ensure_scenarios(url, name, accounts, reps, call_plan)
            open_store(url).remember_source(key, opened[0])
        dataset_id, scenario_id = opened
        resolution = open_store(url).scenario(scenario_id).resolution
        extra.update(dataset_id=dataset_id, scenario=scenario_id, files_read=read)
    return Session(
        database_url=url,
        dataset_id=dataset_id,
        scenario_id=scenario_id,
        resolution=resolution,
        rep_ids=field_rep_ids(reps),  # issue 15: the map's picker lists field reps only
        rep_names=[str(n) for n, f in zip(reps["name"], _is_field(reps), strict=True) if f],
    )


def _stored_from(url: str, key: str) -> tuple[int, int] | None:
    """(data set, working scenario) stored from the files with this key at an earlier start.

    None when those files were never stored, or their data set has no editable scenario left
    (the full path then makes one, as on a first start).
    """
    store = open_store(url)
    dataset_id = store.source_dataset(key)
    if dataset_id is None:
        return None
    working = [s for s in store.scenarios(dataset_id) if not s.baseline]
    if not working or not any(s.baseline for s in store.scenarios(dataset_id)):
        return None
    return dataset_id, working[0].id


def _is_field(reps: pd.DataFrame) -> list[bool]:
    """Issue 15: which reps are field reps (the others form the overlay layer)."""
    return [la is Layer.FIELD for la in rep_layers(reps)]


# -- datasets-find: every stored data set, and opening one -------------------------------


@dataclass(frozen=True)
class DatasetRow:
    """One line of the data-set switcher: which data, stored when, how big.

    ``name`` is the source file's name without its suffix (or, for a data set
    derived by an edit, the source's name and the edit).
    """

    id: int
    name: str
    stored_at: datetime
    accounts: int
    reps: int
    current: bool


@dataclass(frozen=True)
class OpenedDataset:
    """What opening a data set lands on: its scenario, and whether it had to be made."""

    dataset_id: int
    dataset_name: str
    scenario_id: int
    scenario_name: str
    created: bool


def dataset_rows(url: str, current_scenario_id: int | None = None) -> list[DatasetRow]:
    """Every stored data set, oldest first, with its row counts; the current one marked."""
    store = open_store(url)
    current = _dataset_of(url, current_scenario_id)
    return [
        DatasetRow(d.id, d.name, d.created_at, *_counts(url, d.id, d.fingerprint), d.id == current)
        for d in store.datasets()
    ]


def current_dataset(url: str, scenario_id: int) -> DatasetRow:
    """The data set a scenario belongs to, as the header names it."""
    dataset_id = open_store(url).scenario(scenario_id).dataset_id
    return next(row for row in dataset_rows(url, scenario_id) if row.id == dataset_id)


def open_dataset(url: str, dataset_id: int) -> OpenedDataset:
    """The data set's last-edited editable scenario; a working plan made when it has none.

    "Last edited" is the newest ``updated_at`` (every saved move, rename or
    creation sets it), ties to the newest scenario. The read-only baseline is
    never opened: a planner switching data sets wants to go on planning.
    """
    with timed(logger, "data set switched", dataset=dataset_id) as extra:
        store = open_store(url)
        names = {d.id: d.name for d in store.datasets()}
        if dataset_id not in names:
            raise ScenarioNotFoundError(f"no dataset with id {dataset_id}")
        editable = [s for s in store.scenarios(dataset_id) if not s.read_only]
        created = not editable
        if editable:
            last = max(editable, key=lambda s: (s.updated_at, s.id))
            scenario_id, scenario_name = last.id, last.name
        else:
            scenario_id, scenario_name = _new_working_plan(url, dataset_id, names[dataset_id])
        extra.update(scenario=scenario_id, created=created)
    return OpenedDataset(dataset_id, names[dataset_id], scenario_id, scenario_name, created)


def _new_working_plan(url: str, dataset_id: int, dataset_name: str) -> tuple[int, str]:
    """A working plan from the data set's baseline (its first resolution's), named after it."""
    store = open_store(url)
    baselines = [s for s in store.scenarios(dataset_id) if s.baseline]
    if not baselines:
        raise PlanError(f"data set {dataset_name!r} has no baseline to start a plan from")
    taken = {s.name for s in store.scenarios(dataset_id)}
    name = unique_name(taken, working_plan_name(dataset_name))
    return store.duplicate_scenario(baselines[0].id, name), name


def _dataset_of(url: str, scenario_id: int | None) -> int | None:
    if scenario_id is None:
        return None
    try:
        return open_store(url).scenario(scenario_id).dataset_id
    except ScenarioNotFoundError:
        return None


@lru_cache(maxsize=64)
def _counts(url: str, dataset_id: int, fingerprint: str) -> tuple[int, int]:
    """(accounts, reps) of a stored data set; memoised, its content never changes.

    ``fingerprint`` is in the key because SQLite may give a deleted data set's
    id to the next one.
    """
    return open_store(url).dataset_counts(dataset_id)


def landing_scenario(url: str, preferred_id: int, dataset_id: int) -> int:
    """Where a new page (or one whose scenario was deleted) lands, chosen at request time.

    The scenario the app opened with while it exists; once someone deleted it, the opening
    data set's last-edited scenario, or a new working plan (issue 12: the fallback used to be
    fixed at start-up, and every new visitor got an error until a restart).
    """
    if scenario_exists(url, preferred_id):
        return preferred_id
    return open_dataset(url, dataset_id).scenario_id
