"""Issue 16 point 7: the compare map draws the change over the territories, says so, and fits."""

from __future__ import annotations

import numpy as np

from layouts.compare_map import CHANGED_LINE, LEGEND_TEXT, changed_bounds, compare_figure
from planning.changes import ChangedView

BASEMAP = {"land": "/b/land.json", "coasts": "/b/coasts.json", "borders": "/b/borders.json",
           "regions": "/b/regions-DE.json", "towns": "/b/towns.json"}  # fmt: skip


def view() -> ChangedView:
    return ChangedView(
        level=0, resolution=7, snapped=None, units=np.array([3, 8]),
        lat=np.array([52.0, 52.5]), lon=np.array([13.0, 13.4]), to_owner=np.array([1, -1]),
        cells=np.array([1, 1]), hover=["from R1 to R2", "from R2 to unassigned"], complete=True,
    )  # fmt: skip


def test_changed_cells_over_territories_with_legend_and_fit():
    class Facts:  # the two fields the faded territories read
        units = np.array([0, 1, 2])
        owner = np.array([0, 1, -1])

    reps, names = np.array(["R1", "R2"]), np.array(["Ann", "Bo"])
    fig = compare_figure(view(), "/geo/c.json", reps, names, Facts(), "/geo/all.json",  # type: ignore[arg-type]
                         BASEMAP, fit_key="1:2")  # fmt: skip
    changed, territories = fig["data"]  # the change first: hover and tests read data[0]
    assert territories["below"] == f"plotly-trace-layer-{changed['uid']}-fill"
    assert territories["geojson"] == "/geo/all.json" and territories["hoverinfo"] == "skip"
    assert territories["marker"]["opacity"] < 0.5  # faded under the change
    assert changed["locations"] == [3, 8] and changed["z"] == [1.0, -1.0]
    assert changed["marker"]["line"] == CHANGED_LINE
    assert fig["layout"]["annotations"][0]["text"] == LEGEND_TEXT
    assert fig["layout"]["map"]["layers"], "the basemap is drawn"
    fit = fig["layout"]["meta"]["hexalignFit"]
    assert fit["key"] == "1:2" and fit["bounds"] == list(changed_bounds(view()))
    west, south, east, north = fit["bounds"]
    assert west < 13.0 and east > 13.4 and south < 52.0 and north > 52.5
