"""Names a user reads in lists: scenarios and data sets never share one."""

from __future__ import annotations

from collections.abc import Collection


def unique_name(taken: Collection[str], stem: str) -> str:
    """``stem``, or ``stem 2``, ``stem 3``... whichever is free first.

    >>> unique_name({"Plan", "Plan 2"}, "Plan")
    'Plan 3'
    """
    if stem not in taken:
        return stem
    k = 2
    while f"{stem} {k}" in taken:
        k += 1
    return f"{stem} {k}"
