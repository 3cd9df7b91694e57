"""A plan out of Hexalign: account lists, a workbook, territory maps, the plan file.

Every format reads back to the same plan (``read_exported_plan``). Text that
a spreadsheet would run as a formula (a line starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return, at the start of the value or after a
line break inside it) is neutralised with a ``'`` in CSV and Excel files
(``data.formulas``): account and rep names come from customers' files, and
``=HYPERLINK(...)`` in a name must not become a live link in a sales leader's
spreadsheet. The escape is undone exactly (``unneutralise``, which the
importer applies too). Numbers are never touched.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import geopandas as gpd
import h3
import h3.api.numpy_int as h3i
import shapely
from shapely.geometry import shape

from common.errors import FileUnreadableError
from data.atomic import replaced_atomically
from data.formulas import (
    neutralise,
    neutralise_frame,
    unneutralise,
    unneutralise_frame,
    workbook_escape,
    workbook_unescape,
)
from data.planfile import read_plan_csv, write_plan_csv
from data.schemas import ADDRESS_FIELDS
from geo.cells import cells_to_str
from planning.compare import Comparison
from planning.matching import UNKNOWN, matching_table, rep_levels  # issue 15
from planning.metrics import DEFAULT_TOLERANCE, metrics_table, rep_metrics
from planning.plan import Plan
from planning.targets import target_ratios, targets_for

FORMATS = ("csv", "xlsx", "geojson", "parquet", "plan")
"""The formats that carry the plan (``read_exported_plan`` reads each back)."""
OWNER_CHANGE_FORMATS = ("owner-changes", "owner-changes-salesforce", "owner-changes-hubspot")
"""Issue 11: the accounts whose owner changes, readable and for the CRM (data.owner_changes)."""
ALL_FORMATS = FORMATS + OWNER_CHANGE_FORMATS
"""Every format a scenario exports to (the CLI's choices, the Scenarios tab's buttons)."""

# Metric column -> spreadsheet header with its unit; percentages are stored as
# fractions and shown with a % number format.
METRIC_HEADERS = {
    "rep_id": "Rep ID",
    "name": "Rep name",
    "accounts": "Accounts (count)",
    "accounts_a": "A accounts (count)",
    "accounts_b": "B accounts (count)",
    "accounts_c": "C accounts (count)",
    "visit_hours": "Visit time (h/yr)",
    "travel_hours": "Travel time (h/yr)",
    "workload_hours": "Workload (h/yr)",
    "capacity_hours": "Capacity (h/yr)",
    "utilisation": "Utilisation (% of capacity)",
    "coverage": "Coverage (% of workload)",
    "tam": "TAM (currency)",
    "revenue": "Revenue (currency)",
    "market_share": "Market share (% of TAM)",
    "cells": "Cells (count)",
    "contiguity_components": "Contiguous pieces (count)",
    "polsby_popper": "Compactness, Polsby-Popper (0-1)",
    "mean_home_km": "Mean distance from home (km)",
    "max_home_km": "Max distance from home (km)",
    "workload_target_hours": "Workload fair share (h/yr)",
    "workload_deviation": "Workload vs fair share (%)",
    "tam_target": "TAM fair share (currency)",
    "tam_deviation": "TAM vs fair share (%)",
    "workload_balanced": "Workload within tolerance (yes/no)",
    "tam_balanced": "TAM within tolerance (yes/no)",
    "moved_accounts": "Accounts changing owner (count)",
    "unassigned_accounts": "Unassigned accounts (count)",
    "unassigned_hours": "Unassigned workload (h/yr)",
    "unassigned_tam": "Unassigned TAM (currency)",
    "disruption_accounts": "Accounts changing owner (% of accounts)",
    "disruption_tam": "TAM changing owner (% of TAM)",
    "disruption_revenue": "Revenue changing owner (% of revenue)",
    "workload_cv": "Workload spread, CV (ratio)",
    "tam_cv": "TAM spread, CV (ratio)",
}
PERCENT_COLUMNS = {
    "utilisation", "coverage", "market_share", "workload_deviation", "tam_deviation",
    "disruption_accounts", "disruption_tam", "disruption_revenue",
}  # fmt: skip
# issue 14: each rep's target under the rule kept with the scenario, as the panel shows it
METRIC_HEADERS.update({
    "target": "Target (currency)",
    "target_per_tam": "Target / TAM (%)",
    "required_growth": "Required growth over revenue (%)",
})  # fmt: skip
PERCENT_COLUMNS |= {"target_per_tam", "required_growth"}
ACCOUNT_HEADERS = {
    "account_id": "Account ID",
    "name": "Account name",
    "segment": "Segment",
    "lat": "Latitude (deg)",
    "lon": "Longitude (deg)",
    "tam": "TAM (currency)",
    "revenue": "Revenue (currency)",
    "h3_cell": "H3 cell",
    "rep_id": "Rep ID",
    "rep_name": "Rep name",
    "last_rep_id": "Last quarter's rep ID",
    "pinned": "Pinned to rep (yes/no)",
    "changes_owner": "Changes owner (yes/no)",
    "street": "Street",
    "postcode": "Postcode",
    "city": "City",
    "region": "Region",
    "country": "Country",
    "location_precision": "Location precision (coordinates/postcode/town)",
}


# -- formula injection ------------------------------------------------------------


# The rule lives in data.formulas, a light module: the importer undoes it without geopandas.
__all__ = ["neutralise", "neutralise_frame", "unneutralise", "unneutralise_frame"]


# -- tables -------------------------------------------------------------------------


def assignment_table(plan: Plan) -> pd.DataFrame:
    """One row per account: where it is, who owns it under the plan, and who did before.

    Rep columns are ``string`` with <NA> for nobody (unassigned cell, no last owner).
    """
    m = plan.market
    owner = plan.account_owner()
    labels = np.append(m.rep_ids.astype(object), [None])  # position -1 -> None
    names = np.append(m.reps["name"].astype(str).to_numpy(dtype=object), [None])
    acc = m.accounts
    address = {  # issue 11: kept from the file when it had them (data/schemas.py)
        name: pd.array(acc[name], dtype="string") for name in ADDRESS_FIELDS if name in acc
    }
    return pd.DataFrame(
        {
            "account_id": acc["account_id"].astype(str).to_numpy(),
            "name": acc["name"].astype(str).to_numpy(),
            "segment": acc["segment"].astype(str).to_numpy(),
            "lat": acc["lat"].to_numpy(np.float64),
            "lon": acc["lon"].to_numpy(np.float64),
            "tam": acc["tam"].to_numpy(np.float64),
            "revenue": acc["revenue"].to_numpy(np.float64),
            "h3_cell": cells_to_str(m.area.cells[m.account_cell]),
            "rep_id": pd.array(labels[owner], dtype="string"),
            "rep_name": pd.array(names[owner], dtype="string"),
            "last_rep_id": pd.array(labels[m.account_rep], dtype="string"),
            "pinned": m.account_pinned,
            "changes_owner": owner != m.account_rep,
            **address,
            "location_precision": _precision(acc),
        }
    )


def _precision(accounts: pd.DataFrame) -> pd.arrays.StringArray:
    """How each account's point was found (issue 11 part 5); ``coordinates`` when not said."""
    if "location_precision" not in accounts.columns:
        return pd.array(["coordinates"] * len(accounts), dtype="string")
    given = accounts["location_precision"].astype("string").fillna("coordinates")
    return pd.array(given.to_numpy(dtype=object), dtype="string")


