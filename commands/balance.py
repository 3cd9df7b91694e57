"""``cli.py balance``: propose a balanced plan for a team, headless."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from commands.travel import add_travel_arguments, travel_arguments
from planning.optimizer import Settings
from services.balancing import balance_files
from services.exports import spreadsheet_safe
from services.workspace import PlanFiles


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``balance`` sub-command."""
    p = sub.add_parser("balance", help="propose balanced, contiguous territories; write a plan CSV")
    p.add_argument("--accounts", required=True)
    p.add_argument("--reps", required=True)
    p.add_argument("--plan", help="current plan CSV h3_cell,rep_id (default: the baseline)")
    p.add_argument("--call-plan")
    p.add_argument("--resolution", type=int)
    p.add_argument("--mode", choices=("rebalance", "design"), default="rebalance")
    p.add_argument("--balance", default="workload", help="workload, tam or workload,tam")
    p.add_argument("--tolerance", type=float, default=0.05)
    p.add_argument("--max-disruption", type=float, help="share of accounts that may change owner")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds")
    p.add_argument(
        "--experience-weight", type=float, default=0.0,
        help="prefer experienced or senior reps on contested ground and new reps off it "
        "(reps file column 'experience'); 1 = one contested account handed over is worth about "
        "one account moved; 0 (default) = not considered",
    )  # fmt: skip
    p.add_argument("--out", required=True, help="where to write the plan CSV")
    p.add_argument(
        "--boundary",
        default="land",
        help="planning area: land (default: land of the accounts' countries), hull, "
        "countries:PL,DE, or a boundary file (GeoJSON, zipped shapefile, GeoPackage)",
    )
    add_travel_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load, balance, write the plan, print the resulting metrics and who is still off."""
    files = PlanFiles(
        accounts=args.accounts,
        reps=args.reps,
        plan=args.plan,
        call_plan=args.call_plan,
        boundary=args.boundary,
        travel=travel_arguments(args),
    )
    settings = Settings(
        balance=tuple((name.strip(), 1.0) for name in args.balance.split(",") if name.strip()),
        tolerance=args.tolerance,
        mode=args.mode,
        disruption_cap=args.max_disruption,
        seed=args.seed,
        time_limit=args.time_limit,
        max_capacity=True,
        # issue 15: with an experience weight, keep improving once balanced (the weight is a
        # secondary term: a plan already within tolerance would otherwise be kept as it is)
        improve=args.experience_weight > 0,
    )
    balanced = balance_files(files, settings, args.out, resolution=args.resolution,
                             progress=_progress,
                             experience_weight=args.experience_weight)  # fmt: skip
    result = balanced.result
    spreadsheet_safe(balanced.metrics).to_csv(sys.stdout, index=False, lineterminator="\n")
    verdict = "optimal (proven by exhaustive search)" if result.optimal else "best found"
    print(file=sys.stderr)  # end the progress line
    print(
        f"{verdict}: worst deviation {result.worst_deviation:+.1%}, "
        f"{result.units_moved} cells and {result.disruption:.1%} of accounts moved "
        "(owner other than last quarter's, as the table's disruption_accounts), "
        f"{int(result.contiguous.sum())}/{len(result.contiguous)} territories contiguous, "
        f"{result.runtime:.1f} s",
        file=sys.stderr,
    )
    for message in result.messages:
        print(f"note: {message}", file=sys.stderr)
    return 0


def _progress(state: dict[str, Any]) -> None:
    print(
        f"\rbalancing: round {state.get('iteration', 0)}, "
        f"worst deviation {state.get('worst_deviation', float('nan')):+.1%}",
        end="",
        file=sys.stderr,
    )
