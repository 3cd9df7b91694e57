"""Every component id, declared once; tests and callbacks import them from here."""

from __future__ import annotations

from enum import StrEnum


class Ids(StrEnum):
    """Stable ids: automation and browser tests rely on these strings."""

    MAP = "map"
    REP_PICKER = "rep-picker"
    REP_TABLE = "rep-table"
    TOLERANCE = "tolerance"
    TOOL = "tool"
    COLOUR_MODE = "colour-mode"
    RESOLUTION = "resolution"
    UNDO = "undo"
    REDO = "redo"
    MESSAGE = "message"
    TEAM_SUMMARY = "team-summary"
    WORKLOAD_CHART = "workload-chart"
    TAM_CHART = "tam-chart"
    LEGEND = "legend"
    REP_KEYS = "rep-keys"
    SCENARIO_NAME = "scenario-name"
    SECTIONS = "sections"
    # stores
    SCENARIO = "scenario-store"
    VERSION = "version-store"
    VIEW = "view-store"
    SELECTION = "selection-store"
    PAINT = "paint-store"
    KEY_COMMAND = "key-command"
    PAINTED = "painted-store"
