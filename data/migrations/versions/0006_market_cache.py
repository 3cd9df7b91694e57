"""What a first page needs, kept at import (issue 18 point 1): the market and the source files.

``market_cache`` holds one built market (``data.market_cache``: its arrays as an npz, without
the accounts frame, which stays in ``datasets``) per data set and tiling, keyed by the sha256 of
the data set's fingerprint, the tiling's fingerprint and the format; a worker reads it instead
of rebuilding the market (boundary, binning, travel matrix). ``source_files`` remembers which
stored data set a set of input files gave, keyed by the sha256 of the files' bytes, so that a
restart on the same files neither reads nor validates them again. Both go with their data set.

Chained after 0005_overlay_moves (issue 15).

Revision ID: 0006_market_cache
Revises: 0005_overlay_moves
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_market_cache"
down_revision = "0005_overlay_moves"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``market_cache`` and ``source_files``."""
    op.create_table(
        "market_cache",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column(
            "dataset_id",
            sa.Integer,
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("resolution", sa.Integer, nullable=False),
        sa.Column("market", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "source_files",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column(
            "dataset_id",
            sa.Integer,
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("source_files")
    op.drop_table("market_cache")
