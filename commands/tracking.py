"""``cli.py track``: a period's actuals against the plan: attainment, call compliance, coverage."""

from __future__ import annotations

import argparse
import sys

from services.exports import spreadsheet_safe
from services.tracking import track_files
from services.workspace import PlanFiles

COLUMNS = (
    "rep_id", "level", "name", "revenue", "target", "attainment", "visits_made",
    "visits_planned", "call_compliance", "call_compliance_A", "call_compliance_B",
    "call_compliance_C", "planned_accounts", "visited_accounts", "coverage",
)  # fmt: skip


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``track`` sub-command."""
    p = sub.add_parser(
        "track", help="a period's revenue and visits against the plan, per rep and level"
    )
    p.add_argument("--accounts", required=True, help="accounts file (CSV, Excel or Parquet)")
    p.add_argument("--reps", required=True, help="reps file (region, district optional)")
    p.add_argument("--plan", help="plan CSV h3_cell,rep_id (default: the baseline from rep_id)")
    p.add_argument("--actuals", help="revenue file account_id,period,revenue")
    p.add_argument("--visits", help="visits file date,account_id,rep_id,channel")
    p.add_argument("--period", required=True, help="2026-07 (a month) or 2026-Q3 (a quarter)")
    p.add_argument("--resolution", type=int, help="H3 resolution 4-9 (default: suits the data)")
    p.add_argument(
        "--call-plan", help="call plan CSV segment,visits_per_year,minutes_per_visit,channel"
    )
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--mapping", help='column mapping JSON {"column in the file": "field"}')
    p.add_argument("--boundary", default="land", help="planning area (as for cli.py metrics)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load, check the actuals (bad rows to stderr by row), track, print."""
    if not args.actuals and not args.visits:
        print("error: give --actuals, --visits or both", file=sys.stderr)
        return 2
    files = PlanFiles(
        accounts=args.accounts, reps=args.reps, plan=args.plan, call_plan=args.call_plan,
        mapping=args.mapping, boundary=args.boundary,
    )  # fmt: skip
    result = track_files(files, args.period, args.actuals, args.visits, resolution=args.resolution)
    for f in result.files:
        print(f"note: {f.summary()}", file=sys.stderr)
        for bad in f.checked.bad:
            where = f", column {bad.column}" if bad.column else ""
            print(f"note: {f.source} row {bad.row}{where}: {bad.reason}", file=sys.stderr)
    print(f"note: targets {result.rule}", file=sys.stderr)
    table = result.tracking.table[list(COLUMNS)]
    if args.format == "json":
        sys.stdout.write(table.to_json(orient="records", indent=1) + "\n")
    else:
        spreadsheet_safe(table).to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0
