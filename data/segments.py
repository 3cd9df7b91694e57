"""A/B/C segments derived from TAM, for files that have no segment column (or gaps in it).

Two rules, both common in sales operations:

- **share** (the ABC method): rank accounts by TAM, largest first; the top ``a``
  share of accounts is A, the next ``b`` share is B, the rest C. The counts are
  exact (``round(a * n)`` A accounts), so equal TAMs at a boundary are split by
  file order, the earlier row ranking higher.
- **thresholds**: A from ``a`` upwards, B from ``b`` upwards, C below, in the
  file's money unit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np


@dataclass(frozen=True)
class SegmentRule:
    """How missing segments are derived from TAM.

    Parameters
    ----------
    method
        ``"share"``: ``a`` and ``b`` are shares of accounts (0.2 = 20%).
        ``"thresholds"``: ``a`` and ``b`` are the lowest TAM of an A and of a B.
    """

    method: Literal["share", "thresholds"] = "share"
    a: float = 0.2
    b: float = 0.3

    def __post_init__(self) -> None:
        if self.method == "share":
            if not (0 <= self.a <= 1 and 0 <= self.b <= 1 and self.a + self.b <= 1):
                raise ValueError(
                    f"segment shares must lie in [0, 1] and add up to at most 1; "
                    f"got A {self.a}, B {self.b}"
                )
        elif self.method == "thresholds":
            if not (self.a >= self.b >= 0):
                raise ValueError(f"TAM thresholds need A >= B >= 0; got A {self.a}, B {self.b}")
        else:
            raise ValueError(f"method must be 'share' or 'thresholds'; got {self.method!r}")

    @classmethod
    def parse(cls, text: str) -> SegmentRule:
        """Read ``share:20,30`` (percent of accounts) or ``tam:100000,20000`` (thresholds).

        The command line's ``--derive-segments`` takes this form.
        """
        found = re.fullmatch(r"\s*(share|tam)\s*:\s*([^,]+),([^,]+)\s*", text)
        if not found:
            raise ValueError(
                f"segment rule {text!r} is not 'share:A%,B%' (e.g. share:20,30) "
                "or 'tam:A_MIN,B_MIN' (e.g. tam:100000,20000)"
            )
        kind, a, b = found.groups()
        if kind == "share":
            return cls("share", float(a) / 100, float(b) / 100)
        return cls("thresholds", float(a), float(b))

    def __str__(self) -> str:
        if self.method == "share":
            return f"A = top {self.a:.0%} of accounts by TAM, B = next {self.b:.0%}, rest C"
        return f"A from TAM {self.a:g}, B from {self.b:g}, rest C"


def segments_by_share(tam: np.ndarray, a: float = 0.2, b: float = 0.3) -> np.ndarray:
    """ABC by rank: the top ``a`` share of accounts by TAM is A, the next ``b`` B, rest C."""
    tam = np.asarray(tam, dtype="float64")
    n = len(tam)
    order = np.lexsort((np.arange(n), -tam))  # largest first, ties in file order
    n_a = math.floor(a * n + 0.5)
    n_ab = min(n, math.floor((a + b) * n + 0.5))
    out = np.full(n, "C", dtype=object)
    out[order[:n_a]] = "A"
    out[order[n_a:n_ab]] = "B"
    return out


def segments_by_thresholds(tam: np.ndarray, a_min: float, b_min: float) -> np.ndarray:
    """A where TAM >= ``a_min``, B where TAM >= ``b_min``, C elsewhere."""
    tam = np.asarray(tam, dtype="float64")
    return np.where(tam >= a_min, "A", np.where(tam >= b_min, "B", "C")).astype(object)


def derive_segments(tam: np.ndarray, rule: SegmentRule) -> np.ndarray:
    """Segments of accounts with these TAMs under ``rule``, one per account, as ``str``.

    For the share rule the ranking is over exactly the accounts given, so pass every
    account of the portfolio (not only those missing a segment).
    """
    if rule.method == "share":
        return segments_by_share(tam, rule.a, rule.b)
    return segments_by_thresholds(tam, rule.a, rule.b)
