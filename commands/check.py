"""``cli.py check``: validate one input file and print what would be imported, row by row.

Exit status: 0 when nothing is wrong (warnings allowed), 1 when the file has errors
(even on rows ``--exclude-bad-rows`` leaves out), 2 when it cannot be read at all.
"""

from __future__ import annotations

import argparse
import sys

from services import importing


def _segment_rule(text: str) -> importing.SegmentRule:
    try:
        return importing.SegmentRule.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``check`` sub-command."""
    p = sub.add_parser(
        "check",
        help="validate an input file; list every problem by spreadsheet row",
        description="Validate an input file (CSV, Excel, Parquet, GeoJSON) and list every "
        "problem by spreadsheet row. Exit 0: clean; 1: errors; 2: unreadable.",
    )
    p.add_argument("file", help="the file to check")
    p.add_argument(
        "--kind", choices=importing.KINDS, default="accounts", help="what the file holds"
    )
    p.add_argument("--mapping", help='column mapping JSON {"column in the file": "field"}')
    p.add_argument("--sheet", help="sheet of an Excel workbook (default: the best fit)")
    p.add_argument("--reps", help="reps file: accounts' rep_id must be one of its reps")
    p.add_argument("--decimal", choices=(".", ","), help="decimal mark (default: detected)")
    p.add_argument(
        "--accept-swaps", action="store_true", help="swap lat/lon where they look swapped"
    )
    p.add_argument("--exclude-bad-rows", action="store_true", help="import the rows without errors")
    p.add_argument(
        "--derive-segments",
        type=_segment_rule,
        metavar="RULE",
        help="fill missing segments from TAM: share:20,30 (top 20%% A, next 30%% B) "
        "or tam:100000,20000 (thresholds)",
    )
    p.add_argument("--report", metavar="CSV", help="also write the problem list to this CSV")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Import without keeping anything; print the report."""
    options = importing.ImportOptions(
        sheet=args.sheet,
        decimal=args.decimal,
        exclude_bad_rows=args.exclude_bad_rows,
        accept_swaps=args.accept_swaps and args.kind in ("accounts", "reps"),
        derive_segments=args.derive_segments if args.kind == "accounts" else None,
    )
    report = importing.check_file(
        args.file, args.kind, options, mapping_path=args.mapping, reps_path=args.reps,
        report_path=args.report,
    )  # fmt: skip
    sys.stdout.write(report.summary() + "\n")
    if report.columns:  # the mapping used, one column per line (issue 11)
        print("mapping (column -> field):", file=sys.stderr)
        for line in importing.describe_mapping(dict(report.columns)):
            print(f"  {line}", file=sys.stderr)
    located = report.located
    if located.get("postcode") or located.get("town") or report.not_located:
        sys.stdout.write(report.location_line() + "\n")  # issue 11 part 5: accounts placed
    if report.encoding or report.sheet:
        read_as = (
            f"encoding {report.encoding}, delimiter {report.delimiter!r}"
            if report.encoding
            else f"sheet {report.sheet!r}, header on row {report.header_row}"
        )
        print(f"note: read {args.file} as {read_as}", file=sys.stderr)
    return 1 if report.errors else 0
