"""Editing the call plan and the travel model as typed, and saying what an edit changes.

A stored data set never changes, so an edit becomes a new data set
(``services.datasets``). Travel settings (``TravelModel``) belong to the data
set: they are stored as three extra columns of the call-plan frame
(``TRAVEL_COLUMNS``, the same value on every segment row), written only when
they differ from the defaults, so a data set with default travel keeps its
fingerprint. ``travel_of`` reads them back; ``build_market`` reads only the
three call-plan columns, so the travel columns are ignored wherever
``travel_of`` is not asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

import numpy as np
import pandas as pd

from planning.callplan import CHANNELS, SEGMENTS, TRAVEL_COLUMNS, TravelModel
from planning.edit_values import EditError, number

CALL_PLAN_FIELDS = ("visits_per_year", "minutes_per_visit", "channel")
"""The columns of a call plan a person edits, per segment."""
TRAVEL_NAMES = {"circuity": "circuity", "speed_kmh": "speed (km/h)",
                "visits_per_trip": "visits/trip"}  # fmt: skip
"""Travel field -> its name in sentences."""


def call_plan_with_travel(call_plan: pd.DataFrame, travel: TravelModel) -> pd.DataFrame:
    """The call plan holding ``travel`` in its travel columns (none for the default model)."""
    plan = call_plan.drop(columns=[c for c in TRAVEL_COLUMNS if c in call_plan.columns])
    if travel != TravelModel():
        for name, value in asdict(travel).items():
            plan[name] = float(value)
    return plan


def call_plan_from_values(values: Mapping[str, Mapping[str, object]]) -> pd.DataFrame:
    """A call plan from typed values, segment -> field -> value, or one sentence saying why not.

    Visits and minutes are numbers >= 0; the channel is ``field`` or ``remote``.
    """
    rows = []
    for segment in SEGMENTS:
        given = values.get(segment, {})
        visits = number(given.get("visits_per_year"), f"segment {segment} visits/year")
        minutes = number(given.get("minutes_per_visit"), f"segment {segment} minutes/visit")
        channel = str(given.get("channel") or "")
        if channel not in CHANNELS:
            raise EditError(
                f"segment {segment} channel must be {' or '.join(CHANNELS)}, got {channel!r}"
            )
        rows.append((visits, minutes, channel))
    return pd.DataFrame(
        rows, columns=list(CALL_PLAN_FIELDS), index=pd.Index(list(SEGMENTS), name="segment")
    )


def travel_from_values(values: Mapping[str, object]) -> TravelModel:
    """A travel model from typed values; each must be a number above zero."""
    numbers = {}
    for field, label in TRAVEL_NAMES.items():
        v = number(values.get(field), label)
        if v <= 0:
            raise EditError(f"{label} must be above zero, got {v:g}")
        numbers[field] = v
    return TravelModel(**numbers)


def call_plan_changes(
    old: pd.DataFrame, new: pd.DataFrame, old_travel: TravelModel, new_travel: TravelModel
) -> list[str]:
    """What an edit changes, in words: ``A visits/year 52 → 104``, ``speed (km/h) 60 → 50``."""
    labels = {"visits_per_year": "visits/year", "minutes_per_visit": "minutes/visit",
              "channel": "channel"}  # fmt: skip
    a, b = old.reindex(list(SEGMENTS)), new.reindex(list(SEGMENTS))
    out = []
    for segment in SEGMENTS:
        for field, label in labels.items():
            before, after = a.loc[segment, field], b.loc[segment, field]
            if field == "channel" and str(before) != str(after):
                out.append(f"{segment} {label} {before} → {after}")
            elif field != "channel" and not np.isclose(float(before), float(after)):
                out.append(f"{segment} {label} {float(before):g} → {float(after):g}")
    for field, label in TRAVEL_NAMES.items():
        before, after = getattr(old_travel, field), getattr(new_travel, field)
        if not np.isclose(before, after):
            out.append(f"{label} {before:g} → {after:g}")
    return out
