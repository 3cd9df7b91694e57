"""Scenario ids are never handed out twice: SQLite's ``scenarios.id`` becomes AUTOINCREMENT.

A plain ``INTEGER PRIMARY KEY`` on SQLite gives a new row the largest id plus one, so deleting
the newest scenario and creating another reused its id (and version 1): a browser tab still
showing the deleted plan wrote its moves into the new one (issue 12 point 2). AUTOINCREMENT
remembers the largest id ever used (``sqlite_sequence``). PostgreSQL's ``SERIAL`` sequences
never hand out a number twice already: nothing to do there.

SQLite cannot change a column in place, so the table is rebuilt (its rows, ids included, are
copied; indexes recreated). That needs foreign-key enforcement off, as SQLite's own procedure
says: with it on, dropping the old table would cascade to every move. ``Store._migrate`` turns
it off around the upgrade and checks the keys before committing; the ``alembic`` command line
opens connections with it off (Python's default). Ids deleted before this upgrade cannot be
known; from it on, none is reused.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NEW = "_scenarios_0002"
COLUMNS = ("id", "dataset_id", "area_id", "name", "resolution", "n_cells", "owner", "locked",
           "tally", "settings", "parent_id", "read_only", "baseline", "version", "created_at",
           "updated_at")  # fmt: skip


def _scenarios(name: str, *, autoincrement: bool) -> sa.Table:
    """The scenarios table of revision 0001, under ``name``; its keys name the real tables."""
    meta = sa.MetaData()
    for parent in ("datasets", "areas", "scenarios"):  # stubs, so the foreign keys render
        if parent != name:
            sa.Table(parent, meta, sa.Column("id", sa.Integer, primary_key=True))
    stamp = sa.DateTime(timezone=True)
    return sa.Table(
        name,
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "dataset_id",
            sa.Integer,
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            nullable=False,
        ),  # fmt: skip
        sa.Column("area_id", sa.Integer, sa.ForeignKey("areas.id"), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("resolution", sa.Integer, nullable=False),
        sa.Column("n_cells", sa.Integer, nullable=False),
        sa.Column("owner", sa.LargeBinary, nullable=False),
        sa.Column("locked", sa.LargeBinary, nullable=False),
        sa.Column("tally", sa.LargeBinary, nullable=True),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column(
            "parent_id",
            sa.Integer,
            sa.ForeignKey("scenarios.id", ondelete="SET NULL"),
            nullable=True,
        ),  # fmt: skip
        sa.Column("read_only", sa.Boolean, nullable=False),
        sa.Column("baseline", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("updated_at", stamp, nullable=False),
        sa.UniqueConstraint("dataset_id", "name", name="uq_scenarios_dataset_name"),
        sqlite_autoincrement=autoincrement,
    )


def _rebuild(autoincrement: bool) -> None:
    """Copy ``scenarios`` into a new table (with or without AUTOINCREMENT) that takes its name."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return  # PostgreSQL: SERIAL never reuses a number
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "rebuilding the scenarios table needs SQLite's foreign keys off (dropping the old "
            "table would delete every move); Store opens the database that way"
        )
    table = _scenarios(NEW, autoincrement=autoincrement)
    table.create(bind)
    columns = ", ".join(f'"{c}"' for c in COLUMNS)
    bind.exec_driver_sql(f"INSERT INTO {NEW} ({columns}) SELECT {columns} FROM scenarios")
    op.drop_index("uq_scenarios_baseline", table_name="scenarios")
    bind.exec_driver_sql("DROP TABLE scenarios")
    bind.exec_driver_sql(f"ALTER TABLE {NEW} RENAME TO scenarios")
    op.create_index(
        "uq_scenarios_baseline",
        "scenarios",
        ["dataset_id", "resolution"],
        unique=True,
        sqlite_where=sa.text("baseline"),
    )


def upgrade() -> None:
    """SQLite: rebuild ``scenarios`` with ``id INTEGER PRIMARY KEY AUTOINCREMENT``."""
    _rebuild(autoincrement=True)


def downgrade() -> None:
    """SQLite: back to a plain ``INTEGER PRIMARY KEY`` (ids may be reused again)."""
    _rebuild(autoincrement=False)
