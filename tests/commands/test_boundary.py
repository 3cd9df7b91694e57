"""``cli.py metrics --boundary``: the planning area from the command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ["account_id", "name", "lat", "lon", "segment", "tam", "revenue", "rep_id", "pinned"]


def _world(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Eight Berlin accounts, one in Leipzig; a square boundary around Berlin only."""
    rows = [(f"B{i}", f"Berlin {i}", 52.40 + 0.03 * i, 13.30 + 0.03 * i, "B", 10.0, 1.0, "R1", "")
            for i in range(8)]  # fmt: skip
    rows.append(("LEI", "Leipzig", 51.34, 12.37, "A", 5.0, 1.0, "R1", ""))
    pd.DataFrame(rows, columns=COLUMNS).to_csv(tmp_path / "accounts.csv", index=False)
    pd.DataFrame(
        {"rep_id": ["R1"], "name": ["Ann"], "home_lat": [52.5], "home_lon": [13.4],
         "capacity_hours": [1000.0]}
    ).to_csv(tmp_path / "reps.csv", index=False)  # fmt: skip
    ring = [[13.0, 52.0], [14.0, 52.0], [14.0, 53.0], [13.0, 53.0], [13.0, 52.0]]
    geo = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
           "geometry": {"type": "Polygon", "coordinates": [ring]}}]}  # fmt: skip
    (tmp_path / "square.geojson").write_text(json.dumps(geo))
    return tmp_path / "accounts.csv", tmp_path / "reps.csv", tmp_path / "square.geojson"


def _team(*args: str) -> tuple[pd.Series, str]:
    out = subprocess.run(
        [sys.executable, "cli.py", "metrics", *args, "--resolution", "6"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    table = pd.read_csv(io.StringIO(out.stdout))
    return table.set_index("rep_id").loc["TEAM"], out.stderr


def test_a_boundary_file_keeps_the_account_outside_it_out_of_the_plan(tmp_path) -> None:
    accounts, reps, square = _world(tmp_path)
    team, err = _team("--accounts", str(accounts), "--reps", str(reps), "--boundary", str(square))
    assert team["accounts"] == 8
    assert "1 accounts lie outside the planning area" in err and "LEI (51.3400, 12.3700)" in err
    hull, hull_err = _team("--accounts", str(accounts), "--reps", str(reps), "--boundary", "hull")
    assert hull["accounts"] == 9 and "outside" not in hull_err
    land, _ = _team("--accounts", str(accounts), "--reps", str(reps))  # land: both in Germany
    assert land["accounts"] == 9
    # the square (about 7,500 km2) is tiled whole; the hull only around the accounts
    assert team["cells"] > hull["cells"]


def test_an_unknown_boundary_is_refused_in_one_sentence(tmp_path) -> None:
    accounts, reps, _ = _world(tmp_path)
    out = subprocess.run(
        [sys.executable, "cli.py", "metrics", "--accounts", str(accounts), "--reps", str(reps),
         "--boundary", "countries:Atlantis"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode != 0
    assert "Atlantis" in out.stderr and "Traceback" not in out.stderr
