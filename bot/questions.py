"""Contract questions from Slack: the channel's scope, the answer, and the record of both.

No Slack imports: the transport hands in ids and text, and renders what comes back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot import access, records
from bot.access import Probe, Scope
from bot.db import session
from bot.deps import Deps
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


def thread_context(deps: Deps, channel_id: str, thread_ts: str | None) -> str | None:
    """The question that started a thread Liaison answered in, to read a follow-up against."""
    if not thread_ts:
        return None
    with session(deps.engine) as s:
        first = records.first_question_in_thread(session=s, channel_id=channel_id, thread_ts=thread_ts)
        return first.question if first else None


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
        row = records.record_question(
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


def answer_posted(deps: Deps, question_id: str, ts: str) -> None:
    with session(deps.engine) as s:
        records.set_answer_ts(session=s, question_id=question_id, ts=ts)


def first_time(deps: Deps, key: str) -> bool:
    """True the first time Slack delivers this event or action, False for a retry or duplicate."""
    with session(deps.engine) as s:
        return records.claim_event(session=s, key=key)


def give_feedback(deps: Deps, *, question_id: str, user_id: str, value: int) -> None:
    with session(deps.engine) as s:
        records.record_feedback(session=s, question_id=question_id, user_id=user_id, value=value)


@dataclass(frozen=True)
class Asker:
    """Who asked a recorded question, where, and from which side (to check a click against)."""

    engagement: str
    side: str
    channel_id: str
    user_id: str


def asker_of(deps: Deps, question_id: str) -> Asker | None:
    with session(deps.engine) as s:
        row = records.get_question(session=s, question_id=question_id)
        return None if row is None else Asker(row.engagement, row.side, row.channel_id, row.user_id)


def stored_answer(deps: Deps, question_id: str) -> Answer | None:
    """A recorded answer, as it was given (for sharing a private answer in the channel)."""
    with session(deps.engine) as s:
        row = records.get_question(session=s, question_id=question_id)
        if row is None:
            return None
        data = {"answer": row.answer, "found": row.found, "citations": row.citations}
        return Answer.from_dict(row.question, data, mode=row.mode)


def owner_ping(deps: Deps, question_id: str) -> tuple[list[str], str] | None:
    """The engagement's owners to ask about an unanswered question, or None when it has none."""
    with session(deps.engine) as s:
        row = records.get_question(session=s, question_id=question_id)
        if row is None:
            return None
        owners = records.owners_of(session=s, engagement=row.engagement, side=row.side)
        return (owners, row.question) if owners else None
