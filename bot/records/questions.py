"""The questions Liaison answered in Slack (`QuestionRecord`) and the thumbs up or down on its answers (`Feedback`).

Like every data function in `bot.records`, they take the caller's session by keyword
and never commit; a question is recorded once per Slack delivery, a vote once per person and answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from bot.records.tables import SIDES, Feedback, QuestionRecord, check_choice, insert_once, utcnow

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
        "side": check_choice(side, SIDES, "side"),
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
    insert_once(session, QuestionRecord, values, key=("source_key",))
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
        if insert_once(session, Feedback, values, key=("question_id", "user_id")):
            row = _vote(session, question_id, user_id)
            assert row is not None
            return row
        row = _vote(session, question_id, user_id)  # someone's concurrent click won: this one replaces it
        assert row is not None
    row.value, row.given_at = (1 if value > 0 else -1), now
    session.add(row)
    session.flush()
    return row


def feedback_balance(
    *,
    session: Session,
    engagement: str,
    since: datetime,
    until: datetime | None = None,
    sides: Iterable[str] | None = None,
) -> tuple[int, int]:
    """(ups, downs) among the votes given in [since, until) (aware; no end by default) on the engagement's
    answers, or only on answers to questions asked from channels of `sides`."""
    query = (
        select(
            func.coalesce(func.sum(case((col(Feedback.value) > 0, 1), else_=0)), 0),
            func.coalesce(func.sum(case((col(Feedback.value) < 0, 1), else_=0)), 0),
        )
        .select_from(Feedback)
        .join(QuestionRecord, col(QuestionRecord.id) == col(Feedback.question_id))
        .where(QuestionRecord.engagement == engagement, col(Feedback.given_at) >= since)
    )
    if until is not None:
        query = query.where(col(Feedback.given_at) < until)
    if sides is not None:
        query = query.where(col(QuestionRecord.side).in_(list(sides)))
    ups, downs = session.exec(query).one()
    return int(ups), int(downs)
