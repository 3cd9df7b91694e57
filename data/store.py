"""The database store: datasets, scenarios and every move, saved as it happens.

There is no save button. Each move is one transaction that writes the
scenario's new state and appends the move to its log, so a killed worker
loses at most the move in flight. A scenario carries a ``version``; a write
names the version it was computed from and fails with ``StaleVersionError``
when another worker (or browser tab) got there first, instead of silently
overwriting its move.

Cells are positions in the scenario's planning area (``planning.market``);
the area's H3 ids can be stored once per tiling (``area_cells``) so that a
scenario still opens if the tiling code ever changes. Owners are int16 on
disk (rep positions -1..32766), lock flags packed bits, inputs Parquet.

The schema is created and upgraded by Alembic (``data/migrations``) whenever
a ``Store`` opens, under the database's write lock: several gunicorn workers
may open the same database at once.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from common.errors import (
    NothingToUndoError,
    ReadOnlyScenarioError,
    ScenarioExistsError,
    ScenarioNotFoundError,
    StaleVersionError,
    StorageFullError,
)

MIGRATIONS = Path(__file__).with_name("migrations")
STACK_KINDS = ("move", "lock", "unlock", "restore", "bulk")
LOG_KINDS = ("undo", "redo")
MAX_REP_POSITION = int(np.iinfo(np.int16).max) - 1
SQLITE_BUSY_TIMEOUT_MS = 30_000
FULL_MESSAGE = (
    "The database's disk is full: this change was not saved and the plan is as it was before it. "
    "Free some space (or ask your administrator) and try again."
)
_PG_MIGRATION_LOCK = 0x48455841  # pg_advisory_xact_lock key: "HEXA"


# The tables as the code reads them; data/migrations creates them
# (tests/data/test_store.py checks that both agree).
metadata = sa.MetaData()
_stamp = sa.DateTime(timezone=True)
datasets = sa.Table(
    "datasets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
    sa.Column("accounts", sa.LargeBinary, nullable=False),
    sa.Column("reps", sa.LargeBinary, nullable=False),
    sa.Column("call_plan", sa.LargeBinary, nullable=False),
    sa.Column("created_at", _stamp, nullable=False),
)
areas = sa.Table(
    "areas",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
    sa.Column("resolution", sa.Integer, nullable=False),
    sa.Column("n_cells", sa.Integer, nullable=False),
    sa.Column("cells", sa.LargeBinary, nullable=False),
    sa.Column("created_at", _stamp, nullable=False),
)
scenarios = sa.Table(
    "scenarios",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "dataset_id", sa.Integer, sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("area_id", sa.Integer, sa.ForeignKey("areas.id"), nullable=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("resolution", sa.Integer, nullable=False),
    sa.Column("n_cells", sa.Integer, nullable=False),
    sa.Column("owner", sa.LargeBinary, nullable=False),
    sa.Column("locked", sa.LargeBinary, nullable=False),
    sa.Column("tally", sa.LargeBinary, nullable=True),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column(
        "parent_id", sa.Integer, sa.ForeignKey("scenarios.id", ondelete="SET NULL"), nullable=True
    ),
    sa.Column("read_only", sa.Boolean, nullable=False),
    sa.Column("baseline", sa.Boolean, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", _stamp, nullable=False),
    sa.Column("updated_at", _stamp, nullable=False),
    sa.UniqueConstraint("dataset_id", "name", name="uq_scenarios_dataset_name"),
    sa.Index(
        "uq_scenarios_baseline",
        "dataset_id",
        "resolution",
        unique=True,
        sqlite_where=sa.text("baseline"),
        postgresql_where=sa.text("baseline"),
    ),
    # issue 12 point 2: an id is never handed out twice (migration 0002; PostgreSQL's SERIAL
    # never reuses one), so a tab showing a deleted scenario cannot write into its successor
    sqlite_autoincrement=True,
)
moves = sa.Table(
    "moves",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "scenario_id",
        sa.Integer,
        sa.ForeignKey("scenarios.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("at", _stamp, nullable=False),
    sa.Column("user", sa.String(200), nullable=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("resolution", sa.Integer, nullable=False),
    sa.Column("cells", sa.LargeBinary, nullable=False),
    sa.Column("before", sa.LargeBinary, nullable=False),
    sa.Column("after", sa.LargeBinary, nullable=False),
    sa.Column("before_locked", sa.LargeBinary, nullable=False),
    sa.Column("after_locked", sa.LargeBinary, nullable=False),
    sa.Column("after_rep", sa.Integer, nullable=True),
    sa.Column("undone", sa.Boolean, nullable=False),
    sa.Column("ref_seq", sa.Integer, nullable=True),
    sa.UniqueConstraint("scenario_id", "seq", name="uq_moves_scenario_seq"),
    sa.CheckConstraint(
        "kind IN ('move', 'lock', 'unlock', 'undo', 'redo', 'restore', 'bulk')",
        name="ck_moves_kind",
    ),
)
# issue 15: actuals per data set and period (migration 0003_actuals); a period is replaced whole
actual_revenue = sa.Table(
    "actual_revenue",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "dataset_id", sa.Integer, sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False
    ),  # fmt: skip
    sa.Column("period", sa.String(8), nullable=False),
    sa.Column("account_id", sa.String(200), nullable=False),
    sa.Column("revenue", sa.Float, nullable=False),
    sa.Index("ix_actual_revenue_dataset_period", "dataset_id", "period"),
)
actual_visits = sa.Table(
    "actual_visits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "dataset_id", sa.Integer, sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False
    ),  # fmt: skip
    sa.Column("period", sa.String(8), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("account_id", sa.String(200), nullable=False),
    sa.Column("rep_id", sa.String(200), nullable=False),
    sa.Column("channel", sa.String(8), nullable=False),
    sa.Index("ix_actual_visits_dataset_period", "dataset_id", "period"),
)

# issue 15 section 3: the overlay layer's owners, one row per scenario (migration 0004), so an
# account has exactly one owner per layer: the scenario's owner array (field) and this one
overlay_plans = sa.Table(
    "overlay_plans",
    metadata,
    sa.Column(
        "scenario_id",
        sa.Integer,
        sa.ForeignKey("scenarios.id", ondelete="CASCADE"),
        primary_key=True,
    ),  # fmt: skip
    sa.Column("n_cells", sa.Integer, nullable=False),
    sa.Column("owner", sa.LargeBinary, nullable=False),
    sa.Column("locked", sa.LargeBinary, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", _stamp, nullable=False),
)

# issue 15 (h15d): the overlay layer's own move log (migration 0005_overlay_moves), so undo on one
# layer never reverts the other; rows as ``moves`` keeps them, without user and resolution
overlay_moves = sa.Table(
    "overlay_moves",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "scenario_id",
        sa.Integer,
        sa.ForeignKey("scenarios.id", ondelete="CASCADE"),
        nullable=False,
    ),  # fmt: skip
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("at", _stamp, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("cells", sa.LargeBinary, nullable=False),
    sa.Column("before", sa.LargeBinary, nullable=False),
    sa.Column("after", sa.LargeBinary, nullable=False),
    sa.Column("before_locked", sa.LargeBinary, nullable=False),
    sa.Column("after_locked", sa.LargeBinary, nullable=False),
    sa.Column("undone", sa.Boolean, nullable=False),
    sa.Column("ref_seq", sa.Integer, nullable=True),
    sa.UniqueConstraint("scenario_id", "seq", name="uq_overlay_moves_scenario_seq"),
    sa.CheckConstraint(
        "kind IN ('move', 'lock', 'unlock', 'bulk', 'undo', 'redo')",
        name="ck_overlay_moves_kind",
    ),
)
OVERLAY_STACK_KINDS = ("move", "lock", "unlock", "bulk")
"""Overlay log rows undo can take back (undo and redo rows only record what was done)."""


# issue 18 point 1 (migration 0006_market_cache): a built market per data set and tiling, and
# the data set a set of source files gave, so that a start and a first page rebuild neither
market_cache = sa.Table(
    "market_cache",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column(
        "dataset_id", sa.Integer, sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False
    ),  # fmt: skip
    sa.Column("resolution", sa.Integer, nullable=False),
    sa.Column("market", sa.LargeBinary, nullable=False),
    sa.Column("created_at", _stamp, nullable=False),
)
source_files = sa.Table(
    "source_files",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column(
        "dataset_id", sa.Integer, sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False
    ),  # fmt: skip
    sa.Column("created_at", _stamp, nullable=False),
)

# issue 18 point 4 (migration 0007_dataset_totals): a data set kept as per-cell totals (binned on
# Dask), its groups and hull as bytes (data.totals_store); its datasets row has no account rows
dataset_totals = sa.Table(
    "dataset_totals",
    metadata,
    sa.Column(
        "dataset_id", sa.Integer, sa.ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    ),  # fmt: skip
    sa.Column("resolution", sa.Integer, nullable=False),
    sa.Column("accounts", sa.BigInteger, nullable=False),
    sa.Column("groups", sa.LargeBinary, nullable=False),
    sa.Column("hull", sa.LargeBinary, nullable=False),
    sa.Column("created_at", _stamp, nullable=False),
)

# issue 18 point 1 (migration 0008_basemap_cache): the basemap a first page draws, kept once made
# (services.basemap: a planning area's view, each layer's GeoJSON for a box, the towns)
basemap_cache = sa.Table(
    "basemap_cache",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("created_at", _stamp, nullable=False),
)


@dataclass(frozen=True)
class OverlayRecord:
    """A scenario's overlay layer: owners (overlay rep positions, -1 unassigned) and locks."""

    scenario_id: int
    owner: np.ndarray
    locked: np.ndarray
    version: int
    """0 while nothing is stored (the layer starts all unassigned)."""


