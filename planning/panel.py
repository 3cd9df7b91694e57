"""The live panel's table: metrics, fair share per scope, targets, at one level (issue 14).

The same function feeds the table and the charts, so every level shows the
same numbers the exports and ``cli.py targets`` hold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.hierarchy import judged_team, roll_up, within_regions
from planning.metrics import rep_metrics, team_metrics
from planning.plan import Plan
from planning.targets import with_targets


def panel_table(
    plan: Plan,
    tolerance: float,
    *,
    level: str = "rep",
    scope: str = "team",
    targets: np.ndarray | None = None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """The panel's table at ``level`` and the team summary, fair share judged per ``scope``.

    ``scope`` is ``team`` (the team's fair share) or ``region`` (each region's own);
    ``targets`` (money, rep order; None: blank) are added before the roll-up, so a
    district's or region's target is its reps' sum.
    """
    reps = rep_metrics(plan, tolerance)
    team = team_metrics(plan, tolerance)
    if scope == "region":
        reps = within_regions(plan, reps, tolerance)
        team = judged_team(team, reps)
    reps = with_targets(reps, targets)
    return roll_up(plan, reps, level, tolerance), team