def territories_frame(
    plan: Plan, tolerance: float = DEFAULT_TOLERANCE, settings: dict[str, Any] | None = None
) -> gpd.GeoDataFrame:
    """One feature per rep: the dissolved territory and the rep's metrics and target.

    The geometry is H3's own outline of the rep's cells (``cells_to_h3shape``),
    so neighbouring territories share edges exactly, with no slivers. A rep
    without cells keeps its row (its metrics still count) with no geometry.
    """
    m = plan.market
    metrics = with_rep_targets(rep_metrics(plan, tolerance), plan, settings).reset_index(drop=True)
    geometries = [
        _dissolve(m.area.cells[plan.owner == r]) for r in range(m.n_reps)
    ]  # fmt: skip
    metrics["h3_resolution"] = m.area.resolution
    metrics = metrics.replace([np.inf, -np.inf], np.nan)
    return gpd.GeoDataFrame(metrics, geometry=geometries, crs="EPSG:4326")


def _dissolve(cells: np.ndarray) -> shapely.Geometry | None:
    if not len(cells):
        return None
    outline = h3i.cells_to_h3shape(np.asarray(cells, np.uint64))
    geometry = shape(outline.__geo_interface__)
    return geometry if geometry.is_valid else shapely.make_valid(geometry)


def with_rep_targets(
    table: pd.DataFrame, plan: Plan, settings: dict[str, Any] | None
) -> pd.DataFrame:
    """The per-rep ``table`` with each rep's target (issue 14), as the panel shows it.

    ``table`` holds the reps in rep order, maybe then a TEAM row. Target, target / TAM
    and required growth follow the scenario's kept rule (or the default). The TEAM row
    holds the total; a rule that cannot be met leaves the columns blank.
    """
    targets, _, _ = targets_for(plan, settings)
    n = plan.market.n_reps
    out = table.copy()
    values = np.full(len(out), np.nan)
    if targets is not None:
        values[:n] = targets
        values[n:] = targets.sum()
    out["target"] = values
    out["target_per_tam"], out["required_growth"] = target_ratios(
        values, out["tam"].to_numpy(np.float64), out["revenue"].to_numpy(np.float64)
    )
    return out


