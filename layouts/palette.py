"""Rep colours: distinct for up to 24 reps and kind to colour-blind eyes.

Okabe-Ito's eight first (safe for every common colour-vision deficiency),
then sixteen picked greedily from Paul Tol's and ColorBrewer's sets so that
the smallest CIEDE2000 difference between any two of the 24 (and the
unassigned grey) stays above ``MIN_DELTA_E2000`` (issue 16: R02 and R10 were
two light blues, difference 8). Owners are never told by colour alone: the
hover, the legend and the table name them.
"""

from __future__ import annotations

from planning.palette import MIN_DELTA_E2000, REP_COLOURS, UNASSIGNED_COLOUR, rep_colour

__all__ = ["CONTINUOUS_SCALE", "MIN_DELTA_E2000", "REP_COLOURS", "UNASSIGNED_COLOUR",
           "owner_colourscale", "rep_colour"]  # fmt: skip
CONTINUOUS_SCALE = "Cividis"


def owner_colourscale(n_reps: int) -> list[list]:
    """A stepped scale mapping z = owner (-1..n_reps-1) to flat colours."""
    colours = [UNASSIGNED_COLOUR] + [rep_colour(r) for r in range(n_reps)]
    steps = len(colours)
    scale = []
    for k, colour in enumerate(colours):
        scale.append([k / steps, colour])
        scale.append([(k + 1) / steps, colour])
    return scale
