"""The travel settings a data set keeps with its call plan, as command-line options."""

from __future__ import annotations

import argparse

from planning.callplan import TravelModel
from planning.callplan_edits import travel_from_values


def add_travel_arguments(p: argparse.ArgumentParser) -> None:
    """``--circuity``, ``--speed-kmh`` and ``--visits-per-trip`` (the Data tab's travel fields)."""
    d = TravelModel()
    p.add_argument("--circuity", type=float, help=f"road over straight line (default {d.circuity})")
    p.add_argument("--speed-kmh", type=float, help=f"travel speed (default {d.speed_kmh:g})")
    p.add_argument(
        "--visits-per-trip",
        type=float,
        help=f"visits one trip serves (default {d.visits_per_trip:g})",
    )


def travel_arguments(args: argparse.Namespace) -> TravelModel | None:
    """The travel model the options give; None when none is given (the defaults).

    Values are checked as the Data tab checks them (``EditError``: above zero).
    """
    given = {"circuity": args.circuity, "speed_kmh": args.speed_kmh,
             "visits_per_trip": args.visits_per_trip}  # fmt: skip
    if all(v is None for v in given.values()):
        return None
    d = TravelModel()
    return travel_from_values({k: getattr(d, k) if v is None else v for k, v in given.items()})
