"""The background jobs of `liaison serve` / `liaison run`: APScheduler really runs the reminders and the digest.

In process, against the local Slack API: a mediation gone quiet gets its reminder in its thread and a bound
channel gets the week's digest once its moment has passed, both from the scheduler's first runs.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import records
from bot.db import session
from bot.digest import schedule as digest_schedule
from bot.mediation import lifecycle as mediations
from bot.records.roles import grant_role
from bot.records.tables import ProcessedEvent
from bot.scheduler import describe, make_scheduler, post_digests, start_scheduler, with_workspace_timezone
from bot.settings import WEEKDAYS
from knowledge.base import KnowledgeBase
from tests.conftest import ENGAGEMENT
from tests.test_slack_app import running_slack

HEADER_TS = "1700000000.000100"


def test_the_scheduler_posts_reminders_and_the_digest(tmp_path: Path, sample_kb: KnowledgeBase) -> None:
    with running_slack(tmp_path, sample_kb, LIAISON_MEDIATION_IDLE_HOURS=0.0001) as slack:
        slack.bind("C1", "shared")
        now = datetime.now(UTC)
        just_passed = max(now - timedelta(minutes=2), now.replace(hour=0, minute=0))  # this week, this day
        with session(slack.deps.engine) as s:
            grant_role(session=s, engagement=ENGAGEMENT, user_id="UMED", role="mediator", granted_by="cli")
            mediation = mediations.open_mediation(
                session=s, engagement=ENGAGEMENT, title="March credits", channel_id="C1", opened_by="UMED"
            )
            assert mediation.id is not None
            mediations.set_mediation_thread(
                session=s, mediation_id=mediation.id, thread_ts=HEADER_TS, header_ts=HEADER_TS
            )
            digest_schedule.set_schedule(
                session=s,
                settings=slack.deps.settings,
                engagement=ENGAGEMENT,
                text=f"{WEEKDAYS[just_passed.weekday()]} {just_passed:%H:%M} UTC",
                updated_by="cli",
            )
        time.sleep(0.5)  # the mediation has been quiet for longer than LIAISON_MEDIATION_IDLE_HOURS (0.36 s)
        scheduler = make_scheduler(slack.deps, slack.app.client)
        assert {job["id"] for job in describe(scheduler)} == {
            "mediation-reminders",
            "weekly-digest",
            "sla-period-close",
        }
        scheduler.start()
        try:
            slack.api.wait_for("chat.postMessage", count=2, timeout=20)
        finally:
            scheduler.shutdown(wait=True)
        posted = [c.params for c in slack.api.calls_to("chat.postMessage")]
        [reminder] = [p for p in posted if p.get("thread_ts") == HEADER_TS]
        [weekly] = [p for p in posted if (p.get("metadata") or {}).get("event_type") == "liaison_digest"]
        assert "March credits" in str(reminder["text"]) and weekly["channel"] == "C1"
        assert len(posted) == 2


def test_the_scheduler_can_be_turned_off(tmp_path: Path, sample_kb: KnowledgeBase) -> None:
    with running_slack(tmp_path, sample_kb, LIAISON_SCHEDULER="false") as slack:
        assert start_scheduler(slack.deps, slack.app.client) is None


def test_digests_go_by_the_workspace_time_zone_unless_one_is_set(tmp_path: Path, sample_kb: KnowledgeBase) -> None:
    members = [
        {"id": "U1", "tz": "America/New_York", "is_primary_owner": False},
        {"id": "UOWNER", "tz": "Asia/Tokyo", "is_primary_owner": True},
    ]
    with running_slack(tmp_path, sample_kb) as slack:
        slack.api.respond_with("users.list", {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}})
        found = with_workspace_timezone(slack.deps, slack.app.client)
        assert found.settings.timezone == "Asia/Tokyo" and slack.deps.settings.timezone is None
        slack.bind("C1", "shared")
        monday_0030_utc = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo, 00:30 in UTC
        assert post_digests(slack.deps, slack.app.client, now=monday_0030_utc) == 0  # by UTC: not 08:00 yet
        assert post_digests(found, slack.app.client, now=monday_0030_utc) == 1  # by Tokyo: past 08:00
    with running_slack(tmp_path / "set", sample_kb, LIAISON_TIMEZONE="Europe/Paris") as slack:
        assert with_workspace_timezone(slack.deps, slack.app.client).settings.timezone == "Europe/Paris"
        assert slack.api.calls_to("users.list") == []


def test_the_reminders_job_forgets_old_delivery_claims(tmp_path: Path, sample_kb: KnowledgeBase) -> None:
    from bot.scheduler import remind

    with running_slack(tmp_path, sample_kb) as slack:
        now = datetime.now(UTC)
        with session(slack.deps.engine) as s:
            assert records.claim_event(session=s, key="event:old") and records.claim_event(session=s, key="event:new")
            old = s.get(ProcessedEvent, "event:old")
            assert old is not None
            old.received_at = now - timedelta(days=2)
            s.add(old)
        assert remind(slack.deps, slack.app.client, now=now) == 0
        with session(slack.deps.engine) as s:
            assert s.get(ProcessedEvent, "event:old") is None  # the table stops growing
            assert s.get(ProcessedEvent, "event:new") is not None  # a recent claim still guards its retries