# -- writers ------------------------------------------------------------------------


def write_assignment_csv(plan: Plan, path: str | Path, *, overlay: Plan | None = None) -> Path:
    """Per-account assignment as CSV (UTF-8), text neutralised against formula injection.

    Lines end in CRLF (RFC 4180): Python's CSV writer quotes a value holding any
    character of the line terminator, and a bare carriage return in a name must be
    quoted, or a reader starts a new row there. With ``overlay`` (issue 15) the overlay
    layer's accounts follow as rows of their own (``with_overlay_accounts``).
    """
    path = Path(path)
    table = with_overlay_accounts(assignment_table(plan), overlay)
    neutralise_frame(table).to_csv(path, index=False, lineterminator="\r\n")
    return path


def write_workbook(
    plan: Plan,
    path: str | Path,
    *,
    settings: dict[str, Any] | None = None,
    title: str | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    comparison: Comparison | None = None,
    exported_at: datetime | None = None,
    overlay: Plan | None = None,
) -> Path:
    """The plan as an Excel workbook a sales leader can hand around.

    Sheets: Summary (one row per rep plus TEAM, units in the headers),
    Accounts (who owns which account), Plan (h3_cell, rep_id: reads back as
    the plan), Settings (the scenario's settings and the export time), Matching
    (issue 15, when reps have experience levels: contested and stronghold ground per
    rep, flags), and, with ``comparison``, Compare / Compare reps / Moved cells. With
    ``overlay`` (issue 15) the Accounts sheet lists the overlay layer's accounts too and an
    "Overlay plan" sheet (h3_cell, overlay_rep_id) holds the overlay layer.
    """
    path = Path(path)
    exported_at = exported_at or datetime.now(UTC)
    summary = with_rep_targets(metrics_table(plan, tolerance), plan, settings)
    accounts = with_overlay_accounts(assignment_table(plan), overlay)  # issue 15 (h15d)
    rows = [
        ("scenario", title or ""),
        ("exported_at", exported_at.isoformat(timespec="seconds")),
        ("h3_resolution", plan.market.area.resolution),
        ("cells", plan.market.n_cells),
        ("reps", plan.market.n_reps),
        ("tolerance", tolerance),
        *_flatten(settings or {}),
    ]
    sheets: list[tuple[str, pd.DataFrame, set[str]]] = [
        ("Summary", summary.rename(columns=METRIC_HEADERS), _pct(summary.columns)),
        ("Accounts", accounts.rename(columns=ACCOUNT_HEADERS), set()),
        ("Plan", _plan_rows(plan), set()),
        ("Settings", pd.DataFrame(rows, columns=["setting", "value"]), set()),
    ]
    if (rep_levels(plan.market.reps) != UNKNOWN).any():  # issue 15: matching reps to ground
        matching = matching_table(plan)
        sheets.append(("Matching", matching, {"contested_share", "stronghold_share"}))
    if overlay is not None:  # issue 15 (h15d): the overlay layer's cells, read back as it
        sheets.append((OVERLAY_PLAN_SHEET, _overlay_plan_rows(overlay), set()))
    if comparison is not None:
        sheets += comparison_sheets(comparison)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame, percent in sheets:
            _write_sheet(writer, name, frame, percent)
    return path


