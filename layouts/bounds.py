"""The limits of the numeric fields, shared by the components and the callbacks that check them.

A browser keeps an ``<input type=number>`` within ``min``/``max`` only for its
arrows: a typed -5 or 250 stays in the box, and Dash then sends no number at all
(``None``). So the component carries the limits, and a callback checks what
arrives: a number is clamped into them, anything else goes back to the default,
each time with one sentence (issue 12 point 7d).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Bounds:
    """A numeric field's limits, its default and the words naming it."""

    label: str
    low: float
    high: float
    default: float
    unit: str = " %"

    def said(self, value: float) -> str:
        """A value as the field shows it (``0.5 %``, ``60 s``)."""
        return f"{value:g}{self.unit}"

    def must(self) -> str:
        """What the field must hold, as a sentence."""
        return f"{self.label} must be a number from {self.low:g} to {self.said(self.high)}"


TOLERANCE = Bounds("Tolerance", 0.5, 100.0, 10.0)
"""The toolbar's tolerance (fair share ± this), in percent."""
BALANCE_TOLERANCE = Bounds("Tolerance", 0.5, 50.0, 5.0)
"""Auto-balance's tolerance, in percent."""
MAX_MOVED = Bounds("Max accounts moved", 0.0, 100.0, 25.0)
"""Auto-balance's disruption cap, in percent."""
TIME_LIMIT = Bounds("Time limit", 1.0, 600.0, 60.0, " s")
"""Auto-balance's time limit, in seconds."""
COMPACTNESS = Bounds("Compactness weight", 0.0, 100.0, 1.0, "")
"""Auto-balance's weight of compact shapes against balance."""
EXPERIENCE_WEIGHT = Bounds("Experience weight", 0.0, 100.0, 0.0, "")
"""Auto-balance's weight of experienced reps on contested ground (issue 15; 0 = ignore)."""


@dataclass(frozen=True)
class Checked:
    """A field's value brought within its bounds, and the sentence when it had to be."""

    value: float
    message: str | None = None


def check(bounds: Bounds, value: float | str | None) -> Checked:
    """``value`` within ``bounds``: clamped with a sentence, or the default when not a number.

    >>> check(TOLERANCE, 250).message
    'Tolerance is at most 100 %; 250 % became 100 %.'
    >>> check(TOLERANCE, -5)
    Checked(value=0.5, message='Tolerance is at least 0.5 %; -5 % became 0.5 %.')
    >>> check(TOLERANCE, None).message
    'Tolerance must be a number from 0.5 to 100 %; it is back to 10 %.'
    >>> check(TOLERANCE, "7.5")
    Checked(value=7.5, message=None)
    """
    b = bounds
    try:
        number = float(value) if value is not None and value != "" else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        return Checked(b.default, f"{b.must()}; it is back to {b.said(b.default)}.")
    if number < b.low:
        return Checked(
            b.low,
            f"{b.label} is at least {b.said(b.low)}; {b.said(number)} became {b.said(b.low)}.",
        )
    if number > b.high:
        return Checked(
            b.high,
            f"{b.label} is at most {b.said(b.high)}; {b.said(number)} became {b.said(b.high)}.",
        )
    return Checked(number)