@dataclass(frozen=True)
class DatasetInfo:
    """A stored set of inputs (accounts, reps, call plan), without the frames."""

    id: int
    name: str
    fingerprint: str
    created_at: datetime


@dataclass(frozen=True, eq=False)
class ScenarioInfo:
    """A scenario without its arrays: what a listing or a menu needs.

    Attributes
    ----------
    version
        Bumped by every saved change of owners or locks; writes name it.
    baseline
        The dataset's untouched plan at this resolution; always read-only.
    area_id
        The stored planning-area tiling (``Store.area_cells``), or None when
        the caller did not store it (the area is then rebuilt from the data).
    """

    id: int
    dataset_id: int
    area_id: int | None
    name: str
    resolution: int
    n_cells: int
    settings: dict[str, Any]
    parent_id: int | None
    read_only: bool
    baseline: bool
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, eq=False)
class ScenarioRecord(ScenarioInfo):
    """A scenario with its state at ``version``; the arrays are read-only.

    Attributes
    ----------
    owner
        (N,) int64 rep position per cell, -1 unassigned.
    locked
        (N,) bool, True where moves must leave the cell alone.
    tally
        The caller's serialised tally of that state, or None.
    """

    owner: np.ndarray
    locked: np.ndarray
    tally: bytes | None


