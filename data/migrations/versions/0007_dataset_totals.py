"""A data set stored as per-cell totals instead of one row per account (issue 18 point 4).

``dataset_totals`` holds, for a data set binned by ``cli.py bin --dataset`` (on Dask above a
size), its per-(cell, last owner, pinned) groups as Parquet and its accounts' hull vertices as
``.npy`` (``data.totals_store``), the resolution they were binned at and the account count the
data-set switcher shows. The data set's own row in ``datasets`` keeps its reps and call plan,
with an accounts frame of no rows. It goes with its data set.

Chained after 0006_market_cache.

Revision ID: 0007_dataset_totals
Revises: 0006_market_cache
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_dataset_totals"
down_revision = "0006_market_cache"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``dataset_totals``."""
    op.create_table(
        "dataset_totals",
        sa.Column(
            "dataset_id",
            sa.Integer,
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("resolution", sa.Integer, nullable=False),
        sa.Column("accounts", sa.BigInteger, nullable=False),
        sa.Column("groups", sa.LargeBinary, nullable=False),
        sa.Column("hull", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop ``dataset_totals`` (its data sets stay, with no accounts: delete them first)."""
    op.drop_table("dataset_totals")
