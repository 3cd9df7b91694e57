"""Datasets, planning areas, scenarios and their move log.

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

MOVE_KINDS = ("move", "lock", "unlock", "undo", "redo", "restore", "bulk")


def upgrade() -> None:
    """Create every table; later revisions change them, this one never changes."""
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("accounts", sa.LargeBinary, nullable=False),
        sa.Column("reps", sa.LargeBinary, nullable=False),
        sa.Column("call_plan", sa.LargeBinary, nullable=False),
        sa.Column("created_at", stamp, nullable=False),
    )
    op.create_table(
        "areas",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("resolution", sa.Integer, nullable=False),
        sa.Column("n_cells", sa.Integer, nullable=False),
        sa.Column("cells", sa.LargeBinary, nullable=False),
        sa.Column("created_at", stamp, nullable=False),
    )
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "dataset_id",
            sa.Integer,
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            nullable=False,
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
            "parent_id",
            sa.Integer,
            sa.ForeignKey("scenarios.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("read_only", sa.Boolean, nullable=False),
        sa.Column("baseline", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("updated_at", stamp, nullable=False),
        sa.UniqueConstraint("dataset_id", "name", name="uq_scenarios_dataset_name"),
    )
    op.create_index(
        "uq_scenarios_baseline",
        "scenarios",
        ["dataset_id", "resolution"],
        unique=True,
        sqlite_where=sa.text("baseline"),
        postgresql_where=sa.text("baseline"),
    )
    op.create_table(
        "moves",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "scenario_id",
            sa.Integer,
            sa.ForeignKey("scenarios.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", stamp, nullable=False),
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
            "kind IN (" + ", ".join(f"'{k}'" for k in MOVE_KINDS) + ")", name="ck_moves_kind"
        ),
    )


def downgrade() -> None:
    """Drop every table (the data goes with them)."""
    op.drop_table("moves")
    op.drop_index("uq_scenarios_baseline", table_name="scenarios")
    op.drop_table("scenarios")
    op.drop_table("areas")
    op.drop_table("datasets")
