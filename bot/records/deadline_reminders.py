"""The deadline reminders' ledger: each reminder claimed once per channel before it is posted (released if Slack
refuses it), and the snoozes people set on an obligation's reminders.

`bot.deadlines.reminders` decides what is due; these data functions take the caller's session and never commit.
A claim's key names the obligation, the reminder and the date it is about (`deadline:<id>:<offset>:<date>`), so
a date moved by an edit is reminded again; `insert_once` makes two schedulers claiming at once get one row.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from bot.records.deadlines import DeadlineRecord
from bot.records.tables import insert_once, utcnow


class DeadlineReminderClaim(SQLModel, table=True):
    """One reminder of one obligation in one channel, claimed (posted, or being posted)."""

    __tablename__ = "deadline_reminders"
    __table_args__ = (UniqueConstraint("key", "channel_id", name="uq_deadline_reminders_key_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    engagement: str = Field(index=True)
    deadline_id: int = Field(index=True)
    key: str  # "deadline:<id>:<offset>:<date>", or lead-<days> / snooze-<until> in place of the offset
    channel_id: str
    claimed_at: datetime = Field(default_factory=utcnow)


class DeadlineSnooze(SQLModel, table=True):
    """An obligation's reminders held back until `until` (for the date they were about), then sent once again."""

    __tablename__ = "deadline_snoozes"

    deadline_id: int = Field(primary_key=True)
    engagement: str = Field(index=True)
    date: dt.date  # the obligation's date when it was snoozed: a moved date is reminded afresh
    until: dt.date
    snoozed_by: str
    snoozed_at: datetime = Field(default_factory=utcnow)


def claim_reminder(session: Session, *, engagement: str, deadline_id: int, key: str, channel_id: str) -> bool:
    """Claim a reminder for a channel, whichever process asks first: True for the one that did."""
    values = {
        "engagement": engagement,
        "deadline_id": deadline_id,
        "key": key,
        "channel_id": channel_id,
        "claimed_at": utcnow(),
    }
    return insert_once(session, DeadlineReminderClaim, values, key=("key", "channel_id"))


def release_reminder(session: Session, *, key: str, channel_id: str) -> bool:
    """Give a claimed reminder back (its post failed), so that a later run sends it: True if released."""
    query = select(DeadlineReminderClaim).where(
        DeadlineReminderClaim.key == key, DeadlineReminderClaim.channel_id == channel_id
    )
    row = session.exec(query).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def claims_of(session: Session, *, deadline_id: int) -> list[DeadlineReminderClaim]:
    """The reminders claimed for an obligation, oldest first."""
    query = select(DeadlineReminderClaim).where(DeadlineReminderClaim.deadline_id == deadline_id)
    return sorted(session.exec(query), key=lambda c: (c.claimed_at, c.id or 0))


def snooze_of(session: Session, *, deadline_id: int) -> DeadlineSnooze | None:
    return session.get(DeadlineSnooze, deadline_id)


def put_snooze(
    session: Session, *, engagement: str, deadline_id: int, date: dt.date, until: dt.date, actor: str
) -> DeadlineSnooze:
    """Hold an obligation's reminders back until `until` (a later snooze replaces an earlier one)."""
    row = session.get(DeadlineSnooze, deadline_id, with_for_update=True)
    if row is None:
        row = DeadlineSnooze(deadline_id=deadline_id, engagement=engagement, date=date, until=until, snoozed_by=actor)
    row.date, row.until, row.snoozed_by, row.snoozed_at = date, until, actor, utcnow()
    session.add(row)
    session.flush()
    return row


def reminded_engagements(session: Session) -> list[str]:
    """The engagements with at least one approved obligation (the only ones reminded), by name."""
    query = select(DeadlineRecord.engagement).where(DeadlineRecord.status == "approved").distinct()
    return sorted(set(session.exec(query)))
