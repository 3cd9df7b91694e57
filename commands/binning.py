"""``cli.py bin``: accounts files of any size read, checked, binned to H3 and summed per cell.

Above ``HEXALIGN_DASK_THRESHOLD_ROWS`` rows (or with ``--engine dask``) the work runs on Dask:
a LocalCluster here, or the scheduler at ``HEXALIGN_DASK_ADDRESS``. Exit status: 0 when no
row has an error, 1 when some rows were left out for errors (listed by file and row).
"""

from __future__ import annotations

import argparse
import sys

from services import binning
from services.areas import choice_from_text

SHOWN_PROBLEMS = 20


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``bin`` sub-command."""
    p = sub.add_parser(
        "bin",
        help="sum accounts files per H3 cell (on Dask above a size); list every bad row",
        description="Read, check, bin to H3 and sum accounts files per cell; above "
        "HEXALIGN_DASK_THRESHOLD_ROWS rows on Dask. Exit 0: no errors; 1: rows left out.",
    )
    p.add_argument("files", nargs="+", help="accounts files (CSV, Parquet, ...), one task each")
    p.add_argument("--reps", help="reps file: accounts' rep_id must be one of its reps")
    p.add_argument("--resolution", type=int, help="H3 resolution (default: as the planner picks)")
    p.add_argument(
        "--engine", choices=[e.value for e in binning.Engine], default="auto",
        help="where to run: auto (by size), local (this process) or dask",
    )  # fmt: skip
    p.add_argument("--workers", type=int, help="LocalCluster worker processes (default: cores)")
    p.add_argument("--out", metavar="FILE", help="write the per-cell totals (CSV or .parquet)")
    p.add_argument("--report", metavar="CSV", help="write every problem (file, row, reason)")
    # issue 18 point 4: the totals kept as a data set the app and cli.py metrics plan on
    p.add_argument("--dataset", metavar="NAME",
                   help="keep the totals in the store as data set NAME (needs --reps), with a "
                   "baseline and a working plan: the app's data-set switcher opens it")  # fmt: skip
    p.add_argument("--database", help="with --dataset: database URL (default as the app's)")
    p.add_argument("--call-plan", help="with --dataset: call plan CSV (default: the default plan)")
    p.add_argument("--boundary", default="land",
                   help="with --dataset: planning area (land, hull, countries:PL,DE)")  # fmt: skip
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Bin the files; print the summary and the first problems (and the data set kept)."""
    stored = None
    if args.dataset:
        stored = binning.bin_into_dataset(
            args.files, args.dataset, reps_path=args.reps, call_plan_path=args.call_plan,
            area=choice_from_text(args.boundary), database_url=args.database,
            resolution=args.resolution, engine=binning.Engine(args.engine), workers=args.workers,
            totals_path=args.out, report_path=args.report,
        )  # fmt: skip
        result = stored.binned
    else:
        result = binning.bin_accounts(
            args.files, reps_path=args.reps, resolution=args.resolution,
            engine=binning.Engine(args.engine), workers=args.workers, totals_path=args.out,
            report_path=args.report,
        )  # fmt: skip
    errors = result.problems("error")
    sys.stdout.write(
        f"{len(result.reports)} file(s) on {result.engine}: {result.rows_read:,} rows read, "
        f"{result.imported:,} summed into {len(result.totals):,} cells at resolution "
        f"{result.totals.resolution}; {len(errors):,} error(s)\n"
    )
    for source, problem in result.problems()[:SHOWN_PROBLEMS]:
        sys.stdout.write(f"  {source} {problem} [{problem.severity}]\n")
    hidden = len(result.problems()) - SHOWN_PROBLEMS
    if hidden > 0:
        sys.stdout.write(f"  ... and {hidden:,} more (--report CSV lists them all)\n")
    if stored is not None:
        sys.stdout.write(
            f"kept as data set {stored.dataset_id} {stored.name!r}: working plan is scenario "
            f"{stored.scenario_id} (cli.py metrics --scenario {stored.scenario_id}; the app's "
            "data-set switcher opens it)\n"
        )
    return 1 if errors else 0
