"""The weekly digest's records: each engagement's schedule, each post's claim, and the queries digests read.

Same conventions as `bot.records`: SQLModel tables (migrated by `bot/migrations`, revision 0003), functions that
take the caller's session by keyword and never commit, aware UTC datetimes.

A digest is posted once per (engagement, channel, week) however many replicas run: `claim_post` inserts the
row under that unique key before anything is posted, and the caller commits the claim first. A claim never
marked posted after `stale_after` (the process died mid-post) may be taken over; the taker is told so, and
must first look for the message in the channel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import uuid4

from sqlalchemy import UniqueConstraint, func, or_
from sqlmodel import AutoString, Field, Session, SQLModel, col, select

from bot.records.cases import OPEN_MEDIATION_STATUSES, IssueRecord, MediationRecord
from bot.records.questions import feedback_balance
from bot.records.tables import ChannelBinding, QuestionRecord, Side, insert_once, utcnow

ALL_ENGAGEMENTS = "*"  # the engagement key of the managers' cross-engagement digest (not a valid engagement name)


class DigestSchedule(SQLModel, table=True):
    """When an engagement's weekly digest goes out, when it differs from the settings."""

    __tablename__ = "digest_schedules"

    engagement: str = Field(primary_key=True)
    day: str  # mon..sun
    time: str  # HH:MM, 24-hour
    timezone: str | None = None  # IANA name; None: the settings' time zone
    updated_by: str
    updated_at: datetime = Field(default_factory=utcnow)


