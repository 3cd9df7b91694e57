"""Locating benchmark (issue 11 part 5): a million accounts placed from their postcodes.

Figures and targets:

- ``locate_1m_postcodes_s``: ``data.locating.locate`` on 1,000,000 rows with a
  country and a postcode and nothing else, in a fresh process, the postcode
  table read from the package included (< 10 s).
- ``locate_1m_postcodes_warm_s``: the same again, the table already in memory.
- ``locate_postcode_table_s``: reading the packaged GeoNames postcodes alone.
- ``locate_1m_postcodes_located_count``: rows placed (every drawn postcode exists).

The postcodes are drawn (seeded) from the table itself for Germany, Poland and
the United States, written as people write them: country names in several
languages, Polish codes with and without the hyphen, some German codes without
their leading zero, some US ZIP+4.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

Figure = tuple[str, float, str]
COUNTRIES = {
    "DE": ("DE", "Deutschland", "Niemcy", "Germany"),
    "PL": ("PL", "Polska", "Poland", "POL"),
    "US": ("US", "USA", "United States", "Verenigde Staten"),
}


def postcode_rows(table: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` (country, postcode) rows as a CRM export would hold them."""
    rng = np.random.default_rng(seed)
    table = table[table["country"].isin(list(COUNTRIES))].reset_index(drop=True)
    picked = table.iloc[rng.integers(0, len(table), n)].reset_index(drop=True)
    iso = picked["country"].to_numpy(dtype=object)
    codes = picked["key"].to_numpy(dtype=object).copy()
    pl = iso == "PL"
    codes[pl] = pd.Series(codes[pl]).str.slice(0, 2).add("-").add(
        pd.Series(codes[pl]).str.slice(2)
    ).to_numpy()  # fmt: skip
    zip4 = (iso == "US") & (rng.random(n) < 0.2)
    codes[zip4] = pd.Series(codes[zip4]).add("-1234").to_numpy()
    lstrip = (iso == "DE") & (rng.random(n) < 0.2)
    codes[lstrip] = pd.Series(codes[lstrip]).str.lstrip("0").to_numpy()
    country = np.empty(n, dtype=object)
    which = rng.integers(0, 4, n)
    for code, names in COUNTRIES.items():
        mine = iso == code
        country[mine] = np.array(names, dtype=object)[which[mine]]
    return pd.DataFrame({"country": country, "postcode": codes})


def run(n_accounts: int = 1_000_000, n_reps: int = 50, seed: int = 0) -> list[Figure]:
    """Every locating figure, in print order (``n_reps`` is not used)."""
    from data import locating

    label = "1m" if n_accounts == 1_000_000 else f"{n_accounts}"
    start = time.perf_counter()
    table = locating.postcode_table()
    load_s = time.perf_counter() - start
    rows = postcode_rows(table, n_accounts, seed)
    _log(f"drew {n_accounts:,} postcodes")
    locating.postcode_table.cache_clear()
    locating.numeric_postcode_lengths.cache_clear()
    locating.country_names.cache_clear()
    start = time.perf_counter()
    found = locating.locate(rows["country"], rows["postcode"])
    cold_s = time.perf_counter() - start
    start = time.perf_counter()
    locating.locate(rows["country"], rows["postcode"])
    warm_s = time.perf_counter() - start
    located = int((found.precision == locating.POSTCODE).sum())
    _log(f"located {located:,} of {n_accounts:,}")
    return [
        (f"locate_{label}_postcodes_s", cold_s, "s"),
        (f"locate_{label}_postcodes_warm_s", warm_s, "s"),
        ("locate_postcode_table_s", load_s, "s"),
        (f"locate_{label}_postcodes_located_count", located, "count"),
    ]


def _log(message: str) -> None:
    print(f"[locate] {message}", file=sys.stderr, flush=True)