@dataclass(frozen=True, eq=False)
class MoveRecord:
    """One saved change of a scenario, with what undo and redo need.

    ``cells`` lists only the cells whose owner or lock really changed;
    ``before``/``after`` are their owners and ``before_locked``/``after_locked``
    their lock flags on either side, so any kind (a bulk optimizer result
    included) undoes and redoes exactly. ``undo``/``redo`` rows are the log of
    those actions (``ref_seq`` names the move they undid or redid); they are
    not themselves on the undo stack.
    """

    id: int
    scenario_id: int
    seq: int
    at: datetime
    user: str | None
    kind: str
    resolution: int
    cells: np.ndarray
    before: np.ndarray
    after: np.ndarray
    before_locked: np.ndarray
    after_locked: np.ndarray
    after_rep: int | None
    undone: bool
    ref_seq: int | None

    def reverted(self, owner: np.ndarray, locked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Owners and locks once this move is undone (new arrays)."""
        owner, locked = np.array(owner, np.int64), np.array(locked, bool)
        owner[self.cells], locked[self.cells] = self.before, self.before_locked
        return owner, locked

    def replayed(self, owner: np.ndarray, locked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Owners and locks once this move is (re)done (new arrays)."""
        owner, locked = np.array(owner, np.int64), np.array(locked, bool)
        owner[self.cells], locked[self.cells] = self.after, self.after_locked
        return owner, locked


def normalise_url(url: str) -> str:
    """Send ``postgres://`` and ``postgresql://`` through psycopg 3, the driver we ship.

    SQLAlchemy would otherwise pick psycopg2, which is not installed.
    """
    u = make_url(url)
    if u.drivername in ("postgres", "postgresql"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


class Store:
    """Datasets, scenarios and their move logs in SQLite (a file) or PostgreSQL.

    Opening migrates the schema to the newest revision. The store keeps no
    state of its own besides the connection pool, so every gunicorn worker
    may open one on the same URL (open it after the fork, or call
    ``engine.dispose(close=False)`` in the child).

    Parameters
    ----------
    url
        A SQLAlchemy URL: ``sqlite:///path/file.sqlite`` (the parent folder is
        created) or ``postgresql+psycopg://user:pw@host/db``.
    """

    def __init__(self, url: str):
        self.url = normalise_url(url)
        self.engine = _create_engine(self.url)
        self._migrate()

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- datasets -------------------------------------------------------------

    def ensure_dataset(
        self, name: str, accounts: pd.DataFrame, reps: pd.DataFrame, call_plan: pd.DataFrame
    ) -> int:
        """Store the inputs once and return their id; the same content gives the same id.

        The fingerprint is the sha256 of the stored Parquet bytes, so every
        scenario on one data set shares one copy, and re-opening the same files
        finds their scenarios again. ``name`` is kept from the first call.
        """
        blobs = [_frame_to_bytes(f) for f in (accounts, reps, call_plan)]
        fingerprint = _fingerprint(blobs)
        query = sa.select(datasets.c.id).where(datasets.c.fingerprint == fingerprint)
        with self.engine.connect() as conn:
            found = conn.scalar(query)
        if found is not None:
            return int(found)
        try:
            with self._write() as conn:
                found = conn.scalar(query)
                if found is not None:
                    return int(found)
                values = dict(zip(("accounts", "reps", "call_plan"), blobs, strict=True))
                result = conn.execute(
                    datasets.insert().values(
                        name=name, fingerprint=fingerprint, created_at=_now(), **values
                    )
                )
                return _new_id(result)
        except IntegrityError:  # another worker stored the same inputs first
            with self.engine.connect() as conn:
                return _some_int(conn.scalar(query))

    def load_dataset(self, dataset_id: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Accounts, reps and call plan exactly as they were stored (dtypes and index kept)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(datasets.c.accounts, datasets.c.reps, datasets.c.call_plan).where(
                    datasets.c.id == dataset_id
                )
            ).first()
        if row is None:
            raise ScenarioNotFoundError(f"no dataset with id {dataset_id}")
        accounts, reps, call_plan = (pd.read_parquet(io.BytesIO(b)) for b in row)
        return accounts, reps, call_plan

    def datasets(self) -> list[DatasetInfo]:
        """Every stored dataset, oldest first."""
        cols = (datasets.c.id, datasets.c.name, datasets.c.fingerprint, datasets.c.created_at)
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(*cols).order_by(datasets.c.id)).all()
        return [DatasetInfo(r.id, r.name, r.fingerprint, _utc(r.created_at)) for r in rows]

    # -- datasets-find: row counts for the data-set switcher ------------------------------

    def dataset_counts(self, dataset_id: int) -> tuple[int, int]:
        """(accounts, reps) rows of a stored dataset, read from the Parquet footers only.

        The frames are not decoded: the switcher lists every dataset, and a
        million-account one must not be parsed just to be counted.
        """
        query = sa.select(datasets.c.accounts, datasets.c.reps).where(datasets.c.id == dataset_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise ScenarioNotFoundError(f"no dataset with id {dataset_id}")
        accounts, reps = (pq.ParquetFile(io.BytesIO(b)).metadata.num_rows for b in row)
        summed = self.totals_info(dataset_id)  # issue 18: a totals data set has no rows
        return int(accounts if summed is None else summed[1]), int(reps)

    # -- end of datasets-find ---------------------------------------------------------------

    # -- issue 18 point 4: data sets kept as per-cell totals ----------------------------------

    def ensure_totals_dataset(
        self,
        name: str,
        totals: tuple[int, int, bytes, bytes],
        frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
    ) -> int:
        """Store a data set of per-cell totals once and return its id (the same bytes: the same id).

        ``totals`` is (resolution, accounts, groups bytes, hull bytes) as ``data.totals_store``
        writes them; ``frames`` the (empty) accounts, the reps and the call plan. The
        fingerprint covers the totals too, so two binnings on one team are two data sets.
        """
        resolution, n_accounts, groups, hull = totals
        blobs = [_frame_to_bytes(f) for f in frames]
        fingerprint = _fingerprint([*blobs, b"totals", str(int(resolution)).encode(), groups,
                                    hull])  # fmt: skip
        query = sa.select(datasets.c.id).where(datasets.c.fingerprint == fingerprint)
        with self.engine.connect() as conn:
            found = conn.scalar(query)
        if found is not None and self.totals_info(int(found)) is not None:
            return int(found)
        try:
            with self._write() as conn:
                found = conn.scalar(query)
                now = _now()
                if found is not None:  # kept before a downgrade dropped its totals: put them back
                    dataset_id = int(found)
                    held = sa.select(dataset_totals.c.dataset_id).where(
                        dataset_totals.c.dataset_id == dataset_id
                    )
                    if conn.scalar(held) is not None:
                        return dataset_id
                else:
                    values = dict(zip(("accounts", "reps", "call_plan"), blobs, strict=True))
                    dataset_id = _new_id(conn.execute(datasets.insert().values(
                        name=name, fingerprint=fingerprint, created_at=now, **values)))  # fmt: skip
                conn.execute(dataset_totals.insert().values(
                    dataset_id=dataset_id, resolution=int(resolution), accounts=int(n_accounts),
                    groups=groups, hull=hull, created_at=now,
                ))  # fmt: skip
                return dataset_id
        except IntegrityError:  # another worker stored the same totals first
            with self.engine.connect() as conn:
                return _some_int(conn.scalar(query))

    def dataset_totals(self, dataset_id: int) -> tuple[int, int, bytes, bytes] | None:
        """(resolution, accounts, groups bytes, hull bytes) of a totals data set; None otherwise."""
        cols = (dataset_totals.c.resolution, dataset_totals.c.accounts, dataset_totals.c.groups,
                dataset_totals.c.hull)  # fmt: skip
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(*cols).where(dataset_totals.c.dataset_id == dataset_id)
            ).first()
        if row is None:
            return None
        return int(row.resolution), int(row.accounts), bytes(row.groups), bytes(row.hull)

    def totals_info(self, dataset_id: int) -> tuple[int, int] | None:
        """(resolution, accounts) of a totals data set, without its bytes; None otherwise."""
        query = sa.select(dataset_totals.c.resolution, dataset_totals.c.accounts).where(
            dataset_totals.c.dataset_id == dataset_id
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else (int(row.resolution), int(row.accounts))

    # -- end of issue 18 point 4 ------------------------------------------------------------

    def area_cells(self, area_id: int) -> np.ndarray:
        """The H3 ids (uint64, sorted) of a stored planning area; positions index them."""
        with self.engine.connect() as conn:
            blob = conn.scalar(sa.select(areas.c.cells).where(areas.c.id == area_id))
        if blob is None:
            raise ScenarioNotFoundError(f"no planning area with id {area_id}")
        cells = np.frombuffer(blob, "<u8").astype(np.uint64)
        cells.flags.writeable = False
        return cells

    # -- issue 18 point 1: what a start and a first page read instead of rebuilding ------------

    def market_key(self, dataset_id: int, resolution: int, area_id: int | None, fmt: str) -> str:
        """The cache key of a data set's market on a tiling: content only, never database ids.

        The sha256 of the data set's fingerprint (its accounts, reps and call plan, so its
        planning-area choice and travel model too), the tiling's (``tiling_fingerprint``: the
        stored area's cells, or the data set and resolution), the resolution and ``fmt`` (the
        serialisation's version, bumped when the market's code changes).
        """
        tiling = self.tiling_fingerprint(dataset_id, resolution, area_id)
        with self.engine.connect() as conn:
            inputs = conn.scalar(
                sa.select(datasets.c.fingerprint).where(datasets.c.id == dataset_id)
            )
        if inputs is None:
            raise ScenarioNotFoundError(f"no dataset with id {dataset_id}")
        parts = [str(inputs), tiling, str(int(resolution)), fmt]
        return _fingerprint([p.encode() for p in parts])

    def cached_market(self, key: str) -> bytes | None:
        """The bytes stored under ``key`` by ``save_market``, None when there are none."""
        with self.engine.connect() as conn:
            blob = conn.scalar(sa.select(market_cache.c.market).where(market_cache.c.key == key))
        return None if blob is None else bytes(blob)

    def save_market(self, key: str, dataset_id: int, resolution: int, blob: bytes) -> None:
        """Keep a built market's bytes; a second writer of the same key changes nothing."""
        query = sa.select(market_cache.c.key).where(market_cache.c.key == key)
        try:
            with self._write() as conn:
                if conn.scalar(query) is not None:
                    return
                conn.execute(
                    market_cache.insert().values(
                        key=key, dataset_id=dataset_id, resolution=int(resolution), market=blob,
                        created_at=_now(),
                    )
                )  # fmt: skip
        except IntegrityError:  # another worker kept the same market first
            return

    def cached_basemap(self, key: str) -> bytes | None:
        """The bytes kept under ``key`` by ``save_basemap``, None when there are none."""
        with self.engine.connect() as conn:
            blob = conn.scalar(sa.select(basemap_cache.c.body).where(basemap_cache.c.key == key))
        return None if blob is None else bytes(blob)

    def save_basemap(self, key: str, body: bytes) -> None:
        """Keep basemap bytes; a second writer of the same key changes nothing (same bytes)."""
        query = sa.select(basemap_cache.c.key).where(basemap_cache.c.key == key)
        try:
            with self._write() as conn:
                if conn.scalar(query) is not None:
                    return
                conn.execute(basemap_cache.insert().values(key=key, body=body, created_at=_now()))
        except IntegrityError:  # another worker kept it first
            return

    def source_dataset(self, key: str) -> int | None:
        """The data set stored from the source files with this key (``remember_source``)."""
        with self.engine.connect() as conn:
            found = conn.scalar(
                sa.select(source_files.c.dataset_id).where(source_files.c.key == key)
            )
        return None if found is None else int(found)

    def remember_source(self, key: str, dataset_id: int) -> None:
        """Note that the source files with this key gave ``dataset_id``; idempotent."""
        query = sa.select(source_files.c.key).where(source_files.c.key == key)
        try:
            with self._write() as conn:
                if conn.scalar(query) is not None:
                    return
                conn.execute(
                    source_files.insert().values(key=key, dataset_id=dataset_id, created_at=_now())
                )
        except IntegrityError:  # another worker noted it first
            return

    # -- tilings by content (issue 12 point 9: geometry URLs keyed by content) -----------

    def tiling_fingerprint(self, dataset_id: int, resolution: int, area_id: int | None) -> str:
        """A key of what a scenario's cells are, the same in every database holding them.

        A stored area's own fingerprint (sha256 of its resolution and H3 ids); for a scenario
        saved without its area, the sha256 of its data set's fingerprint and the resolution
        (the tiling is rebuilt from those inputs). Database ids never enter it, so a browser
        that cached geometry by this key cannot draw it for another database's data.
        """
        with self.engine.connect() as conn:
            if area_id is not None:
                found = conn.execute(
                    sa.select(areas.c.fingerprint, areas.c.resolution).where(areas.c.id == area_id)
                ).first()
                if found is None or found.resolution != int(resolution):
                    raise ScenarioNotFoundError(
                        f"no planning area with id {area_id} at resolution {resolution}"
                    )
                return str(found.fingerprint)
            inputs = conn.scalar(
                sa.select(datasets.c.fingerprint).where(datasets.c.id == dataset_id)
            )
        if inputs is None:
            raise ScenarioNotFoundError(f"no dataset with id {dataset_id}")
        return _tiling_of_inputs(str(inputs), int(resolution))

    def tiling_in_use(self, fingerprint: str) -> tuple[int, int, int | None] | None:
        """``(dataset_id, resolution, area_id)`` of a scenario whose tiling has this key, or None.

        Of several (data sets sharing one area), the one changed last: the likeliest to be
        drawn now. None when no stored scenario uses the tiling, so that a request naming
        some other area or resolution never makes a worker tile it.
        """
        s = scenarios.c
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(s.dataset_id, s.resolution, s.area_id)
                .join(areas, areas.c.id == s.area_id)
                .where(areas.c.fingerprint == fingerprint)
                .order_by(s.updated_at.desc(), s.id.desc())
                .limit(1)
            ).first()
            if row is not None:
                return int(row.dataset_id), int(row.resolution), int(row.area_id)
            unstored = conn.execute(
                sa.select(s.dataset_id, s.resolution, datasets.c.fingerprint)
                .join(datasets, datasets.c.id == s.dataset_id)
                .where(s.area_id.is_(None))
                .distinct()
            ).all()
        for r in unstored:
            if _tiling_of_inputs(r.fingerprint, r.resolution) == fingerprint:
                return int(r.dataset_id), int(r.resolution), None
        return None

    # -- scenarios ------------------------------------------------------------

    def create_scenario(
        self,
        dataset_id: int,
        name: str,
        resolution: int,
        owner: np.ndarray,
        locked: np.ndarray,
        *,
        tally: bytes | None = None,
        settings: dict[str, Any] | None = None,
        parent_id: int | None = None,
        read_only: bool = False,
        baseline: bool = False,
        area_cells: np.ndarray | None = None,
    ) -> int:
        """Save a new scenario at version 1 and return its id.

        Parameters
        ----------
        name
            Unique within the dataset: the app and ``cli.py export`` find
            scenarios by name.
        baseline
            Mark it as the dataset's baseline at ``resolution`` (at most one;
            see ``ensure_baseline``); a baseline is always read-only.
        area_cells
            The planning area's H3 ids in position order. Storing them (once
            per distinct tiling) keeps ``owner`` meaningful even if the tiling
            code changes later.
        """
        owner_bytes, locked_bytes, n_cells = _state_to_bytes(owner, locked)
        settings = _checked_settings(settings)
        if not 0 <= int(resolution) <= 15:
            raise ValueError(f"resolution must be 0..15, got {resolution}")
        try:
            with self._write() as conn:
                area_id = (
                    None
                    if area_cells is None
                    else self._ensure_area(conn, area_cells, int(resolution), n_cells)
                )
                now = _now()
                result = conn.execute(
                    scenarios.insert().values(
                        dataset_id=dataset_id,
                        area_id=area_id,
                        name=name,
                        resolution=int(resolution),
                        n_cells=n_cells,
                        owner=owner_bytes,
                        locked=locked_bytes,
                        tally=tally,
                        settings=settings,
                        parent_id=parent_id,
                        read_only=bool(read_only or baseline),
                        baseline=bool(baseline),
                        version=1,
                        created_at=now,
                        updated_at=now,
                    )
                )
                return _new_id(result)
        except IntegrityError as err:
            raise self._explain_conflict(err, dataset_id, name, resolution, baseline) from None

    def ensure_baseline(
        self,
        dataset_id: int,
        resolution: int,
        owner: np.ndarray,
        locked: np.ndarray,
        *,
        tally: bytes | None = None,
        settings: dict[str, Any] | None = None,
        area_cells: np.ndarray | None = None,
        name: str | None = None,
    ) -> int:
        """The dataset's baseline at ``resolution``, created from these arrays if missing.

        Safe when two workers race to create it: one wins, both get its id.
        """
        found = self.baseline_id(dataset_id, resolution)
        if found is not None:
            return found
        try:
            return self.create_scenario(
                dataset_id,
                name or f"Baseline (resolution {resolution})",
                resolution,
                owner,
                locked,
                tally=tally,
                settings=settings,
                baseline=True,
                area_cells=area_cells,
            )
        except ScenarioExistsError:
            found = self.baseline_id(dataset_id, resolution)
            if found is None:
                raise
            return found

    def baseline_id(self, dataset_id: int, resolution: int) -> int | None:
        """Id of the dataset's baseline at ``resolution``, None before it is created."""
        with self.engine.connect() as conn:
            found = conn.scalar(
                sa.select(scenarios.c.id).where(
                    scenarios.c.dataset_id == dataset_id,
                    scenarios.c.resolution == int(resolution),
                    scenarios.c.baseline.is_(True),
                )
            )
        return None if found is None else int(found)

    def scenario(self, scenario_id: int) -> ScenarioRecord:
        """The scenario with its owners, locks and tally at its current version."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(scenarios).where(scenarios.c.id == scenario_id)).first()
        if row is None:
            raise ScenarioNotFoundError(f"no scenario with id {scenario_id}")
        return _record(row)

    def scenarios(self, dataset_id: int) -> list[ScenarioInfo]:
        """The dataset's scenarios, oldest first, without their arrays (a cheap listing)."""
        cols = [c for c in scenarios.c if c.name not in ("owner", "locked", "tally")]
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(*cols)
                .where(scenarios.c.dataset_id == dataset_id)
                .order_by(scenarios.c.id)
            ).all()
        return [_info(r) for r in rows]

    def scenario_id(self, name: str, dataset_id: int | None = None) -> int:
        """Find a scenario by name (in one dataset, or in all when the name is unique)."""
        query = sa.select(scenarios.c.id, scenarios.c.dataset_id).where(scenarios.c.name == name)
        if dataset_id is not None:
            query = query.where(scenarios.c.dataset_id == dataset_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            where = "" if dataset_id is None else f" in dataset {dataset_id}"
            raise ScenarioNotFoundError(f"no scenario named {name!r}{where}")
        if len(rows) > 1:
            ids = ", ".join(str(r.dataset_id) for r in rows)
            raise ScenarioNotFoundError(
                f"{len(rows)} scenarios are named {name!r} (datasets {ids}); name the dataset"
            )
        return int(rows[0].id)

    def rename_scenario(self, scenario_id: int, name: str) -> None:
        """Give a scenario a new name, unique within its dataset."""
        try:
            with self._write() as conn:
                row = self._row(conn, scenario_id)
                _refuse_read_only(row, "renamed")
                conn.execute(
                    scenarios.update()
                    .where(scenarios.c.id == scenario_id)
                    .values(name=name, updated_at=_now())
                )
        except IntegrityError:
            raise ScenarioExistsError(
                f"dataset {row.dataset_id} already has a scenario named {name!r}"
            ) from None

    def set_settings(self, scenario_id: int, settings: dict[str, Any]) -> None:
        """Replace the scenario's settings (tolerance, optimizer options...); owners untouched."""
        settings = _checked_settings(settings)
        with self._write() as conn:
            _refuse_read_only(self._row(conn, scenario_id), "changed")
            conn.execute(
                scenarios.update()
                .where(scenarios.c.id == scenario_id)
                .values(settings=settings, updated_at=_now())
            )

    # -- issue 15 section 3: the overlay layer of a scenario --------------------------------

    def overlay(self, scenario_id: int) -> OverlayRecord | None:
        """The scenario's stored overlay layer; None when none was ever written."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(overlay_plans).where(overlay_plans.c.scenario_id == scenario_id)
            ).first()
        if row is None:
            return None
        return OverlayRecord(
            scenario_id, _owner_from_bytes(row.owner), _bits_from_bytes(row.locked, row.n_cells),
            int(row.version),
        )  # fmt: skip

    def save_overlay(
        self, scenario_id: int, owner: np.ndarray, locked: np.ndarray, expected_version: int,
        *, kind: str | None = None, before: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> int:  # fmt: skip
        """Write the overlay layer with compare-and-set on its own version; the new version.

        The field layer (the scenario's owners, locks, tally, version) is never touched: moving
        overlay cells cannot change a field owner. ``expected_version`` 0 creates the row.

        ``kind`` (one of ``OVERLAY_STACK_KINDS``; issue 15, h15d) logs the change in
        ``overlay_moves`` in the same transaction, so undo can take it back, and drops the
        undone rows (a new change ends the redo stack). The cells logged are those that differ
        from the stored layer, or from ``before`` (the caller's state: last quarter's overlay)
        while nothing is stored.
        """
        if kind is not None and kind not in OVERLAY_STACK_KINDS:
            raise ValueError(f"kind must be one of {', '.join(OVERLAY_STACK_KINDS)}; got {kind!r}")
        owner_b, locked_b, n = _state_to_bytes(owner, locked)
        with self._write() as conn:
            row = self._row(conn, scenario_id, for_update=True)
            _refuse_read_only(row, "changed")
            if n != row.n_cells:
                raise ValueError(f"the overlay has {n} cells, scenario {row.id} has {row.n_cells}")
            if kind is not None:
                _log_overlay_change(conn, row, kind, owner, locked, before)
            _touched(conn, scenario_id)  # issue 15 (h15d): an overlay change is a change
            if expected_version == 0:
                exists = conn.scalar(
                    sa.select(overlay_plans.c.version).where(
                        overlay_plans.c.scenario_id == scenario_id
                    )
                )
                if exists is not None:
                    raise StaleVersionError(scenario_id, 0, int(exists))
                conn.execute(overlay_plans.insert().values(
                    scenario_id=scenario_id, n_cells=n, owner=owner_b, locked=locked_b,
                    version=1, updated_at=_now()))  # fmt: skip
                return 1
            result = conn.execute(
                overlay_plans.update()
                .where(overlay_plans.c.scenario_id == scenario_id,
                       overlay_plans.c.version == expected_version)
                .values(owner=owner_b, locked=locked_b, version=expected_version + 1,
                        updated_at=_now())
            )  # fmt: skip
            if result.rowcount != 1:
                current = conn.scalar(
                    sa.select(overlay_plans.c.version).where(
                        overlay_plans.c.scenario_id == scenario_id
                    )
                )
                raise StaleVersionError(scenario_id, expected_version, int(current or 0))
            return expected_version + 1

    def overlay_moves(self, scenario_id: int) -> list[MoveRecord]:
        """The overlay layer's log, oldest first (issue 15, h15d)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(overlay_moves)
                .where(overlay_moves.c.scenario_id == scenario_id)
                .order_by(overlay_moves.c.seq)
            ).all()
        return [_overlay_move(r) for r in rows]

    def step_overlay(
        self, scenario_id: int, expected_version: int, *, redo: bool
    ) -> tuple[int, OverlayRecord, np.ndarray]:
        """Undo (or redo) the overlay layer's last change; the new version, layer and cells.

        One transaction with compare-and-set on the overlay's version: the stored layer with
        the stack top's cells put back (``reverted``) or replayed, that row flagged, and an
        ``undo``/``redo`` row naming it. ``NothingToUndoError`` when the stack is empty.
        The field layer is never touched.
        """
        what = "redo" if redo else "undo"
        with self._write() as conn:
            row = self._row(conn, scenario_id, for_update=True)
            _refuse_read_only(row, "changed")
            stored = conn.execute(
                sa.select(overlay_plans).where(overlay_plans.c.scenario_id == scenario_id)
            ).first()
            current = 0 if stored is None else int(stored.version)
            if current != expected_version:
                raise StaleVersionError(scenario_id, expected_version, current)
            move = _overlay_stack_top(conn, scenario_id, undone=redo)
            if move is None or stored is None:
                raise NothingToUndoError(f"the overlay layer has nothing to {what}")
            now_owner = _owner_from_bytes(stored.owner)
            now_locked = _bits_from_bytes(stored.locked, stored.n_cells)
            owner, locked = (move.replayed if redo else move.reverted)(now_owner, now_locked)
            owner_b, locked_b, _ = _state_to_bytes(owner, locked)
            _touched(conn, scenario_id)
            conn.execute(
                overlay_plans.update()
                .where(overlay_plans.c.scenario_id == scenario_id)
                .values(owner=owner_b, locked=locked_b, version=current + 1, updated_at=_now())
            )
            conn.execute(
                overlay_moves.update().where(overlay_moves.c.id == move.id)
                .values(undone=not redo)
            )  # fmt: skip
            src, dst = ("before", "after") if redo else ("after", "before")
            _append_overlay(
                conn, row.id, what, move.cells, getattr(move, src), getattr(move, dst),
                getattr(move, f"{src}_locked"), getattr(move, f"{dst}_locked"), ref_seq=move.seq,
            )  # fmt: skip
        record = OverlayRecord(scenario_id, owner, locked, current + 1)
        return current + 1, record, move.cells

    def delete_scenario(self, scenario_id: int) -> None:
        """Delete a scenario and its log; its branches keep their state and lose their parent.

        A baseline or read-only scenario is never deleted: other scenarios and
        reports compare against it.
        """
        with self._write() as conn:
            _refuse_read_only(self._row(conn, scenario_id), "deleted")
            conn.execute(moves.delete().where(moves.c.scenario_id == scenario_id))
            conn.execute(  # issue 15 (h15d): the overlay's log too (the cascade does it as well)
                overlay_moves.delete().where(overlay_moves.c.scenario_id == scenario_id)
            )
            conn.execute(
                scenarios.update()
                .where(scenarios.c.parent_id == scenario_id)
                .values(parent_id=None)
            )
            conn.execute(scenarios.delete().where(scenarios.c.id == scenario_id))

    def duplicate_scenario(self, scenario_id: int, name: str, *, read_only: bool = False) -> int:
        """Branch a scenario: a new one with its owners, locks, tally and settings.

        The branch starts at version 1 with an empty log and remembers where
        it came from in ``parent_id``.
        """
        try:
            with self._write() as conn:
                row = self._row(conn, scenario_id)
                now = _now()
                result = conn.execute(
                    scenarios.insert().values(
                        dataset_id=row.dataset_id,
                        area_id=row.area_id,
                        name=name,
                        resolution=row.resolution,
                        n_cells=row.n_cells,
                        owner=row.owner,
                        locked=row.locked,
                        tally=row.tally,
                        settings=row.settings,
                        parent_id=scenario_id,
                        read_only=bool(read_only),
                        baseline=False,
                        version=1,
                        created_at=now,
                        updated_at=now,
                    )
                )
                new_id = _new_id(result)
                _copy_overlay(conn, scenario_id, new_id)  # issue 15: the branch keeps it
                return new_id
        except IntegrityError:
            raise ScenarioExistsError(
                f"dataset {row.dataset_id} already has a scenario named {name!r}"
            ) from None

    # -- moves ----------------------------------------------------------------

    def commit_move(
        self,
        scenario_id: int,
        expected_version: int,
        *,
        kind: str,
        cells: np.ndarray,
        before: np.ndarray,
        after_rep: int | None,
        owner: np.ndarray,
        locked: np.ndarray,
        tally: bytes | None,
        user: str | None = None,
    ) -> int:
        """Save one change of a scenario and log it, in one transaction; return the new version.

        The write succeeds only if the scenario is still at
        ``expected_version`` (compare-and-set), so two tabs moving the same
        cells cannot overwrite each other. A new move clears the redo stack.
        A change that changes nothing is not saved (same version back).

        Parameters
        ----------
        kind
            One of ``STACK_KINDS``: move, lock, unlock, restore, bulk.
        cells, before
            Positions the action may change, and their owners before it. They
            must match the stored state: a mismatch means the caller's plan is
            not the stored ``expected_version``. Only the cells that really
            change are logged.
        owner, locked, tally
            The whole new state (``tally`` is stored as given).

        Raises
        ------
        StaleVersionError
            The scenario is at another version; ``current_version`` says which.
        ReadOnlyScenarioError
            Baselines and read-only scenarios take no moves.
        """
        if kind not in STACK_KINDS:
            raise ValueError(f"kind must be one of {', '.join(STACK_KINDS)}, got {kind!r}")
        cells = np.asarray(cells, dtype=np.int64).ravel()
        before = np.asarray(before, dtype=np.int64).ravel()
        if cells.shape != before.shape:
            raise ValueError(f"{len(cells)} cells but {len(before)} 'before' owners")
        if len(np.unique(cells)) != len(cells):
            raise ValueError("cells lists a position more than once")
        if after_rep is not None and not -1 <= after_rep <= MAX_REP_POSITION:
            raise ValueError(f"after_rep must be -1..{MAX_REP_POSITION}, got {after_rep}")
        owner_bytes, locked_bytes, n_cells = _state_to_bytes(owner, locked)
        new_owner = np.asarray(owner, dtype=np.int64)
        new_locked = np.asarray(locked, dtype=bool)
        with self._write() as conn:
            row = self._row(conn, scenario_id, for_update=True)
            _check_writable(row, expected_version, n_cells)
            old_owner, old_locked = (
                _owner_from_bytes(row.owner),
                _bits_from_bytes(row.locked, n_cells),
            )
            if len(cells) and (cells.min() < 0 or cells.max() >= n_cells):
                raise ValueError(f"cell positions must be 0..{n_cells - 1}")
            if not np.array_equal(old_owner[cells], before):
                raise ValueError(
                    f"'before' differs from the owners stored at version {expected_version} "
                    "in cells where the caller's plan should match"
                )
            changed = np.flatnonzero((old_owner != new_owner) | (old_locked != new_locked))
            if len(changed) == 0:
                return expected_version
            unlisted = np.setdiff1d(changed, cells)
            if len(unlisted):
                raise ValueError(
                    f"{len(unlisted)} cells change owner or lock without being in cells "
                    f"(positions {unlisted[:5].tolist()}...)"
                )
            if kind == "move" and after_rep is not None and (new_owner[changed] != after_rep).any():
                raise ValueError(f"a move to rep {after_rep} gives some cells to other reps")
            version = _write_state(conn, row, expected_version, owner_bytes, locked_bytes, tally)
            conn.execute(
                moves.delete().where(moves.c.scenario_id == scenario_id, moves.c.undone.is_(True))
            )
            _append(
                conn, row, kind=kind, user=user, cells=changed,
                before=old_owner[changed], after=new_owner[changed],
                before_locked=old_locked[changed], after_locked=new_locked[changed],
                after_rep=after_rep, ref_seq=None,
            )  # fmt: skip
            return version

    def undoable(self, scenario_id: int) -> MoveRecord | None:
        """The move undo would revert: the last one not undone (None when there is none)."""
        with self.engine.connect() as conn:
            return _stack_top(conn, scenario_id, undone=False)

    def redoable(self, scenario_id: int) -> MoveRecord | None:
        """The move redo would replay: the earliest undone one (None when there is none)."""
        with self.engine.connect() as conn:
            return _stack_top(conn, scenario_id, undone=True)

    def undo(
        self,
        scenario_id: int,
        expected_version: int,
        *,
        owner: np.ndarray,
        locked: np.ndarray,
        tally: bytes | None,
        user: str | None = None,
    ) -> int:
        """Revert the ``undoable`` move, log the undo, and return the new version.

        The caller computes the state (``undoable().reverted(...)``) and its
        tally; the store checks that it is exactly the reverted state, so the
        stored tally always belongs to the stored owners.
        """
        return self._step(scenario_id, expected_version, owner, locked, tally, user, redo=False)

    def redo(
        self,
        scenario_id: int,
        expected_version: int,
        *,
        owner: np.ndarray,
        locked: np.ndarray,
        tally: bytes | None,
        user: str | None = None,
    ) -> int:
        """Replay the ``redoable`` move (``redoable().replayed(...)``); return the new version."""
        return self._step(scenario_id, expected_version, owner, locked, tally, user, redo=True)

    def moves(self, scenario_id: int, after_seq: int | None = None) -> list[MoveRecord]:
        """The scenario's whole log in order (undo and redo rows included).

        ``after_seq``: only the rows after that log position (issue 18: the ledger
        reads what follows its mark, not the whole meeting's log, after every move).
        """
        query = sa.select(moves).where(moves.c.scenario_id == scenario_id)
        if after_seq is not None:
            query = query.where(moves.c.seq > after_seq)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(moves.c.seq)).all()
        return [_move(r) for r in rows]

    def history(self, scenario_id: int) -> pd.DataFrame:
        """The log as people read it: when, who, what, how many cells, from whom to whom.

        Rep positions are shown as the dataset's rep ids; ``from_reps`` counts
        cells per previous owner ("R1 (12), unassigned (3)").
        """
        record = self.scenario(scenario_id)
        _, reps, _ = self.load_dataset(record.dataset_id)
        rep_ids = reps["rep_id"].astype(str).to_numpy()
        rows = []
        for m in self.moves(scenario_id):
            rows.append(
                {
                    "seq": m.seq,
                    "at": m.at,
                    "user": m.user,
                    "kind": m.kind,
                    "cells": len(m.cells),
                    "from_reps": _owners_text(m.before, rep_ids),
                    "to_reps": _owners_text(m.after, rep_ids),
                    "locked": int(m.after_locked.sum()) - int(m.before_locked.sum()),
                    "undone": m.undone,
                    "ref_seq": m.ref_seq,
                }
            )
        columns = ["seq", "at", "user", "kind", "cells", "from_reps", "to_reps", "locked",
                   "undone", "ref_seq"]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    # -- issue 15: actuals ----------------------------------------------------

    def replace_actuals(
        self, dataset_id: int, period: str, revenue: pd.DataFrame | None,
        visits: pd.DataFrame | None,
    ) -> None:  # fmt: skip
        """Store a period's revenue and/or visits, replacing what the period held.

        ``revenue`` has ``account_id``, ``revenue``; ``visits`` ``date``, ``account_id``,
        ``rep_id``, ``channel``. One transaction; None leaves that kind as it is.
        """
        with self._write() as conn:
            if revenue is not None:
                conn.execute(
                    actual_revenue.delete().where(
                        actual_revenue.c.dataset_id == dataset_id, actual_revenue.c.period == period
                    )
                )
                rows = [
                    {
                        "dataset_id": dataset_id,
                        "period": period,
                        "account_id": str(a),
                        "revenue": float(v),
                    }
                    for a, v in zip(revenue["account_id"], revenue["revenue"], strict=True)
                ]
                if rows:
                    conn.execute(actual_revenue.insert(), rows)
            if visits is not None:
                conn.execute(
                    actual_visits.delete().where(
                        actual_visits.c.dataset_id == dataset_id, actual_visits.c.period == period
                    )
                )
                rows = [
                    {
                        "dataset_id": dataset_id,
                        "period": period,
                        "day": pd.Timestamp(d).date(),
                        "account_id": str(a),
                        "rep_id": str(r),
                        "channel": str(c),
                    }
                    for d, a, r, c in zip(
                        visits["date"],
                        visits["account_id"],
                        visits["rep_id"],
                        visits["channel"],
                        strict=True,
                    )
                ]
                if rows:
                    conn.execute(actual_visits.insert(), rows)
        # fmt: skip

    def actual_revenue(self, dataset_id: int, period: str) -> pd.Series:
        """Revenue per account stored for the period (empty when none)."""
        t = actual_revenue
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.account_id, t.c.revenue).where(
                t.c.dataset_id == dataset_id, t.c.period == period)).all()  # fmt: skip
        return pd.Series({str(a): float(v) for a, v in rows}, dtype=np.float64, name="revenue")

    def actual_visits(self, dataset_id: int, period: str) -> pd.DataFrame:
        """Visits stored for the period: ``date``, ``account_id``, ``rep_id``, ``channel``."""
        t = actual_visits
        with self.engine.connect() as conn:
            query = sa.select(t.c.day, t.c.account_id, t.c.rep_id, t.c.channel)
            query = query.where(t.c.dataset_id == dataset_id, t.c.period == period)
            rows = conn.execute(query.order_by(t.c.id)).all()
        frame = pd.DataFrame(rows, columns=["date", "account_id", "rep_id", "channel"])
        frame["date"] = pd.to_datetime(frame["date"])
        return frame

    def actual_periods(self, dataset_id: int) -> list[str]:
        """Periods holding revenue or visits for the data set, sorted."""
        found: set[str] = set()
        with self.engine.connect() as conn:
            for t in (actual_revenue, actual_visits):
                found.update(conn.scalars(sa.select(t.c.period).where(
                    t.c.dataset_id == dataset_id).distinct()))  # fmt: skip
        return sorted(found)

    # -- internals ------------------------------------------------------------

    def _step(
        self, scenario_id, expected_version, owner, locked, tally, user, *, redo: bool
    ) -> int:
        owner_bytes, locked_bytes, n_cells = _state_to_bytes(owner, locked)
        with self._write() as conn:
            row = self._row(conn, scenario_id, for_update=True)
            _check_writable(row, expected_version, n_cells)
            move = _stack_top(conn, scenario_id, undone=redo)
            if move is None:
                raise NothingToUndoError(
                    f"scenario {scenario_id} has nothing to {'redo' if redo else 'undo'}"
                )
            stored = _owner_from_bytes(row.owner), _bits_from_bytes(row.locked, n_cells)
            want_owner, want_locked = move.replayed(*stored) if redo else move.reverted(*stored)
            if not (
                np.array_equal(want_owner, np.asarray(owner))
                and np.array_equal(want_locked, np.asarray(locked, bool))
            ):
                raise ValueError(
                    f"the state given is not move {move.seq} {'redone' if redo else 'undone'} "
                    f"on version {expected_version}"
                )
            version = _write_state(conn, row, expected_version, owner_bytes, locked_bytes, tally)
            conn.execute(moves.update().where(moves.c.id == move.id).values(undone=not redo))
            src, dst = ("before", "after") if redo else ("after", "before")
            _append(
                conn, row, kind="redo" if redo else "undo", user=user, cells=move.cells,
                before=getattr(move, src), after=getattr(move, dst),
                before_locked=getattr(move, f"{src}_locked"),
                after_locked=getattr(move, f"{dst}_locked"),
                after_rep=_single(getattr(move, dst)), ref_seq=move.seq,
            )  # fmt: skip
            return version

    @contextmanager
    def _write(self, *, foreign_keys: bool = True) -> Iterator[Connection]:
        """A transaction that writes: on SQLite it takes the write lock at BEGIN.

        A deferred SQLite transaction that reads and then writes fails at
        once (no busy wait) when another worker wrote in between; BEGIN
        IMMEDIATE queues behind the busy timeout instead. ``foreign_keys=False``
        leaves SQLite's foreign keys unenforced for this transaction (a schema
        upgrade only); they are on again when the connection goes back to the pool.
        """
        try:
            with self.engine.connect() as conn:
                conn.execution_options(hexalign_write=True)
                with _sqlite_foreign_keys(conn, on=foreign_keys), conn.begin():
                    yield conn
        except sa.exc.OperationalError as err:  # issue 12: a full disk says so, in one sentence
            if _disk_full(err):
                raise StorageFullError(FULL_MESSAGE) from err
            raise

    def _row(self, conn: Connection, scenario_id: int, *, for_update: bool = False) -> sa.Row:
        query = sa.select(scenarios).where(scenarios.c.id == scenario_id)
        if for_update and conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise ScenarioNotFoundError(f"no scenario with id {scenario_id}")
        return row

    def _ensure_area(self, conn: Connection, cells: np.ndarray, resolution: int, n: int) -> int:
        cells = np.asarray(cells, dtype=np.uint64)
        if cells.shape != (n,):
            raise ValueError(f"area_cells has {cells.shape} ids, owner has {n} cells")
        if n > 1 and not _is_sorted(cells):
            raise ValueError("area_cells must be in position order (sorted H3 ids)")
        blob = cells.astype("<u8").tobytes()
        fingerprint = _fingerprint([str(resolution).encode(), blob])
        query = sa.select(areas.c.id).where(areas.c.fingerprint == fingerprint)
        found = conn.scalar(query)
        if found is not None:
            return int(found)
        result = conn.execute(
            areas.insert().values(
                fingerprint=fingerprint, resolution=resolution, n_cells=n, cells=blob,
                created_at=_now(),
            )
        )  # fmt: skip
        return _new_id(result)

    def _explain_conflict(
        self, err: IntegrityError, dataset_id: int, name: str, resolution: int, baseline: bool
    ) -> Exception:
        if baseline and self.baseline_id(dataset_id, resolution) is not None:
            return ScenarioExistsError(
                f"dataset {dataset_id} already has a baseline at resolution {resolution}"
            )
        with self.engine.connect() as conn:
            taken = conn.scalar(
                sa.select(scenarios.c.id).where(
                    scenarios.c.dataset_id == dataset_id, scenarios.c.name == name
                )
            )
        if taken is not None:
            return ScenarioExistsError(
                f"dataset {dataset_id} already has a scenario named {name!r}"
            )
        return err

    def _migrate(self) -> None:
        """Upgrade to the newest revision inside one transaction holding the write lock.

        On SQLite the foreign keys are not enforced during the upgrade (a revision that
        rebuilds a table must drop the old one without cascading, SQLite's documented way to
        alter a table), and are checked before the transaction commits instead.
        """
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._write(foreign_keys=False) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})"))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            if conn.dialect.name == "sqlite":
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the upgrade would break foreign keys: {broken[:5]}")