class DigestPost(SQLModel, table=True):
    """One digest for one channel and week: claimed before posting, then its message ts once posted."""

    __tablename__ = "digest_posts"
    __table_args__ = (
        UniqueConstraint(
            "engagement", "channel_id", "week_start", name="uq_digest_posts_engagement_channel_id_week_start"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement: str  # or ALL_ENGAGEMENTS for the managers' digest
    channel_id: str
    week_start: date  # the Monday of the week the digest is sent in (engagement's time zone)
    side: Side = Field(sa_type=AutoString)  # the channel's side when claimed
    claim_token: str  # which attempt holds the claim
    claimed_at: datetime
    posted_at: datetime | None = None
    ts: str | None = None  # the Slack ts of the digest message
    chart_file_id: str | None = None
    last_error: str | None = None  # why the last attempt failed, when Slack refused it (nothing was posted)


@dataclass(frozen=True)
class Claim:
    """The right to post one digest; `retaken` if an earlier attempt claimed it and never finished."""

    post_id: int
    token: str
    retaken: bool
    previous_claimed_at: datetime | None = None


# Schedules


def get_schedule(*, session: Session, engagement: str) -> DigestSchedule | None:
    return session.get(DigestSchedule, engagement)


def set_schedule(
    *, session: Session, engagement: str, day: str, time: str, timezone: str | None, updated_by: str
) -> DigestSchedule:
    """Set (or change) an engagement's digest day, time and time zone; the caller checks the values."""
    values = {"day": day, "time": time, "timezone": timezone, "updated_by": updated_by, "updated_at": utcnow()}
    row = session.get(DigestSchedule, engagement)
    if row is None and insert_once(session, DigestSchedule, {"engagement": engagement, **values}, key=("engagement",)):
        return session.get_one(DigestSchedule, engagement)
    row = row or session.get_one(DigestSchedule, engagement)
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return row


def clear_schedule(*, session: Session, engagement: str) -> bool:
    """Back to the settings' schedule: True if the engagement had its own."""
    row = session.get(DigestSchedule, engagement)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


# Claims


def _post(session: Session, engagement: str, channel_id: str, week_start: date, lock: bool) -> DigestPost | None:
    query = select(DigestPost).where(
        DigestPost.engagement == engagement, DigestPost.channel_id == channel_id, DigestPost.week_start == week_start
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.exec(query).first()


def get_post(*, session: Session, engagement: str, channel_id: str, week_start: date) -> DigestPost | None:
    return _post(session, engagement, channel_id, week_start, lock=False)


def claim_post(
    *,
    session: Session,
    engagement: str,
    channel_id: str,
    week_start: date,
    side: str,
    now: datetime,
    stale_after: timedelta,
    retry_failed: bool = False,
) -> Claim | None:
    """Claim the right to post this digest: None if it is posted, or claimed less than `stale_after` ago
    (unless `retry_failed` and the last attempt was refused by Slack, so nothing is in the channel).

    Commit before posting: a concurrent claimer waits for this transaction, then finds the row.
    """
    token = uuid4().hex
    values = {
        "engagement": engagement,
        "channel_id": channel_id,
        "week_start": week_start,
        "side": side,
        "claim_token": token,
        "claimed_at": now,
    }
    if insert_once(session, DigestPost, values, key=("engagement", "channel_id", "week_start")):
        row = _post(session, engagement, channel_id, week_start, lock=False)
        assert row is not None and row.id is not None
        return Claim(row.id, token, retaken=False)
    row = _post(session, engagement, channel_id, week_start, lock=True)  # waits for a concurrent taker
    assert row is not None and row.id is not None
    if row.posted_at is not None:
        return None
    if row.claimed_at > now - stale_after and not (retry_failed and row.last_error):
        return None
    previous = row.claimed_at
    row.claim_token, row.claimed_at, row.last_error = token, now, None
    session.add(row)
    session.flush()
    return Claim(row.id, token, retaken=True, previous_claimed_at=previous)


def holds_claim(*, session: Session, post_id: int, token: str) -> bool:
    """Whether the claim is still this attempt's and unposted (no other process took it over meanwhile)."""
    row = session.get(DigestPost, post_id, populate_existing=True)
    return row is not None and row.claim_token == token and row.posted_at is None


def mark_posted(*, session: Session, post_id: int, ts: str, now: datetime) -> DigestPost:
    """Record where the digest went (its message ts) and when."""
    row = session.get_one(DigestPost, post_id)
    row.ts, row.posted_at, row.last_error = ts, now, None
    session.add(row)
    session.flush()
    return row


def mark_failed(*, session: Session, post_id: int, error: str) -> None:
    """Slack refused the post (nothing is in the channel): keep the claim, say why."""
    row = session.get_one(DigestPost, post_id)
    row.last_error = error[:500]
    session.add(row)
    session.flush()


def set_chart(*, session: Session, post_id: int, file_id: str) -> None:
    row = session.get_one(DigestPost, post_id)
    row.chart_file_id = file_id
    session.add(row)
    session.flush()


# What digests read


def bindings_by_engagement(*, session: Session, engagement: str | None = None) -> dict[str, list[ChannelBinding]]:
    """Bound channels per engagement (one engagement's if given), by engagement then channel id."""
    query = select(ChannelBinding).order_by(col(ChannelBinding.engagement), col(ChannelBinding.channel_id))
    if engagement is not None:
        query = query.where(ChannelBinding.engagement == engagement)
    out: dict[str, list[ChannelBinding]] = {}
    for row in session.exec(query).all():
        out.setdefault(row.engagement, []).append(row)
    return out


def is_known(*, session: Session, engagement: str) -> bool:
    """Whether Liaison has anything on the engagement: a channel, an issue, a mediation, a question, a schedule."""
    for model in (ChannelBinding, IssueRecord, MediationRecord, QuestionRecord):
        query = select(func.count()).select_from(model).where(model.engagement == engagement)
        if session.exec(query).one():
            return True
    return session.get(DigestSchedule, engagement) is not None


def issues_between(
    *, session: Session, engagements: Iterable[str], start: datetime, end: datetime
) -> list[IssueRecord]:
    """Issues that existed at some moment in [start, end): opened before `end`, not resolved before `start`."""
    query = (
        select(IssueRecord)
        .where(
            col(IssueRecord.engagement).in_(list(engagements)),
            col(IssueRecord.created_at) < end,
            or_(col(IssueRecord.resolved_at).is_(None), col(IssueRecord.resolved_at) >= start),
        )
        .order_by(col(IssueRecord.severity), col(IssueRecord.created_at), col(IssueRecord.id))
    )
    return list(session.exec(query).all())


def mediations_before(*, session: Session, engagement: str, end: datetime) -> list[MediationRecord]:
    """Mediations under way at `end`: opened before it, and not closed or withdrawn (or last changed after it)."""
    query = (
        select(MediationRecord)
        .where(MediationRecord.engagement == engagement, col(MediationRecord.opened_at) < end)
        .order_by(col(MediationRecord.opened_at), col(MediationRecord.id))
    )
    return [m for m in session.exec(query).all() if m.status in OPEN_MEDIATION_STATUSES or m.updated_at >= end]


def questions_between(
    *, session: Session, engagement: str, sides: Iterable[str], start: datetime, end: datetime
) -> list[QuestionRecord]:
    """Questions asked from channels of `sides` in [start, end), oldest first."""
    query = (
        select(QuestionRecord)
        .where(
            QuestionRecord.engagement == engagement,
            col(QuestionRecord.side).in_(list(sides)),
            col(QuestionRecord.asked_at) >= start,
            col(QuestionRecord.asked_at) < end,
        )
        .order_by(col(QuestionRecord.asked_at), col(QuestionRecord.id))
    )
    return list(session.exec(query).all())


def feedback_between(
    *, session: Session, engagement: str, sides: Iterable[str], start: datetime, end: datetime
) -> tuple[int, int]:
    """(ups, downs) given in [start, end) on answers to questions asked from channels of `sides`."""
    return feedback_balance(session=session, engagement=engagement, since=start, until=end, sides=sides)
