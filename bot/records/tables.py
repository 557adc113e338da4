"""Liaison's tables and what every data module shares: `utcnow`, `EPOCH`, `check_choice` and the idempotent
`insert_once` (`INSERT ... ON CONFLICT (key) DO NOTHING`).

The tables are SQLModel models (migrated by `bot/migrations`); importing this module puts them on
`SQLModel.metadata` (the case tables are in `bot.records.cases`, the digest tables in `bot.records.digests`).
The data functions are in `bot.records` (channel bindings, Slack events), `bot.records.roles` and
`bot.records.questions`. Datetimes are timezone-aware UTC, in and out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, TypeVar, get_args
from uuid import uuid4

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKeyConstraint, Index, Integer, Table, UniqueConstraint
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import AutoString, Field, Session, SQLModel

Side = Literal["client", "vendor", "shared"]  # a channel's side; "shared" sees only what both sides may
Role = Literal["admin", "mediator", "client-owner", "vendor-owner", "owner"]
Vote = Literal[-1, 1]
SIDES: tuple[Side, ...] = get_args(Side)
ROLES: tuple[Role, ...] = get_args(Role)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# A `datetime` field is stored by SQLModel as DateTime(timezone=True) through its UTCDateTime type: naive values
# are refused, and values come back aware in UTC from SQLite as well as PostgreSQL.


class ChannelBinding(SQLModel, table=True):
    """A Slack channel answers for one engagement, from one side."""

    __tablename__ = "channel_bindings"

    channel_id: str = Field(primary_key=True)
    team_id: str
    engagement: str = Field(index=True)
    side: Side = Field(sa_type=AutoString)
    bound_by: str
    bound_at: datetime = Field(default_factory=utcnow)


class EngagementRole(SQLModel, table=True):
    """A person's role in an engagement (granted from the CLI or by an engagement admin)."""

    __tablename__ = "engagement_roles"
    __table_args__ = (
        UniqueConstraint("engagement", "user_id", "role", name="uq_engagement_roles_engagement_user_id_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement: str = Field(index=True)
    user_id: str = Field(index=True)
    role: Role = Field(sa_type=AutoString)
    granted_by: str
    granted_at: datetime = Field(default_factory=utcnow)


class QuestionRecord(SQLModel, table=True):
    """A question asked in Slack and the answer Liaison gave, once per Slack delivery (`source_key`)."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("source_key", name="uq_questions_source_key"),
        Index("ix_questions_channel_thread", "channel_id", "thread_ts"),
    )

    id: str = Field(default_factory=lambda: uuid4().hex, primary_key=True)
    source_key: str  # e.g. "event:<event_id>" or "cmd:<trigger_id>"
    engagement: str = Field(index=True)
    side: Side = Field(sa_type=AutoString)
    channel_id: str
    user_id: str
    thread_ts: str | None = None
    question: str
    answer: str
    found: bool
    mode: str
    citations: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    asked_at: datetime = Field(default_factory=utcnow, index=True)
    answered_ts: str | None = None  # the Slack ts of the posted answer


class Feedback(SQLModel, table=True):
    """One person's thumbs up (+1) or down (-1) on an answer; a second click changes it."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("question_id", "user_id", name="uq_feedback_question_id_user_id"),
        CheckConstraint("value IN (-1, 1)", name="ck_feedback_value"),
        ForeignKeyConstraint(
            ["question_id"], ["questions.id"], ondelete="CASCADE", name="fk_feedback_question_id_questions"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: str  # -> questions.id, ON DELETE CASCADE
    user_id: str
    value: Vote = Field(sa_type=Integer)
    given_at: datetime = Field(default_factory=utcnow)


class ProcessedEvent(SQLModel, table=True):
    """A Slack event or action already claimed by some replica: retries of it are dropped."""

    __tablename__ = "processed_events"

    key: str = Field(primary_key=True)
    received_at: datetime = Field(default_factory=utcnow, index=True)


def table_of(model: type[SQLModel]) -> Table:
    """The SQLAlchemy table of a SQLModel table model."""
    return model.__table__  # type: ignore[attr-defined]  # set by SQLModel's metaclass, not declared on the class


def insert_once(session: Session, model: type[SQLModel], values: dict[str, Any], *, key: tuple[str, ...]) -> bool:
    """INSERT a row unless one with the same idempotency `key` (a unique key's columns) is there already, here or
    in another process: True if inserted, False if it was there.

    `INSERT ... ON CONFLICT (key) DO NOTHING` (SQLite's and PostgreSQL's dialects): only a conflict on `key` means
    "there already"; any other integrity error (another unique key, a foreign key, a check) raises.
    """
    table = table_of(model)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    returned = next(iter(table.primary_key.columns))
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=list(key)).returning(returned)
    return session.exec(statement).first() is not None  # RETURNING: a row only if it was inserted


Choice = TypeVar("Choice")


def check_choice(value: object, allowed: tuple[Choice, ...], what: str) -> Choice:
    """`value` if it is one of `allowed` (a bool is never a number here), else ValueError naming `what`."""
    if isinstance(value, bool) or value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(map(str, allowed))}, not {value!r}")
    return next(choice for choice in allowed if choice == value)
