"""Reminders in mediation threads, with the clock passed in: a quiet mediation, a deadline near, a deadline missed.

Posted through the real WebClient to the local Slack API; on SQLite and PostgreSQL (the `db` fixture), since a
reminder is claimed in the database before it is posted.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.db import session
from bot.mediation import lifecycle as mediations
from bot.mediation import queries
from bot.records.cases import TimelineEntry
from bot.records.roles import grant_role
from bot.records.tables import utcnow
from bot.scheduler import send_reminders
from knowledge.base import KnowledgeBase
from tests.conftest import ENGAGEMENT, at_once
from tests.test_slack_app import Slack, running_slack

HEADER_TS = "1700000000.000100"


@pytest.fixture
def slack(tmp_path: Path, sample_kb: KnowledgeBase, db: Engine) -> Iterator[Slack]:
    with running_slack(tmp_path, sample_kb, engine=db) as running:
        running.bind("C1", "shared")
        with session(db) as s:
            for user, role in (("UMED", "mediator"), ("UCLIENT", "client-owner"), ("UVENDOR", "vendor-owner")):
                grant_role(session=s, engagement=ENGAGEMENT, user_id=user, role=role, granted_by="cli")
        yield running


@pytest.fixture
def client(slack: Slack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api.url)


def _mediation(slack: Slack, *, deadline: date | None, thread: bool = True) -> int:
    with session(slack.deps.engine) as s:
        mediation = mediations.open_mediation(
            session=s,
            engagement=ENGAGEMENT,
            title="March credits",
            channel_id="C1",
            opened_by="UMED",
            deadline=deadline,
        )
        assert mediation.id is not None
        if thread:
            mediations.set_mediation_thread(
                session=s, mediation_id=mediation.id, thread_ts=HEADER_TS, header_ts=HEADER_TS
            )
        return mediation.id


def _posts(slack: Slack) -> list[dict[str, Any]]:
    return [c.params for c in slack.api.calls_to("chat.postMessage")]


def _reminders(slack: Slack, mediation_id: int) -> list[TimelineEntry]:
    with session(slack.deps.engine) as s:
        return [e for e in queries.mediation_timeline(session=s, mediation_id=mediation_id) if e.kind == "reminder"]


def test_a_quiet_mediation_is_reminded_once_per_quiet_spell(slack: Slack, client: WebClient) -> None:
    mediation_id = _mediation(slack, deadline=date.today() + timedelta(days=30))
    now = utcnow()
    assert send_reminders(slack.deps, client, now=now + timedelta(hours=71)) == 0  # not quiet for long enough yet
    later = now + timedelta(hours=73)
    assert send_reminders(slack.deps, client, now=later) == 1
    [posted] = _posts(slack)
    assert posted["channel"] == "C1" and posted["thread_ts"] == HEADER_TS
    assert all(f"<@{u}>" in posted["text"] for u in ("UMED", "UCLIENT", "UVENDOR"))
    assert "Nothing has happened on mediation #" in posted["text"] and "72 hours" in posted["text"]
    assert send_reminders(slack.deps, client, now=later) == 0
    assert send_reminders(slack.deps, client, now=later + timedelta(hours=5)) == 0  # the same quiet spell

    with session(slack.deps.engine) as s:  # someone speaks up, then it goes quiet again
        mediations.comment_on_mediation(session=s, mediation_id=mediation_id, actor="UCLIENT", text="Any news?")
    assert send_reminders(slack.deps, client, now=utcnow() + timedelta(hours=73)) == 1
    assert len(_posts(slack)) == 2 and len(_reminders(slack, mediation_id)) == 2


def test_a_deadline_is_reminded_when_near_and_again_when_missed(slack: Slack, client: WebClient) -> None:
    now = utcnow()
    deadline = now.date() + timedelta(days=1)
    mediation_id = _mediation(slack, deadline=deadline)
    assert send_reminders(slack.deps, client, now=now - timedelta(days=3)) == 0  # not near yet
    assert send_reminders(slack.deps, client, now=now) == 1
    assert "is due in 1 day" in _posts(slack)[-1]["text"] and deadline.isoformat() in _posts(slack)[-1]["text"]
    assert send_reminders(slack.deps, client, now=now + timedelta(hours=1)) == 0
    missed = datetime.combine(deadline + timedelta(days=1), now.timetz())  # within the quiet period still
    assert send_reminders(slack.deps, client, now=missed) == 1
    assert "1 day overdue" in _posts(slack)[-1]["text"]
    assert send_reminders(slack.deps, client, now=missed + timedelta(minutes=15)) == 0
    assert len(_reminders(slack, mediation_id)) == 2


def test_a_failed_post_is_retried_on_the_next_run(slack: Slack, client: WebClient) -> None:
    mediation_id = _mediation(slack, deadline=date.today())
    slack.api.fail("chat.postMessage", error="channel_not_found", status=200)
    assert send_reminders(slack.deps, client, now=utcnow()) == 0
    assert _reminders(slack, mediation_id) == []  # the claim was released
    assert send_reminders(slack.deps, client, now=utcnow()) == 1
    assert send_reminders(slack.deps, client, now=utcnow()) == 0
    assert [c.status for c in slack.api.calls_to("chat.postMessage")] == [200, 200]
    assert len(_reminders(slack, mediation_id)) == 1


def test_two_runs_at_once_post_once(slack: Slack, client: WebClient) -> None:
    _mediation(slack, deadline=date.today())
    now = utcnow()
    assert sorted(at_once(2, lambda: send_reminders(slack.deps, client, now=now))) == [0, 1]
    assert len(_posts(slack)) == 1


def test_settled_or_threadless_mediations_are_not_reminded(slack: Slack, client: WebClient) -> None:
    _mediation(slack, deadline=date.today(), thread=False)  # its header never reached Slack
    agreed = _mediation(slack, deadline=date.today())
    with session(slack.deps.engine) as s:
        mediations.record_proposal(session=s, mediation_id=agreed, actor="UMED", text="Credits of 2%.")
        mediations.agree(session=s, mediation_id=agreed, side="client", user_id="UCLIENT")
        mediations.agree(session=s, mediation_id=agreed, side="vendor", user_id="UVENDOR")
    assert send_reminders(slack.deps, client, now=utcnow() + timedelta(days=10)) == 0
    assert _posts(slack) == []


def test_a_quiet_mediation_near_its_deadline_gets_one_message(slack: Slack, client: WebClient) -> None:
    mediation_id = _mediation(slack, deadline=date.today() + timedelta(days=5))
    now = utcnow() + timedelta(hours=73)  # quiet, and the deadline is within 2 days
    assert send_reminders(slack.deps, client, now=now) == 1
    [posted] = _posts(slack)
    assert "Nothing has happened" in posted["text"] and "is due in" in posted["text"]
    assert posted["text"].count("<@UMED>") == 1 and len(_reminders(slack, mediation_id)) == 2
