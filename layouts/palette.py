"""Rep colours: distinct for up to 24 reps and kind to colour-blind eyes.

Okabe-Ito's eight first (safe for every common colour-vision deficiency), then four dark
tones chosen so that a team of 12 stays apart under protanopia, deuteranopia and tritanopia
(CIEDE2000 >= 10 between any two, Machado 2009 simulation: tests/layouts/test_palette.py),
then Paul Tol's "muted" and "light" sets; owners are never told by colour alone: the hover,
the legend and the table name them.
"""

from __future__ import annotations

REP_COLOURS = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#5A5A5A",
    "#800000", "#000080", "#663333", "#004488", "#999933", "#DDCC77", "#CC6677", "#882255",
    "#AA4499", "#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#BBCC33", "#AAAA00",
)  # fmt: skip
UNASSIGNED_COLOUR = "#D9D9D9"
CONTINUOUS_SCALE = "Cividis"


def rep_colour(position: int) -> str:
    """Colour of rep ``position`` (-1 = unassigned grey); wraps past 24 reps."""
    if position < 0:
        return UNASSIGNED_COLOUR
    return REP_COLOURS[position % len(REP_COLOURS)]


def owner_colourscale(n_reps: int) -> list[list]:
    """A stepped scale mapping z = owner (-1..n_reps-1) to flat colours."""
    colours = [UNASSIGNED_COLOUR] + [rep_colour(r) for r in range(n_reps)]
    steps = len(colours)
    scale = []
    for k, colour in enumerate(colours):
        scale.append([k / steps, colour])
        scale.append([(k + 1) / steps, colour])
    return scale