def comparison_sheets(comparison: Comparison) -> list[tuple[str, pd.DataFrame, set[str]]]:
    """The comparison as (sheet name, frame, percent columns), for ``write_workbook``."""
    reps = comparison.reps.reset_index(drop=True)
    percent = {
        c for c in reps.columns if c.rsplit("_", 1)[0] in PERCENT_COLUMNS
    }  # fmt: skip
    headers = {c: _compare_header(c) for c in reps.columns}
    summary = comparison.summary_frame()
    return [
        ("Compare", summary, set()),
        ("Compare reps", reps.rename(columns=headers), {headers[c] for c in percent}),
        ("Moved cells", comparison.changes, set()),
    ]


def write_comparison_workbook(comparison: Comparison, path: str | Path) -> Path:
    """Only the comparison sheets, as their own workbook."""
    path = Path(path)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame, percent in comparison_sheets(comparison):
            _write_sheet(writer, name, frame, percent)
    return path


def write_territories(
    plan: Plan,
    path: str | Path,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    driver: str = "GeoJSON",
    settings: dict[str, Any] | None = None,
) -> Path:
    """Territories as GeoJSON (``driver="GeoJSON"``) or GeoParquet (``driver="Parquet"``)."""
    path = Path(path)
    frame = territories_frame(plan, tolerance, settings)
    if driver == "Parquet":
        frame.to_parquet(path)
    else:
        path.unlink(missing_ok=True)  # GDAL refuses to overwrite a GeoJSON file
        frame.to_file(path, driver=driver)
    return path


def export_plan(
    plan: Plan,
    fmt: str,
    path: str | Path,
    *,
    settings: dict[str, Any] | None = None,
    title: str | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    comparison: Comparison | None = None,
    overlay: Plan | None = None,
) -> Path:
    """Write ``plan`` in one of ``ALL_FORMATS``; the command line and the app call this.

    The file appears whole or not at all (issue 12: a killed export left half a file).
    ``overlay`` (issue 15: the scenario's overlay layer, None without overlay reps) goes into
    the account list (csv) and the workbook (xlsx); ``read_exported_overlay`` reads it back.
    """
    if fmt not in ALL_FORMATS:
        raise ValueError(f"format must be one of {', '.join(ALL_FORMATS)}, got {fmt!r}")
    target = Path(path)
    with replaced_atomically(target) as tmp:
        _write_export(plan, fmt, tmp, settings=settings, title=title, tolerance=tolerance,
                      comparison=comparison, overlay=overlay)  # fmt: skip
    return target


def _write_export(
    plan: Plan,
    fmt: str,
    path: str | Path,
    *,
    settings: dict[str, Any] | None = None,
    title: str | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    comparison: Comparison | None = None,
    overlay: Plan | None = None,
) -> Path:
    """Write ``plan`` in one of ``FORMATS`` at ``path`` itself (``export_plan`` makes it atomic)."""
    if fmt == "csv":
        return write_assignment_csv(plan, path, overlay=overlay)
    if fmt == "xlsx":
        return write_workbook(
            plan, path, settings=settings, title=title, tolerance=tolerance, comparison=comparison,
            overlay=overlay,
        )  # fmt: skip
    if fmt == "geojson":
        return write_territories(plan, path, tolerance=tolerance, settings=settings)
    if fmt == "parquet":
        return write_territories(plan, path, tolerance=tolerance, driver="Parquet",
                                 settings=settings)  # fmt: skip
    if fmt == "plan":
        return write_plan_csv(plan, path)
    if fmt in OWNER_CHANGE_FORMATS:
        from data.owner_changes import write_owner_changes  # it imports this module

        return write_owner_changes(plan, fmt, path)
    raise ValueError(f"format must be one of {', '.join(ALL_FORMATS)}, got {fmt!r}")


