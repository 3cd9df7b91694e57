"""Which planning area a data set uses, kept with the data set like its travel settings.

A data set's planning area is part of what the data set *is*: the baseline at each resolution
is drawn on it, and a different area is a different tiling. So the choice is stored in the
call plan's ``planning_area`` column (an uploaded shape, as WKB hex, in ``planning_area_shape``),
as the travel model is in its travel columns: it enters the data set's fingerprint, and changing
it makes a new data set (and a new stored area), never a silent change under existing scenarios.

A call plan without the column was stored before planning areas followed geography: its data
set keeps the accounts' hull (``AreaKind.HULL``), as its stored areas were drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from common.errors import PlanError

AREA_COLUMN = "planning_area"
SHAPE_COLUMN = "planning_area_shape"


class AreaKind(StrEnum):
    """How the planning area is bounded."""

    LAND = "land"
    """The land of the countries that hold the accounts, around the accounts (the default)."""
    HULL = "hull"
    """The accounts' buffered convex hull, sea and foreign land included (the old area)."""
    COUNTRIES = "countries"
    """Whole bundled countries (ISO codes or names), empty parts included."""
    REGIONS = "regions"
    """Whole bundled first-level regions (when the basemap has them)."""
    UPLOAD = "upload"
    """An uploaded boundary (GeoJSON, zipped shapefile, GeoPackage), kept as WKB."""


@dataclass(frozen=True)
class AreaChoice:
    """A planning-area choice as a value: kind, the places it names, an uploaded shape.

    ``text`` is the one-line form the command line takes and the store keeps:
    ``land``, ``hull``, ``countries:PL,DE``, ``regions:PL-MZ``, ``upload:name.geojson``.
    """

    kind: AreaKind = AreaKind.LAND
    places: tuple[str, ...] = ()
    name: str = ""
    """The uploaded file's name (for the page and the logs)."""
    shape_wkb: str = ""
    """The uploaded boundary as hex WKB (lon/lat); empty for the other kinds."""

    @property
    def text(self) -> str:
        """The one-line form (see the class docstring)."""
        if self.kind in (AreaKind.COUNTRIES, AreaKind.REGIONS):
            return f"{self.kind.value}:{','.join(self.places)}"
        if self.kind is AreaKind.UPLOAD:
            return f"{self.kind.value}:{self.name}"
        return self.kind.value

    @classmethod
    def parse(cls, text: str) -> AreaChoice:
        """``land``, ``hull``, ``countries:PL,DE`` or ``regions:...``; PlanError otherwise.

        An uploaded boundary is not parsed from text: it is read from its file
        (``data.boundaries.read_boundary``) into ``AreaChoice(AreaKind.UPLOAD, ...)``.
        """
        kind_text, _, rest = text.strip().partition(":")
        try:
            kind = AreaKind(kind_text.strip().lower())
        except ValueError:
            raise PlanError(
                f"planning area {text!r}: expected land, hull, countries:CODE,... or "
                "regions:CODE,... (or a boundary file)"
            ) from None
        places = tuple(p.strip() for p in rest.split(",") if p.strip())
        if kind in (AreaKind.COUNTRIES, AreaKind.REGIONS) and not places:
            raise PlanError(f"planning area {text!r} names no {kind.value}")
        if kind is AreaKind.UPLOAD:
            raise PlanError("an uploaded planning area is read from its file, not from text")
        return cls(kind, places if kind in (AreaKind.COUNTRIES, AreaKind.REGIONS) else ())


DEFAULT_AREA = AreaChoice(AreaKind.LAND)


def area_choice_of(call_plan: pd.DataFrame | None) -> AreaChoice:
    """The planning area stored with a call plan; the hull when it has none (an older data set)."""
    if call_plan is None or call_plan.empty or AREA_COLUMN not in call_plan.columns:
        return AreaChoice(AreaKind.HULL)
    text = str(call_plan[AREA_COLUMN].iloc[0])
    kind, _, rest = text.partition(":")
    if kind == AreaKind.UPLOAD.value:
        shape = str(call_plan[SHAPE_COLUMN].iloc[0]) if SHAPE_COLUMN in call_plan else ""
        return AreaChoice(AreaKind.UPLOAD, (), rest, shape)
    return AreaChoice.parse(text)


def call_plan_with_area(call_plan: pd.DataFrame, choice: AreaChoice) -> pd.DataFrame:
    """The call plan holding ``choice`` in its planning-area columns (always written)."""
    plan = call_plan.drop(columns=[c for c in (AREA_COLUMN, SHAPE_COLUMN) if c in call_plan])
    plan[AREA_COLUMN] = choice.text
    if choice.kind is AreaKind.UPLOAD:
        plan[SHAPE_COLUMN] = choice.shape_wkb
    return plan


def carry_area(call_plan: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
    """``call_plan`` with the planning area of ``source`` (an edited call plan keeps its area)."""
    if AREA_COLUMN not in source.columns:
        return call_plan.drop(columns=[c for c in (AREA_COLUMN, SHAPE_COLUMN) if c in call_plan])
    return call_plan_with_area(call_plan, area_choice_of(source))
