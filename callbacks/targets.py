"""The panel's target rule (issue 14): shown from the scenario, kept with it when changed.

``TARGETS_KEPT`` holds the rule as the scenario keeps it (``planning.targets.rule_settings``);
the panel reads it from there, so a move needs no extra read of the store.
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, no_update
from dash.exceptions import PreventUpdate

from callbacks.context import database_url
from common.errors import HexalignError, ReadOnlyScenarioError
from layouts.i18n import tr
from layouts.ids import Ids
from layouts.panel import overrides_text
from planning.targets import (
    TargetError,
    TargetRule,
    parse_overrides,
    rule_from_settings,
    rule_settings,
)
from services import targets

Payload = dict[str, Any]


@callback(
    Output(Ids.TARGET_TOTAL, "value"),
    Output(Ids.TARGET_DRIVER, "value"),
    Output(Ids.TARGET_GROWTH, "value"),
    Output(Ids.TARGET_ROUND, "value"),
    Output(Ids.TARGET_FLOOR, "value"),
    Output(Ids.TARGET_CEILING, "value"),
    Output(Ids.TARGET_OVERRIDES, "value"),
    Output(Ids.TARGETS_KEPT, "data"),
    Input(Ids.SCENARIO, "data"),
    State(Ids.TARGETS_KEPT, "data"),
)
def show_targets(scenario: Payload, kept: Payload | None = None) -> tuple[Any, ...]:
    """The scenario's rule in the controls (the default, revenue + 5 %, when it keeps none).

    The kept rule is sent only when it changed (issue 18 point 1: the layout's first panel
    holds the landing scenario's, and the panel is not split again for nothing).
    """
    rule = targets.scenario_rule(database_url(), int(scenario["id"]))
    settings = rule_settings(rule)
    return (rule.total, rule.driver, _pct(rule.growth), _unit(rule.unit), _pct(rule.floor),
            _pct(rule.ceiling), overrides_text(dict(rule.overrides)),
            no_update if kept == settings else settings)  # fmt: skip


@callback(
    Output(Ids.TARGETS_KEPT, "data", allow_duplicate=True),
    Output(Ids.TARGET_STATUS, "children"),
    Input(Ids.TARGET_TOTAL, "value"),
    Input(Ids.TARGET_DRIVER, "value"),
    Input(Ids.TARGET_GROWTH, "value"),
    Input(Ids.TARGET_ROUND, "value"),
    Input(Ids.TARGET_FLOOR, "value"),
    Input(Ids.TARGET_CEILING, "value"),
    Input(Ids.TARGET_OVERRIDES, "value"),
    State(Ids.TARGETS_KEPT, "data"),
    State(Ids.SCENARIO, "data"),
    prevent_initial_call=True,
)
def keep_targets(
    total: float | None,
    driver: str | None,
    growth_pct: float | None,
    unit: float | None,
    floor_pct: float | str | None,
    ceiling_pct: float | str | None,
    typed: str | None,
    kept: Payload | None,
    scenario: Payload,
) -> tuple[Any, str]:
    """A changed rule is kept with the scenario and the panel re-split."""
    before = rule_from_settings({"targets": kept}) if kept else None
    try:
        rule = TargetRule(
            total=float(total if total is not None else 0.0),
            driver=str(driver or "growth"),
            growth=float(growth_pct or 0.0) / 100.0,
            blend=before.blend if before else 0.5,
            floor=_share(floor_pct),
            ceiling=_share(ceiling_pct),
            unit=float(unit or 1.0),
            overrides=parse_overrides(typed),
        )
    except HexalignError as err:
        return no_update, tr("Not kept: {error}").format(error=err)
    if rule == before:
        raise PreventUpdate  # the controls were filled from the scenario: nothing changed
    settings = rule_settings(rule)
    try:
        targets.keep_rule(database_url(), int(scenario["id"]), rule)
    except ReadOnlyScenarioError:
        return settings, tr(
            "Shown, not kept: this scenario is read-only (branch it to keep targets)."
        )
    return settings, tr("Kept with the scenario.")


def _pct(share: float | None) -> float | None:
    """A share as the percent a control shows (None stays empty)."""
    return None if share is None else round(share * 100, 4)


def _share(pct: float | str | None) -> float | None:
    """A control's percent as a share; empty means no bound."""
    if pct is None or pct == "":
        return None
    try:
        return float(pct) / 100.0
    except (TypeError, ValueError):
        raise TargetError(f"a growth bound must be a percentage, got {pct!r}") from None


def _unit(unit: float) -> float | int:
    """The rounding unit as the dropdown lists it (1000, not 1000.0)."""
    return int(unit) if float(unit).is_integer() else unit