# -- reading exports back -------------------------------------------------------------


def read_exported_plan(path: str | Path, fmt: str) -> pd.DataFrame:
    """Cells and owners (``h3_cell`` uint64, ``rep_id`` str) from any exported file.

    The account CSV knows only the cells that hold accounts (and pinned
    accounts follow their rep, not their cell, so they are left out); every
    other format carries the whole plan.
    """
    path = Path(path)
    if fmt == "plan":
        return read_plan_csv(path)
    if fmt == "csv":
        table = pd.read_csv(path, dtype=str, keep_default_na=False).map(unneutralise)
        table = table[(table["pinned"] != "True") & (table["rep_id"] != "")]
        return _pairs(table["h3_cell"], table["rep_id"])
    if fmt == "xlsx":
        table = pd.read_excel(path, sheet_name="Plan", dtype=str, keep_default_na=False)
        table = table.map(workbook_unescape).map(unneutralise)
        return _pairs(table["h3_cell"], table["rep_id"])
    if fmt in ("geojson", "parquet"):
        frame = gpd.read_parquet(path) if fmt == "parquet" else gpd.read_file(path)
        cells, reps = [], []
        for rep, res, geometry in zip(
            frame["rep_id"], frame["h3_resolution"], frame.geometry, strict=True
        ):
            if geometry is None or geometry.is_empty:
                continue
            found = h3.geo_to_cells(geometry, int(res))
            cells += found
            reps += [rep] * len(found)
        return _pairs(pd.Series(cells, dtype=object), pd.Series(reps, dtype=object))
    raise FileUnreadableError(f"{path}: unknown export format {fmt!r}")


# -- issue 15 (h15d): the overlay layer in the account list and the workbook -----------------

LAYER_FIELD = "layer"
OVERLAY_REP_FIELD = "overlay_rep_id"
OVERLAY_PLAN_SHEET = "Overlay plan"
ACCOUNT_HEADERS.update({
    LAYER_FIELD: "Layer (field/overlay)",
    OVERLAY_REP_FIELD: "Overlay rep ID",
})  # fmt: skip


def with_overlay_accounts(field: pd.DataFrame, overlay: Plan | None) -> pd.DataFrame:
    """The account list with the overlay layer's accounts as rows of their own.

    An account is in one layer and has one owner there (``planning.overlay``): a field row
    keeps its owner in ``rep_id`` (``overlay_rep_id`` empty); an overlay row has its overlay
    owner in ``overlay_rep_id`` and ``rep_id``/``rep_name`` empty, so a reader of the field
    plan (``read_exported_plan``) skips it as it skips an unassigned account. ``layer`` says
    which. Without ``overlay`` the list is as it was.
    """
    if overlay is None:
        return field
    nobody = pd.array([None] * len(field), dtype="string")
    out = field.assign(**{LAYER_FIELD: "field", OVERLAY_REP_FIELD: nobody})
    over = assignment_table(overlay)
    empty = pd.array([None] * len(over), dtype="string")
    over = over.assign(**{LAYER_FIELD: "overlay", OVERLAY_REP_FIELD: over["rep_id"]})
    over["rep_id"], over["rep_name"] = empty, empty
    return pd.concat([out, over[out.columns]], ignore_index=True)


def _overlay_plan_rows(overlay: Plan) -> pd.DataFrame:
    """h3_cell, overlay_rep_id for every cell the overlay layer assigns."""
    return _plan_rows(overlay).rename(columns={"rep_id": OVERLAY_REP_FIELD})


