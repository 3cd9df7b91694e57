"""The Matching tab's pure helpers (issue 15 section 4): typed flag share, rows, fit text."""

from __future__ import annotations

import numpy as np

from callbacks.matching import flag_share_of
from layouts.matching import NO_LEVELS, fit_text, matching_rows
from planning.matching import Fit, Ground, ground_table


def test_typed_flag_share_is_a_share_or_the_default():
    assert flag_share_of(50) == 0.5
    assert flag_share_of("10") == 0.1
    assert flag_share_of(None) == 0.25
    assert flag_share_of(150) == 0.25
    assert flag_share_of("x") == 0.25


def test_rows_and_fit_read_as_the_tab_shows_them():
    ground = Ground(
        accounts=np.array([4, 0]), contested_accounts=np.array([1, 0]),
        contested_tam_cents=np.array([123_456_78, 0]), stronghold_accounts=np.array([2, 0]),
        stronghold_tam_cents=np.array([50_000, 0]),
    )  # fmt: skip
    table = ground_table(["N", "S"], ["Nell", "Sam"], np.array([0, 2]), ground)
    rows = matching_rows(table)
    assert rows[0]["contested_tam"] == "123,457" and rows[0]["contested_share"] == "25.0%"
    assert rows[0]["stronghold_share"] == "50.0%" and rows[0]["matching_flag"] == "new on contested"
    # a rep holding nothing is never flagged and reads 0%
    assert rows[1]["contested_share"] == "0.0%" and rows[1]["matching_flag"] == ""
    assert fit_text(Fit(4, 3, 1), True).startswith("Experience fit: 75% of contested accounts")
    assert fit_text(Fit(0, 0, 0), False) == NO_LEVELS
