"""What Liaison remembers: channel bindings, engagement roles, questions and answers, feedback, Slack events seen.

The tables are SQLModel models (migrated by `bot/migrations`); the functions take the caller's session by
keyword and never commit: `with bot.db.session(engine) as s: records.bind_channel(session=s, ...)`.
Inserts that may race with another process (a Slack retry handled by another replica, a double click) are
tried inside a SAVEPOINT, so a duplicate costs an IntegrityError there and the caller's session goes on.
Datetimes are timezone-aware UTC, in and out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKeyConstraint, Index, Table, UniqueConstraint, case, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

SIDES = ("client", "vendor", "shared")
ROLES = ("admin", "mediator", "client-owner", "vendor-owner", "owner")
OWNER_ROLES = ("owner", "client-owner", "vendor-owner", "admin")
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
    side: str  # one of SIDES
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
    role: str  # one of ROLES
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
    side: str
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
    value: int
    given_at: datetime = Field(default_factory=utcnow)


class ProcessedEvent(SQLModel, table=True):
    """A Slack event or action already claimed by some replica: retries of it are dropped."""

    __tablename__ = "processed_events"

    key: str = Field(primary_key=True)
    received_at: datetime = Field(default_factory=utcnow, index=True)


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def _insert_once(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """INSERT a row unless a unique key already has it (here or in another process): True if inserted.

    Inside a SAVEPOINT, so a conflict rolls back only this insert and leaves the caller's transaction usable.
    """
    try:
        with session.begin_nested():
            session.exec(_table(model).insert().values(**values))
    except IntegrityError:
        return False
    return True


def _check(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    return value


# Channel bindings


def bind_channel(
    *, session: Session, channel_id: str, team_id: str, engagement: str, side: str, user_id: str
) -> ChannelBinding:
    """Bind a channel to an engagement and side, or rebind it (the latest binding wins)."""
    values = {
        "channel_id": channel_id,
        "team_id": team_id,
        "engagement": engagement,
        "side": _check(side, SIDES, "side"),
        "bound_by": user_id,
        "bound_at": utcnow(),
    }
    row = session.get(ChannelBinding, channel_id)
    if row is None and _insert_once(session, ChannelBinding, values):
        return session.get_one(ChannelBinding, channel_id)
    row = row or session.get_one(ChannelBinding, channel_id)
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return row


def binding_for(*, session: Session, channel_id: str) -> ChannelBinding | None:
    return session.get(ChannelBinding, channel_id)


def unbind_channel(*, session: Session, channel_id: str) -> bool:
    """Forget a channel's binding: True if there was one."""
    row = session.get(ChannelBinding, channel_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


# Roles


def _role(session: Session, engagement: str, user_id: str, role: str) -> EngagementRole | None:
    query = select(EngagementRole).where(
        EngagementRole.engagement == engagement, EngagementRole.user_id == user_id, EngagementRole.role == role
    )
    return session.exec(query).first()


def grant_role(*, session: Session, engagement: str, user_id: str, role: str, granted_by: str) -> EngagementRole:
    """Give someone a role in an engagement; granting it again returns the existing grant."""
    _check(role, ROLES, "role")
    existing = _role(session, engagement, user_id, role)
    if existing is not None:
        return existing
    values = {"engagement": engagement, "user_id": user_id, "role": role, "granted_by": granted_by}
    _insert_once(session, EngagementRole, {**values, "granted_at": utcnow()})
    granted = _role(session, engagement, user_id, role)
    assert granted is not None
    return granted


def revoke_role(*, session: Session, engagement: str, user_id: str, role: str) -> bool:
    """Take a role away: True if the person had it."""
    row = _role(session, engagement, user_id, role)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def has_role(*, session: Session, engagement: str, user_id: str, roles: Iterable[str]) -> bool:
    """Whether the person has any of `roles` in the engagement."""
    wanted = [roles] if isinstance(roles, str) else list(roles)
    if not wanted:
        return False
    query = select(EngagementRole.id).where(
        EngagementRole.engagement == engagement, EngagementRole.user_id == user_id, col(EngagementRole.role).in_(wanted)
    )
    return session.exec(query.limit(1)).first() is not None


def roles_of(*, session: Session, user_id: str) -> list[EngagementRole]:
    """Every role a person holds, by engagement."""
    query = (
        select(EngagementRole)
        .where(EngagementRole.user_id == user_id)
        .order_by(col(EngagementRole.engagement), col(EngagementRole.role))
    )
    return list(session.exec(query).all())


def owners_of(*, session: Session, engagement: str, side: str | None = None) -> list[str]:
    """User ids of the engagement's owners and admins (who hear about escalations and digests), sorted.

    With a side, only the owners that side's channel may ping: a client channel never pings the vendor's.
    """
    roles = OWNER_ROLES
    if side == "client":
        roles = tuple(r for r in OWNER_ROLES if r != "vendor-owner")
    elif side == "vendor":
        roles = tuple(r for r in OWNER_ROLES if r != "client-owner")
    query = (
        select(EngagementRole.user_id)
        .where(EngagementRole.engagement == engagement, col(EngagementRole.role).in_(roles))
        .distinct()
        .order_by(col(EngagementRole.user_id))
    )
    return list(session.exec(query).all())


# Slack events


def claim_event(*, session: Session, key: str) -> bool:
    """True the first time any process claims `key`, False for a duplicate (a Slack retry, another replica).

    The claim is part of the caller's transaction: another process claiming the same key waits for it to
    commit (then gets False) or roll back (then gets True).
    """
    if session.get(ProcessedEvent, key) is not None:
        return False
    return _insert_once(session, ProcessedEvent, {"key": key, "received_at": utcnow()})


def forget_events(*, session: Session, before: datetime) -> int:
    """Drop claims older than `before` (Slack retries only for minutes): how many were dropped."""
    result = session.exec(_table(ProcessedEvent).delete().where(col(ProcessedEvent.received_at) < before))
    return int(result.rowcount or 0)


# Questions and answers


def _by_source_key(session: Session, source_key: str) -> QuestionRecord | None:
    return session.exec(select(QuestionRecord).where(QuestionRecord.source_key == source_key)).first()


def record_question(
    *,
    session: Session,
    source_key: str,
    engagement: str,
    side: str,
    channel_id: str,
    user_id: str,
    thread_ts: str | None,
    question: str,
    answer_dict: dict[str, Any],
    found: bool,
    mode: str,
) -> QuestionRecord:
    """Record a question and its answer (`Answer.as_dict()`) once per `source_key`.

    Recording the same key again, here or in another process at the same moment, returns the first record.
    """
    existing = _by_source_key(session, source_key)
    if existing is not None:
        return existing
    values = {
        "id": uuid4().hex,
        "source_key": source_key,
        "engagement": engagement,
        "side": _check(side, SIDES, "side"),
        "channel_id": channel_id,
        "user_id": user_id,
        "thread_ts": thread_ts,
        "question": question,
        "answer": str(answer_dict.get("answer", "")),
        "found": bool(found),
        "mode": mode,
        "citations": list(answer_dict.get("citations") or []),
        "asked_at": utcnow(),
    }
    _insert_once(session, QuestionRecord, values)
    row = _by_source_key(session, source_key)
    assert row is not None
    return row


def get_question(*, session: Session, question_id: str) -> QuestionRecord | None:
    return session.get(QuestionRecord, question_id)


def set_answer_ts(*, session: Session, question_id: str, ts: str) -> QuestionRecord:
    """Remember where the answer was posted (its Slack message ts)."""
    row = session.get(QuestionRecord, question_id)
    if row is None:
        raise LookupError(f"no question {question_id!r}")
    row.answered_ts = ts
    session.add(row)
    session.flush()
    return row


def first_question_in_thread(*, session: Session, channel_id: str, thread_ts: str) -> QuestionRecord | None:
    """The earliest question recorded in a Slack thread, or None if Liaison has none there."""
    query = (
        select(QuestionRecord)
        .where(QuestionRecord.channel_id == channel_id, QuestionRecord.thread_ts == thread_ts)
        .order_by(col(QuestionRecord.asked_at), col(QuestionRecord.id))
    )
    return session.exec(query.limit(1)).first()


def questions_since(*, session: Session, engagement: str, since: datetime) -> list[QuestionRecord]:
    """The engagement's questions asked at or after `since` (aware), oldest first."""
    query = (
        select(QuestionRecord)
        .where(QuestionRecord.engagement == engagement, col(QuestionRecord.asked_at) >= since)
        .order_by(col(QuestionRecord.asked_at), col(QuestionRecord.id))
    )
    return list(session.exec(query).all())


def unanswered_questions(*, session: Session, engagement: str, since: datetime) -> list[QuestionRecord]:
    """The engagement's questions since `since` (aware) that the contracts did not answer, oldest first."""
    query = (
        select(QuestionRecord)
        .where(
            QuestionRecord.engagement == engagement,
            col(QuestionRecord.asked_at) >= since,
            col(QuestionRecord.found).is_(False),
        )
        .order_by(col(QuestionRecord.asked_at), col(QuestionRecord.id))
    )
    return list(session.exec(query).all())


# Feedback


def _vote(session: Session, question_id: str, user_id: str) -> Feedback | None:
    query = select(Feedback).where(Feedback.question_id == question_id, Feedback.user_id == user_id)
    return session.exec(query).first()


def record_feedback(*, session: Session, question_id: str, user_id: str, value: int) -> Feedback:
    """A person's vote on an answer (+1 or -1); voting again replaces their vote. LookupError for no such question."""
    if value not in (1, -1) or isinstance(value, bool):
        raise ValueError(f"feedback must be +1 or -1, not {value!r}")
    if session.get(QuestionRecord, question_id) is None:
        raise LookupError(f"no question {question_id!r}")
    now = utcnow()
    row = _vote(session, question_id, user_id)
    if row is None:
        values = {"question_id": question_id, "user_id": user_id, "value": value, "given_at": now}
        if _insert_once(session, Feedback, values):
            row = _vote(session, question_id, user_id)
            assert row is not None
            return row
        row = _vote(session, question_id, user_id)  # someone's concurrent click won: this one replaces it
        assert row is not None
    row.value, row.given_at = value, now
    session.add(row)
    session.flush()
    return row


def feedback_balance(*, session: Session, engagement: str, since: datetime) -> tuple[int, int]:
    """(ups, downs) among the votes given since `since` (aware) on the engagement's answers."""
    query = (
        select(
            func.coalesce(func.sum(case((col(Feedback.value) > 0, 1), else_=0)), 0),
            func.coalesce(func.sum(case((col(Feedback.value) < 0, 1), else_=0)), 0),
        )
        .select_from(Feedback)
        .join(QuestionRecord, col(QuestionRecord.id) == col(Feedback.question_id))
        .where(QuestionRecord.engagement == engagement, col(Feedback.given_at) >= since)
    )
    ups, downs = session.exec(query).one()
    return int(ups), int(downs)
