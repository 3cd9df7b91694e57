"""Owner colours, one truth for the screens and the pictures (issue 16).

Okabe-Ito's eight first (safe for every common colour-vision deficiency), then four picked
greedily (maximin) from Paul Tol's and ColorBrewer's sets so that a team of 12 and the grey stay
CIEDE2000 >= 10 apart under protanopia, deuteranopia and tritanopia too (Machado 2009:
tests/layouts/test_palette_cvd.py), then twelve more picked greedily so that the smallest
CIEDE2000 difference between any two of the 24 (and the unassigned grey) stays above
``MIN_DELTA_E2000`` (issue 16: R02 and R10 were
two light blues, difference 8). Owners are never told by colour alone: the
hover, the legend and the table name them.

Kept in planning/ (plain constants) so that services/pictures.py, which may not
import layouts/, paints with the same colours as the map; ``layouts.palette``
re-exports them.
"""

from __future__ import annotations

REP_COLOURS = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#5A5A5A",
    "#2D004B", "#800000", "#A6DBA0", "#004488", "#00441B", "#882255", "#999933", "#F4A582",
    "#B2ABD2", "#666633", "#7570B3", "#543005", "#01665E", "#FCCDE5", "#117733", "#A6761D",
)  # fmt: skip
MIN_DELTA_E2000 = 14.0  # issue 16: no two owner colours (nor one and the grey) closer than this
UNASSIGNED_COLOUR = "#D9D9D9"


def rep_colour(position: int) -> str:
    """Colour of rep ``position`` (-1 = unassigned grey); wraps past 24 reps."""
    if position < 0:
        return UNASSIGNED_COLOUR
    return REP_COLOURS[position % len(REP_COLOURS)]
