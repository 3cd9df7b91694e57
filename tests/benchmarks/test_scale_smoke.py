"""The scale benchmark (issue 18) runs end to end on a small team and prints its figures."""

from __future__ import annotations

import re

from benchmarks.__main__ import main

SCALE_FIGURES = (
    "bin_10m_accounts_s", "market_build_10m_s", "metrics_full_10m_s", "move_500_cells_10m_ms",
    "peak_rss_10m_mb", "planning_cells_10m", "dask_bin_rows_per_s", "dask_bin_10m_s",
    "dask_peak_worker_mb", "dask_cluster_start_s", "dask_cells", "dask_import_s",
    "dask_repeats_s", "dask_extent_s", "dask_sums_s",
)  # fmt: skip
LINE = re.compile(r"^([a-z0-9_]+): [0-9.]+ [a-zA-Z%/]+$")


def test_scale_group_prints_each_figure_once(capsys):
    assert main(["scale", "--accounts", "6000", "--reps", "8"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert all(LINE.match(line) for line in lines), lines
    assert sorted(LINE.match(line).group(1) for line in lines) == sorted(SCALE_FIGURES)
    assert "bin_10m_accounts_s" in captured.err and "target < 30 s" in captured.err
