"""The deadlines register's records: dated obligations drafted from the contracts, their timeline, and each
engagement's deadline settings (its holiday calendar and its own lead time).

An obligation keeps the rule as written, the verbatim clause at [start, end) of its document's extracted text,
the structured terms the draft read (`details["terms"]`) and the date computed from them (null while an anchor
is unknown). Data functions take the caller's session and never commit.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import AutoString, Field, Session, SQLModel, col, select

from bot.records.tables import utcnow

DeadlineStatus = Literal["draft", "approved", "done", "waived"]
DeadlineEventKind = Literal["extracted", "updated", "approved", "done", "waived", "edited", "settings", "snoozed"]
DEADLINE_STATUSES: tuple[DeadlineStatus, ...] = get_args(DeadlineStatus)


class DeadlineRecord(SQLModel, table=True):
    """One dated obligation of an engagement, drafted from a clause (or a credit statement) and reviewed."""

    __tablename__ = "deadlines"
    __table_args__ = (UniqueConstraint("engagement", "document", "key", name="uq_deadlines_engagement_document_key"),)

    id: int | None = Field(default=None, primary_key=True)
    engagement: str = Field(index=True)
    key: str  # what identifies the obligation within its document across re-extractions
    kind: str = Field(sa_type=AutoString)
    rule: str  # the rule as written: "at least one hundred and twenty (120) days before the end of the term"
    date: dt.date | None = Field(default=None, index=True)  # as last computed (or set by hand); null: anchor unknown
    status: DeadlineStatus = Field(default="draft", sa_type=AutoString)
    owner: str | None = None  # Slack user id of who answers for it
    document: str
    visibility: str = "shared"  # the source document's: which sides may see the obligation
    section: str | None = None
    quote: str
    start: int
    end: int
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None


class DeadlineEvent(SQLModel, table=True):
    """Something that happened to an obligation (or to the settings): who, when, and the values before/after."""

    __tablename__ = "deadline_events"

    id: int | None = Field(default=None, primary_key=True)
    engagement: str = Field(index=True)
    deadline_id: int | None = Field(default=None, index=True)  # None: the engagement's deadline settings
    kind: DeadlineEventKind = Field(sa_type=AutoString)
    actor: str
    text: str = ""
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow)


class DeadlineSettings(SQLModel, table=True):
    """An engagement's deadline settings: whose public holidays business days skip, and its own lead time."""

    __tablename__ = "deadline_settings"

    engagement: str = Field(primary_key=True)
    country: str | None = None  # ISO 3166 code for the `holidays` package ("IT"); None: weekends only
    subdivision: str | None = None  # "CA", "MI"...
    lead_days: int | None = None  # "decide 60 days before the notice date": a second reminder date
    updated_by: str
    updated_at: datetime = Field(default_factory=utcnow)


def deadlines_of(session: Session, *, engagement: str) -> list[DeadlineRecord]:
    """Every obligation of an engagement, oldest first."""
    query = select(DeadlineRecord).where(DeadlineRecord.engagement == engagement).order_by(col(DeadlineRecord.id))
    return list(session.exec(query))


def deadline_by_id(session: Session, deadline_id: int, *, lock: bool = False) -> DeadlineRecord | None:
    query = select(DeadlineRecord).where(DeadlineRecord.id == deadline_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.exec(query).first()


def add_event(
    session: Session,
    *,
    engagement: str,
    kind: DeadlineEventKind,
    actor: str,
    deadline_id: int | None = None,
    text: str = "",
    data: dict[str, Any] | None = None,
) -> DeadlineEvent:
    event = DeadlineEvent(
        engagement=engagement, deadline_id=deadline_id, kind=kind, actor=actor, text=text, data=dict(data or {})
    )
    session.add(event)
    session.flush()
    return event


def events_of(session: Session, *, engagement: str, deadline_id: int | None) -> list[DeadlineEvent]:
    """An obligation's timeline (or, with None, the settings' changes), oldest first."""
    query = select(DeadlineEvent).where(DeadlineEvent.engagement == engagement)
    if deadline_id is None:
        query = query.where(col(DeadlineEvent.deadline_id).is_(None))
    else:
        query = query.where(DeadlineEvent.deadline_id == deadline_id)
    return list(session.exec(query.order_by(col(DeadlineEvent.at), col(DeadlineEvent.id))))


def settings_of(session: Session, *, engagement: str) -> DeadlineSettings | None:
    return session.get(DeadlineSettings, engagement)


def put_settings(
    session: Session,
    *,
    engagement: str,
    actor: str,
    country: str | None,
    subdivision: str | None,
    lead_days: int | None,
) -> DeadlineSettings:
    """Write the engagement's settings (created on first use); the caller records the event."""
    row = session.get(DeadlineSettings, engagement, with_for_update=True)
    if row is None:
        row = DeadlineSettings(engagement=engagement, updated_by=actor)
    row.country, row.subdivision, row.lead_days = country, subdivision, lead_days
    row.updated_by, row.updated_at = actor, utcnow()
    session.add(row)
    session.flush()
    return row
