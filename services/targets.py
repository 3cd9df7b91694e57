"""Targets split down to every rep: from files (``cli.py targets``) and for a stored scenario.

The split itself is pure (``planning.targets``); this module opens the plan the
targets are read from and keeps a scenario's rule with the scenario
(``settings["targets"]``), so that the panel, the exports and a reload agree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from common.logs import timed
from planning.baseline import OwnerChanges
from planning.plan import Plan
from planning.targets import (
    TargetRule,
    default_rule,
    plan_targets,
    rule_from_settings,
    rule_settings,
    target_table,
)
from services import editing
from services.workspace import PlanFiles, open_plan_files

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanTargets:
    """The targets table of a plan and what a reader needs to trust it.

    Attributes
    ----------
    table
        One row per rep, then per district, per region and TOTAL
        (:func:`planning.targets.target_table`), in money.
    baseline_changes
        Accounts whose owner the derived baseline changed; None when a plan file was given.
    """

    table: pd.DataFrame
    resolution: int
    baseline_changes: OwnerChanges | None


def targets_from_files(
    files: PlanFiles, rule: TargetRule, *, resolution: int | None = None
) -> PlanTargets:
    """Open the plan the files describe (the baseline without a plan file) and split ``rule``."""
    with timed(logger, "targets split", accounts=files.accounts, plan=files.plan,
               driver=rule.driver) as extra:  # fmt: skip
        plan, changes = open_plan_files(files, resolution=resolution)
        table = target_table(plan, plan_targets(plan, rule))
        extra.update(reps=len(plan.market.rep_ids), resolution=plan.market.area.resolution)
    return PlanTargets(table, plan.market.area.resolution, changes)


def scenario_rule(url: str, scenario_id: int, plan: Plan | None = None) -> TargetRule:
    """The rule kept with the scenario, or the default one (revenue + 5 %) for ``plan``."""
    record = editing.scenario(url, scenario_id)
    kept = rule_from_settings(record.settings)
    if kept is not None:
        return kept
    if plan is None:
        _, plan, _ = editing.load(url, scenario_id)
    return default_rule(plan)


def keep_rule(url: str, scenario_id: int, rule: TargetRule) -> None:
    """Store the rule with the scenario (its other settings stay as they are)."""
    with timed(logger, "targets rule kept", scenario=scenario_id, driver=rule.driver):
        store = editing.open_store(url)
        settings = dict(store.scenario(scenario_id).settings or {})
        settings["targets"] = rule_settings(rule)
        store.set_settings(scenario_id, settings)


def rep_targets(plan: Plan, rule: TargetRule) -> np.ndarray:
    """Each rep's target in money for ``plan``'s territories (what the panel and exports show)."""
    return plan_targets(plan, rule) / 100.0
