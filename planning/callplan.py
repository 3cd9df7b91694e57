"""Call patterns per segment and the travel model that turn accounts into hours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

Distance = TypeVar("Distance", float, np.ndarray)  # one distance, or many at once

SEGMENTS = ("A", "B", "C")
CHANNELS = ("field", "remote")


@dataclass(frozen=True)
class TravelModel:
    """How far a field visit takes a rep from home, in hours.

    A trip goes out and back (x2), roads are longer than the great circle
    (``circuity``), and one trip serves ``visits_per_trip`` visits.
    """

    circuity: float = 1.3
    speed_kmh: float = 60.0
    visits_per_trip: float = 4.0

    def hours_per_field_visit(self, distance_km: Distance) -> Distance:
        """Travel hours charged to one field visit at ``distance_km`` from home."""
        return 2.0 * distance_km * self.circuity / self.speed_kmh / self.visits_per_trip


def default_call_plan() -> pd.DataFrame:
    """A weekly in-person A, a monthly in-person B, a monthly phone call for C."""
    return pd.DataFrame(
        {
            "visits_per_year": [52.0, 12.0, 12.0],
            "minutes_per_visit": [60.0, 45.0, 15.0],
            "channel": ["field", "field", "remote"],
        },
        index=pd.Index(list(SEGMENTS), name="segment"),
    )


TRAVEL_COLUMNS = ("circuity", "speed_kmh", "visits_per_trip")


def travel_of(call_plan: pd.DataFrame | None) -> TravelModel:
    """The travel model stored with a call plan (its travel columns), or the defaults.

    A data set keeps its travel settings in its call plan, so every market
    built from it measures travel the same way.
    """
    if (
        call_plan is None
        or call_plan.empty
        or not all(c in call_plan.columns for c in TRAVEL_COLUMNS)
    ):
        return TravelModel()
    first = call_plan.iloc[0]
    return TravelModel(**{c: float(first[c]) for c in TRAVEL_COLUMNS})
