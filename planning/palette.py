"""Owner colours, one truth for the screens and the pictures (issue 16).

Okabe-Ito's eight first (safe for every common colour-vision deficiency),
then sixteen picked greedily from Paul Tol's and ColorBrewer's sets so that
the smallest CIEDE2000 difference between any two of the 24 (and the
unassigned grey) stays above ``MIN_DELTA_E2000`` (issue 16: R02 and R10 were
two light blues, difference 8). Owners are never told by colour alone: the
hover, the legend and the table name them.

Kept in planning/ (plain constants) so that services/pictures.py, which may not
import layouts/, paints with the same colours as the map; ``layouts.palette``
re-exports them.
"""

from __future__ import annotations

REP_COLOURS = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#5A5A5A",
    "#332288", "#B2182B", "#225522", "#543005", "#A6DBA0", "#999933", "#F4A582", "#AA3377",
    "#B2ABD2", "#01665E", "#663333", "#FFAABB", "#666633", "#80CDC1", "#EE6677", "#8C510A",
)  # fmt: skip
MIN_DELTA_E2000 = 14.0  # issue 16: no two owner colours (nor one and the grey) closer than this
UNASSIGNED_COLOUR = "#D9D9D9"


def rep_colour(position: int) -> str:
    """Colour of rep ``position`` (-1 = unassigned grey); wraps past 24 reps."""
    if position < 0:
        return UNASSIGNED_COLOUR
    return REP_COLOURS[position % len(REP_COLOURS)]
