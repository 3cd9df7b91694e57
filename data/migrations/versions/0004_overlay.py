"""The overlay layer of a scenario (issue 15 section 3): one row of owners per scenario.

Overlay reps (inside sales) own cells in a second layer over the accounts their rule selects.
The scenario's own ``owner`` column stays the field layer; this table holds the overlay layer's
owners and locks with a version of its own, one row per scenario (the primary key), so an
account has exactly one owner per layer. Deleting the scenario deletes its overlay.

Chained after 0003_actuals (the actuals tables of issue 15 section 1).

Revision ID: 0004
Revises: 0003_actuals
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003_actuals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``overlay_plans``."""
    op.create_table(
        "overlay_plans",
        sa.Column(
            "scenario_id",
            sa.Integer,
            sa.ForeignKey("scenarios.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("n_cells", sa.Integer, nullable=False),
        sa.Column("owner", sa.LargeBinary, nullable=False),
        sa.Column("locked", sa.LargeBinary, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop ``overlay_plans``."""
    op.drop_table("overlay_plans")
