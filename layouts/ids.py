"""Every component id, declared once; tests and callbacks import them from here."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from dash import ALL
from dash.dependencies import Wildcard


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
    PANEL_CHARTS = "panel-charts-store"  # issue 18: a move's chart figures, drawn after the map
    SETTLED_VERSION = "settled-version-store"  # issue 18: VERSION once the map has painted it
    SECTION_VERSION = "section-version-store"  # issue 18: the same, only while a section is open
    KEY_COMMAND = "key-command"
    PAINTED = "painted-store"
    CAMERA = "camera-store"
    # scenarios tab (layouts/scenarios.py); *_OPEN, HISTORY_RESTORE and EXPORT are the
    # "kind" of repeated buttons, whose ids are dicts (layouts.scenarios)
    SCENARIO_LIST = "scenario-list"
    SCENARIO_OPEN = "scenario-open"
    SCENARIO_NAME_INPUT = "scenario-name-input"
    SCENARIO_NEW = "scenario-new"
    SCENARIO_BRANCH = "scenario-branch"
    SCENARIO_RENAME = "scenario-rename"
    SCENARIO_DELETE = "scenario-delete"
    SCENARIO_DELETE_CONFIRM = "scenario-delete-confirm"
    SCENARIOS_CHANGED = "scenarios-changed-store"
    COMPARE_A = "compare-a"
    COMPARE_B = "compare-b"
    COMPARE_TABLE = "compare-table"
    COMPARE_SUMMARY = "compare-summary"
    COMPARE_MAP = "compare-map"
    COMPARE_EXPORT = "compare-export"
    COMPARE_DOWNLOAD = "compare-download"
    HISTORY = "scenario-history"
    HISTORY_RESTORE = "scenario-history-restore"
    EXPORT = "scenario-export"
    EXPORT_DOWNLOAD = "scenario-export-download"
    # auto-balance tab (layouts/balance_tab.py)
    BALANCE_MODE = "balance-mode"
    BALANCE_MEASURES = "balance-measures"
    BALANCE_TOLERANCE = "balance-tolerance"
    BALANCE_MAX_DISRUPTION = "balance-max-disruption"
    BALANCE_COMPACTNESS = "balance-compactness"
    BALANCE_TIME_LIMIT = "balance-time-limit"
    BALANCE_SEED = "balance-seed"
    BALANCE_MINIMIZE = "balance-minimize"  # issue 13 (h13): what to minimise after balance
    BALANCE_EXPERIENCE = "balance-experience"  # issue 15 (h15d): experience on contested ground
    BALANCE_RUN = "balance-run"
    BALANCE_STOP = "balance-stop"
    BALANCE_CANCEL = "balance-cancel"
    BALANCE_PROGRESS = "balance-progress"
    BALANCE_STATUS = "balance-status"
    BALANCE_RESULT = "balance-result"
    # data tab (layouts/data_tab.py); DATA_MAP_FIELD, DATA_CHOICE, DATA_FIX, DATA_CALL_PLAN
    # and DATA_TRAVEL are the "kind" of repeated widgets, whose ids are dicts (layouts.data_tab)
    DATA_ACCOUNTS_UPLOAD = "data-accounts-upload"
    DATA_REPS_UPLOAD = "data-reps-upload"
    DATA_MAPPING_UPLOAD = "data-mapping-upload"
    DATA_FILES = "data-files"
    DATA_MAPPING = "data-mapping"
    DATA_MAP_FIELD = "data-map-field"
    DATA_MAPPING_SAVE = "data-mapping-save"
    DATA_MAPPING_DOWNLOAD = "data-mapping-download"
    DATA_OPTIONS = "data-options"
    DATA_CHECK = "data-check"
    DATA_USE = "data-use"
    DATA_PROGRESS = "data-progress"
    DATA_STATUS = "data-status"
    DATA_REPORT = "data-report"
    DATA_CHOICE = "data-choice"
    DATA_FIX = "data-fix"
    DATA_REPORT_SAVE = "data-report-save"
    DATA_REPORT_DOWNLOAD = "data-report-download"
    DATA_USE_STATUS = "data-use-status"
    DATA_IMPORT = "data-import-store"
    DATA_RESULT = "data-result-store"
    DATA_TEAM = "data-team-store"
    DATA_CALL_PLAN = "data-call-plan"
    DATA_TRAVEL = "data-travel"
    DATA_CALL_PLAN_APPLY = "data-call-plan-apply"
    DATA_CALL_PLAN_STATUS = "data-call-plan-status"
    DATA_REPS_TABLE = "data-reps-table"
    DATA_REP_NEW = "data-rep-new"
    DATA_REP_ADD = "data-rep-add"
    DATA_REP_CENTRE = "data-rep-centre"
    DATA_TEAM_APPLY = "data-team-apply"
    DATA_TEAM_CONFIRM = "data-team-confirm"
    DATA_TEAM_STATUS = "data-team-status"
    DATA_RECEIVED = "data-received-store"
    # planning area of an import (issue 11 point 3, planning-area branch)
    DATA_AREA = "data-area"
    DATA_AREA_UPLOAD = "data-area-upload"
    # datasets-find: data-set switcher and header (layouts/main.py dataset_switcher), find box
    DATASET_NAME = "dataset-name"
    DATASET_SWITCHER = "dataset-switcher"
    SCENARIO_LIST_DATASET = "scenario-list-dataset"
    FIND = "find"
    FIND_RESULTS = "find-results"
    FIND_RESULT = "find-result"
    FIND_FOCUS = "find-focus-store"
    FIND_SHOWN = "find-shown-store"
    # basemap-layers: the toolbar's layer switch and what the browser was told (layouts/basemap.py)
    BASEMAP_TOGGLE = "basemap-toggle"
    BASEMAP_SHOWN = "basemap-shown-store"
    # market-share classes and the effort plan (issue 14 section 1; layouts/market_share.py);
    # SHARE_EFFORT is the "kind" of the effort grid's inputs, whose ids are dicts (effort_id)
    CLASS_LEGEND = "class-legend"
    SHARE_STRONGHOLD = "share-stronghold"
    SHARE_BASE = "share-base"
    SHARE_LEVEL = "share-level"
    SHARE_MEASURE = "share-measure"
    SHARE_TABLE = "share-table"
    SHARE_CHART = "share-chart"
    SHARE_PICK = "share-pick"
    SHARE_DETAIL = "share-detail"
    SHARE_EFFORT = "share-effort"
    SHARE_PREVIEW = "share-preview"
    SHARE_EFFECT = "share-effect"
    SHARE_APPLY = "share-apply"
    SHARE_STATUS = "share-status"
    # issue 14 targets and hierarchy: the panel's level and fair-share scope, the target rule,
    # the map's region/district filter, auto-balance limited to one region
    PANEL_LEVEL = "panel-level"
    PANEL_SCOPE = "panel-scope"
    PANEL_NOTE = "panel-note"
    TARGET_TOTAL = "target-total"
    TARGET_DRIVER = "target-driver"
    TARGET_GROWTH = "target-growth"
    TARGET_ROUND = "target-round"
    TARGET_FLOOR = "target-floor"
    TARGET_CEILING = "target-ceiling"
    TARGET_OVERRIDES = "target-overrides"
    TARGET_STATUS = "target-status"
    TARGETS_KEPT = "targets-kept-store"
    MAP_FILTER = "map-filter"
    BALANCE_REGION = "balance-region"
    # issue 15: the Tracking tab (layouts/tracking.py); TRACKING_PERIOD also feeds the map
    TRACKING_PERIOD = "tracking-period"
    TRACKING_MAP_PERIOD = "tracking-map-period-store"  # in the main layout: the tab may be closed
    TRACKING_IMPORT_PERIOD = "tracking-import-period"
    TRACKING_REVENUE_UPLOAD = "tracking-revenue-upload"
    TRACKING_VISITS_UPLOAD = "tracking-visits-upload"
    TRACKING_FILES = "tracking-files"
    TRACKING_CHECK = "tracking-check"
    TRACKING_IMPORT = "tracking-import"
    TRACKING_IMPORT_STATUS = "tracking-import-status"
    TRACKING_BAD_ROWS = "tracking-bad-rows"
    TRACKING_REPORT_BUTTON = "tracking-report-button"
    TRACKING_REPORT = "tracking-report"
    TRACKING_IMPORTED = "tracking-imported"
    TRACKING_LEVEL = "tracking-level"
    TRACKING_ATTAINMENT_MIN = "tracking-attainment-min"
    TRACKING_COMPLIANCE_MIN = "tracking-compliance-min"
    TRACKING_TABLE = "tracking-table"
    TRACKING_NOTE = "tracking-note"
    TRACKING_TREND_REP = "tracking-trend-rep"
    TRACKING_TREND = "tracking-trend"
    TRACKING_NEXT = "tracking-next"
    TRACKING_NEXT_STATUS = "tracking-next-status"
    # issue 17: repair suggestions, the meeting's ledger and the trade-off curve
    # (layouts/suggestions.py, layouts/ledger.py, layouts/curve.py); SUGGESTION_APPLY and
    # LEDGER_EXPORT are the "kind" of repeated buttons, whose ids are dicts (below)
    SUGGESTIONS = "suggestions"
    SUGGESTION_APPLY = "suggestion-apply"
    SUGGESTIONS_DATA = "suggestions-store"
    LEDGER = "ledger"
    LEDGER_SINCE = "ledger-since"
    LEDGER_MARK = "ledger-mark-store"
    LEDGER_MARK_NOW = "ledger-mark-now"
    LEDGER_MAIL = "ledger-mail"
    LEDGER_EXPORT = "ledger-export"
    LEDGER_DOWNLOAD = "ledger-download"
    CURVE_RUN = "curve-run"
    CURVE_CANCEL = "curve-cancel"
    CURVE_PROGRESS = "curve-progress"
    CURVE_STATUS = "curve-status"
    CURVE_CHART = "curve-chart"
    CURVE_AXIS = "curve-axis"
    CURVE_DATA = "curve-store"
    # issue 15 section 4: matching reps to ground (layouts/matching.py)
    MATCH_FIT = "match-fit"
    MATCH_TABLE = "match-table"
    MATCH_FLAG_SHARE = "match-flag-share"
    MATCH_SUGGESTIONS = "match-suggestions"
    # issue 15 section 3: the overlay layer (layouts/overlay.py)
    OVERLAY_STATUS = "overlay-status"
    OVERLAY_TABLE = "overlay-table"
    OVERLAY_TERRITORIES = "overlay-territories"
    OVERLAY_REP = "overlay-rep"
    OVERLAY_ASSIGN = "overlay-assign"
    OVERLAY_MESSAGE = "overlay-message"
    OVERLAY_EXPORT = "overlay-export"
    OVERLAY_DOWNLOAD = "overlay-download"
    OVERLAY_VERSION = "overlay-version-store"
    # issue 16 points 4 and 6 (h16b): the keys' help, the scenario keys, the language switch
    HELP = "key-help"
    HELP_CLOSE = "key-help-close"
    SCENARIO_STEP = "scenario-step-store"
    LANGUAGE = "language"
    # issue 16: meeting-ready (presentation mode, before/after, level badge, pictures)
    PRESENT = "present-toggle"
    LEVEL_BADGE = "level-badge"
    BEFORE = "before-scenario"
    AFTER = "after-scenario"
    FLIP = "flip-scenarios"
    FLIP_STATUS = "flip-status"
    FLIP_OUTLINE = "flip-outline-store"
    FLIP_SHOWN = "flip-shown-store"
    PICTURE_PNG = "picture-png"
    PICTURE_PDF = "picture-pdf"
    PICTURE_REPS = "picture-reps"
    PICTURE_DOWNLOAD = "picture-download"
    MAP_LAYER = "map-layer"  # issue 15 overlay: which layer the map draws and the lasso edits
    MAP_LAYER_BOX = "map-layer-box"


# -- services-edit: dict ids of the Scenarios tab's repeated buttons --------------------------
# Called with a value, each gives one button's id; called with none, the pattern (ALL) that a
# callback listens to.


def open_button_id(scenario_id: int | None = None) -> dict[str, object]:
    """The one-click "Open" button of a scenario's row (None: every row's)."""
    return {"kind": Ids.SCENARIO_OPEN, "scenario": ALL if scenario_id is None else int(scenario_id)}


def restore_button_id(seq: int | None = None) -> dict[str, object]:
    """The "Restore to this point" button of one history entry (0: as created; None: every one)."""
    return {"kind": Ids.HISTORY_RESTORE, "seq": ALL if seq is None else int(seq)}


def export_button_id(fmt: str | None = None) -> dict[str, object]:
    """The download button of one export format (None: every format's)."""
    return {"kind": Ids.EXPORT, "fmt": ALL if fmt is None else fmt}


def find_result_id(value: str | None = None) -> dict[str, object]:
    """One line of the find box's list, by its ``kind:key`` value (None: every line's)."""
    return {"kind": Ids.FIND_RESULT, "value": ALL if value is None else str(value)}


def suggestion_button_id(index: int | None = None) -> dict[str, object]:
    """Issue 17: the button of the ``index``-th repair suggestion (None: every one's)."""
    return {"kind": Ids.SUGGESTION_APPLY, "index": ALL if index is None else int(index)}


def ledger_export_id(fmt: str | None = None) -> dict[str, object]:
    """Issue 17: the ledger's download button of one format (None: every format's)."""
    return {"kind": Ids.LEDGER_EXPORT, "fmt": ALL if fmt is None else fmt}


# -- end of services-edit ----------------------------------------------------------------------


# --- map-js: what the browser script (assets/hexalign.js) reads ------------------------------
# The layout writes these into the page (``data-hexalign`` on the root element, see
# layouts.main.browser_config); the script has no id or slot of its own.


class Slot(IntEnum):
    """Position of each value in a map cell's ``customdata`` row (hover text and repaint)."""

    UNIT = 0
    ACCOUNTS_A = 1
    ACCOUNTS_B = 2
    ACCOUNTS_C = 3
    TAM = 4
    REVENUE = 5
    WORKLOAD = 6
    OWNER = 7
    LOCK_NOTE = 8
    SHARE_CLASS = 9  # issue 14: "Contested, 16.7%" (classes do not change when cells move)


CUSTOMDATA: dict[str, int] = {slot.name: int(slot) for slot in Slot}
# the component ids the script looks up or sets (keyboard, repaint, selection)
BROWSER_IDS: tuple[Ids, ...] = (
    Ids.MAP, Ids.REP_KEYS, Ids.REP_PICKER, Ids.KEY_COMMAND, Ids.FIND, Ids.FIND_RESULTS,
    Ids.SUGGESTIONS,  # issue 17: Enter applies the first repair suggestion
    Ids.HELP, Ids.HELP_CLOSE, Ids.SCENARIO_STEP, Ids.TOOL, Ids.COLOUR_MODE, Ids.UNDO, Ids.REDO,
    Ids.PRESENT, Ids.FLIP, Ids.SECTIONS, Ids.COMPARE_MAP,  # issue 16 (hexalign.meeting.js)
    Ids.CAMERA,  # issue 18 point 1: the fitted first view, as the browser drew it
)  # fmt: skip
# attribute that carries the script's configuration (the one name the script knows by heart)
BROWSER_CONFIG_ATTR = "data-hexalign"
# attributes of the REP_KEYS element: rep values in key order, hover labels by rep position
REP_KEYS_REPS = "data-reps"
REP_KEYS_LABELS = "data-labels"
# attribute the script sets on the map's plot once a move is painted (tests wait on it)
PAINTED_VERSION_ATTR = "data-painted-version"
# namespace of the clientside functions (window.dash_clientside.<namespace>)
CLIENTSIDE_NAMESPACE = "hexalign"
# basemap-layers: namespace of assets/hexalign-labels.js (the basemap switch)
BASEMAP_NAMESPACE = "hexalignBasemap"


# --- services-data: the Data tab's repeated widgets (layouts/data_tab.py) -------------------
# Their ids are dicts whose "kind" is one of the DATA_* ids above. Callbacks pass ``ALL`` for a
# key to match every widget of that kind: ``choice_id(ALL, ALL)``.


def _row(row: int | Wildcard) -> int | Wildcard:
    """A row number as JSON wants it (numpy integers are not), wildcards as they are."""
    return row if isinstance(row, Wildcard) else int(row)


def map_field_id(kind: str | Wildcard, column: str | Wildcard) -> dict:
    """The field dropdown of one file column."""
    return {"kind": Ids.DATA_MAP_FIELD, "file": kind, "column": column}


def choice_id(kind: str | Wildcard, row: int | Wildcard) -> dict:
    """The decision (undecided / exclude / accept) of one problem row."""
    return {"kind": Ids.DATA_CHOICE, "file": kind, "row": _row(row)}


def fix_id(kind: str | Wildcard, row: int | Wildcard, field: str | Wildcard) -> dict:
    """The corrected value of one field of one problem row."""
    return {"kind": Ids.DATA_FIX, "file": kind, "row": _row(row), "field": field}


def call_plan_id(segment: str | Wildcard, field: str | Wildcard) -> dict:
    """One cell of the call-plan editor."""
    return {"kind": Ids.DATA_CALL_PLAN, "segment": segment, "field": field}


def travel_id(field: str | Wildcard) -> dict:
    """One travel setting."""
    return {"kind": Ids.DATA_TRAVEL, "field": field}


def new_rep_id(field: str | Wildcard) -> dict:
    """One input of the "add a rep" form."""
    return {"kind": Ids.DATA_REP_NEW, "field": field}


# --- market-share (issue 14): the effort plan's grid (layouts/market_share.py) ---------------


def effort_id(share_class: str | Wildcard, segment: str | Wildcard, field: str | Wildcard) -> dict:
    """One input of the effort plan: visits, minutes or channel of a (class, segment)."""
    return {"kind": Ids.SHARE_EFFORT, "class": share_class, "segment": segment, "field": field}
