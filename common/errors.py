"""Errors that say what was expected and what arrived.

Each class also subclasses a built-in, so callers that only know Python's
exceptions still catch them.
"""

from __future__ import annotations

from dataclasses import dataclass


class HexalignError(Exception):
    """Base of every error Hexalign raises on purpose."""


@dataclass(frozen=True)
class RowProblem:
    """One bad row of an input file.

    ``row`` is the number a user sees in a spreadsheet: the header is row 1,
    the first data row is row 2.
    """

    row: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.reason}"


class InputError(HexalignError, ValueError):
    """An input file was refused; ``problems`` lists every bad row."""

    def __init__(self, source: str, problems: list[RowProblem]):
        self.source = source
        self.problems = list(problems)
        lines = [f"{source}: {len(self.problems)} problem(s), nothing was imported"]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class FileUnreadableError(HexalignError, ValueError):
    """The file could not be read at all (wrong type, empty, truncated...)."""


class PlanError(HexalignError, ValueError):
    """A plan does not fit its planning area or team."""


# -- the scenario store's refusals (raised by data.store, caught by services and screens) --------


class StaleVersionError(HexalignError, RuntimeError):
    """The scenario moved on since the caller read it; reload and retry.

    Attributes
    ----------
    current_version
        The version now stored, so the caller can reload exactly that state.
    """

    def __init__(self, scenario_id: int, expected: int, current: int):
        self.scenario_id = scenario_id
        self.expected_version = expected
        self.current_version = current
        super().__init__(
            f"scenario {scenario_id} is at version {current}, not {expected}: "
            "someone else changed it; reload it and redo the move"
        )


class ReadOnlyScenarioError(HexalignError, PermissionError):
    """The scenario (a baseline, or one marked read-only) refuses changes."""


class ScenarioNotFoundError(HexalignError, LookupError):
    """No scenario (or dataset, or area) has that id or name."""


class ScenarioExistsError(HexalignError, ValueError):
    """The name (or the dataset's baseline at that resolution) is taken."""


class NothingToUndoError(HexalignError, LookupError):
    """Undo or redo was asked for with an empty stack."""


class StorageFullError(HexalignError, OSError):
    """The database's disk (or its size limit) is full: the change was not saved (issue 12).

    The transaction was rolled back, so the database holds the state before the change.
    """


class NoAccountRowsError(PlanError):
    """Needs one row per account, and the data set is kept as per-cell totals (issue 18 point 4).

    Another cell size, an account list, a team edit...; or totals that lack what a market needs.
    A ``PlanError``, so that the screens that show a plan's refusals show this one too.
    """
