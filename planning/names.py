"""Names a user reads in lists: scenarios and data sets never share one."""

from __future__ import annotations

import re
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


# -- datasets-find: the first editable scenario of a data set --------------------------------
WORKING_PLAN = "Working plan"


def working_plan_name(dataset: str | None = None) -> str:
    """The name of a data set's first editable scenario.

    Named after its data set, so that plans found in the data-set switcher and
    in exports say which data they are about; the app's configured data set
    keeps the plain name it always had (``dataset`` None).

    >>> working_plan_name("accounts_pl")
    'Working plan – accounts_pl'
    >>> working_plan_name()
    'Working plan'
    """
    return WORKING_PLAN if not dataset else f"{WORKING_PLAN} – {dataset}"


# -- issue 12 point 7b: one "@ res N" suffix -------------------------------------------------
_AT_RESOLUTION = re.compile(r"(?: @ res \d+(?: \d+)?)+$")


def base_name(name: str) -> str:
    """A scenario's name without the "@ res N" suffixes a cell-size change gave it.

    A suffix ``unique_name`` numbered (``@ res 5 2``) goes with it.

    >>> base_name("Working plan @ res 5 @ res 7")
    'Working plan'
    >>> base_name("Working plan @ res 5 2")
    'Working plan'
    >>> base_name("Plan 2")
    'Plan 2'
    """
    return _AT_RESOLUTION.sub("", name)


def resolution_name(name: str, resolution: int) -> str:
    """The name of ``name``'s plan carried to ``resolution``: one "@ res N" suffix.

    >>> resolution_name("Working plan @ res 5", 7)
    'Working plan @ res 7'
    """
    return f"{base_name(name)} @ res {resolution}"
