"""The issue log and mediations: issues, mediations, their timeline entries, the sides' positions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("office", sa.String(), nullable=True),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("risk", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("raised_by_side", sa.String(), nullable=True),
        sa.Column("clause_refs", sa.JSON(), nullable=False),
        sa.Column("owner", sa.String(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=True),
        sa.Column("permalink", sa.String(), nullable=True),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key", name="uq_issues_source_key"),
        sa.CheckConstraint("severity BETWEEN 1 AND 4", name="ck_issues_severity"),
    )
    op.create_index("ix_issues_engagement", "issues", ["engagement"])

    op.create_table(
        "mediations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("thread_ts", sa.String(), nullable=True),
        sa.Column("header_ts", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("opened_by", sa.String(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome_text", sa.String(), nullable=True),
        sa.Column("escalated_to", sa.String(), nullable=True),
        sa.Column("related_issue_ids", sa.JSON(), nullable=False),
        sa.Column("clause_refs", sa.JSON(), nullable=False),
        sa.Column("client_agreed_by", sa.String(), nullable=True),
        sa.Column("vendor_agreed_by", sa.String(), nullable=True),
        sa.Column("source_key", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key", name="uq_mediations_source_key"),
    )
    op.create_index("ix_mediations_engagement", "mediations", ["engagement"])
    op.create_index("ix_mediations_last_activity_at", "mediations", ["last_activity_at"])
    op.create_index("ix_mediations_channel_thread", "mediations", ["channel_id", "thread_ts"])

    op.create_table(
        "timeline_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=True),
        sa.Column("mediation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_key", sa.String(), nullable=True),
        sa.Column("original_ts", sa.String(), nullable=True),
        sa.Column("original_author", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name="fk_timeline_entries_issue_id_issues", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["mediation_id"], ["mediations.id"], name="fk_timeline_entries_mediation_id_mediations", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("source_key", name="uq_timeline_entries_source_key"),
        sa.CheckConstraint("issue_id IS NOT NULL OR mediation_id IS NOT NULL", name="ck_timeline_entries_subject"),
    )
    op.create_index("ix_timeline_entries_issue_id", "timeline_entries", ["issue_id"])
    op.create_index("ix_timeline_entries_mediation_id", "timeline_entries", ["mediation_id"])

    op.create_table(
        "positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mediation_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("evidence", sa.String(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(
            ["mediation_id"], ["mediations.id"], name="fk_positions_mediation_id_mediations", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("mediation_id", "side", name="uq_positions_mediation_id_side"),
    )


def downgrade() -> None:
    op.drop_table("positions")
    op.drop_table("timeline_entries")
    op.drop_table("mediations")
    op.drop_table("issues")
