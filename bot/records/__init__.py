"""What Liaison remembers: channel bindings, engagement roles, questions and answers, feedback, Slack events seen.

This module holds the channel bindings and the Slack events claimed; the tables and shared helpers
are in `bot.records.tables`, roles in `bot.records.roles`, questions and feedback in
`bot.records.questions`, all re-exported here so that `records.<name>` and `from bot.records import ...`
work for every one of them (and importing this module registers the tables, as Alembic's `env.py`
relies on).

The functions take the caller's session by keyword and never commit:
`with bot.db.session(engine) as s: records.bind_channel(session=s, ...)`.
Inserts that may race with another process (a Slack retry handled by another replica, a double click) are
tried inside a SAVEPOINT, so a duplicate costs an IntegrityError there and the caller's session goes on.
Datetimes are timezone-aware UTC, in and out.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col

# Everything below used to be defined here and is re-exported (`X as X`) so `records.<name>` keeps working.
# The tables and shared helpers live in bot.records.tables, which imports none of the data modules: no import cycle,
# whichever of bot.records, bot.records.roles or bot.records.questions is imported first.
from bot.records.questions import _by_source_key as _by_source_key
from bot.records.questions import _vote as _vote
from bot.records.questions import feedback_balance as feedback_balance
from bot.records.questions import first_question_in_thread as first_question_in_thread
from bot.records.questions import get_question as get_question
from bot.records.questions import questions_since as questions_since
from bot.records.questions import record_feedback as record_feedback
from bot.records.questions import record_question as record_question
from bot.records.questions import set_answer_ts as set_answer_ts
from bot.records.questions import unanswered_questions as unanswered_questions
from bot.records.roles import OWNER_ROLES as OWNER_ROLES
from bot.records.roles import _role as _role
from bot.records.roles import grant_role as grant_role
from bot.records.roles import has_role as has_role
from bot.records.roles import owners_of as owners_of
from bot.records.roles import revoke_role as revoke_role
from bot.records.roles import roles_of as roles_of
from bot.records.tables import EPOCH as EPOCH
from bot.records.tables import ROLES as ROLES
from bot.records.tables import SIDES as SIDES
from bot.records.tables import ChannelBinding as ChannelBinding
from bot.records.tables import EngagementRole as EngagementRole
from bot.records.tables import Feedback as Feedback
from bot.records.tables import ProcessedEvent as ProcessedEvent
from bot.records.tables import QuestionRecord as QuestionRecord
from bot.records.tables import _check as _check
from bot.records.tables import _insert_once as _insert_once
from bot.records.tables import _table as _table
from bot.records.tables import utcnow as utcnow

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