def _create_engine(url: str) -> Engine:
    """Engine with pre-ping; on SQLite also WAL, a busy timeout and our own BEGIN."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return sa.create_engine(u, pool_pre_ping=True)
    memory = u.database in (None, "", ":memory:")
    if memory:
        engine = sa.create_engine(
            u, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        Path(str(u.database)).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(u, pool_pre_ping=True)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # pysqlite's own transaction handling begins late and deferred; we
        # emit BEGIN ourselves (see Store._write), so it must stay out of the way.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if not memory:
            set_wal(cursor)
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("hexalign_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def set_wal(cursor: Any, wait_s: float = SQLITE_BUSY_TIMEOUT_MS / 1000) -> None:
    """Put the SQLite file in WAL mode, waiting while another process holds it.

    Two gunicorn workers starting on a new file both open it while one of them creates the
    tables: SQLite then answers this pragma "database is locked" at once, without its busy
    wait, and the worker failed to boot (gunicorn then stopped the whole server). Retried
    until ``wait_s`` has passed.
    """
    deadline = time.monotonic() + wait_s
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


@contextmanager
def _sqlite_foreign_keys(conn: Connection, *, on: bool) -> Iterator[None]:
    """SQLite only: foreign keys off (``on=False``) until the block ends, then on again.

    The pragma does nothing inside a transaction, so it goes to the driver's connection
    directly (pysqlite's own transaction handling is off, see ``_create_engine``): no BEGIN.
    """
    if on or conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.dbapi_connection
    if raw is None:
        raise RuntimeError("the connection has no driver connection")
    cursor = raw.cursor()
    cursor.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()


def _disk_full(err: sa.exc.DBAPIError) -> bool:
    """SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100), or an OS-level ENOSPC."""
    orig = err.orig
    if getattr(orig, "sqlite_errorname", "") == "SQLITE_FULL":
        return True
    if getattr(orig, "sqlstate", None) == "53100" or getattr(orig, "pgcode", None) == "53100":
        return True
    return "database or disk is full" in str(orig) or "No space left on device" in str(orig)


def _copy_overlay(conn: Connection, source: int, target: int) -> None:
    """Issue 15: a branch starts with its parent's overlay layer (version 1), if it has one."""
    row = conn.execute(
        sa.select(overlay_plans).where(overlay_plans.c.scenario_id == source)
    ).first()
    if row is not None:
        conn.execute(overlay_plans.insert().values(
            scenario_id=target, n_cells=row.n_cells, owner=row.owner, locked=row.locked,
            version=1, updated_at=_now()))  # fmt: skip


