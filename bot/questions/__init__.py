"""Contract questions from Slack: the channel's scope, the answer, and the record of both.

No Slack imports: the transport hands in ids and text, and renders what comes back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import access, home, records
from bot.access import Probe, Scope
from bot.db import session
from bot.deps import Deps
from bot.records import questions as question_records
from bot.records import roles as role_records
from knowledge.answers import Answer

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Asked:
    """A recorded question and its answer."""

    question_id: str
    answer: Answer
    scope: Scope


def strip_mentions(text: str) -> str:
    """The question without '<@U123>' mentions of the bot (or anyone)."""
    return _MENTION.sub(" ", text or "").strip()


def scope_of(deps: Deps, channel_id: str, *, probe: Probe | None = None, user_id: str | None = None) -> Scope | None:
    """The engagement and side a channel reads from now (see `bot.access.scope_of`), or None if unbound."""
    return access.scope_of(deps, channel_id, probe=probe, user_id=user_id)


def _thread_question(s: Session, channel_id: str, thread_ts: str | None) -> str | None:
    if not thread_ts:
        return None
    first = question_records.first_question_in_thread(session=s, channel_id=channel_id, thread_ts=thread_ts)
    return first.question if first else None


@dataclass(frozen=True)
class Mention:
    """A question put to Liaison in a channel or DM (an @mention, a DM, a follow-up in its thread)."""

    event_id: str  # Slack's event id (or the message ts): the idempotency key
    channel_id: str
    user_id: str
    ts: str
    thread_ts: str | None  # the thread the message is in, None for a top-level message
    text: str
    is_dm: bool = False

    @property
    def reply_ts(self) -> str:
        """Where the answer goes: the message's thread, or a new thread under it."""
        return self.thread_ts or self.ts


@dataclass(frozen=True)
class Claimed:
    """A mention claimed for answering: the scope it is answered in and the thread's first question, if any."""

    mention: Mention
    scope: Scope
    context: str | None


@dataclass(frozen=True)
class Unbound:
    """The mention came from a channel bound to no engagement."""

    mention: Mention


@dataclass(frozen=True)
class Duplicate:
    """Slack delivered this mention before (a retry): it is answered once."""


def claim_mention(deps: Deps, mention: Mention, *, probe: Probe | None = None) -> Claimed | Unbound | Duplicate:
    """Claim the mention's idempotency key and read what answering needs, in one transaction: the scope (narrowed
    for Slack Connect and people of another organisation) and the thread's first question, for a follow-up."""
    with session(deps.engine) as s:
        return _claim(s, mention, probe, _thread_question(s, mention.channel_id, mention.thread_ts))


def claim_message(deps: Deps, mention: Mention, *, probe: Probe | None = None) -> Claimed | Unbound | Duplicate | None:
    """Claim a message that does not mention Liaison when Liaison answers it: a DM, or a follow-up in a thread
    Liaison answered in (the thread read once, in the claim's transaction). None for any other message, which
    claims nothing, and opens no transaction at all unless it is in a thread."""
    if not mention.is_dm and not mention.thread_ts:
        return None
    with session(deps.engine) as s:
        context = _thread_question(s, mention.channel_id, mention.thread_ts)
        if not mention.is_dm and context is None:
            return None
        return _claim(s, mention, probe, context)


def _claim(s: Session, mention: Mention, probe: Probe | None, context: str | None) -> Claimed | Unbound | Duplicate:
    if not records.claim_event(session=s, key=f"event:{mention.event_id}"):
        return Duplicate()
    scope = access.scope_in(s, mention.channel_id, probe=probe, user_id=mention.user_id or None)
    if scope is None:
        return Unbound(mention)
    return Claimed(mention, scope, context)


def answer_mention(deps: Deps, claimed: Claimed) -> Asked:
    """Answer a claimed mention in its scope and record it (one transaction, after the answer is made).

    The record is written before the answer is posted, and nothing after: the buttons carry its id (sealed), a
    follow-up finds the thread by the question's thread, and the posted message's ts is not kept (nothing reads it).
    A crash between the record and the post loses that post, never doubles it: the claim made a retry a Duplicate.
    """
    m = claimed.mention
    return ask(
        deps,
        source_key=f"event:{m.event_id}",
        scope=claimed.scope,
        channel_id=m.channel_id,
        user_id=m.user_id,
        thread_ts=m.reply_ts,
        question=strip_mentions(m.text),
        context=claimed.context,
    )


