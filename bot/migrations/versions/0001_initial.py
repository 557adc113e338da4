"""Initial tables: channel bindings, engagement roles, questions, feedback, processed Slack events.

Revision ID: 0001
Revises:
Create Date: 2026-05-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_bindings",
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("bound_by", sa.String(), nullable=False),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel_id"),
    )
    op.create_index("ix_channel_bindings_engagement", "channel_bindings", ["engagement"])

    op.create_table(
        "engagement_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("granted_by", sa.String(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement", "user_id", "role", name="uq_engagement_roles_engagement_user_id_role"),
    )
    op.create_index("ix_engagement_roles_engagement", "engagement_roles", ["engagement"])
    op.create_index("ix_engagement_roles_user_id", "engagement_roles", ["user_id"])

    op.create_table(
        "questions",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("thread_ts", sa.String(), nullable=True),
        sa.Column("question", sa.String(), nullable=False),
        sa.Column("answer", sa.String(), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_ts", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key", name="uq_questions_source_key"),
    )
    op.create_index("ix_questions_engagement", "questions", ["engagement"])
    op.create_index("ix_questions_asked_at", "questions", ["asked_at"])
    op.create_index("ix_questions_channel_thread", "questions", ["channel_id", "thread_ts"])

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name="fk_feedback_question_id_questions", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("question_id", "user_id", name="uq_feedback_question_id_user_id"),
        sa.CheckConstraint("value IN (-1, 1)", name="ck_feedback_value"),
    )

    op.create_table(
        "processed_events",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_processed_events_received_at", "processed_events", ["received_at"])


def downgrade() -> None:
    op.drop_table("processed_events")
    op.drop_table("feedback")
    op.drop_table("questions")
    op.drop_table("engagement_roles")
    op.drop_table("channel_bindings")
