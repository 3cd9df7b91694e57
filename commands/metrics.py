"""``cli.py metrics``: the per-rep metrics table the app shows, on files or a stored scenario."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from commands.travel import add_travel_arguments, travel_arguments
from common.errors import PlanError
from planning.metrics import DEFAULT_TOLERANCE
from planning.overlay import Layer
from services.exports import spreadsheet_safe
from services.metrics import PlanMetrics, plan_metrics, scenario_metrics
from services.workspace import PlanFiles

FIRST_COLUMNS = (
    "rep_id", "accounts", "accounts_a", "accounts_b", "accounts_c", "visit_hours",
    "travel_hours", "workload_hours", "capacity_hours", "utilisation", "coverage", "tam",
    "revenue", "market_share", "cells", "contiguity_components", "polsby_popper",
    "mean_home_km", "workload_deviation", "tam_deviation", "unassigned_accounts",
    "disruption_accounts",
)  # fmt: skip


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``metrics`` sub-command."""
    p = sub.add_parser("metrics", help="per-rep metrics of a plan (one row per rep plus TEAM)")
    p.add_argument("--accounts", help="accounts file (CSV or Parquet); needed without --scenario")
    p.add_argument("--reps", help="reps file (CSV or Parquet); needed without --scenario")
    p.add_argument(
        "--scenario",
        help="measure a saved scenario (name or numeric id) instead of files, as the app does",
    )
    p.add_argument("--database", help="with --scenario: database URL (default as cli.py export)")
    p.add_argument("--dataset", type=int, help="with --scenario: data set id, when names repeat")
    p.add_argument("--plan", help="plan CSV h3_cell,rep_id (default: the baseline from rep_id)")
    p.add_argument("--resolution", type=int, help="H3 resolution 4-9 (default: suits the data)")
    p.add_argument(
        "--call-plan", help="call plan CSV segment,visits_per_year,minutes_per_visit,channel"
    )
    p.add_argument(
        "--tolerance", type=float, default=DEFAULT_TOLERANCE, help="balance tolerance (0.1 = 10%%)"
    )
    p.add_argument(
        "--layer", choices=("field", "overlay"), default="field",
        help="with --scenario: the field layer (default) or the overlay layer (overlay reps)",
    )  # fmt: skip
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--mapping", help='column mapping JSON {"column in the file": "field"}')
    p.add_argument("--sheet", help="sheet of an accounts workbook (default: the best fit)")
    p.add_argument("--reps-sheet", help="sheet of a reps workbook (default: the best fit)")
    p.add_argument(
        "--boundary",
        default="land",
        help="planning area: land (default: land of the accounts' countries), hull, "
        "countries:PL,DE, or a boundary file (GeoJSON, zipped shapefile, GeoPackage)",
    )
    add_travel_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load, plan, measure, print."""
    layer = Layer(args.layer)
    if args.scenario:
        measured = scenario_metrics(args.scenario, database_url=args.database,
                                    dataset_id=args.dataset, tolerance=args.tolerance,
                                    layer=layer)  # fmt: skip
    elif layer is Layer.OVERLAY:  # issue 15 (h15d): the overlay layer is a stored scenario's
        raise PlanError("--layer overlay needs --scenario (the overlay layer as drawn and stored)")
    elif not args.accounts or not args.reps:
        raise PlanError("give --accounts and --reps, or --scenario")
    else:
        measured = _from_files(args)
    _notes(measured)
    return _print(measured.table, args.format)


def _from_files(args: argparse.Namespace) -> PlanMetrics:
    files = PlanFiles(
        accounts=args.accounts,
        reps=args.reps,
        plan=args.plan,
        call_plan=args.call_plan,
        mapping=args.mapping,
        sheet=args.sheet,
        reps_sheet=args.reps_sheet,
        boundary=args.boundary,
        travel=travel_arguments(args),
    )
    return plan_metrics(files, resolution=args.resolution, tolerance=args.tolerance)


def _notes(measured: PlanMetrics) -> None:
    """What a reader needs to trust the table, on stderr."""
    changes = measured.baseline_changes
    if changes is not None and changes.accounts:
        print(
            f"note: baseline at resolution {measured.resolution}: {changes.accounts} "
            "accounts sit in a cell another rep mostly owns: their owner changes (disruption)",
            file=sys.stderr,
        )
    if measured.outside:
        print(
            f"note: {len(measured.outside)} accounts lie outside the planning area and are not "
            f"planned: {', '.join(measured.outside[:10])}"
            + (" ..." if len(measured.outside) > 10 else ""),
            file=sys.stderr,
        )


def _print(table: pd.DataFrame, fmt: str) -> int:
    """The table on stdout, first columns first, as CSV (formula-safe) or JSON."""
    ordered = [*FIRST_COLUMNS, *(c for c in table.columns if c not in FIRST_COLUMNS)]
    table = table[ordered]
    if fmt == "json":
        sys.stdout.write(table.to_json(orient="records", indent=1) + "\n")
    else:
        spreadsheet_safe(table).to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0
