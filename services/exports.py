"""Export a stored scenario to a file, as ``cli.py export`` does.

The plan is rebuilt on the market of the scenario's stored data set, built by
``services.scenario_settings.scenario_market`` as the app builds it (issue 12: one truth for a
scenario's travel and call plan).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from common.errors import PlanError
from common.logs import timed
from common.settings import Settings
from data.exports import ALL_FORMATS as EXPORT_FORMATS
from data.exports import export_plan
from data.formulas import neutralise_frame
from data.store import ScenarioRecord, Store
from planning.compare import compare_plans
from planning.plan import Plan
from planning.targets import targets_for
from services.overlay import overlay_plan_of  # issue 15 (h15d)
from services.scenario_settings import find_scenario, scenario_market, scenario_settings
from services.totals import require_account_list
from services.workspace import PathLike

logger = logging.getLogger(__name__)

# The formats a scenario exports to: csv, xlsx, geojson, parquet, plan, and the owner
# changes (readable, Salesforce Data Loader, HubSpot import; data/owner_changes.py).
FORMATS: tuple[str, ...] = tuple(EXPORT_FORMATS)


@dataclass(frozen=True)
class ExportedScenario:
    """What was written: the file, its format, and which scenario state it holds."""

    path: Path
    format: str
    scenario_id: int
    name: str
    version: int


def export_scenario(
    scenario: str,
    fmt: str,
    out: PathLike,
    *,
    database_url: str | None = None,
    dataset_id: int | None = None,
    compare_to: str | None = None,
) -> ExportedScenario:
    """Load the scenario and its data set from the store, rebuild the plan, write the file.

    Parameters
    ----------
    scenario
        A scenario name; a number that names no scenario is taken as an id.
    database_url
        The store (default: ``HEXALIGN_DATABASE_URL`` or the file under var/).
    dataset_id
        The data set, when several hold the scenario name.
    compare_to
        xlsx only: add sheets comparing with this scenario of the same data set.
    """
    url = Settings.from_env(database_url=database_url).database_url
    with timed(logger, "export written", scenario=scenario, format=fmt) as extra:
        with Store(url) as store:
            sid = find_scenario(store, scenario, dataset_id)
            plan, record = scenario_plan(store, sid)
            extra.update(scenario_id=sid, dataset=record.dataset_id, version=record.version)
            require_account_list(plan, fmt)  # issue 18 point 4: not from per-cell totals
            comparison = None
            if compare_to:
                if fmt != "xlsx":
                    raise PlanError("--compare-to needs --format xlsx")
                other, other_record = scenario_plan(
                    store, find_scenario(store, compare_to, record.dataset_id)
                )
                targets = (targets_for(other, other_record.settings)[0],
                           targets_for(plan, record.settings)[0])  # fmt: skip
                comparison = compare_plans(other, plan, _tolerance(plan, record), targets)
        path = export_plan(
            plan,
            fmt,
            Path(out),
            settings=record.settings,
            title=record.name,
            tolerance=_tolerance(plan, record),
            comparison=comparison,
            overlay=overlay_plan_of(url, sid),  # issue 15 (h15d): the overlay layer too
        )
        extra["path"] = path
    return ExportedScenario(path, fmt, sid, record.name, record.version)


def scenario_plan(store: Store, scenario_id: int) -> tuple[Plan, ScenarioRecord]:
    """The plan a stored scenario holds, on the market rebuilt from its stored dataset.

    The stored area (when the scenario has one) fixes which cell each
    position means; without it the area is tiled again from the accounts and
    must come out the same size.
    """
    record = store.scenario(scenario_id)
    market = scenario_market(store, record.dataset_id, record.resolution, record.area_id)
    if market.n_cells != record.n_cells:
        raise PlanError(
            f"scenario {record.name!r} has {record.n_cells} cells but its data tiles into "
            f"{market.n_cells} at resolution {record.resolution}; it was saved without its area"
        )
    return Plan.from_owner(market, record.owner, record.locked), record


def _tolerance(plan: Plan, record: ScenarioRecord) -> float:
    return scenario_settings(plan.market.call_plan, record.settings).tolerance


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """A table the CLI prints as CSV, with text that starts like a formula kept as text.

    A rep named ``=HYPERLINK(...)`` would run in the spreadsheet that opens the output;
    the importer undoes the escape, so the file still reads back to the same values.
    """
    return neutralise_frame(table)
