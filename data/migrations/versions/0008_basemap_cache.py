"""The basemap a first page draws, kept once made (issue 18 point 1).

``basemap_cache`` holds bytes a server would otherwise make from the bundled boundaries and
towns at every start: a planning area's basemap view (its box and the countries whose regions
it shows) and each layer's GeoJSON (and the towns) for a box. Keys are the sha256 of what the
bytes depend on (``services.basemap``: the bundled files' fingerprint, the format, the box,
the countries, or the market's key), so no row ever goes stale; a row is a few kB to 100 kB.

Chained after 0007_dataset_totals.

Revision ID: 0008_basemap_cache
Revises: 0007_dataset_totals
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_basemap_cache"
down_revision = "0007_dataset_totals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``basemap_cache``."""
    op.create_table(
        "basemap_cache",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop ``basemap_cache``."""
    op.drop_table("basemap_cache")
