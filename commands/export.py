"""``cli.py export``: a saved scenario out of the database as CSV, Excel, GeoJSON, GeoParquet."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from common.errors import PlanError
from common.settings import Settings
from data.exports import FORMATS, export_plan
from data.store import ScenarioNotFoundError, ScenarioRecord, Store
from geo.area import area_from_cells
from planning.callplan import TravelModel
from planning.compare import compare_plans
from planning.market import build_market
from planning.metrics import DEFAULT_TOLERANCE
from planning.plan import Plan


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``export`` sub-command."""
    p = sub.add_parser("export", help="export a saved scenario (accounts, workbook, map, plan)")
    p.add_argument("--scenario", required=True, help="scenario name (or numeric id)")
    p.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="csv: one row per account; xlsx: workbook; geojson/parquet: territories "
        "with metrics; plan: h3_cell,rep_id",
    )
    p.add_argument("--out", required=True, help="file to write")
    p.add_argument("--database", help="database URL (default: HEXALIGN_DATABASE_URL or var/)")
    p.add_argument("--dataset", type=int, help="dataset id, when several hold the scenario name")
    p.add_argument("--compare-to", help="xlsx only: add sheets comparing with this scenario")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load the scenario and its dataset from the store, rebuild the plan, write the file."""
    url = Settings.from_env(database_url=args.database).database_url
    with Store(url) as store:
        sid = _find(store, args.scenario, args.dataset)
        plan, record = scenario_plan(store, sid)
        comparison = None
        if args.compare_to:
            if args.format != "xlsx":
                raise PlanError("--compare-to needs --format xlsx")
            other, _ = scenario_plan(store, _find(store, args.compare_to, record.dataset_id))
            comparison = compare_plans(other, plan, _tolerance(record))
    path = export_plan(
        plan,
        args.format,
        Path(args.out),
        settings=record.settings,
        title=record.name,
        tolerance=_tolerance(record),
        comparison=comparison,
    )
    print(
        f"wrote {path} ({args.format}, scenario {record.name!r} v{record.version})", file=sys.stderr
    )
    return 0


def scenario_plan(store: Store, scenario_id: int) -> tuple[Plan, ScenarioRecord]:
    """The plan a stored scenario holds, on the market rebuilt from its stored dataset.

    The stored area (when the scenario has one) fixes which cell each
    position means; without it the area is tiled again from the accounts and
    must come out the same size.
    """
    record = store.scenario(scenario_id)
    accounts, reps, call_plan = store.load_dataset(record.dataset_id)
    travel = TravelModel(**record.settings.get("travel", {}))
    if record.area_id is not None:
        area = area_from_cells(store.area_cells(record.area_id), record.resolution)
        market = build_market(accounts, reps, call_plan, travel, area=area)
    else:
        market = build_market(accounts, reps, call_plan, travel, resolution=record.resolution)
    if market.n_cells != record.n_cells:
        raise PlanError(
            f"scenario {record.name!r} has {record.n_cells} cells but its data tiles into "
            f"{market.n_cells} at resolution {record.resolution}; it was saved without its area"
        )
    return Plan.from_owner(market, record.owner, record.locked), record


def _find(store: Store, name: str, dataset_id: int | None) -> int:
    """A scenario by name; a number that names no scenario is taken as an id."""
    try:
        return store.scenario_id(name, dataset_id)
    except ScenarioNotFoundError:
        if name.isdigit():
            return store.scenario(int(name)).id
        raise


def _tolerance(record: ScenarioRecord) -> float:
    return float(record.settings.get("tolerance", DEFAULT_TOLERANCE))