# -- issue 15 (h15d): the overlay layer's move log ---------------------------------------------


def _touched(conn: Connection, scenario_id: int) -> None:
    """The scenario changed now (its overlay layer): a conversion made before is not reused.

    ``services.resolutions`` reopens a scenario converted to another cell size only while its
    source was not updated since; the field version alone does not see overlay changes.
    """
    conn.execute(scenarios.update().where(scenarios.c.id == scenario_id).values(updated_at=_now()))


def _log_overlay_change(
    conn: Connection, row: sa.Row, kind: str, owner: np.ndarray, locked: np.ndarray,
    before: tuple[np.ndarray, np.ndarray] | None,
) -> None:  # fmt: skip
    """Log the cells an overlay write changes (against the stored layer) and end the redo stack."""
    stored = conn.execute(
        sa.select(overlay_plans).where(overlay_plans.c.scenario_id == row.id)
    ).first()
    if stored is not None:
        old_owner = _owner_from_bytes(stored.owner)
        old_locked = _bits_from_bytes(stored.locked, stored.n_cells)
    elif before is not None:
        old_owner, old_locked = np.asarray(before[0], np.int64), np.asarray(before[1], bool)
    else:
        old_owner = np.full(row.n_cells, -1, np.int64)
        old_locked = np.zeros(row.n_cells, bool)
    new_owner, new_locked = np.asarray(owner, np.int64), np.asarray(locked, bool)
    changed = np.flatnonzero((old_owner != new_owner) | (old_locked != new_locked))
    if len(changed) == 0:
        return
    conn.execute(
        overlay_moves.delete().where(
            overlay_moves.c.scenario_id == row.id, overlay_moves.c.undone.is_(True)
        )
    )
    _append_overlay(
        conn, row.id, kind, changed, old_owner[changed], new_owner[changed],
        old_locked[changed], new_locked[changed], ref_seq=None,
    )  # fmt: skip


