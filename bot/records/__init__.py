"""What Liaison remembers: channel bindings, engagement roles, questions and answers, feedback, Slack events seen.

This module holds the channel bindings and the Slack events claimed; the tables and shared helpers
are in `bot.records.tables`, roles in `bot.records.roles`, questions and feedback in
`bot.records.questions`, the issue and mediation tables in `bot.records.cases`, the digest tables in
`bot.records.digests`. Import each name from the module that defines it.

The functions take the caller's session by keyword and never commit:
`with bot.db.session(engine) as s: records.bind_channel(session=s, ...)`.
Inserts that may race with another process (a Slack retry handled by another replica, a double click) are
`INSERT ... ON CONFLICT (key) DO NOTHING` on their idempotency key (`bot.records.tables.insert_once`).
Datetimes are timezone-aware UTC, in and out.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col

from bot.records.tables import SIDES, ChannelBinding, ProcessedEvent, check_choice, insert_once, table_of, utcnow

# Channel bindings


def bind_channel(
    *, session: Session, channel_id: str, team_id: str, engagement: str, side: str, user_id: str
) -> ChannelBinding:
    """Bind a channel to an engagement and side, or rebind it (the latest binding wins)."""
    values = {
        "channel_id": channel_id,
        "team_id": team_id,
        "engagement": engagement,
        "side": check_choice(side, SIDES, "side"),
        "bound_by": user_id,
        "bound_at": utcnow(),
    }
    row = session.get(ChannelBinding, channel_id)
    if row is None and insert_once(session, ChannelBinding, values, key=("channel_id",)):
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


# Slack events


def claim_event(*, session: Session, key: str) -> bool:
    """True the first time any process claims `key`, False for a duplicate (a Slack retry, another replica).

    The claim is part of the caller's transaction: another process claiming the same key waits for it to
    commit (then gets False) or roll back (then gets True).
    """
    if session.get(ProcessedEvent, key) is not None:
        return False
    return insert_once(session, ProcessedEvent, {"key": key, "received_at": utcnow()}, key=("key",))


def forget_events(*, session: Session, before: datetime) -> int:
    """Drop claims older than `before` (Slack retries only for minutes): how many were dropped."""
    result = session.exec(table_of(ProcessedEvent).delete().where(col(ProcessedEvent.received_at) < before))
    return int(result.rowcount or 0)
