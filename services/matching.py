"""Matching reps to ground of a stored scenario (issue 15 section 4).

Reads the scenario's plan once and hands it to ``planning.matching``: per rep, the contested
and stronghold ground held and a flag where the experience level does not suit it, and the
team's fit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from common.logs import timed
from planning.matching import (
    FLAG_SHARE,
    UNKNOWN,
    Fit,
    matching_table,
    plan_fit,
    rep_levels,
    suggestions,
)
from services import editing

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class MatchingView:
    """What the Matching tab shows: the per-rep table and the team's fit."""

    table: pd.DataFrame
    fit: Fit
    levels_known: bool
    """At least one rep has an experience level (else the tab says how to give them)."""
    suggestions: tuple[str, ...] = ()
    """Per flagged rep, a touching rep whose level suits the ground better (in words)."""


def scenario_matching(url: str, scenario_id: int, flag_share: float = FLAG_SHARE) -> MatchingView:
    """Per-rep ground and the team's fit under the stored scenario's plan."""
    with timed(logger, "matching read", scenario=scenario_id) as extra:
        _, plan, _ = editing.load(url, scenario_id)
        known = bool((rep_levels(plan.market.reps) != UNKNOWN).any())
        view = MatchingView(
            matching_table(plan, flag_share), plan_fit(plan, flag_share), known,
            tuple(suggestions(plan, flag_share)),
        )  # fmt: skip
        extra["flagged"] = view.fit.flagged
    return view
