"""The locating benchmark places every drawn postcode and prints well-formed figures."""

from __future__ import annotations

import re

from benchmarks import locating
from benchmarks.__main__ import GROUPS, format_figure

LINE = re.compile(r"^([a-z0-9_]+): [0-9.]+ [a-zA-Z%]+$")


def test_group_is_registered():
    assert GROUPS["locate"] == "benchmarks.locating"


def test_a_small_run_places_every_postcode():
    figures = locating.run(n_accounts=2000, seed=1)
    lines = [format_figure(*f) for f in figures]
    assert all(LINE.match(line) for line in lines), lines
    assert [f[0] for f in figures] == [
        "locate_2000_postcodes_s", "locate_2000_postcodes_warm_s", "locate_postcode_table_s",
        "locate_2000_postcodes_located_count",
    ]  # fmt: skip
    assert figures[-1][1] == 2000  # German codes without their zero, ZIP+4, "00-950" all found