def _append_overlay(
    conn: Connection, scenario_id: int, kind: str, cells: np.ndarray, before: np.ndarray,
    after: np.ndarray, before_locked: np.ndarray, after_locked: np.ndarray, *,
    ref_seq: int | None,
) -> None:  # fmt: skip
    seq = conn.scalar(
        sa.select(sa.func.coalesce(sa.func.max(overlay_moves.c.seq), 0)).where(
            overlay_moves.c.scenario_id == scenario_id
        )
    )
    conn.execute(
        overlay_moves.insert().values(
            scenario_id=scenario_id, seq=_some_int(seq) + 1, at=_now(), kind=kind,
            cells=np.asarray(cells).astype("<i4").tobytes(), before=_owner_to_bytes(before),
            after=_owner_to_bytes(after), before_locked=_bits_to_bytes(before_locked),
            after_locked=_bits_to_bytes(after_locked), undone=False, ref_seq=ref_seq,
        )
    )  # fmt: skip


def _overlay_stack_top(conn: Connection, scenario_id: int, *, undone: bool) -> MoveRecord | None:
    """The overlay's last done change (undone=False) or first undone one (undone=True)."""
    row = _log_top(conn, overlay_moves, OVERLAY_STACK_KINDS, scenario_id, undone=undone)
    return None if row is None else _overlay_move(row)


