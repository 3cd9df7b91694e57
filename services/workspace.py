"""A plan opened from input files: where ``cli.py metrics`` and ``cli.py balance`` start.

The files are read and validated by ``data/``; the plan (the baseline, or the one a plan file
draws) is built by :func:`planning.workspace.open_plan`, the path the app shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from data.boundaries import boundary_for, choice_from_text
from data.owners import Owners
from data.planfile import read_plan_csv
from data.validation import load_accounts, load_call_plan, load_reps
from planning.baseline import OwnerChanges
from planning.callplan import TravelModel, default_call_plan
from planning.callplan_edits import call_plan_with_travel
from planning.plan import Plan
from planning.share_classes import ShareSettings, call_plan_with_share
from planning.workspace import open_plan

PathLike = str | Path


@dataclass(frozen=True)
class PlanFiles:
    """The files a plan is opened from.

    Attributes
    ----------
    plan
        A plan file ``h3_cell,rep_id``; without it the baseline is derived from the accounts'
        ``rep_id``.
    mapping
        Column mapping (JSON file) applied to the accounts and reps files.
    sheet, reps_sheet
        Sheet of an accounts / reps workbook (default: the best fit).
    """

    accounts: PathLike
    reps: PathLike
    plan: PathLike | None = None
    call_plan: PathLike | None = None
    mapping: PathLike | None = None
    sheet: str | None = None
    reps_sheet: str | None = None
    boundary: str = "land"
    """The planning area: ``land`` (default), ``hull``, ``countries:PL,DE``, ``regions:...`` or
    the path of a boundary file (GeoJSON, zipped shapefile, GeoPackage)."""
    travel: TravelModel | None = None
    """The travel model (None: the defaults). Stored with the call plan, as a data set keeps
    its edited travel, so the plan is measured as the app measures that data set."""


def open_plan_files(
    files: PlanFiles, *, resolution: int | None = None, share: ShareSettings | None = None
) -> tuple[Plan, OwnerChanges | None]:
    """Read and check the files, then open the plan; see :func:`planning.workspace.open_plan`.

    Returns the plan and, for a derived baseline, the accounts whose owner it changed (None when a
    plan file was given: nothing was derived). ``share`` (issue 14: market-share thresholds and
    effort plan) is put into the call plan.
    """
    reps = load_reps(files.reps, mapping=files.mapping, sheet=files.reps_sheet)
    rep_ids = list(reps["rep_id"])
    accounts = load_accounts(  # owners by rep_id, name, e-mail or CRM user id (issue 11)
        files.accounts, Owners.from_reps(reps), mapping=files.mapping, sheet=files.sheet
    )
    call_plan = load_call_plan(files.call_plan) if files.call_plan else None
    if files.travel is not None:
        call_plan = call_plan_with_travel(
            default_call_plan() if call_plan is None else call_plan, files.travel
        )
    if share is not None:  # issue 14: the classes' thresholds and effort plan
        call_plan = call_plan_with_share(
            default_call_plan() if call_plan is None else call_plan, share
        )
    assignment = read_plan_csv(files.plan, rep_ids) if files.plan else None
    choice = choice_from_text(files.boundary)
    boundary = boundary_for(
        choice, accounts["lat"].to_numpy(np.float64), accounts["lon"].to_numpy(np.float64)
    )
    return open_plan(
        accounts, reps, call_plan, resolution=resolution, assignment=assignment, boundary=boundary
    )
