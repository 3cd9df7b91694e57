"""Opening the app's data set: what a fresh page needs to start on.

The app reads its inputs (the demo by default) once per worker, stores them
once in the database with a baseline and a working scenario, and starts
every page on that scenario.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from common.logs import timed
from common.settings import Settings
from data.demo import demo_paths
from data.validation import load_accounts, load_call_plan, load_reps
from planning.area_choice import DEFAULT_AREA, call_plan_with_area
from planning.callplan import default_call_plan
from services.editing import ensure_scenarios, open_store

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
    with timed(logger, "data set opened", dataset=name) as extra:
        reps = load_reps(reps_path)
        accounts = load_accounts(accounts_path, rep_ids=list(reps["rep_id"]))
        call_plan = (
            load_call_plan(settings.call_plan) if settings.call_plan else default_call_plan()
        )
        call_plan = call_plan_with_area(call_plan, DEFAULT_AREA)  # land, unless edited later
        url = settings.database_url
        dataset_id, scenario_id = ensure_scenarios(url, name, accounts, reps, call_plan)
        resolution = open_store(url).scenario(scenario_id).resolution
        extra.update(dataset_id=dataset_id, scenario=scenario_id, accounts=len(accounts))
    return Session(
        database_url=url,
        dataset_id=dataset_id,
        scenario_id=scenario_id,
        resolution=resolution,
        rep_ids=list(reps["rep_id"].astype(str)),
        rep_names=list(reps["name"].astype(str)),
    )
