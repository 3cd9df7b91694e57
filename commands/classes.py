"""``cli.py classes``: market share and class per cell, territory or region, and each class's part.

Per class: TAM, revenue, accounts and workload, as the app's Market-share tab shows them.
"""

from __future__ import annotations

import argparse
import sys

from services.exports import spreadsheet_safe
from services.market_share import (
    Level,
    classes_from_files,
    classes_of_accounts,
    settings_from_file,
)
from services.workspace import PlanFiles


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``classes`` sub-command."""
    p = sub.add_parser(
        "classes",
        help="market share, class (stronghold, base, contested, frontier) and per-class TAM, "
        "revenue, accounts and workload per cell, territory or region",
    )
    p.add_argument("--accounts", required=True, help="accounts file (CSV, XLSX, Parquet ...)")
    p.add_argument("--reps", help="reps file; without it nobody owns any cell")
    p.add_argument("--plan", help="plan CSV h3_cell,rep_id (default: the baseline from rep_id)")
    p.add_argument("--by", choices=[lv.value for lv in Level], default=Level.TERRITORY.value)
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--resolution", type=int, help="H3 resolution 4-9 (default: suits the data)")
    p.add_argument("--call-plan", help="call plan CSV (default: A 52x60 field, B 12x45, C 12x15)")
    p.add_argument(
        "--effort",
        help='effort plan JSON: {"stronghold_pct": 60, "base_pct": 40, "effort": [{"class": '
        '"frontier", "segment": "A", "visits_per_year": 4, "minutes_per_visit": 30, '
        '"channel": "remote"}]}',
    )
    p.add_argument("--stronghold", type=float, help="stronghold threshold, %% (default 60)")
    p.add_argument("--base", type=float, help="base threshold, %% (default 40)")
    p.add_argument("--mapping", help='column mapping JSON {"column in the file": "field"}')
    p.add_argument("--sheet", help="sheet of an accounts workbook (default: the best fit)")
    p.add_argument("--reps-sheet", help="sheet of a reps workbook (default: the best fit)")
    p.add_argument(
        "--boundary",
        default="land",
        help="planning area: land (default), hull, countries:PL,DE, or a boundary file",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load, classify, print (text that starts like a formula is kept as text in CSV)."""
    if args.plan and not args.reps:
        print("error: --plan needs --reps (a plan names reps)", file=sys.stderr)
        return 2
    settings = settings_from_file(args.effort, args.stronghold, args.base)
    level = Level(args.by)
    if args.reps:
        files = PlanFiles(
            accounts=args.accounts, reps=args.reps, plan=args.plan, call_plan=args.call_plan,
            mapping=args.mapping, sheet=args.sheet, reps_sheet=args.reps_sheet,
            boundary=args.boundary,
        )  # fmt: skip
        table = classes_from_files(files, level, settings, resolution=args.resolution)
    else:
        table = classes_of_accounts(
            args.accounts, level, settings, call_plan=args.call_plan, mapping=args.mapping,
            sheet=args.sheet, boundary=args.boundary, resolution=args.resolution,
        )  # fmt: skip
    if args.format == "json":
        sys.stdout.write(table.to_json(orient="records", indent=1) + "\n")
    else:
        spreadsheet_safe(table).to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0
