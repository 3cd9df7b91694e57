"""Actuals of a period: revenue per account and the visits made, checked row by row (issue 15).

A period is a month (``2026-07``) or a quarter (``2026-Q3``). An import is for one
chosen period: a revenue row names its own period, which must lie inside the chosen
one (months of a quarter add up to the quarter); a visit row names its date, which
must fall inside it. Every row of the file is either kept or listed by its
spreadsheet row with the reason (an unknown account or rep, a date or period outside,
a negative or unreadable amount, a channel other than field or remote), so that
``kept + excluded == rows read`` always: nothing is dropped silently.

Pure: the callers (``data.actuals``) read the file and store the result.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from common.errors import HexalignError
from planning.callplan import CHANNELS

REVENUE_FIELDS = ("account_id", "period", "revenue")
VISIT_FIELDS = ("date", "account_id", "rep_id", "channel")
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


class PeriodError(HexalignError, ValueError):
    """A period label that is neither ``YYYY-MM`` nor ``YYYY-Qn``."""


@dataclass(frozen=True, order=True)
class Period:
    """A month or a quarter: ``start`` inclusive, ``end`` exclusive (first day after)."""

    start: dt.date
    months: int

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return _add_months(self.start, self.months)

    @property
    def days(self) -> int:
        """Calendar days in the period (what owner spans are weighed by)."""
        return (self.end - self.start).days

    @property
    def year_fraction(self) -> float:
        """The part of a year the period is (a quarter 0.25, a month 1/12): targets scale by it."""
        return self.months / 12.0

    @property
    def label(self) -> str:
        """``2026-07`` or ``2026-Q3``, as files and the period picker write it."""
        if self.months == 3:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    def previous(self) -> Period:
        """The period of the same length just before (the quarter or the month before)."""
        return Period(_add_months(self.start, -self.months), self.months)

    def next(self) -> Period:
        """The period of the same length just after."""
        return Period(self.end, self.months)

    def holds(self, other: Period) -> bool:
        """True when ``other`` lies wholly inside this period."""
        return self.start <= other.start and other.end <= self.end

    def __str__(self) -> str:
        return self.label


def parse_period(text: object) -> Period:
    """``2026-07`` (a month) or ``2026-Q3`` (a quarter) as a ``Period``.

    Raises
    ------
    PeriodError
        Anything else, in one sentence naming the text.
    """
    value = str(text).strip() if text is not None else ""
    quarter = _QUARTER.match(value)
    if quarter:
        year, q = int(quarter.group(1)), int(quarter.group(2))
        return Period(dt.date(year, 3 * (q - 1) + 1, 1), 3)
    month = _MONTH.match(value)
    if month and 1 <= int(month.group(2)) <= 12:
        return Period(dt.date(int(month.group(1)), int(month.group(2)), 1), 1)
    raise PeriodError(f"{value!r} is not a period: write a month 2026-07 or a quarter 2026-Q3")


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class BadRow:
    """One excluded row: its spreadsheet row number, the column at fault and why."""

    row: int
    column: str | None
    reason: str


@dataclass(frozen=True)
class CheckedActuals:
    """What a check kept and what it excluded; ``len(kept) + excluded rows == rows``.

    Attributes
    ----------
    kept
        Revenue: ``account_id``, ``period`` (the row's own label), ``revenue`` (money, >= 0),
        ``row``. Visits: ``date`` (datetime64), ``account_id``, ``rep_id``, ``channel``, ``row``.
    bad
        Every problem, by row; a row may have several.
    rows
        Rows read (blank rows included, as they count when numbering).
    """

    kept: pd.DataFrame
    bad: tuple[BadRow, ...]
    rows: int

    @property
    def excluded(self) -> int:
        """Rows left out (each once, however many problems it has)."""
        return len({b.row for b in self.bad})

    def report(self) -> pd.DataFrame:
        """The bad rows as a table: row, column, reason (sorted by row)."""
        frame = pd.DataFrame(
            [(b.row, b.column or "", b.reason) for b in self.bad],
            columns=["row", "column", "reason"],
        )
        return frame.sort_values("row", kind="stable").reset_index(drop=True)


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[name].map(lambda v: "" if v is None or v != v else str(v).strip())


def parse_amount(value: object) -> float | None:
    """A money cell as a number: native numbers, ``1234.5``, ``1,234.50``, ``1.234,50``, ``12,5``.

    None when it cannot be read (the caller reports it, never guesses a zero).
    """
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        return number if math.isfinite(number) else None
    text = "" if value is None else str(value).strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." in text:
        text = (
            text.replace(",", "")
            if text.rfind(".") > text.rfind(",")
            else (text.replace(".", "").replace(",", "."))
        )
    elif "," in text:
        head, _, tail = text.rpartition(",")
        text = (
            text.replace(",", "")
            if len(tail) == 3 and "," not in head and head
            else (head.replace(",", "") + "." + tail)
        )
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _dates(values: pd.Series) -> pd.Series:
    """Dates of a column (ISO text, or native dates from a workbook); NaT where unreadable."""

    def one(value: object) -> pd.Timestamp:
        if isinstance(value, (dt.date, pd.Timestamp)):
            return pd.Timestamp(value).normalize()
        text = "" if value is None or value != value else str(value).strip()
        if not text:
            return pd.NaT
        stamp = pd.to_datetime(text, format="ISO8601", errors="coerce")
        return pd.NaT if pd.isna(stamp) else pd.Timestamp(stamp).tz_localize(None).normalize()

    return pd.Series([one(v) for v in values], index=values.index, dtype="datetime64[ns]")


def check_revenue(
    frame: pd.DataFrame, period: Period, accounts: Iterable[str], *, first_row: int = 2
) -> CheckedActuals:
    """Check revenue rows (mapped to ``account_id``, ``period``, ``revenue``) for ``period``.

    A row's period must lie inside ``period`` (a month of the quarter, or the quarter
    itself); one account may not have two rows for the same period.
    """
    known = {str(a) for a in accounts}
    bad: list[BadRow] = []
    kept: list[tuple[str, str, float, int]] = []
    seen: dict[tuple[str, str], int] = {}
    ids, periods = _text(frame, "account_id"), _text(frame, "period")
    amounts = frame["revenue"] if "revenue" in frame.columns else pd.Series([""] * len(frame))
    for i, (account, label, amount) in enumerate(zip(ids, periods, amounts, strict=True)):
        row = first_row + i
        if (
            not account
            and not label
            and parse_amount(amount) is None
            and not str(amount or "").strip()
        ):
            bad.append(BadRow(row, None, "blank row"))
            continue
        problems: list[BadRow] = []
        if not account:
            problems.append(BadRow(row, "account_id", "no account id"))
        elif account not in known:
            problems.append(BadRow(row, "account_id", f"unknown account {account!r}"))
        own: Period | None = None
        try:
            own = parse_period(label)
        except PeriodError as err:
            problems.append(BadRow(row, "period", str(err)))
        if own is not None and not period.holds(own):
            problems.append(BadRow(row, "period", f"period {own} lies outside {period}"))
        value = parse_amount(amount)
        if value is None:
            problems.append(BadRow(row, "revenue", f"revenue {amount!r} is not a number"))
        elif value < 0:
            problems.append(BadRow(row, "revenue", f"negative revenue {value:,.2f}"))
        if not problems and own is not None and value is not None:
            key = (account, own.label)
            if key in seen:
                twice = f"{account} already has revenue for {own} (row {seen[key]})"
                problems.append(BadRow(row, "account_id", twice))
            else:
                seen[key] = row
        if problems:
            bad.extend(problems)
        elif own is not None and value is not None:
            kept.append((account, own.label, value, row))
    out = pd.DataFrame(kept, columns=["account_id", "period", "revenue", "row"])
    return CheckedActuals(out, tuple(bad), len(frame))


def check_visits(
    frame: pd.DataFrame,
    period: Period,
    accounts: Iterable[str],
    reps: Iterable[str],
    *,
    first_row: int = 2,
) -> CheckedActuals:
    """Check visit rows (``date``, ``account_id``, ``rep_id``, ``channel``) for ``period``."""
    known_accounts = {str(a) for a in accounts}
    known_reps = {str(r) for r in reps}
    dates = _dates(frame["date"]) if "date" in frame.columns else pd.Series(
        [pd.NaT] * len(frame), dtype="datetime64[ns]")  # fmt: skip
    raw_dates = _text(frame, "date")
    ids, rep_ids = _text(frame, "account_id"), _text(frame, "rep_id")
    channels = _text(frame, "channel").str.lower()
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    bad: list[BadRow] = []
    kept: list[tuple[pd.Timestamp, str, str, str, int]] = []
    for i in range(len(frame)):
        row = first_row + i
        account, rep, channel, day = ids.iloc[i], rep_ids.iloc[i], channels.iloc[i], dates.iloc[i]
        if not (account or rep or channel or raw_dates.iloc[i]):
            bad.append(BadRow(row, None, "blank row"))
            continue
        problems: list[BadRow] = []
        if pd.isna(day):
            problems.append(
                BadRow(row, "date", f"{raw_dates.iloc[i]!r} is not a date (2026-07-14)")
            )
        elif not start <= day < end:
            problems.append(BadRow(row, "date", f"{day.date()} lies outside {period}"))
        if not account:
            problems.append(BadRow(row, "account_id", "no account id"))
        elif account not in known_accounts:
            problems.append(BadRow(row, "account_id", f"unknown account {account!r}"))
        if not rep:
            problems.append(BadRow(row, "rep_id", "no rep id"))
        elif rep not in known_reps:
            problems.append(BadRow(row, "rep_id", f"unknown rep {rep!r}"))
        if channel not in CHANNELS:
            allowed = " or ".join(CHANNELS)
            problems.append(BadRow(row, "channel", f"channel {channel!r} must be {allowed}"))
        if problems:
            bad.extend(problems)
        else:
            kept.append((day, account, rep, channel, row))
    out = pd.DataFrame(kept, columns=["date", "account_id", "rep_id", "channel", "row"])
    out["date"] = pd.to_datetime(out["date"])
    return CheckedActuals(out, tuple(bad), len(frame))


def revenue_by_account(kept: pd.DataFrame) -> pd.Series:
    """Kept revenue rows summed per account (months of a quarter add up)."""
    if kept.empty:
        return pd.Series(dtype=np.float64, name="revenue")
    return kept.groupby("account_id", sort=True)["revenue"].sum().rename("revenue")


@dataclass(frozen=True)
class Replacement:
    """What re-importing a period changes, for the confirmation sentence.

    Revenue rows are compared per account (added, gone, a different amount); visits
    are replaced wholesale, so their counts before and after say it.
    """

    period: str
    revenue_before: int
    revenue_after: int
    revenue_added: int
    revenue_gone: int
    revenue_changed: int
    visits_before: int
    visits_after: int

    @property
    def replaces(self) -> bool:
        """True when the period already holds actuals (a confirmation is needed)."""
        return self.revenue_before > 0 or self.visits_before > 0

    @property
    def rows_changing(self) -> int:
        """Revenue rows that change plus every stored and new visit row that differs."""
        return (
            self.revenue_added
            + self.revenue_gone
            + self.revenue_changed
            + abs(self.visits_after - self.visits_before)
        )

    def sentence(self) -> str:
        """One sentence: what is there, and how many rows the import changes."""
        if not self.replaces:
            return (f"{self.period} holds no actuals yet: {self.revenue_after:,} revenue rows and "
                    f"{self.visits_after:,} visits will be stored.")  # fmt: skip
        changed = self.revenue_added + self.revenue_gone + self.revenue_changed
        return (
            f"{self.period} already holds {self.revenue_before:,} revenue rows and "
            f"{self.visits_before:,} visits; importing replaces them: {changed:,} revenue rows "
            f"change ({self.revenue_added:,} new, {self.revenue_gone:,} gone, "
            f"{self.revenue_changed:,} with another amount), visits "
            f"{self.visits_before:,} -> {self.visits_after:,}."
        )


def replacement(
    period: Period, stored: pd.Series, new: pd.Series | None, visits_before: int,
    visits_after: int | None,
) -> Replacement:  # fmt: skip
    """Compare stored revenue per account with the new one (None: revenue not re-imported)."""
    new_rev = stored if new is None else new
    old_ids, new_ids = set(stored.index), set(new_rev.index)
    both = sorted(old_ids & new_ids)
    changed = sum(
        1 for a in both if round(float(stored[a]) * 100) != round(float(new_rev[a]) * 100)
    )
    return Replacement(
        period=period.label,
        revenue_before=len(stored),
        revenue_after=len(new_rev),
        revenue_added=len(new_ids - old_ids),
        revenue_gone=len(old_ids - new_ids),
        revenue_changed=changed,
        visits_before=visits_before,
        visits_after=visits_before if visits_after is None else visits_after,
    )
