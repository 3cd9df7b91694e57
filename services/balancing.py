"""Run the optimizer from files: a team's plan (``cli.py balance``) or a generic instance
(``cli.py balance-instance``), and write the proposal where the caller asked.
"""  # noqa: D205

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from common.logs import timed
from data.atomic import replaced_atomically
from data.instances import read_instance, write_assignment
from data.planfile import write_plan_csv
from planning.autobalance import balance_plan
from planning.matching import fit_change_text  # issue 15
from planning.metrics import metrics_table
from planning.optimizer import BalanceResult, Instance, Settings, balance
from planning.plan import Plan
from services.workspace import PathLike, PlanFiles, open_plan_files

logger = logging.getLogger(__name__)

Progress = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class BalancedPlan:
    """The proposal for a team, the optimizer's account of it, and where it was written.

    Attributes
    ----------
    metrics
        The proposal's metrics table at the settings' tolerance.
    """

    plan: Plan
    result: BalanceResult
    metrics: pd.DataFrame
    path: Path


def balance_files(
    files: PlanFiles,
    settings: Settings,
    out: PathLike,
    *,
    resolution: int | None = None,
    progress: Progress | None = None,
    experience_weight: float = 0.0,
) -> BalancedPlan:
    """Balance the plan the files describe (the baseline without a plan file); write the proposal.

    The optimizer draws from ``settings.seed``, so one seed gives one proposal.
    ``experience_weight`` above 0 prefers experienced reps on contested ground (issue 15).
    """
    with timed(logger, "optimizer run", accounts=files.accounts, plan=files.plan or "baseline",
               mode=settings.mode, seed=settings.seed,
               experience_weight=experience_weight) as extra:  # fmt: skip
        plan, _ = open_plan_files(files, resolution=resolution)
        proposal, result = balance_plan(plan, settings, rng=settings.seed, progress=progress,
                                        experience_weight=experience_weight)  # fmt: skip
        fit = fit_change_text(plan, proposal)  # issue 15: the experience fit before and after
        if fit:
            result = replace(result, messages=(*result.messages, fit))
        extra.update(_result_fields(result))
    with replaced_atomically(out) as tmp:  # a killed run leaves no half-written plan file
        write_plan_csv(proposal, tmp)
    path = Path(out)
    return BalancedPlan(proposal, result, metrics_table(proposal, settings.tolerance), path)


@dataclass(frozen=True)
class InstanceFiles:
    """The CSV files of a generic instance (see :func:`data.instances.read_instance`).

    Attributes
    ----------
    cost_counts_toward
        The measure the cost adds to (travel into workload), or None.
    """

    units: PathLike
    reps: PathLike
    cost: PathLike
    adjacency: PathLike | None = None
    cost_counts_toward: str | None = None


@dataclass(frozen=True)
class BalancedInstance:
    """A balanced instance: the settings it ran with (mode resolved), the result, rows written."""

    instance: Instance
    settings: Settings
    result: BalanceResult
    rows: int
    path: Path


def balance_instance_files(
    files: InstanceFiles,
    settings: Settings,
    out: PathLike,
    *,
    mode: Literal["rebalance", "design"] | None = None,
) -> BalancedInstance:
    """Read the instance, balance it, write ``unit_id,rep_id`` to ``out``.

    ``mode`` None means: rebalance when the units file names current reps, else design (there
    is nothing to stay close to); otherwise it replaces the mode in ``settings``.
    """
    with timed(logger, "optimizer run", units=files.units, seed=settings.seed) as extra:
        instance = read_instance(
            files.units,
            files.reps,
            files.cost,
            files.adjacency,
            cost_counts_toward=files.cost_counts_toward,
        )
        has_current = instance.current is not None and bool(np.any(instance.current >= 0))
        settings = replace(settings, mode=mode or ("rebalance" if has_current else "design"))
        extra.update(units_n=instance.n_units, reps=instance.n_reps, mode=settings.mode)
        result = balance(instance, settings)
        extra.update(_result_fields(result))
    rows = write_assignment(out, instance, result.assignment)
    return BalancedInstance(instance, settings, result, rows, Path(out))


def _result_fields(result: BalanceResult) -> dict[str, object]:
    """What an optimizer run's log line says of its result."""
    return {
        "worst_deviation": f"{result.worst_deviation:.4f}",
        "units_moved": result.units_moved,
        "optimal": result.optimal,
        "gap": "" if result.gap is None else f"{result.gap:.4f}",
        "stopped_early": result.stopped_early,
    }
