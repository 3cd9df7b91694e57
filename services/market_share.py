"""Market-share classes of a stored scenario or of files, and the effort plan's use cases.

The class breakdown is read from the scenario's plan (``planning.market_share``). An effort plan
(or new thresholds) is previewed on the same cells and owners, measured on a market whose call
plan holds it; applying it makes a new data set and a scenario carrying the plan over, exactly as
the call-plan editor does (``services.datasets.derive_scenario``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from common.logs import timed
from data.boundaries import boundary_for, choice_from_text
from data.validation import load_accounts, load_call_plan
from planning.callplan import default_call_plan
from planning.market import UNASSIGNED, build_market
from planning.market_share import cell_table, effort_effect, region_table, territory_table
from planning.plan import Plan
from planning.share_classes import (
    ShareError,
    ShareSettings,
    Thresholds,
    call_plan_with_share,
    effort_from_values,
    rule_rows,
    settings_changes,
    share_settings_of,
    thresholds_from_values,
)
from services import datasets, editing
from services.areas import stored_market
from services.workspace import PathLike, PlanFiles, open_plan_files

logger = logging.getLogger(__name__)
EFFORT_LABEL = "effort plan"


class Level(StrEnum):
    """What one row of a class table stands for."""

    CELL = "cell"
    TERRITORY = "territory"
    REGION = "region"


def table_at(plan: Plan, level: Level) -> pd.DataFrame:
    """The class table of ``plan`` at one level (``planning.market_share``)."""
    if level is Level.CELL:
        return cell_table(plan)
    if level is Level.REGION:
        return region_table(plan)
    return territory_table(plan)


@dataclass(frozen=True, eq=False)
class ClassView:
    """What the Market-share tab shows of a scenario: settings and the two breakdowns."""

    settings: ShareSettings
    rules: tuple[dict[str, object], ...]
    """Per (class, segment): visits, minutes and channel in force, and whether a rule sets them."""
    territories: pd.DataFrame
    regions: pd.DataFrame


def scenario_classes(url: str, scenario_id: int) -> ClassView:
    """Thresholds, effort plan and class breakdowns of a stored scenario."""
    _, plan, _ = editing.load(url, scenario_id)
    settings = plan.market.share
    rules = tuple(rule_rows(settings, plan.market.call_plan))
    return ClassView(settings, rules, territory_table(plan), region_table(plan))


def share_settings(url: str, scenario_id: int) -> ShareSettings:
    """Thresholds and effort plan of the scenario's data set (what the class legend states)."""
    board, _, _ = editing.load(url, scenario_id)
    return board.market.share


@dataclass(frozen=True, eq=False)
class EffortPreview:
    """What new class settings would do, before anything is stored."""

    changes: tuple[str, ...]
    effect: pd.DataFrame
    """Per rep (then UNASSIGNED and TOTAL): workload now, with the settings, change in hours."""
    territories: pd.DataFrame
    """The class breakdown with the settings (thresholds may move cells between classes)."""


def preview_settings(url: str, scenario_id: int, settings: ShareSettings) -> EffortPreview:
    """Every rep's workload now and under ``settings`` (same cells, owners); nothing stored."""
    with timed(logger, "effort plan previewed", scenario=scenario_id) as extra:
        record, board, plan = editing.load_with_record(url, scenario_id)
        extra["dataset"] = record.dataset_id
        accounts, reps, call_plan = datasets.current_inputs(url, scenario_id)
        changes = settings_changes(share_settings_of(call_plan), settings)
        if changes:
            market = stored_market(
                accounts, reps, call_plan_with_share(call_plan, settings), board.market.area
            )
            then = Plan.from_owner(market, record.owner, record.locked)
        else:
            then = plan
        extra["changes"] = len(changes)
        return EffortPreview(tuple(changes), effort_effect(plan, then), territory_table(then))


@dataclass(frozen=True)
class EffortEdit:
    """What an Apply of the effort plan did: the changes in words and the new scenario."""

    changes: tuple[str, ...]
    derived: datasets.Derived | None
    """None when nothing changed."""


def apply_settings(url: str, scenario_id: int, settings: ShareSettings) -> EffortEdit:
    """Store thresholds and effort plan as a new data set, with a scenario carrying the plan over.

    Like a call-plan edit: the current data set and scenario stay as they are.
    """
    _, _, call_plan = datasets.current_inputs(url, scenario_id)
    changes = settings_changes(share_settings_of(call_plan), settings)
    if not changes:
        return EffortEdit((), None)
    derived = datasets.derive_scenario(
        url, scenario_id, EFFORT_LABEL, call_plan=call_plan_with_share(call_plan, settings)
    )
    return EffortEdit(tuple(changes), derived)


