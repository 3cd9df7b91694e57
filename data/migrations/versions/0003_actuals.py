"""Actuals per data set and period: revenue per account and the visits made (issue 15).

Several periods accumulate per data set; re-importing a period deletes its rows and writes
the new ones in one transaction (``Store.replace_actuals``). Rows go with their data set.

Revision ID: 0003_actuals
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_actuals"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``actual_revenue`` and ``actual_visits`` with their (data set, period) indexes."""
    dataset = sa.ForeignKey("datasets.id", ondelete="CASCADE")
    op.create_table(
        "actual_revenue",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset_id", sa.Integer, dataset, nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("revenue", sa.Float, nullable=False),
    )
    op.create_index("ix_actual_revenue_dataset_period", "actual_revenue", ["dataset_id", "period"])
    op.create_table(
        "actual_visits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "dataset_id",
            sa.Integer,
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            nullable=False,
        ),  # fmt: skip
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("rep_id", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
    )
    op.create_index("ix_actual_visits_dataset_period", "actual_visits", ["dataset_id", "period"])


def downgrade() -> None:
    """Drop both tables (their indexes go with them)."""
    op.drop_table("actual_visits")
    op.drop_table("actual_revenue")