def _overlay_move(row: sa.Row) -> MoveRecord:
    """An overlay log row as a ``MoveRecord`` (no user, the overlay's own resolution unused)."""
    cells = np.frombuffer(row.cells, "<i4").astype(np.int64)
    n = len(cells)
    return MoveRecord(
        id=row.id, scenario_id=row.scenario_id, seq=row.seq, at=_utc(row.at), user=None,
        kind=row.kind, resolution=-1, after_rep=None, undone=bool(row.undone),
        ref_seq=row.ref_seq, cells=cells, before=_owner_from_bytes(row.before),
        after=_owner_from_bytes(row.after), before_locked=_bits_from_bytes(row.before_locked, n),
        after_locked=_bits_from_bytes(row.after_locked, n),
    )  # fmt: skip


def _check_writable(row: sa.Row, expected_version: int, n_cells: int) -> None:
    _refuse_read_only(row, "changed")
    if row.version != expected_version:
        raise StaleVersionError(row.id, expected_version, row.version)
    if n_cells != row.n_cells:
        raise ValueError(f"the state has {n_cells} cells, scenario {row.id} has {row.n_cells}")


def _refuse_read_only(row: sa.Row, what: str) -> None:
    if row.read_only:
        label = "the baseline" if row.baseline else "read-only"
        raise ReadOnlyScenarioError(
            f"scenario {row.id} ({row.name!r}) is {label} and cannot be {what}; "
            "duplicate it to make changes"
        )


