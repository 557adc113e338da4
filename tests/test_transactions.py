"""How many database transactions one Slack request opens: the workflows own the one session of each step."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot import questions
from tests.test_slack_app import Slack, slack  # noqa: F401 (the fixture)


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """One item per transaction begun on `engine` while the block runs."""
    begun: list[str] = []

    def on_begin(_connection: Any) -> None:
        begun.append("begin")

    event.listen(engine, "begin", on_begin)
    try:
        yield begun
    finally:
        event.remove(engine, "begin", on_begin)


def test_a_mention_claims_then_answers_in_one_transaction_each(slack: Slack) -> None:  # noqa: F811
    slack.bind("C1", "shared")
    mention = questions.Mention(
        event_id="EvT1", channel_id="C1", user_id="U1", ts="7.0001", thread_ts=None, text="credit cap?"
    )
    with counting(slack.deps.engine) as begun:
        claimed = questions.claim_mention(slack.deps, mention)
    assert isinstance(claimed, questions.Claimed) and len(begun) == 1  # the claim, the scope and the thread read
    with counting(slack.deps.engine) as begun:
        asked = questions.answer_mention(slack.deps, claimed)
    assert asked.answer.found and len(begun) == 1  # the answer, recorded
    assert isinstance(questions.claim_mention(slack.deps, mention), questions.Duplicate)


def test_one_mention_over_slack_opens_two_transactions(slack: Slack) -> None:  # noqa: F811
    slack.bind("C1", "shared")
    with counting(slack.deps.engine) as begun:
        slack.mention("whats the credit cap?", ts="8.0001")
        slack.api.wait_for("chat.postMessage")
        slack.api.wait_for("reactions.remove")
    # the idempotency claim (with the scope), then the answer; nothing is written after the post
    assert len(begun) == 2
    assert len(slack.answers()) == 1


def test_a_follow_up_over_slack_opens_two_transactions(slack: Slack) -> None:  # noqa: F811
    slack.bind("C1", "shared")
    slack.mention("whats the credit cap?", ts="8.0101")
    slack.api.wait_for("chat.postMessage")
    slack.api.wait_for("reactions.remove")
    follow_up = {"type": "message", "user": "U1", "text": "and for sev 2?", "channel": "C1", "ts": "8.0105"}
    with counting(slack.deps.engine) as begun:
        slack.event({**follow_up, "thread_ts": "8.0101", "channel_type": "channel"})
        slack.api.wait_for("chat.postMessage", count=2)
        slack.api.wait_for("reactions.remove", count=2)
    # the claim (with the thread's first question and the scope), then the answer
    assert len(begun) == 2


def test_a_message_outside_liaisons_threads_claims_nothing(slack: Slack) -> None:  # noqa: F811
    slack.bind("C1", "shared")
    chatter = {"type": "message", "user": "U1", "text": "lunch?", "channel": "C1", "channel_type": "channel"}
    with counting(slack.deps.engine) as begun:
        slack.event({**chatter, "ts": "8.0201"})  # top level: not even a read
        slack.event({**chatter, "ts": "8.0203", "thread_ts": "8.0202"})  # someone else's thread: one read
        slack.app.listener_runner.listener_executor.shutdown(wait=True)  # the listeners have run
    assert len(begun) == 1
    assert slack.api.calls_to("chat.postMessage") == []


def test_a_follow_up_reads_its_thread_once(slack: Slack, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    slack.bind("C1", "shared")
    slack.mention("whats the credit cap?", ts="9.0001")
    slack.api.wait_for("chat.postMessage")
    slack.api.wait_for("reactions.remove")
    reads: list[str] = []
    original = questions._thread_question

    def spy(*args: Any) -> str | None:
        reads.append("read")
        return original(*args)

    monkeypatch.setattr(questions, "_thread_question", spy)  # counts the reads, reads as before
    follow_up = {"type": "message", "user": "U1", "text": "and for sev 2?", "channel": "C1", "ts": "9.0005"}
    slack.event({**follow_up, "thread_ts": "9.0001", "channel_type": "channel"})
    slack.api.wait_for("chat.postMessage", count=2)
    slack.api.wait_for("reactions.remove", count=2)
    assert reads == ["read"]
