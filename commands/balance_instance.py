"""``cli.py balance-instance``: the generic optimizer on CSV files of units, reps and costs."""

from __future__ import annotations

import argparse
from typing import Literal

from common.errors import PlanError
from planning.optimizer import Settings
from services.balancing import InstanceFiles, balance_instance_files

MINIMIZE = ("cost", "disruption", "compactness")
EXACT: dict[str, bool | Literal["auto"]] = {"auto": "auto", "always": True, "never": False}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``balance-instance`` sub-command."""
    p = sub.add_parser(
        "balance-instance",
        help="balance units between reps from CSV files (generic optimizer, no H3)",
    )
    p.add_argument("--units", required=True, help="CSV unit_id,<measures>[,current_rep][,locked]")
    p.add_argument("--reps", required=True, help="CSV rep_id[,capacity]")
    p.add_argument("--cost", required=True, help="CSV unit_id,rep_id,cost (every pair)")
    p.add_argument("--adjacency", help="CSV unit_a,unit_b; without it contiguity is off")
    p.add_argument("--balance", required=True, help="measure column(s) to balance, comma-separated")
    p.add_argument("--tolerance", type=float, default=0.05, help="0.05 = within 5%% of target")
    p.add_argument(
        "--minimize",
        default="disruption",
        help="what decides among balanced plans: cost, disruption, compactness, comma-separated",
    )
    p.add_argument("--mode", choices=("rebalance", "design"), help="default: rebalance if "
                   "the units file has current_rep values, else design")  # fmt: skip
    p.add_argument("--cost-counts-toward", help="measure the cost adds to (travel into workload)")
    p.add_argument("--max-capacity", action="store_true", help="no rep above its capacity")
    p.add_argument("--disruption-cap", type=float, help="most share of units that may move")
    p.add_argument("--exact", choices=("auto", "always", "never"), default="auto",
                   help="always: beyond exhaustive reach, local search then a MILP (HiGHS) "
                   "with its proven bound; the better plan is kept")  # fmt: skip
    p.add_argument("--no-improve", action="store_true",
                   help="stop once every rep is within tolerance instead of improving "
                   "the objective with exact touching-territories subproblems until the time limit",
                   )  # fmt: skip
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds")
    p.add_argument("--out", required=True, help="where to write unit_id,rep_id")
    p.set_defaults(run=run)


def _settings(args: argparse.Namespace) -> Settings:
    """The optimizer settings the flags ask for; the mode is settled once the units are read."""
    wanted = [w.strip() for w in args.minimize.split(",") if w.strip()]
    unknown = [w for w in wanted if w not in MINIMIZE]
    if unknown or not wanted:
        raise PlanError(f"--minimize takes {', '.join(MINIMIZE)}; got {args.minimize!r}")
    names = [c.strip() for c in args.balance.split(",") if c.strip()]
    return Settings(
        balance={name: 1.0 for name in names},
        tolerance=args.tolerance,
        seed=args.seed,
        time_limit=args.time_limit,
        max_capacity=args.max_capacity,
        disruption_cap=args.disruption_cap,
        exact=EXACT[args.exact],
        improve=not args.no_improve,
        cost_weight=1.0 if "cost" in wanted else 0.0,
        disruption_weight=1.0 if "disruption" in wanted else 0.0,
        compactness_weight=1.0 if "compactness" in wanted else 0.0,
    )


def run(args: argparse.Namespace) -> int:
    """Read the files, balance, write the plan, print the figures."""
    files = InstanceFiles(
        units=args.units,
        reps=args.reps,
        cost=args.cost,
        adjacency=args.adjacency,
        cost_counts_toward=args.cost_counts_toward,
    )
    balanced = balance_instance_files(files, _settings(args), args.out, mode=args.mode)
    instance, settings, result = balanced.instance, balanced.settings, balanced.result

    print(f"mode: {settings.mode}")
    print(f"cost: {result.cost_total:,.2f}")
    if settings.mode == "rebalance":
        print(
            f"disruption: {result.disruption:.1%} of disruption weight moved "
            f"({result.units_moved} of {instance.n_units} units)"
        )
    cols = [instance.measure_index(n) for n in settings.balance_names]
    for r in range(instance.n_reps):
        parts = [
            f"{instance.measure_names[k]} {result.loads[r, k]:,.2f} against target "
            f"{result.targets[r, k]:,.2f} ({result.deviations[r, k]:+.1%})"
            for k in cols
        ]
        print(f"rep {instance.rep_label(r)}: " + "; ".join(parts))
    print(f"worst deviation: {result.worst_deviation:.1%} (tolerance {settings.tolerance:.1%})")
    exhaustive = "optimal (proven by exhaustive search)"
    status = exhaustive if exhaustive in result.messages else result.status
    print(status)
    if result.bound is not None:
        print(f"objective: {result.objective.secondary:.6g}; lower bound: {result.bound:.6g}; "
              f"gap: {result.gap:.2%}")  # fmt: skip
    for message in result.messages:
        if message != status:
            print(message)
    print(f"wrote {balanced.rows} rows to {args.out}")
    return 0
