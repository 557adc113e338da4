"""Deadline reminders with the clock passed in: approved obligations reminded 90, 30 and 7 days before their date
and on the day, once each per channel, where their document may be read; the engagement's lead time; a moved
date; a refused post released; two schedulers at once on SQLite and PostgreSQL.

Posted through the real WebClient to the local Slack API, on real records (obligations written by
`register.sync_drafts` and approved by `reviews.review`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.db import session
from bot.deadlines import register, reviews
from bot.deadlines.reminders import wanted
from bot.records import deadline_reminders as ledger
from bot.records import deadlines as records
from bot.records.roles import grant_role
from bot.scheduler import remind
from bot.settings import Settings
from bot.slack.deadline_posting import send_deadline_reminders
from knowledge.base import KnowledgeBase
from knowledge.deadlines import ObligationDraft
from knowledge.slas import Span
from tests.conftest import ENGAGEMENT, at_once
from tests.test_slack_app import Slack, running_slack

TODAY = date(2026, 10, 1)
DUE = TODAY + timedelta(days=100)  # 2027-01-09
MSA = f"5.2 Either Party may give notice of non-renewal no later than {DUE:%d %B %Y}.\n"
NOTES = f"2.1 Client shall decide on the retender no later than {DUE:%d %B %Y}.\n"
CHANNELS = {"CC", "CV", "CS", "CM"}  # client, vendor, shared, and the managers' channel


def at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def obligation(text: str, section: str, kind: Any = "non-renewal-notice", on: date = DUE) -> ObligationDraft:
    rule = f"no later than {on:%d %B %Y}"
    start = text.index(rule)
    line = text.splitlines()[0]
    return ObligationDraft(
        kind=kind,
        rule=Span(rule, start, start + len(rule)),
        quote=Span(line, 0, len(line)),
        section=section,
        on=on,
        values={"date": Span(rule, start, start + len(rule))},
    )


def seed(engine: Engine, *, client_only: bool = False, approve: bool = True, on: date = DUE) -> int:
    """One obligation dated `on` (in the shared MSA, or in client-only notes), approved: its id."""
    document, visibility, text = ("client-notes.md", "client-only", NOTES) if client_only else ("msa.md", "shared", MSA)
    text = text.replace(f"{DUE:%d %B %Y}", f"{on:%d %B %Y}")
    with session(engine) as s:
        found = [register.Found(document, visibility, [obligation(text, "2.1" if client_only else "5.2", on=on)])]
        register.sync_drafts(s, engagement=ENGAGEMENT, found=found, actor="cli")
        [row] = [r for r in records.deadlines_of(s, engagement=ENGAGEMENT) if r.document == document]
        assert row.id is not None
        if approve:
            reviews.review(s, engagement=ENGAGEMENT, deadline_ids=[row.id], status="approved", actor="cli")
        return row.id


def bound(tmp_path: Path, kb: KnowledgeBase, engine: Engine | None = None) -> Any:
    return running_slack(tmp_path, kb, engine=engine, LIAISON_MANAGERS_CHANNEL="CM")


@pytest.fixture
def slack(tmp_path: Path, fake_kb: KnowledgeBase) -> Iterator[Slack]:
    with bound(tmp_path, fake_kb) as running:
        for channel, side in (("CC", "client"), ("CV", "vendor"), ("CS", "shared")):
            running.bind(channel, side)
        yield running


@pytest.fixture
def slack_any(tmp_path: Path, fake_kb: KnowledgeBase, db: Engine) -> Iterator[Slack]:
    """The same on SQLite and on PostgreSQL (the `db` fixture's two databases)."""
    with bound(tmp_path, fake_kb, engine=db) as running:
        for channel, side in (("CC", "client"), ("CV", "vendor"), ("CS", "shared")):
            running.bind(channel, side)
        yield running


def client_of(slack: Slack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api.url)


def posts(slack: Slack) -> list[dict[str, Any]]:
    return [c.params for c in slack.api.calls_to("chat.postMessage")]


def run(slack: Slack, day: date) -> int:
    return send_deadline_reminders(slack.deps, client_of(slack), now=at(day))


# -- which reminders are wanted (pure) -------------------------------------------------------------
def test_the_latest_offset_passed_is_wanted_with_the_lead_time() -> None:
    offsets = (90, 30, 7, 0)
    assert wanted(1, DUE, DUE - timedelta(days=91), offsets) == []
    assert wanted(1, DUE, DUE - timedelta(days=90), offsets) == [f"deadline:1:90:{DUE}"]
    assert wanted(1, DUE, DUE - timedelta(days=20), offsets) == [f"deadline:1:30:{DUE}"]  # approved late: 30 only
    assert wanted(1, DUE, DUE, offsets) == [f"deadline:1:0:{DUE}"]
    assert wanted(1, DUE, DUE + timedelta(days=1), offsets) == []  # passed: no more reminders
    assert wanted(1, DUE, DUE - timedelta(days=60), offsets, lead_days=60) == [
        f"deadline:1:90:{DUE}",
        f"deadline:1:lead-60:{DUE}",
    ]


def test_a_snooze_holds_reminders_back_then_wants_one_more_but_never_hides_the_day_itself() -> None:
    offsets = (90, 30, 7, 0)
    until = DUE - timedelta(days=23)
    snoozed = (DUE, until)
    assert wanted(1, DUE, DUE - timedelta(days=28), offsets, snoozed=snoozed) == []
    assert wanted(1, DUE, until, offsets, snoozed=snoozed) == [
        f"deadline:1:30:{DUE}",
        f"deadline:1:snooze-{until}:{DUE}",
    ]
    assert wanted(1, DUE, DUE, offsets, snoozed=(DUE, DUE + timedelta(days=3))) == [f"deadline:1:0:{DUE}"]
    moved = DUE + timedelta(days=10)  # a snooze of the old date does not hold the new one back
    assert wanted(1, moved, moved - timedelta(days=30), offsets, snoozed=snoozed) == [f"deadline:1:30:{moved}"]


def test_reminder_days_are_a_setting(tmp_path: Path) -> None:
    settings = Settings(LIAISON_DATA_DIR=tmp_path, LIAISON_DEADLINE_REMINDER_DAYS="7, 60,0,7")
    assert settings.deadline_offsets == (60, 7, 0)
    assert Settings(LIAISON_DATA_DIR=tmp_path).deadline_offsets == (90, 30, 7, 0)
    with pytest.raises(ValueError, match="days before the date"):
        Settings(LIAISON_DATA_DIR=tmp_path, LIAISON_DEADLINE_REMINDER_DAYS="soon")


# -- posted ----------------------------------------------------------------------------------------
def test_an_approved_obligation_is_reminded_at_each_offset_once_in_every_channel(slack: Slack) -> None:
    deadline_id = seed(slack.deps.engine)
    assert run(slack, DUE - timedelta(days=91)) == 0
    assert run(slack, DUE - timedelta(days=90)) == 4
    assert {p["channel"] for p in posts(slack)} == CHANNELS
    first = posts(slack)[0]
    assert "Notice of non-renewal (msa.md §5.2) is due *in 90 days*, on 2027-01-09" in first["text"]
    blocks = str(first["blocks"])
    assert "> 5.2 Either Party may give notice of non-renewal no later than 09 January 2027." in blocks
    assert [e["text"]["text"] for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "Mark done",
        "Snooze 7 days",
        "Open a mediation",
    ]
    assert run(slack, DUE - timedelta(days=90)) == 0  # the same reminder, once
    assert run(slack, DUE - timedelta(days=31)) == 0
    for days in (30, 7, 0):
        assert run(slack, DUE - timedelta(days=days)) == 4
        assert run(slack, DUE - timedelta(days=days)) == 0
    assert "is due *today*" in posts(slack)[-1]["text"]
    assert run(slack, DUE + timedelta(days=1)) == 0
    with session(slack.deps.engine) as s:
        claims = ledger.claims_of(s, deadline_id=deadline_id)
    assert len(claims) == 16 and len(posts(slack)) == 16


def test_drafts_done_and_waived_obligations_are_not_reminded(slack: Slack) -> None:
    deadline_id = seed(slack.deps.engine, approve=False)
    assert run(slack, DUE) == 0
    with session(slack.deps.engine) as s:
        reviews.review(s, engagement=ENGAGEMENT, deadline_ids=[deadline_id], status="done", actor="cli")
    assert run(slack, DUE) == 0 and posts(slack) == []


def test_a_client_only_obligation_is_reminded_in_the_client_channel_only(slack: Slack) -> None:
    seed(slack.deps.engine, client_only=True)
    assert run(slack, DUE - timedelta(days=7)) == 1
    [posted] = posts(slack)
    assert posted["channel"] == "CC" and "retender" in str(posted["blocks"])


def test_a_client_channel_shared_with_another_organisation_gets_no_client_only_reminder(slack: Slack) -> None:
    seed(slack.deps.engine, client_only=True)
    slack.api.channels["CC"] = {"is_ext_shared": True}  # Slack Connect: the vendor's people read along
    assert run(slack, DUE - timedelta(days=7)) == 0 and posts(slack) == []


def test_the_engagements_lead_time_makes_a_second_reminder(slack: Slack) -> None:
    seed(slack.deps.engine)
    with session(slack.deps.engine) as s:
        reviews.put_settings(s, engagement=ENGAGEMENT, actor="cli", lead_days=60)
    assert run(slack, DUE - timedelta(days=90)) == 4
    assert run(slack, DUE - timedelta(days=60)) == 4
    assert "Your own lead time is 60 days before the date: decide today." in str(posts(slack)[-1]["blocks"])
    assert run(slack, DUE - timedelta(days=59)) == 0


def test_a_moved_date_is_reminded_afresh(slack: Slack) -> None:
    deadline_id = seed(slack.deps.engine)
    assert run(slack, DUE - timedelta(days=30)) == 4
    moved = DUE + timedelta(days=2)
    with session(slack.deps.engine) as s:
        reviews.edit(s, engagement=ENGAGEMENT, deadline_id=deadline_id, changes={"date": moved}, actor="cli")
    assert run(slack, DUE - timedelta(days=29)) == 4  # keyed by the new date: its 30-day reminder
    assert moved.isoformat() in posts(slack)[-1]["text"]


def test_a_refused_post_is_released_and_sent_by_the_next_run(slack: Slack) -> None:
    deadline_id = seed(slack.deps.engine)
    slack.api.fail("chat.postMessage", error="not_in_channel", status=200)
    assert run(slack, DUE - timedelta(days=7)) == 3
    with session(slack.deps.engine) as s:
        assert len(ledger.claims_of(s, deadline_id=deadline_id)) == 3  # the refused one was given back
    assert run(slack, DUE - timedelta(days=7)) == 1
    assert run(slack, DUE - timedelta(days=7)) == 0
    refused, *sent = [p["channel"] for p in posts(slack)]
    assert set(sent) == CHANNELS and len(sent) == 4 and sent[-1] == refused  # the refused one, sent again


def test_the_schedulers_reminders_run_posts_deadline_reminders(slack: Slack) -> None:
    seed(slack.deps.engine)
    assert remind(slack.deps, client_of(slack), now=at(DUE)) == 4


def test_two_schedulers_at_once_post_each_reminder_once(slack_any: Slack) -> None:
    seed(slack_any.deps.engine)
    seed(slack_any.deps.engine, client_only=True)
    sent = at_once(2, lambda: run(slack_any, DUE - timedelta(days=30)))
    assert sum(sent) == 5 and len(posts(slack_any)) == 5  # 4 channels for the MSA's, the client's for the notes'
    assert sorted(p["channel"] for p in posts(slack_any)).count("CC") == 2
    assert at_once(2, lambda: run(slack_any, DUE - timedelta(days=30))) == [0, 0]


def test_reminders_are_claimed_by_key_and_channel(slack: Slack) -> None:
    deadline_id = seed(slack.deps.engine)
    with session(slack.deps.engine) as s:
        got = [
            ledger.claim_reminder(s, engagement=ENGAGEMENT, deadline_id=deadline_id, key="deadline:1:7:x", channel_id=c)
            for c in ("CC", "CC", "CV")
        ]
        assert got == [True, False, True]
        assert ledger.release_reminder(s, key="deadline:1:7:x", channel_id="CC")
        assert not ledger.release_reminder(s, key="deadline:1:7:x", channel_id="CC")


def test_a_reminder_mentions_the_obligations_owner_and_the_owners_its_channel_may_ping(slack: Slack) -> None:
    deadline_id = seed(slack.deps.engine)
    with session(slack.deps.engine) as s:
        for user, role in (("UC", "client-owner"), ("UV", "vendor-owner")):
            grant_role(session=s, engagement=ENGAGEMENT, user_id=user, role=role, granted_by="cli")
        reviews.edit(s, engagement=ENGAGEMENT, deadline_id=deadline_id, changes={"owner": "UO"}, actor="cli")
    assert run(slack, DUE) == 4
    said = {p["channel"]: p["text"] for p in posts(slack)}
    assert said["CC"].endswith("<@UO> <@UC>") and "<@UV>" not in said["CC"]  # a client channel never pings the vendor
    assert said["CV"].endswith("<@UO> <@UV>") and "<@UC>" not in said["CV"]
    assert "<@UC>" in said["CS"] and "<@UV>" in said["CS"]
