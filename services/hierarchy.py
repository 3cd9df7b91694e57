"""The team's regions and districts as a stored scenario's data set names them (issue 14)."""

from __future__ import annotations

from planning.hierarchy import group_keys, regions
from services import editing


def team_groups(url: str, scenario_id: int) -> tuple[list[str], list[str]]:
    """The regions and districts (``region / district``) of the scenario's team, in rep order."""
    board, _, _ = editing.load(url, scenario_id)
    reps = board.market.reps
    return regions(reps), list(dict.fromkeys(group_keys(reps, "district")))