def ask(
    deps: Deps,
    *,
    source_key: str,
    scope: Scope,
    channel_id: str,
    user_id: str,
    thread_ts: str | None,
    question: str,
    context: str | None = None,
) -> Asked:
    """Answer a question within a scope and record it (once per source_key, however often Slack retries)."""
    searched = f"{question} (following up on: {context})" if context else question
    answer = deps.kb.answer_question(searched, engagement=scope.engagement, side=scope.side)
    answer = replace(answer, question=question)  # the words asked, not the follow-up's search (direct line kept)
    with session(deps.engine) as s:
        row = question_records.record_question(
            session=s,
            source_key=source_key,
            engagement=scope.engagement,
            side=scope.side,
            channel_id=channel_id,
            user_id=user_id,
            thread_ts=thread_ts,
            question=question,
            answer_dict=answer.as_dict(),
            found=answer.found,
            mode=answer.mode,
        )
        return Asked(row.id, answer, scope)


def first_time(deps: Deps, key: str) -> bool:
    """True the first time Slack delivers this event or action, False for a retry or duplicate."""
    with session(deps.engine) as s:
        return records.claim_event(session=s, key=key)


EVENT_MEMORY = timedelta(days=1)  # Slack retries a delivery for minutes; a claim older than this guards nothing


def forget_claims(deps: Deps, *, now: datetime) -> int:
    """Drop the idempotency claims older than EVENT_MEMORY (so `processed_events` stops growing): how many."""
    with session(deps.engine) as s:
        return records.forget_events(session=s, before=now - EVENT_MEMORY)


def give_feedback(deps: Deps, *, question_id: str, user_id: str, value: int) -> None:
    with session(deps.engine) as s:
        question_records.record_feedback(session=s, question_id=question_id, user_id=user_id, value=value)


@dataclass(frozen=True)
class Asker:
    """Who asked a recorded question, where, and from which side (to check a click against)."""

    engagement: str
    side: str
    channel_id: str
    user_id: str


def asker_of(deps: Deps, question_id: str) -> Asker | None:
    with session(deps.engine) as s:
        row = question_records.get_question(session=s, question_id=question_id)
        return None if row is None else Asker(row.engagement, row.side, row.channel_id, row.user_id)


@dataclass(frozen=True)
class Recorded:
    """A question answered already (for a repeated submission of the Home's "Ask a question")."""

    question_id: str
    engagement: str
    side: str
    channel_id: str
    user_id: str
    answer: Answer


def recorded_answer(deps: Deps, source_key: str) -> Recorded | None:
    """The answer recorded for this submission, if it is recorded yet."""
    with session(deps.engine) as s:
        row = home.asked_before(session=s, source_key=source_key)
        if row is None:
            return None
        data = {"answer": row.answer, "found": row.found, "citations": row.citations}
        answer = Answer.from_dict(row.question, data, mode=row.mode)
        return Recorded(row.id, row.engagement, row.side, row.channel_id, row.user_id, answer)


def stored_answer(deps: Deps, question_id: str) -> Answer | None:
    """A recorded answer, as it was given (for sharing a private answer in the channel)."""
    with session(deps.engine) as s:
        row = question_records.get_question(session=s, question_id=question_id)
        if row is None:
            return None
        data = {"answer": row.answer, "found": row.found, "citations": row.citations}
        return Answer.from_dict(row.question, data, mode=row.mode)


def owner_ping(deps: Deps, question_id: str) -> tuple[list[str], str] | None:
    """The engagement's owners to ask about an unanswered question, or None when it has none."""
    with session(deps.engine) as s:
        row = question_records.get_question(session=s, question_id=question_id)
        if row is None:
            return None
        owners = role_records.owners_of(session=s, engagement=row.engagement, side=row.side)
        return (owners, row.question) if owners else None
