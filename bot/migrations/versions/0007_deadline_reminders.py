"""The deadline reminders: each reminder claimed once per channel, and the snoozes set on obligations.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deadline_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "channel_id", name="uq_deadline_reminders_key_channel"),
    )
    op.create_index("ix_deadline_reminders_engagement", "deadline_reminders", ["engagement"])
    op.create_index("ix_deadline_reminders_deadline_id", "deadline_reminders", ["deadline_id"])
    op.create_table(
        "deadline_snoozes",
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("snoozed_by", sa.String(), nullable=False),
        sa.Column("snoozed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("deadline_id"),
    )
    op.create_index("ix_deadline_snoozes_engagement", "deadline_snoozes", ["engagement"])


def downgrade() -> None:
    op.drop_table("deadline_snoozes")
    op.drop_table("deadline_reminders")
