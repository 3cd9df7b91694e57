"""An account_id repeated across files (issue 18 point 4): the first kept, later rows errors."""

from __future__ import annotations

import pandas as pd

from data.file_repeats import dropped, repeats_across_files


def test_later_rows_repeat_the_first_in_file_then_row_order():
    ids = pd.DataFrame(
        {
            "account_id": ["a", "b", "a", "c", "b", "a"],
            "file": [1, 0, 0, 1, 2, 2],
            "row": [2, 5, 9, 3, 2, 7],
        }
    )
    found = repeats_across_files(ids)
    # "a": first in file 0 row 9 (file 0 comes first), then file 1 row 2 and file 2 row 7
    assert found[["file", "row", "account_id", "first_file", "first_row"]].values.tolist() == [
        [1, 2, "a", 0, 9],
        [2, 2, "b", 0, 5],
        [2, 7, "a", 0, 9],
    ]
    part = ids.assign(x=range(6))
    assert dropped(part, found, refuse=False)["x"].tolist() == [1, 2, 3]
    assert dropped(part, found, refuse=True)["x"].tolist() == [1, 2]  # files 1 and 2 refused
