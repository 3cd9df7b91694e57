"""Print how many fuzz cases ran (issue 12 point 10 asks for the number)."""

from __future__ import annotations

import pytest

from tests.data.fuzzing import CASES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per fuzz test and the total, when any ran."""
    if not CASES:
        return
    terminalreporter.section("fuzz cases run")
    for name, n in sorted(CASES.items()):
        terminalreporter.write_line(f"{name}: {n:,}")
    terminalreporter.write_line(f"total: {sum(CASES.values()):,} cases")