# --- the tab's use cases: values as typed -----------------------------------------------------

Grid = Mapping[tuple[str, str], Mapping[str, object]]
"""The effort grid as typed: (class key, segment) -> field -> value."""


def settings_from_values(url: str, scenario_id: int, stronghold: object, base: object,
                         grid: Grid) -> ShareSettings:  # fmt: skip
    """Thresholds and effort plan as typed, checked against the data set's call plan.

    Raises ``ShareError`` (one sentence) when a value cannot be used.
    """
    _, _, call_plan = datasets.current_inputs(url, scenario_id)
    thresholds = thresholds_from_values(stronghold, base)
    return ShareSettings(thresholds, effort_from_values(grid, call_plan))


def preview_typed(url: str, scenario_id: int, stronghold: object, base: object,
                  grid: Grid) -> EffortPreview:  # fmt: skip
    """``preview_settings`` of the values typed in the tab."""
    settings = settings_from_values(url, scenario_id, stronghold, base, grid)
    return preview_settings(url, scenario_id, settings)


def apply_typed(url: str, scenario_id: int, stronghold: object, base: object,
                grid: Grid) -> EffortEdit:  # fmt: skip
    """``apply_settings`` of the values typed in the tab."""
    settings = settings_from_values(url, scenario_id, stronghold, base, grid)
    return apply_settings(url, scenario_id, settings)


# --- files (cli.py classes) ------------------------------------------------------------------


def settings_from_file(path: str | Path | None, stronghold: float | None,
                       base: float | None) -> ShareSettings:  # fmt: skip
    """Class settings from a JSON file (as stored: thresholds and ``effort`` rules) and options.

    ``stronghold`` and ``base`` (percent) override the file's thresholds.
    """
    settings = ShareSettings()
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as err:
            raise ShareError(f"cannot read the effort plan {path}: {err.strerror}") from None
        settings = ShareSettings.from_json(text)
    if stronghold is None and base is None:
        return settings
    t = Thresholds(
        settings.thresholds.stronghold if stronghold is None else float(stronghold),
        settings.thresholds.base if base is None else float(base),
    )
    return ShareSettings(t, settings.effort)


def classes_from_files(
    files: PlanFiles, level: Level, settings: ShareSettings, *, resolution: int | None = None
) -> pd.DataFrame:
    """The class table of the plan the files describe (the baseline without a plan file)."""
    with timed(logger, "classes computed", accounts=files.accounts, by=level.value) as extra:
        plan, _ = open_plan_files(files, resolution=resolution, share=settings)
        extra.update(cells=plan.market.n_cells, reps=plan.market.n_reps)
        return table_at(plan, level)


def classes_of_accounts(
    accounts: PathLike, level: Level, settings: ShareSettings, *,
    call_plan: PathLike | None = None, mapping: PathLike | None = None,
    sheet: str | None = None, boundary: str = "land", resolution: int | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The class table of accounts without a team: every cell unassigned.

    There are no territories, yet each cell (and the whole ground, by region) has its share and
    class, and the per-class figures hold the visit hours nobody owns yet.
    """
    with timed(logger, "classes computed", accounts=accounts, by=level.value) as extra:
        plan = _unassigned_plan(accounts, settings, call_plan, mapping, sheet, boundary,
                                resolution)  # fmt: skip
        extra.update(cells=plan.market.n_cells)
        return table_at(plan, level)


def _unassigned_plan(
    path: PathLike, settings: ShareSettings, call_plan_path: PathLike | None,
    mapping: PathLike | None, sheet: str | None, boundary_text: str, resolution: int | None,
) -> Plan:  # fmt: skip
    """The accounts alone on their planning area, nobody owning anything."""
    accounts = load_accounts(path, None, mapping=mapping, sheet=sheet)
    call_plan = load_call_plan(call_plan_path) if call_plan_path else default_call_plan()
    reps = pd.DataFrame({"rep_id": pd.Series([], dtype="string"),
                         "name": pd.Series([], dtype="string"),
                         "home_lat": pd.Series([], dtype=float),
                         "home_lon": pd.Series([], dtype=float),
                         "capacity_hours": pd.Series([], dtype=float)})  # fmt: skip
    lat = accounts["lat"].to_numpy(np.float64)
    lon = accounts["lon"].to_numpy(np.float64)
    boundary = boundary_for(choice_from_text(boundary_text), lat, lon)
    market = build_market(
        accounts, reps, call_plan_with_share(call_plan, settings), resolution=resolution,
        boundary=boundary,
    )  # fmt: skip
    return Plan.from_owner(market, np.full(market.n_cells, UNASSIGNED, np.int64))
