"""Tiny named worlds with totals worked out by hand (shared by tests)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import h3

from geo.area import area_from_cells
from planning.market import Market, build_market

ROOT = Path(__file__).resolve().parents[1]
CENTRE = h3.latlng_to_cell(45.0, -93.0, 7)
DISK = sorted(h3.grid_disk(CENTRE, 1))  # 7 cells: the centre and its ring
RING = [c for c in DISK if c != CENTRE]


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Independent great-circle distance for expected values (R = 6371.0088 km)."""
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


@dataclass
class Toy:
    """Seven cells, two reps (R1 lives in the centre cell, R2 in a ring cell)."""

    market: Market
    accounts: pd.DataFrame
    reps: pd.DataFrame
    centre: str
    ring: list[str]

    def pos(self, cell: str) -> int:
        return int(self.market.area.positions(np.array([h3.str_to_int(cell)], np.uint64))[0])


def make_accounts(rows: list[tuple]) -> pd.DataFrame:
    """Accounts from (id, cell, segment, tam, revenue, rep_id, pinned), placed at the cell centre."""
    records = []
    for account_id, cell, segment, tam, revenue, rep_id, pinned in rows:
        lat, lon = h3.cell_to_latlng(cell)
        records.append(
            dict(
                account_id=account_id,
                name=f"Account {account_id}",
                lat=lat,
                lon=lon,
                segment=segment,
                tam=tam,
                revenue=revenue,
                rep_id=rep_id,
                pinned=pinned,
            )
        )
    frame = pd.DataFrame(records)
    frame["rep_id"] = frame["rep_id"].astype("string")
    return frame


def make_reps(homes: dict[str, str], capacity: dict[str, float] | None = None) -> pd.DataFrame:
    rows = []
    for rep_id, cell in homes.items():
        lat, lon = h3.cell_to_latlng(cell)
        rows.append(
            dict(
                rep_id=rep_id,
                name=f"Rep {rep_id}",
                home_lat=lat,
                home_lon=lon,
                capacity_hours=(capacity or {}).get(rep_id, 100.0),
            )
        )
    return pd.DataFrame(rows)


def toy_market(accounts: pd.DataFrame, reps: pd.DataFrame) -> Market:
    area = area_from_cells(np.array([h3.str_to_int(c) for c in DISK], np.uint64), 7)
    return build_market(accounts, reps, area=area)


def toy_accounts_and_reps() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The toy world's accounts and reps, before any market is built.

    Three accounts: an A in the centre, a B and a C in ring cell 0 (R1 owns the first, R2 the
    others). R1 lives in the centre (150 h), R2 in ring cell 3 (50 h).
    """
    accounts = make_accounts(
        [
            ("a1", CENTRE, "A", 1000.00, 250.00, "R1", False),
            ("a2", RING[0], "B", 500.50, 100.25, "R2", False),
            ("a3", RING[0], "C", 99.99, 0.00, "R2", False),
        ]
    )
    reps = make_reps({"R1": CENTRE, "R2": RING[3]}, {"R1": 150.0, "R2": 50.0})
    return accounts, reps


def make_toy() -> Toy:
    """The toy world on its seven cells: R1 owns the centre, R2 the ring."""
    accounts, reps = toy_accounts_and_reps()
    return Toy(toy_market(accounts, reps), accounts, reps, CENTRE, list(RING))