def _write_state(conn, row, expected_version: int, owner: bytes, locked: bytes, tally) -> int:
    """Compare-and-set: only the version the caller read may be replaced."""
    result = conn.execute(
        scenarios.update()
        .where(scenarios.c.id == row.id, scenarios.c.version == expected_version)
        .values(
            owner=owner, locked=locked, tally=tally, version=expected_version + 1,
            updated_at=_now(),
        )
    )  # fmt: skip
    if result.rowcount != 1:
        current = conn.scalar(sa.select(scenarios.c.version).where(scenarios.c.id == row.id))
        raise StaleVersionError(row.id, expected_version, int(current))
    return expected_version + 1


def _append(conn: Connection, row: sa.Row, **move: Any) -> None:
    seq = conn.scalar(
        sa.select(sa.func.coalesce(sa.func.max(moves.c.seq), 0)).where(
            moves.c.scenario_id == row.id
        )
    )
    conn.execute(
        moves.insert().values(
            scenario_id=row.id,
            seq=_some_int(seq) + 1,
            at=_now(),
            user=move["user"],
            kind=move["kind"],
            resolution=row.resolution,
            cells=np.asarray(move["cells"]).astype("<i4").tobytes(),
            before=_owner_to_bytes(move["before"]),
            after=_owner_to_bytes(move["after"]),
            before_locked=_bits_to_bytes(move["before_locked"]),
            after_locked=_bits_to_bytes(move["after_locked"]),
            after_rep=move["after_rep"],
            undone=False,
            ref_seq=move["ref_seq"],
        )
    )


def _stack_top(conn: Connection, scenario_id: int, *, undone: bool) -> MoveRecord | None:
    """Last done move (undone=False) or first undone one (undone=True) on the undo stack."""
    row = _log_top(conn, moves, STACK_KINDS, scenario_id, undone=undone)
    return None if row is None else _move(row)


def _log_top(
    conn: Connection, log: sa.Table, kinds: tuple[str, ...], scenario_id: int, *, undone: bool
) -> sa.Row | None:
    """The row undo (undone=False: the last done) or redo (the first undone) takes from a log.

    The field's ``moves`` and the overlay's ``overlay_moves`` share the stack's rule; only the
    table and the kinds that stack differ.
    """
    order = log.c.seq.asc() if undone else log.c.seq.desc()
    return conn.execute(
        sa.select(log)
        .where(log.c.scenario_id == scenario_id, log.c.kind.in_(kinds), log.c.undone.is_(undone))
        .order_by(order)
        .limit(1)
    ).first()


def _record(row: sa.Row) -> ScenarioRecord:
    owner = _owner_from_bytes(row.owner)
    locked = _bits_from_bytes(row.locked, row.n_cells)
    owner.flags.writeable = False
    locked.flags.writeable = False
    info = _info(row)
    return ScenarioRecord(**vars(info), owner=owner, locked=locked, tally=row.tally)


def _info(row: sa.Row) -> ScenarioInfo:
    return ScenarioInfo(
        id=row.id,
        dataset_id=row.dataset_id,
        area_id=row.area_id,
        name=row.name,
        resolution=row.resolution,
        n_cells=row.n_cells,
        settings=dict(row.settings or {}),
        parent_id=row.parent_id,
        read_only=bool(row.read_only),
        baseline=bool(row.baseline),
        version=row.version,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
    )


def _move(row: sa.Row) -> MoveRecord:
    cells = np.frombuffer(row.cells, "<i4").astype(np.int64)
    n = len(cells)
    arrays = {
        "cells": cells,
        "before": _owner_from_bytes(row.before),
        "after": _owner_from_bytes(row.after),
        "before_locked": _bits_from_bytes(row.before_locked, n),
        "after_locked": _bits_from_bytes(row.after_locked, n),
    }
    for a in arrays.values():
        a.flags.writeable = False
    return MoveRecord(
        id=row.id, scenario_id=row.scenario_id, seq=row.seq, at=_utc(row.at), user=row.user,
        kind=row.kind, resolution=row.resolution, after_rep=row.after_rep,
        undone=bool(row.undone), ref_seq=row.ref_seq, **arrays,
    )  # fmt: skip


def _state_to_bytes(owner: np.ndarray, locked: np.ndarray) -> tuple[bytes, bytes, int]:
    owner = np.asarray(owner)
    locked = np.asarray(locked)
    if owner.ndim != 1 or locked.shape != owner.shape:
        raise ValueError(f"owner {owner.shape} and locked {locked.shape} must be equal 1-d arrays")
    if locked.dtype != bool:
        raise ValueError(f"locked must be bool, got {locked.dtype}")
    return _owner_to_bytes(owner), _bits_to_bytes(locked), len(owner)


def _owner_to_bytes(owner: np.ndarray) -> bytes:
    owner = np.asarray(owner)
    if owner.dtype.kind not in "iu":
        raise ValueError(f"owners must be integers, got {owner.dtype}")
    if len(owner) and (owner.min() < -1 or owner.max() > MAX_REP_POSITION):
        raise ValueError(
            f"owners must be rep positions -1..{MAX_REP_POSITION}, got {owner.min()}..{owner.max()}"
        )
    return owner.astype("<i2").tobytes()


def _owner_from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, "<i2").astype(np.int64)


def _bits_to_bytes(flags: np.ndarray) -> bytes:
    return np.packbits(np.asarray(flags, bool), bitorder="little").tobytes()


def _bits_from_bytes(blob: bytes, n: int) -> np.ndarray:
    bits = np.unpackbits(np.frombuffer(blob, np.uint8), count=n, bitorder="little")
    return bits.astype(bool)


def _frame_to_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", compression="zstd")
    return buffer.getvalue()


def _fingerprint(blobs: list[bytes]) -> str:
    digest = hashlib.sha256()
    for blob in blobs:  # length-prefixed, so no two splits of the same bytes collide
        digest.update(len(blob).to_bytes(8, "little"))
        digest.update(blob)
    return digest.hexdigest()


def _tiling_of_inputs(dataset_fingerprint: str, resolution: int) -> str:
    """The tiling key of a data set tiled afresh at ``resolution`` (no stored area)."""
    return _fingerprint(
        [b"tiling of inputs", dataset_fingerprint.encode(), str(resolution).encode()]
    )


def _checked_settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    settings = dict(settings or {})
    try:
        return json.loads(json.dumps(settings, allow_nan=False))
    except (TypeError, ValueError) as err:
        raise ValueError(f"settings must be plain JSON (str, number, list, dict): {err}") from None


def _is_sorted(cells: np.ndarray) -> bool:
    return bool((cells[1:] > cells[:-1]).all())


def _single(owners: np.ndarray) -> int | None:
    """The one owner all cells share, or None."""
    if len(owners) and (owners == owners[0]).all():
        return int(owners[0])
    return None


def _owners_text(owners: np.ndarray, rep_ids: np.ndarray) -> str:
    values, counts = np.unique(owners, return_counts=True)
    names = [
        "unassigned" if v < 0 else (rep_ids[v] if v < len(rep_ids) else f"rep #{v}") for v in values
    ]
    return ", ".join(f"{n} ({c})" for n, c in zip(names, counts, strict=True))


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(stamp: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stamp we write is UTC."""
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp


def _some_int(value: object) -> int:
    """An integer the database must have given (a count, an id): say so if it did not."""
    if value is None:
        raise RuntimeError("the database returned no value where one was expected")
    return int(value)  # type: ignore[call-overload]


def _new_id(result: sa.CursorResult) -> int:
    """The primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    return _some_int(key[0] if key else None)
