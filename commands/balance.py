"""``cli.py balance``: propose a balanced plan for a team, headless."""

from __future__ import annotations

import argparse
import sys

from data.planfile import read_plan_csv, write_plan_csv
from data.validation import load_accounts, load_call_plan, load_reps
from planning.autobalance import balance_plan
from planning.metrics import metrics_table
from planning.optimizer import Settings
from planning.workspace import open_plan


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
    p.add_argument("--out", required=True, help="where to write the plan CSV")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load, balance, write the plan, print the resulting metrics and who is still off."""
    reps = load_reps(args.reps)
    accounts = load_accounts(args.accounts, rep_ids=list(reps["rep_id"]))
    call_plan = load_call_plan(args.call_plan) if args.call_plan else None
    current = read_plan_csv(args.plan, list(reps["rep_id"])) if args.plan else None
    plan, _ = open_plan(accounts, reps, call_plan, resolution=args.resolution, assignment=current)
    settings = Settings(
        balance=tuple((name.strip(), 1.0) for name in args.balance.split(",") if name.strip()),
        tolerance=args.tolerance,
        mode=args.mode,
        disruption_cap=args.max_disruption,
        seed=args.seed,
        time_limit=args.time_limit,
        max_capacity=True,
    )
    proposal, result = balance_plan(plan, settings, rng=args.seed, progress=_progress)
    write_plan_csv(proposal, args.out)
    metrics_table(proposal, args.tolerance).to_csv(sys.stdout, index=False, lineterminator="\n")
    verdict = "optimal (proven by exhaustive search)" if result.optimal else "best found"
    print(
        f"{verdict}: worst deviation {result.worst_deviation:+.1%}, "
        f"{result.units_moved} cells and {result.disruption:.1%} of accounts moved, "
        f"{int(result.contiguous.sum())}/{len(result.contiguous)} territories contiguous, "
        f"{result.runtime:.1f} s",
        file=sys.stderr,
    )
    for message in result.messages:
        print(f"note: {message}", file=sys.stderr)
    return 0


def _progress(state: dict) -> None:
    print(
        f"\rbalancing: round {state.get('iteration', 0)}, "
        f"worst deviation {state.get('worst_deviation', float('nan')):+.1%}",
        end="",
        file=sys.stderr,
    )
