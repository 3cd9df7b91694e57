"""Every component id, declared once; tests and callbacks import them from here."""

from __future__ import annotations

from enum import StrEnum


class Ids(StrEnum):
    """Stable ids: automation and browser tests rely on these strings."""

    MAP = "map"
    REP_PICKER = "rep-picker"
    REP_TABLE = "rep-table"
    TOLERANCE = "tolerance"
    TEAM_SUMMARY = "team-summary"
