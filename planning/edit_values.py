"""Numbers typed into the data-set editors (call plan, travel, team), checked one by one.

The editors hand over whatever the browser sent (``"12"``, ``None``, ``-1``);
the edits in ``planning.callplan_edits`` and ``planning.team`` refuse a bad
value with one sentence naming the field, so the screen can show it as is.
"""

from __future__ import annotations

import numpy as np

from common.errors import HexalignError


class EditError(HexalignError, ValueError):
    """An edit of the call plan, travel or team that cannot be applied as typed."""


def number(value: object, label: str) -> float:
    """``value`` as a finite number >= 0, or an ``EditError`` naming ``label``.

    >>> number("12", "visits/year")
    12.0
    """
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise EditError(f"{label} must be a number, got {value!r}") from None
    if not np.isfinite(v) or v < 0:
        raise EditError(f"{label} must be a number >= 0, got {value!r}")
    return v


def signed(value: object, label: str) -> float:
    """``value`` as a finite number of either sign (a coordinate), or an ``EditError``.

    >>> signed("-93.5", "home lon")
    -93.5
    """
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise EditError(f"{label} must be a number, got {value!r}") from None
    if not np.isfinite(v):
        raise EditError(f"{label} must be a number, got {value!r}")
    return v
