"""The deadlines register: dated obligations, their timeline, and each engagement's deadline settings.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=True),
        sa.Column("document", sa.String(), nullable=False),
        sa.Column("visibility", sa.String(), nullable=False),
        sa.Column("section", sa.String(), nullable=True),
        sa.Column("quote", sa.String(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement", "document", "key", name="uq_deadlines_engagement_document_key"),
    )
    op.create_index("ix_deadlines_engagement", "deadlines", ["engagement"])
    op.create_index("ix_deadlines_date", "deadlines", ["date"])
    op.create_table(
        "deadline_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deadline_events_engagement", "deadline_events", ["engagement"])
    op.create_index("ix_deadline_events_deadline_id", "deadline_events", ["deadline_id"])
    op.create_table(
        "deadline_settings",
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("subdivision", sa.String(), nullable=True),
        sa.Column("lead_days", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("engagement"),
    )


def downgrade() -> None:
    op.drop_table("deadline_settings")
    op.drop_table("deadline_events")
    op.drop_table("deadlines")
