"""The Overlay tab's shaping helpers (issue 15 section 3)."""

from __future__ import annotations

import pandas as pd

from layouts.overlay import NO_OVERLAY, overlay_rows, overlay_status, rep_options


def test_status_rows_and_options_read_as_the_tab_shows_them():
    assert overlay_status(False, 0, 0) == NO_OVERLAY
    assert overlay_status(True, 1234, 2).startswith("Overlay layer: 1,234 accounts served by 2")
    metrics = pd.DataFrame([{"rep_id": "O1", "name": "Oz", "accounts": 3, "cells": 2,
                             "workload_hours": 12.34, "workload_deviation": -0.1,
                             "tam": 1234.5, "utilisation": 0.5}])  # fmt: skip
    assert overlay_rows(metrics) == [{"rep_id": "O1", "name": "Oz", "accounts": 3, "cells": 2,
                                      "workload_hours": "12.3", "workload_deviation": "-10.0%",
                                      "tam": "1,234", "utilisation": "50.0%"}]  # fmt: skip
    assert overlay_rows(pd.DataFrame()) == []
    assert rep_options((("O1", "Oz"),)) == [{"label": "Oz (O1)", "value": "O1"}]
