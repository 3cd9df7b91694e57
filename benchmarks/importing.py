"""Import benchmark (issue 6 §5): a 1,000,000-row accounts CSV, read, mapped and checked.

Figures and targets:

- ``import_csv_1m_s``: ``import_accounts`` on a comma-separated UTF-8 file, as the
  demo exports it (< 20 s).
- ``import_csv_1m_peak_mb``: peak resident memory of the process doing it (< 2,000 MB).
- ``import_csv_1m_eu_s`` / ``import_csv_1m_eu_peak_mb``: the same accounts as a
  European spreadsheet saves them: semicolons, Windows-1252, decimal commas and
  ``.`` thousands separators in money (the slow path of number reading).

The accounts are ``synthetic_team``'s, written once per run into a temporary
directory. Each import runs in a fresh ``python -m benchmarks.importing --child``
so its peak memory is its own, not the generator's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.synthetic import synthetic_team

Figure = tuple[str, float, str]


def write_files(directory: Path, n_accounts: int, n_reps: int, seed: int) -> dict[str, Path]:
    """The plain and the European CSV of the same synthetic accounts."""
    accounts, _ = synthetic_team(n_accounts, n_reps, seed)
    plain = directory / "accounts.csv"
    accounts.to_csv(plain, index=False)
    eu = accounts.astype({"lat": "str", "lon": "str"})
    for name in ("lat", "lon"):
        eu[name] = eu[name].str.replace(".", ",", regex=False)
    for name in ("tam", "revenue"):
        eu[name] = _european_money(accounts[name].to_numpy())
    eu["name"] = "Bäckerei " + eu["name"]
    path_eu = directory / "accounts_eu.csv"
    eu.to_csv(path_eu, index=False, sep=";", encoding="cp1252")
    return {"": plain, "_eu": path_eu}


def _european_money(values: np.ndarray) -> pd.Series:
    """``1234567.5`` -> ``"1.234.567,50"``."""
    text = pd.Series([f"{v:,.2f}" for v in values], dtype="str")
    return (
        text.str.replace(",", "_", regex=False)
        .str.replace(".", ",", regex=False)
        .str.replace("_", ".", regex=False)
    )


def _child(path: str) -> None:
    """Import one file in this process; print seconds and peak MB as JSON."""
    import resource

    from data.importing import import_accounts

    start = time.perf_counter()
    frame, report = import_accounts(path)
    seconds = time.perf_counter() - start
    if report.refused or report.imported != len(frame):
        raise SystemExit(f"benchmark import refused:\n{report.summary()[:2000]}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "rows": report.imported}))


def run(n_accounts: int = 1_000_000, n_reps: int = 50, seed: int = 0) -> list[Figure]:
    """Every import figure, in print order."""
    label = "1m" if n_accounts == 1_000_000 else f"{n_accounts}"
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="hexalign-import-") as tmp:
        start = time.perf_counter()
        files = write_files(Path(tmp), n_accounts, n_reps, seed)
        _log(f"wrote {n_accounts:,} accounts as CSV", start)
        for suffix, path in files.items():
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.importing", "--child", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:
                raise RuntimeError(f"import of {path.name} failed:\n{done.stderr[-3000:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            _log(f"imported {path.name}: {result['rows']:,} rows", None)
            figures.append((f"import_csv_{label}{suffix}_s", result["seconds"], "s"))
            figures.append((f"import_csv_{label}{suffix}_peak_mb", result["peak_mb"], "MB"))
    return figures


def _log(message: str, start: float | None) -> None:
    took = "" if start is None else f" ({time.perf_counter() - start:.1f} s)"
    print(f"[import] {message}{took}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        _child(sys.argv[2])
    else:
        for name, value, unit in run():
            print(f"{name}: {value:.3f} {unit}")
