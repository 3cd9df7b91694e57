"""Accounts files of any size summed per H3 cell, here or on Dask (issue 18 point 4).

Below ``Settings.dask_threshold_rows`` rows (or when asked) the files are imported in this
process; above it (or when asked) they are read, checked, binned and summed on Dask: a
``LocalCluster`` on this machine, or the scheduler at ``Settings.dask_address``. Either way
the result is the same ``CellTotals`` and the same per-file import reports.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from common.errors import PlanError
from common.logs import timed
from common.settings import Settings
from data.dask_accounts import (
    BinnedAccounts,
    bin_files_locally,
    bin_files_on_dask,
    count_rows,
    dask_client,
)
from data.importing import ImportOptions
from data.owners import Owners
from data.totals_files import write_problems, write_totals
from data.validation import load_call_plan, load_reps
from planning.area_choice import DEFAULT_AREA, AreaChoice, call_plan_with_area
from planning.callplan import default_call_plan
from services.editing import open_store
from services.totals import store_totals

logger = logging.getLogger(__name__)


class Engine(StrEnum):
    """Where the work runs: chosen by size, or forced."""

    AUTO = "auto"
    LOCAL = "local"
    DASK = "dask"


def chosen_engine(rows: int, asked: Engine, threshold: int) -> Engine:
    """``asked`` unless it is ``AUTO``; then Dask above ``threshold`` rows, this process below."""
    if asked is not Engine.AUTO:
        return asked
    return Engine.DASK if rows > threshold else Engine.LOCAL


def bin_accounts(
    paths: Sequence[str | os.PathLike[str]],
    *,
    reps_path: str | os.PathLike[str] | None = None,
    resolution: int | None = None,
    engine: Engine = Engine.AUTO,
    workers: int | None = None,
    exclude_bad_rows: bool = True,
    totals_path: str | os.PathLike[str] | None = None,
    report_path: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
) -> BinnedAccounts:
    """Import, bin and sum accounts files (``cli.py bin``); every bad row is in the reports.

    Parameters
    ----------
    reps_path
        Reps file: an account's owner must be one of its reps.
    resolution
        H3 resolution; default the one ``build_market`` would choose for these accounts.
    engine, workers
        Where to run (``chosen_engine``); a LocalCluster's worker processes (default one per
        core).
    exclude_bad_rows
        Sum the rows without errors (the default: at this size a refused file helps nobody);
        False sums nothing of a file with errors, as ``cli.py check`` would refuse it.
    totals_path, report_path
        Also write the totals (CSV or Parquet) and the problem list (CSV) there.
    """
    settings = settings or Settings.from_env()
    names = ",".join(Path(p).name for p in paths[:3]) + (",..." if len(paths) > 3 else "")
    with timed(logger, "accounts binned", files=len(paths), first=names) as extra:
        options = ImportOptions(exclude_bad_rows=exclude_bad_rows)
        if reps_path:
            options = options.but(rep_ids=Owners.from_reps(load_reps(reps_path)))
        rows = count_rows(paths)
        where = chosen_engine(rows, engine, settings.dask_threshold_rows)
        extra |= {"rows": rows, "engine": where.value}
        if where is Engine.DASK:
            with dask_client(settings.dask_address, n_workers=workers) as client:
                result = bin_files_on_dask(paths, client, options, resolution)
        else:
            result = bin_files_locally(paths, options, resolution)
        extra |= {"imported": result.imported, "cells": len(result.totals),
                  "resolution": result.totals.resolution,
                  "errors": len(result.problems("error"))}  # fmt: skip
        if totals_path:
            write_totals(result.totals, totals_path)
        if report_path:
            write_problems(result, report_path)
        return result


# -- issue 18 point 4: the totals kept as a data set the app and the CLI plan on -----------


@dataclass(frozen=True)
class BinnedDataset:
    """Accounts files binned and kept as a data set: its id and the working plan to open."""

    binned: BinnedAccounts
    dataset_id: int
    scenario_id: int
    name: str


def bin_into_dataset(
    paths: Sequence[str | os.PathLike[str]],
    name: str,
    *,
    reps_path: str | os.PathLike[str] | None,
    call_plan_path: str | os.PathLike[str] | None = None,
    area: AreaChoice = DEFAULT_AREA,
    database_url: str | None = None,
    resolution: int | None = None,
    engine: Engine = Engine.AUTO,
    workers: int | None = None,
    totals_path: str | os.PathLike[str] | None = None,
    report_path: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
) -> BinnedDataset:
    """``bin_accounts``, then the totals kept in the store as data set ``name``.

    The data set gets a baseline (last quarter's owners, as an import gives) and a working plan,
    so the app's data-set switcher, ``cli.py metrics --scenario`` and ``cli.py export`` open
    it like any other. A reps file is needed: a plan is made for a team. The planning area is
    ``area`` (land by default, as an import's). Rows with errors are left out (listed).
    """
    if not reps_path:
        raise PlanError("--dataset needs --reps: a data set is planned for a team")
    settings = settings or Settings.from_env(database_url=database_url)
    result = bin_accounts(
        paths, reps_path=reps_path, resolution=resolution, engine=engine, workers=workers,
        totals_path=totals_path, report_path=report_path, settings=settings,
    )  # fmt: skip
    if not result.imported:
        raise PlanError("no account was summed (every row had an error): nothing to store")
    reps = load_reps(reps_path)
    call_plan = load_call_plan(call_plan_path) if call_plan_path else default_call_plan()
    call_plan = call_plan_with_area(call_plan, area)
    store = open_store(settings.database_url)
    dataset_id, scenario_id = store_totals(store, name, result.totals, reps, call_plan)
    return BinnedDataset(result, dataset_id, scenario_id, name)