def read_exported_overlay(path: str | Path, fmt: str) -> pd.DataFrame:
    """The overlay layer's cells and owners (``h3_cell`` uint64, ``rep_id`` str) from an export.

    csv: the overlay rows' cells (pinned accounts follow their rep, so they are left out, as
    ``read_exported_plan`` leaves them out); xlsx: the "Overlay plan" sheet, every cell.
    """
    path = Path(path)
    if fmt == "csv":
        table = pd.read_csv(path, dtype=str, keep_default_na=False).map(unneutralise)
        if LAYER_FIELD not in table.columns:
            raise FileUnreadableError(f"{path}: the export holds no overlay layer")
        table = table[(table[LAYER_FIELD] == "overlay") & (table["pinned"] != "True")
                      & (table[OVERLAY_REP_FIELD] != "")]  # fmt: skip
        return _pairs(table["h3_cell"], table[OVERLAY_REP_FIELD])
    if fmt == "xlsx":
        try:
            table = pd.read_excel(path, sheet_name=OVERLAY_PLAN_SHEET, dtype=str,
                                  keep_default_na=False)  # fmt: skip
        except ValueError:
            raise FileUnreadableError(f"{path}: the workbook holds no overlay layer") from None
        table = table.map(workbook_unescape).map(unneutralise)
        return _pairs(table["h3_cell"], table[OVERLAY_REP_FIELD])
    raise FileUnreadableError(f"{path}: {fmt!r} exports carry no overlay layer (csv, xlsx do)")


def _pairs(cells: Iterable[str], reps: Iterable[str]) -> pd.DataFrame:
    table = pd.DataFrame({"h3_cell": list(cells), "rep_id": [str(r) for r in reps]})
    table = table.drop_duplicates()
    table["h3_cell"] = np.array([h3.str_to_int(c) for c in table["h3_cell"]], np.uint64)
    return table.reset_index(drop=True)


# -- helpers ------------------------------------------------------------------------


def _plan_rows(plan: Plan) -> pd.DataFrame:
    owned = np.flatnonzero(plan.owner >= 0)
    return pd.DataFrame(
        {
            "h3_cell": cells_to_str(plan.market.area.cells[owned]),
            "rep_id": plan.market.rep_ids[plan.owner[owned]].astype(object),
        }
    )


def _pct(columns: Iterable[str]) -> set[str]:
    return {METRIC_HEADERS.get(c, c) for c in columns if c in PERCENT_COLUMNS}


def _compare_header(column: str) -> str:
    base, _, side = column.rpartition("_")
    if side not in ("a", "b", "delta"):
        return METRIC_HEADERS.get(column, column)
    label = {"a": "before", "b": "after", "delta": "change"}[side]
    return f"{METRIC_HEADERS.get(base, base)} {label}"


def _flatten(settings: dict[str, Any], prefix: str = "") -> list[tuple[str, object]]:
    """Nested settings as dotted keys; lists and odd values as JSON text."""
    rows: list[tuple[str, object]] = []
    for key, value in settings.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _flatten(value, f"{name}.")
        elif value is None or isinstance(value, str | bool | int | float):
            rows.append((name, value))
        else:
            rows.append((name, json.dumps(value, default=str)))
    return rows


def _write_sheet(writer: pd.ExcelWriter, name: str, frame: pd.DataFrame, percent: set[str]) -> None:
    """Write one neutralised sheet: NaN and infinity as empty cells, % formats, a frozen header."""
    clean = neutralise_frame(frame)
    for col in clean.columns:  # issue 12: a carriage return would come back as a line feed
        if clean[col].dtype == object:
            clean[col] = clean[col].map(workbook_escape)
    clean.columns = [workbook_escape(c) for c in clean.columns]
    for col in clean.columns:
        if pd.api.types.is_float_dtype(clean[col]):
            values = clean[col].to_numpy(np.float64)
            clean[col] = pd.Series(
                [v if math.isfinite(v) else None for v in values], index=clean.index, dtype=object
            )
    clean.to_excel(writer, sheet_name=name, index=False)
    sheet = writer.sheets[name]
    sheet.freeze_panes = "A2"
    for idx, column in enumerate(clean.columns, start=1):
        letter = sheet.cell(row=1, column=idx).column_letter
        sheet.column_dimensions[letter].width = min(max(len(str(column)) + 2, 10), 40)
        if column in percent or unneutralise(column) in percent:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=idx, max_col=idx):
                cell.number_format = "0.0%"
