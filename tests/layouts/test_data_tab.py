"""The Data tab's report shows how the accounts were placed (issue 11 part 5)."""

from __future__ import annotations

import pandas as pd

from layouts.data_tab import report_view


def _texts(component) -> list[str]:
    out = []
    children = getattr(component, "children", None)
    if isinstance(children, str):
        out.append(children)
    elif isinstance(children, list | tuple):
        for child in children:
            out += [child] if isinstance(child, str) else _texts(child)
    elif children is not None:
        out += _texts(children)
    return out


def test_the_report_shows_counts_per_location_precision():
    problems = pd.DataFrame(columns=["row", "column", "severity", "reason", "choice", "outcome"])
    view = report_view(
        "accounts", "crm.csv", {"read": 4, "imported": 3, "excluded": 1, "with problems": 1},
        {}, False, problems, {}, {}, 1,
        location="located: 1 by coordinates, 1 by postcode, 1 by town; 1 not located",
    )  # fmt: skip
    assert "Located: 1 by coordinates, 1 by postcode, 1 by town; 1 not located" in _texts(view)
