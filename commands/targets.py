"""``cli.py targets``: the company's target split down to every rep, district and region."""

from __future__ import annotations

import argparse
import sys

from planning.targets import DRIVERS, TargetRule
from services.exports import spreadsheet_safe
from services.targets import targets_from_files
from services.workspace import PlanFiles


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``targets`` sub-command."""
    p = sub.add_parser(
        "targets", help="split an annual target to reps, districts and regions (plus TOTAL)"
    )
    p.add_argument("--accounts", required=True, help="accounts file (CSV or Parquet)")
    p.add_argument("--reps", required=True, help="reps file (region, district optional)")
    p.add_argument("--plan", help="plan CSV h3_cell,rep_id (default: the baseline from rep_id)")
    p.add_argument("--total", required=True, type=float, help="the company's annual target")
    p.add_argument("--driver", required=True, choices=DRIVERS, help="what the split follows")
    p.add_argument(
        "--growth", type=float, default=0.0, help="growth over revenue for --driver growth"
    )
    p.add_argument("--blend", type=float, default=0.5, help="TAM weight for --driver blend")
    p.add_argument("--floor", type=float, help="least growth of a rep's target over its revenue")
    p.add_argument("--ceiling", type=float, help="most growth of a rep's target over its revenue")
    p.add_argument(
        "--override",
        action="append",
        default=[],
        metavar="REP=AMOUNT",
        help="a rep's target typed by hand (repeat); the rest is re-split",
    )
    p.add_argument("--round", type=float, default=1.0, help="rounding unit, e.g. 1000")
    p.add_argument("--resolution", type=int, help="H3 resolution 4-9 (default: suits the data)")
    p.add_argument(
        "--call-plan", help="call plan CSV segment,visits_per_year,minutes_per_visit,channel"
    )
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--mapping", help='column mapping JSON {"column in the file": "field"}')
    p.add_argument("--boundary", default="land", help="planning area (as for cli.py metrics)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load, plan, split, print."""
    overrides = {}
    for item in args.override:
        rep, _, amount = str(item).partition("=")
        try:
            overrides[rep.strip()] = float(amount)
        except ValueError:
            print(f"error: --override wants REP=AMOUNT, got {item!r}", file=sys.stderr)
            return 2
    rule = TargetRule(
        total=args.total, driver=args.driver, growth=args.growth, blend=args.blend,
        floor=args.floor, ceiling=args.ceiling, unit=args.round, overrides=overrides,
    )  # fmt: skip
    files = PlanFiles(
        accounts=args.accounts,
        reps=args.reps,
        plan=args.plan,
        call_plan=args.call_plan,
        mapping=args.mapping,
        boundary=args.boundary,
    )
    split = targets_from_files(files, rule, resolution=args.resolution)
    changes = split.baseline_changes
    if changes is not None and changes.accounts:
        print(
            f"note: baseline at resolution {split.resolution}: {changes.accounts} accounts sit "
            "in a cell another rep mostly owns: their owner changes",
            file=sys.stderr,
        )
    table = split.table
    if args.format == "json":
        sys.stdout.write(table.to_json(orient="records", indent=1) + "\n")
    else:
        spreadsheet_safe(table).to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0
