"""The SLA register: service levels (a row a version), their timeline, measurements and credit statements.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sla_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("family", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("metric", sa.String(), nullable=False),
        sa.Column("scope", sa.String(), nullable=True),
        sa.Column("comparison", sa.String(), nullable=False),
        sa.Column("target", sa.String(), nullable=True),
        sa.Column("target_text", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("window", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("credit", sa.JSON(), nullable=True),
        sa.Column("cap_pct", sa.String(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=True),
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
        sa.UniqueConstraint("engagement", "document", "key", name="uq_sla_levels_engagement_document_key"),
    )
    op.create_index("ix_sla_levels_engagement", "sla_levels", ["engagement"])
    op.create_index("ix_sla_levels_engagement_family", "sla_levels", ["engagement", "family"])
    op.create_table(
        "sla_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=True),
        sa.Column("measurement_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sla_events_engagement", "sla_events", ["engagement"])
    op.create_index("ix_sla_events_level_id", "sla_events", ["level_id"])
    op.create_index("ix_sla_events_measurement_id", "sla_events", ["measurement_id"])
    op.create_table(
        "sla_measurements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("family", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reported_by", sa.String(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("via", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement", "family", "period", name="uq_sla_measurements_engagement_family_period"),
    )
    op.create_index("ix_sla_measurements_engagement", "sla_measurements", ["engagement"])
    op.create_table(
        "sla_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.String(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("fees", sa.String(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("visibility", sa.String(), nullable=False),
        sa.Column("claim_deadline", sa.Date(), nullable=True),
        sa.Column("computed_by", sa.String(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement", "period", name="uq_sla_statements_engagement_period"),
    )
    op.create_index("ix_sla_statements_engagement", "sla_statements", ["engagement"])


def downgrade() -> None:
    op.drop_table("sla_statements")
    op.drop_table("sla_measurements")
    op.drop_table("sla_events")
    op.drop_table("sla_levels")
