"""``cli.py export``: a saved scenario out of the database as CSV, Excel, GeoJSON, GeoParquet."""

from __future__ import annotations

import argparse
import sys

from services.exports import FORMATS, export_scenario
from services.pictures import PICTURE_FORMATS, export_picture


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``export`` sub-command."""
    p = sub.add_parser("export", help="export a saved scenario (accounts, workbook, map, plan)")
    p.add_argument("--scenario", required=True, help="scenario name (or numeric id)")
    p.add_argument(
        "--format",
        required=True,
        choices=(*FORMATS, *PICTURE_FORMATS),  # issue 16: png, pdf (16:9 slide), rep-pdf
        help="csv: one row per account; xlsx: workbook; geojson/parquet: territories "
        "with metrics; plan: h3_cell,rep_id; owner-changes: the accounts whose owner changes "
        "against the imported owners (old and new owner); owner-changes-salesforce: Id,OwnerId "
        "for Data Loader; owner-changes-hubspot: Record ID,Company owner for HubSpot's import; "
        "png/pdf: the map, legend and per-rep summary as a 16:9 slide (offline, Chromium); "
        "rep-pdf: one A4 page per rep",
    )
    p.add_argument("--out", required=True, help="file to write")
    p.add_argument("--database", help="database URL (default: HEXALIGN_DATABASE_URL or var/)")
    p.add_argument("--dataset", type=int, help="dataset id, when several hold the scenario name")
    p.add_argument("--compare-to", help="xlsx only: add sheets comparing with this scenario")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Export the scenario through the service; say what was written."""
    if args.format in PICTURE_FORMATS:  # issue 16 point 8: pictures for the deck
        path = export_picture(args.scenario, args.format, args.out, database_url=args.database,
                              dataset_id=args.dataset)  # fmt: skip
        print(f"wrote {path} ({args.format}, scenario {args.scenario!r})", file=sys.stderr)
        return 0
    written = export_scenario(
        args.scenario,
        args.format,
        args.out,
        database_url=args.database,
        dataset_id=args.dataset,
        compare_to=args.compare_to,
    )
    print(
        f"wrote {written.path} ({args.format}, scenario {written.name!r} v{written.version})",
        file=sys.stderr,
    )
    return 0
