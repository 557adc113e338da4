"""The languages Liaison speaks where no one asked in one: each engagement's, and a channel's own over it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "engagement_languages",
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("engagement"),
    )
    op.create_table(
        "channel_languages",
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel_id"),
    )
    op.create_index("ix_channel_languages_engagement", "channel_languages", ["engagement"])


def downgrade() -> None:
    op.drop_table("channel_languages")
    op.drop_table("engagement_languages")
