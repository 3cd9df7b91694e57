"""The overlay layer's move log (issue 15 section 3): undo and redo on the overlay.

The field layer's log is ``moves``; the overlay layer (``overlay_plans``, revision 0004) keeps
its own, so undo on one layer never reverts the other. One row per saved overlay change
(move, lock, unlock, bulk) or per undo/redo of one, with only the cells that changed and their
owners and locks on both sides, ``undone`` marking the redo stack, as ``moves`` does. Rows go
with their scenario.

Chained after 0004 (0004_overlay.py).

Revision ID: 0005_overlay_moves
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_overlay_moves"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``overlay_moves``; every existing row of every table stays as it is."""
    op.create_table(
        "overlay_moves",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "scenario_id",
            sa.Integer,
            sa.ForeignKey("scenarios.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
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


def downgrade() -> None:
    """Drop ``overlay_moves`` (the overlay plans themselves stay, in ``overlay_plans``)."""
    op.drop_table("overlay_moves")
