"""The weekly digest: per-engagement schedules, and one claimed-then-posted row per engagement, channel and week.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_schedules",
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("day", sa.String(), nullable=False),
        sa.Column("time", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=True),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("engagement"),
    )
    op.create_table(
        "digest_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("claim_token", sa.String(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ts", sa.String(), nullable=True),
        sa.Column("chart_file_id", sa.String(), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "engagement", "channel_id", "week_start", name="uq_digest_posts_engagement_channel_id_week_start"
        ),
    )


def downgrade() -> None:
    op.drop_table("digest_posts")
    op.drop_table("digest_schedules")
