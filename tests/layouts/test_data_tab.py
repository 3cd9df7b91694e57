"""The Data tab's report shows how the accounts were placed (issue 11 part 5)."""

from __future__ import annotations

import pandas as pd

from layouts.data_tab import mapping_editor, report_view


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


def test_the_mapping_note_says_an_address_stands_in_for_coordinates():
    info = {"name": "hubspot.csv", "columns": ["ID", "Postal Code"], "samples": {},
            "mapping": {"ID": "account_id", "Postal Code": "postcode"}}  # fmt: skip
    fields = {"accounts": ("account_id", "lat", "lon", "postcode")}
    (editor,) = mapping_editor(
        {"accounts": info}, fields, {"accounts": ("account_id", "lat", "lon")}
    )
    assert (
        "Required fields not mapped yet: lat, lon. Accounts will be placed from their postcode "
        "and country." in _texts(editor)
    )
