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
