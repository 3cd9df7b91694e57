"""Importing a period's actuals into a data set: check, say what changes, then store.

A period (``2026-07``, ``2026-Q3``) gets a revenue file, a visits file or both. The files
are checked against the data set's accounts and reps (``data.actuals``); the check says
how many stored rows the import would change (``planning.actuals.replacement``) so the
screen can ask before a period is replaced; ``store_actuals`` checks again and writes in
one transaction. Periods accumulate per data set.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from common.logs import timed
from data.actuals import ActualsFile, read_actuals, read_actuals_upload, report_csv
from planning.actuals import Period, Replacement, parse_period, replacement, revenue_by_account
from services import editing
from services.importing import max_upload_bytes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    """One browser upload: ``kind`` is ``revenue`` or ``visits``; ``contents`` a data URL."""

    kind: str
    filename: str
    contents: str


@dataclass(frozen=True)
class ActualsCheck:
    """Checked files of one period and what storing them would replace."""

    dataset_id: int
    period: Period
    files: tuple[ActualsFile, ...]
    replacement: Replacement

    def file(self, kind: str) -> ActualsFile | None:
        """The checked file of ``kind``, if one was given."""
        return next((f for f in self.files if f.kind == kind), None)

    def lines(self) -> list[str]:
        """What the screen and the command line print: each file, then the replacement."""
        return [f.summary() for f in self.files] + [self.replacement.sentence()]

    def report(self) -> str:
        """The excluded rows as a formula-safe CSV (file, row, column, reason)."""
        return report_csv(self.files)


def _team(url: str, dataset_id: int) -> tuple[list[str], list[str]]:
    accounts, reps, _ = editing.open_store(url).load_dataset(dataset_id)
    return accounts["account_id"].astype(str).tolist(), reps["rep_id"].astype(str).tolist()


def _compared(url: str, dataset_id: int, period: Period,
              files: tuple[ActualsFile, ...]) -> ActualsCheck:  # fmt: skip
    store = editing.open_store(url)
    stored = store.actual_revenue(dataset_id, period.label)
    visits_before = len(store.actual_visits(dataset_id, period.label))
    rev = next((f for f in files if f.kind == "revenue"), None)
    vis = next((f for f in files if f.kind == "visits"), None)
    change = replacement(
        period,
        stored,
        None if rev is None else revenue_by_account(rev.checked.kept),
        visits_before,
        None if vis is None else len(vis.checked.kept),
    )
    return ActualsCheck(dataset_id, period, files, change)


def check_uploads(
    url: str, scenario_id: int, period: str, uploads: Sequence[Upload]
) -> ActualsCheck:
    """Check browser uploads for the scenario's data set and ``period`` (nothing stored).

    Raises
    ------
    planning.actuals.PeriodError
        ``period`` is not a month or a quarter.
    common.errors.FileUnreadableError
        A file cannot be read or lacks a column.
    """
    chosen = parse_period(period)
    dataset_id = editing.scenario(url, scenario_id).dataset_id
    accounts, reps = _team(url, dataset_id)
    files = tuple(
        read_actuals_upload(
            u.filename, u.contents, u.kind, chosen, accounts, reps, max_bytes=max_upload_bytes()
        )  # fmt: skip
        for u in uploads
    )
    return _compared(url, dataset_id, chosen, files)


def check_files(
    url: str,
    dataset_id: int,
    period: str,
    paths: Mapping[str, str | os.PathLike[str]],
    mapping: Mapping | None = None,
) -> ActualsCheck:
    """Check files on disk (``{"revenue": path, "visits": path}``) for a data set and period."""
    chosen = parse_period(period)
    accounts, reps = _team(url, dataset_id)
    files = tuple(
        read_actuals(path, kind, chosen, accounts, reps, mapping=mapping)
        for kind, path in paths.items()
    )
    return _compared(url, dataset_id, chosen, files)


def store_checked(url: str, check: ActualsCheck) -> str:
    """Write the kept rows of a check, replacing the period's stored rows; say what was done."""
    rev, vis = check.file("revenue"), check.file("visits")
    with timed(logger, "actuals imported", dataset=check.dataset_id,
               period=check.period.label) as extra:  # fmt: skip
        revenue = None
        if rev is not None:
            summed = revenue_by_account(rev.checked.kept)
            revenue = summed.rename_axis("account_id").reset_index()
        visits = None if vis is None else vis.checked.kept
        editing.open_store(url).replace_actuals(
            check.dataset_id, check.period.label, revenue, visits
        )
        extra.update(
            revenue_rows=0 if revenue is None else len(revenue),
            visits=0 if visits is None else len(visits),
            excluded=sum(f.checked.excluded for f in check.files),
        )
    kept = ", ".join(f"{len(f.checked.kept):,} {f.kind} rows" for f in check.files)
    return f"{check.period.label}: stored {kept}."


def store_uploads(url: str, scenario_id: int, period: str, uploads: Sequence[Upload]) -> str:
    """Check the uploads again (the confirmed ones) and store them."""
    return store_checked(url, check_uploads(url, scenario_id, period, uploads))


def periods(url: str, scenario_id: int) -> list[str]:
    """Periods with stored actuals for the scenario's data set, oldest first."""
    dataset_id = editing.scenario(url, scenario_id).dataset_id
    labels = editing.open_store(url).actual_periods(dataset_id)
    return [p.label for p in sorted(parse_period(x) for x in labels)]
