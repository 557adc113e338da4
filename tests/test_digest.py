"""The weekly digest: its content on a seeded database with a fixed clock, side filtering, the chart, and posting
exactly once (two replicas, a restart mid-post) through the real WebClient against the local Slack API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import issues, records
from bot.db import make_engine, session, upgrade
from bot.deps import Deps
from bot.digest import posts as digest_posts
from bot.digest import schedule as digest_schedule
from bot.digest.counts import weekly_points
from bot.digest.model import Digest
from bot.digest.sections import build_digest
from bot.digest.text import digest_text
from bot.localslack.api import SlackAPI
from bot.mediation import lifecycle as mediations
from bot.records import digests
from bot.records.case_schemas import IssueCreate
from bot.records.cases import IssueRecord, MediationRecord
from bot.records.questions import record_feedback, record_question
from bot.settings import Settings
from bot.slack import posting as digest
from bot.slack.blocks.digest import add_document_blocks, digest_blocks
from tests.conftest import at_once
from tests.test_slack_app import opened

E = "acme"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday, an hour after the default 08:00 UTC digest
WEEK = date(2026, 11, 23)
PNG = b"\x89PNG\r\n\x1a\n"


def at(day: int, hour: int = 12, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def add_issue(
    s: Session,
    title: str,
    *,
    created: datetime,
    category: str = "other",
    severity: int = 3,
    resolved: datetime | None = None,
) -> IssueRecord:
    issue = issues.create_issue(
        session=s,
        issue_in=IssueCreate(engagement=E, title=title, created_by="U1", category=category, severity=severity),
    )
    issue.created_at = created
    if resolved is not None:
        issue.status, issue.resolved_at = "resolved", resolved
    s.add(issue)
    s.flush()
    return issue


def add_question(
    s: Session, text: str, *, side: str, asked: datetime, found: bool, cites: str | None = None, vote: int = 0
) -> None:
    citations = [{"document": f"{cites.lower().replace(' ', '-')}.md", "title": cites}] if cites else []
    row = record_question(
        session=s,
        source_key=f"q:{text}:{side}:{asked.isoformat()}",
        engagement=E,
        side=side,
        channel_id={"client": "CCLIENT", "vendor": "CVENDOR", "shared": "CSHARED"}[side],
        user_id="U1",
        thread_ts=None,
        question=text,
        answer_dict={"answer": "…", "citations": citations},
        found=found,
        mode="extractive",
    )
    row.asked_at = asked
    s.add(row)
    if vote:
        fb = record_feedback(session=s, question_id=row.id, user_id="U9", value=vote)
        fb.given_at = asked + timedelta(hours=1)
        s.add(fb)
    s.flush()


def bind(s: Session, channel: str, side: str, engagement: str = E) -> None:
    records.bind_channel(session=s, channel_id=channel, team_id="T1", engagement=engagement, side=side, user_id="U0")


def seed(engine: Engine) -> None:
    """A week (Mon 16 Nov 08:00 - Mon 23 Nov 08:00 UTC) and the week before, of issues, mediations and questions."""
    with session(engine) as s:
        bind(s, "CCLIENT", "client")
        bind(s, "CVENDOR", "vendor")
        bind(s, "CSHARED", "shared")
        # this week: 3 new (sev 1 back office, sev 2 front office, sev 2 SLA breach), 2 resolved
        add_issue(s, "Invoice 4411 billed twice", created=at(17), category="billing", severity=1)
        add_issue(s, "Rude agent", created=at(18), category="customer-service", severity=2, resolved=at(20))
        add_issue(
            s, "Queue answer time missed", created=at(19, 0), category="sla-breach", severity=2, resolved=at(21, 0)
        )
        # older: one ageing issue, and last week's two (both resolved last week)
        add_issue(s, "CRM export drops rows", created=at(1), category="data-processing", severity=3)
        add_issue(s, "Ticket tool outage", created=at(10), category="technical-support", severity=4, resolved=at(12))
        add_issue(s, "Callback SLA missed", created=at(10), category="sla-breach", resolved=at(11))
        # mediations: one overdue, one new, one withdrawn long ago, one run in the vendor's own channel
        for title, channel, opened in (
            ("Service credit for October", "CSHARED", at(13, 8)),
            ("Scope of weekend cover", "CSHARED", at(20, 8)),
            ("Old pricing question", "CSHARED", at(1)),
            ("Vendor-internal staffing plan", "CVENDOR", at(18)),
        ):
            m = mediations.open_mediation(session=s, engagement=E, title=title, channel_id=channel, opened_by="U1")
            m.opened_at = opened
            s.add(m)
        s.flush()
        rows = {m.title: m for m in s.exec(select(MediationRecord)).all()}
        rows["Service credit for October"].deadline = date(2026, 11, 20)
        rows["Old pricing question"].status, rows["Old pricing question"].updated_at = "withdrawn", at(10)
        # questions: each side's, and the shared channel's
        add_question(s, "What is the notice period?", side="client", asked=at(17), found=True, cites="MSA", vote=1)
        add_question(s, "what is the notice period", side="shared", asked=at(18), found=True, cites="MSA")
        add_question(s, "Is there a holiday calendar?", side="client", asked=at(20), found=False)
        add_question(s, "What is our target margin?", side="vendor", asked=at(19), found=False, vote=-1)
        add_question(s, "What is the agent cost?", side="vendor", asked=at(19), found=True, cites="Staffing plan")
        add_question(s, "Who pays for training?", side="shared", asked=at(10), found=False, vote=1)  # last week


def window(side: str, engagement: str = E) -> Any:
    schedule = digest_schedule.Schedule("mon", "08:00", "UTC")
    return digest_posts.window_for(engagement=engagement, side=side, week_start=WEEK, schedule=schedule, now=NOW)


def built(engine: Engine, side: str) -> Digest:
    with session(engine) as s:
        return build_digest(session=s, window=window(side))


def fact(d: Digest, key: str) -> tuple[str, str | None]:
    found = d.fact(key)
    assert found is not None, key
    return found.value, found.trend.text() if found.trend else None


@pytest.fixture
def seeded(db: Engine) -> Engine:
    seed(db)
    return db


# Content


def test_issues_new_resolved_and_ageing_by_severity_and_office_with_trends(seeded: Engine) -> None:
    d = built(seeded, "shared")
    assert fact(d, "issues.new") == ("3", "▲1 vs 2 the week before")
    assert d.fact("issues.new").detail == "sev 1: 1, sev 2: 2; back office: 1, front office: 1, other: 1"  # type: ignore[union-attr]
    assert fact(d, "issues.resolved") == ("2", "= same as the week before")
    assert fact(d, "issues.open") == ("2", "▲1 vs 1 the week before")
    assert fact(d, "issues.ageing") == ("1", "= same as the week before")
    text = digest_text(d)
    assert "#1 · sev 1 · billing (back office) · Invoice 4411 billed twice" in text
    assert "sev 3 · data-processing (back office) · open 21 days · CRM export drops rows" in text
    assert "Ticket tool outage" not in text  # last week's, resolved last week


def test_every_new_issue_is_named_when_there_are_few(db: Engine) -> None:
    with session(db) as s:
        add_issue(s, "Late weekly report", created=at(17), severity=4)
        add_issue(s, "Wrong VAT rate", created=at(18), category="billing", severity=3)
    section = next(s for s in built(db, "shared").sections if s.key == "issues")
    assert section.items == (
        "#2 · sev 3 · billing (back office) · Wrong VAT rate",
        "#1 · sev 4 · other · Late weekly report",
    )


def test_above_ten_new_issues_the_ten_most_severe_are_named_oldest_first_then_how_many_more(db: Engine) -> None:
    with session(db) as s:
        for day, severity in ((17, 4), (17, 3), (18, 3), (18, 2), (19, 4), (19, 1), (20, 3), (20, 2), (21, 4)):
            add_issue(s, f"sev {severity} on day {day}", created=at(day), severity=severity)
        add_issue(s, "sev 2 on day 16", created=at(16, 9), severity=2)
        add_issue(s, "sev 4 on day 22", created=at(22), severity=4)
        add_issue(s, "last week's", created=at(15), severity=1)
    section = next(s for s in built(db, "shared").sections if s.key == "issues")
    assert [item.rsplit(" · ", 1)[-1] for item in section.items] == [
        "sev 1 on day 19",
        "sev 2 on day 16",
        "sev 2 on day 18",
        "sev 2 on day 20",
        "sev 3 on day 17",
        "sev 3 on day 18",
        "sev 3 on day 20",
        "sev 4 on day 17",
        "sev 4 on day 19",
        "sev 4 on day 21",
        "… and 1 more",
    ]
    with session(db) as s:
        quiet = build_digest(session=s, window=window("shared").previous)
        empty = build_digest(session=s, window=window("shared", engagement="nobody"))
    assert next(s for s in quiet.sections if s.key == "issues").items == ("#12 · sev 1 · other · last week's",)
    assert "No new issues." in digest_text(empty)


def test_without_approved_levels_the_sla_section_says_so_and_keeps_the_breach_issues(seeded: Engine) -> None:
    d = built(seeded, "shared")
    assert fact(d, "sla.breaches") == ("1", "= same as the week before")
    assert fact(d, "sla.open") == ("0", None)
    assert d.fact("sla.met") is None and d.fact("sla.credits") is None  # never a made-up number
    text = digest_text(d)
    assert "Note: No approved service levels yet: `liaison sla extract`, then approve them." in text
    assert "sev 2 · sla-breach · Queue answer time missed" in text


def test_open_mediations_with_their_age_and_deadline(seeded: Engine) -> None:
    d = built(seeded, "shared")
    assert fact(d, "mediations.open") == ("2", "▲1 vs 1 the week before")
    assert fact(d, "mediations.overdue") == ("1", None)
    text = digest_text(d)
    assert "open · 10 days old · deadline 2026-11-20 (overdue) · Service credit for October" in text
    assert "Scope of weekend cover" in text and "Old pricing question" not in text


def test_top_questions_knowledge_gaps_and_feedback_with_trends(seeded: Engine) -> None:
    d = built(seeded, "client")
    assert fact(d, "questions.asked") == ("3", "▲2 vs 1 the week before")
    assert fact(d, "questions.answered") == ("2 of 3 (67%)", None)
    assert fact(d, "questions.cited") == ("MSA (msa.md) ×2", None)
    assert fact(d, "questions.unanswered") == ("1", "= same as the week before")
    assert fact(d, "feedback.up") == ("1", "= same as the week before")
    assert fact(d, "feedback.balance") == ("+1", "= same as the week before")
    sections = {s.key: s for s in d.sections}
    assert sections["questions"].items[0] == "2× what is the notice period"  # one question however it was typed
    assert sections["gaps"].items == ("1× Is there a holiday calendar?",)
    assert sections["gaps"].action is not None and sections["gaps"].action.value == E


def test_each_side_sees_its_own_and_shared_questions_only(seeded: Engine) -> None:
    client, vendor, shared = (digest_text(built(seeded, side)) for side in ("client", "vendor", "shared"))
    for vendor_only in ("target margin", "agent cost", "Staffing plan", "Vendor-internal staffing plan"):
        assert vendor_only not in client and vendor_only not in shared
        assert vendor_only in vendor
    assert "holiday calendar" in client and "holiday calendar" not in vendor and "holiday calendar" not in shared
    assert "notice period" in shared  # asked in the shared channel: everyone's
    assert fact(built(seeded, "vendor"), "feedback.down") == ("1", "▲1 vs 0 the week before")
    assert fact(built(seeded, "client"), "feedback.down") == ("0", "= same as the week before")
    blocks = json.dumps(digest_blocks(built(seeded, "client")), ensure_ascii=False)
    assert "margin" not in blocks and "Staffing" not in blocks


def test_blocks_stay_within_slack_limits_and_escape_user_text(db: Engine) -> None:
    with session(db) as s:
        for n in range(80):
            add_issue(s, f"<!channel> broken & <http://evil|click> {n} " + "x" * 200, created=at(17), severity=1)
        for n in range(40):
            add_question(s, f"<!here> question {n}?", side="shared", asked=at(18), found=False)
    blocks = digest_blocks(built(db, "shared"))
    assert len(blocks) <= 50
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000 and block["text"]["verbatim"] is True
    dumped = json.dumps(blocks, ensure_ascii=False)
    assert "<!channel>" not in dumped and "<!here>" not in dumped and "<http" not in dumped
    assert "&lt;!channel&gt; broken &amp; &lt;http://evil|click&gt;" in dumped
    assert "… and 70 more" in dumped  # the week's new issues: 10 named
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], opened(b["value"])) for b in buttons] == [("digest_add_document", E)]
    help_text = add_document_blocks(engagement=E, side="vendor")[0]["text"]["text"]
    assert "/liaison index" in help_text and "vendor-only" in help_text and "Add to contracts" in help_text


def test_chart_is_a_png_of_the_last_weeks(seeded: Engine) -> None:
    shared = built(seeded, "shared")
    with session(seeded) as s:
        points = weekly_points(session=s, engagements=[E], window=window("shared"))
        data = digest_posts.chart_data(session=s, digest=shared)
    assert data.weeks == points and data.levels == ()  # no approved level: issues only
    png = digest_posts.chart(shared, data)
    assert len(points) == 10 and points[-1].label == "16 Nov"
    assert (points[-1].opened, points[-1].resolved) == (3, 2)
    assert (points[-2].opened, points[-2].resolved) == (2, 2)
    assert png.startswith(PNG) and len(png) > 10_000


# Posting


@pytest.fixture
def api() -> Iterator[SlackAPI]:
    with SlackAPI() as running:
        yield running


def deps_for(engine: Engine, tmp_path: Path, **env: Any) -> Deps:
    settings = Settings(LIAISON_DATA_DIR=tmp_path, **env)
    return Deps(settings=settings, kb=None, engine=engine)  # type: ignore[arg-type]  (digests never ask the contracts)


def client_for(api: SlackAPI) -> WebClient:
    return WebClient(token="xoxb-test", base_url=api.url)


def posts(api: SlackAPI) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for call in api.calls_to("chat.postMessage"):
        out.setdefault(call.params["channel"], []).append(call.params)
    return out


def test_due_digests_are_posted_once_per_channel_with_metadata_and_a_chart(
    seeded: Engine, api: SlackAPI, tmp_path: Path
) -> None:
    deps = deps_for(seeded, tmp_path)
    outcomes = digest.post_due_digests(deps, client_for(api), now=NOW)
    assert sorted((o.channel_id, o.status) for o in outcomes) == [
        ("CCLIENT", "posted"),
        ("CSHARED", "posted"),
        ("CVENDOR", "posted"),
    ]
    sent = posts(api)
    assert {channel: len(p) for channel, p in sent.items()} == {"CCLIENT": 1, "CSHARED": 1, "CVENDOR": 1}
    for (params,) in sent.values():
        assert params["metadata"] == {
            "event_type": "liaison_digest",
            "event_payload": {"engagement": E, "week": "2026-11-23"},
        }
        assert "Weekly digest: acme" in params["text"] and len(params["blocks"]) <= 50
    assert "margin" not in json.dumps(sent["CCLIENT"]) and "margin" in json.dumps(sent["CVENDOR"])
    completed = api.calls_to("files.completeUploadExternal")
    assert len(api.calls_to("files.getUploadURLExternal")) == 3 and len(api.calls_to("upload")) == 3
    assert sorted(c.params["channel_id"] for c in completed) == ["CCLIENT", "CSHARED", "CVENDOR"]
    ts_of = {o.channel_id: o.ts for o in outcomes}
    assert all(c.params["thread_ts"] == ts_of[c.params["channel_id"]] for c in completed)
    assert all(content.startswith(PNG) for content in api.uploads.values())
    with session(seeded) as s:
        rows = s.exec(select(digests.DigestPost)).all()
        assert {(r.channel_id, r.week_start, r.ts) for r in rows} == {(c, WEEK, ts_of[c]) for c in ts_of}
        assert all(r.posted_at == NOW and r.chart_file_id for r in rows)
    assert digest.post_due_digests(deps, client_for(api), now=NOW + timedelta(hours=2)) == []
    assert len(api.calls_to("chat.postMessage")) == 3


def test_two_replicas_at_once_post_each_digest_once(
    database: tuple[Engine, str], api: SlackAPI, tmp_path: Path
) -> None:
    engine, url = database
    upgrade(engine)
    seed(engine)
    replicas = [make_engine(url) for _ in range(3)]  # three processes, each with its own pool
    try:
        turns = iter(replicas)
        results = at_once(3, lambda: digest.post_due_digests(deps_for(next(turns), tmp_path), client_for(api), now=NOW))
    finally:
        for replica in replicas:
            replica.dispose()
    posted = [o for result in results for o in result if o.status == "posted"]
    assert sorted(o.channel_id for o in posted) == ["CCLIENT", "CSHARED", "CVENDOR"]
    assert {channel: len(p) for channel, p in posts(api).items()} == {"CCLIENT": 1, "CSHARED": 1, "CVENDOR": 1}
    assert len(api.calls_to("files.completeUploadExternal")) == 3


def _stale_claim(engine: Engine, channel: str, side: str, *, minutes: int = 30) -> None:
    with session(engine) as s:
        claim = digests.claim_post(
            session=s,
            engagement=E,
            channel_id=channel,
            week_start=WEEK,
            side=side,
            now=NOW - timedelta(minutes=minutes),
            stale_after=digest_posts.STALE_AFTER,
        )
        assert claim is not None


def _history(*messages: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "messages": list(messages), "has_more": False, "response_metadata": {"next_cursor": ""}}


def _ours(ts: str, week: str = "2026-11-23") -> dict[str, Any]:
    payload = {"engagement": E, "week": week}
    return {
        "type": "message",
        "ts": ts,
        "bot_id": "BBOT",
        "metadata": {"event_type": "liaison_digest", "event_payload": payload},
    }


def test_restart_mid_post_finds_the_message_already_posted_and_does_not_post_again(
    seeded: Engine, api: SlackAPI, tmp_path: Path
) -> None:
    with session(seeded) as s:
        records.unbind_channel(session=s, channel_id="CVENDOR")
        records.unbind_channel(session=s, channel_id="CSHARED")
    _stale_claim(seeded, "CCLIENT", "client")
    api.respond_with(
        "conversations.history", _history({"type": "message", "ts": "1.5", "text": "hi"}, _ours("1700000000.000900"))
    )
    (outcome,) = digest.post_due_digests(deps_for(seeded, tmp_path), client_for(api), now=NOW)
    assert (outcome.status, outcome.ts) == ("recovered", "1700000000.000900")
    assert api.calls_to("chat.postMessage") == []
    (history,) = api.calls_to("conversations.history")
    assert history.params["channel"] == "CCLIENT" and history.params["include_all_metadata"] in (True, "true", "1", 1)
    assert api.calls_to("files.completeUploadExternal")[0].params["thread_ts"] == "1700000000.000900"
    with session(seeded) as s:
        row = digests.get_post(session=s, engagement=E, channel_id="CCLIENT", week_start=WEEK)
        assert row is not None and row.ts == "1700000000.000900" and row.posted_at == NOW


def test_restart_mid_post_posts_when_the_message_is_not_in_the_channel(
    seeded: Engine, api: SlackAPI, tmp_path: Path
) -> None:
    _stale_claim(seeded, "CCLIENT", "client")
    _stale_claim(seeded, "CVENDOR", "vendor", minutes=5)  # claimed 5 minutes ago: another replica is still on it
    api.respond_with("conversations.history", _history(_ours("1.7", week="2026-11-16")))  # last week's digest
    outcomes = {
        o.channel_id: o.status for o in digest.post_due_digests(deps_for(seeded, tmp_path), client_for(api), now=NOW)
    }
    assert outcomes == {"CCLIENT": "posted", "CSHARED": "posted"}
    assert sorted(posts(api)) == ["CCLIENT", "CSHARED"]
    in_progress = digest.post_engagement_digests(
        seeded, Settings(LIAISON_DATA_DIR=tmp_path), client_for(api), engagement=E, now=NOW
    )
    assert [(o.channel_id, o.status) for o in in_progress if o.channel_id == "CVENDOR"] == [("CVENDOR", "in-progress")]
    assert [c.params["channel"] for c in api.calls_to("conversations.history")] == ["CCLIENT"]


def test_a_refused_post_is_recorded_and_retried(seeded: Engine, api: SlackAPI, tmp_path: Path) -> None:
    settings = Settings(LIAISON_DATA_DIR=tmp_path)
    api.fail("chat.postMessage", "not_in_channel", status=200)
    first = digest.post_engagement_digests(seeded, settings, client_for(api), engagement=E, now=NOW)
    assert [(o.channel_id, o.status, o.detail) for o in first][0] == (
        "CCLIENT",
        "failed",
        "chat.postMessage: not_in_channel",
    )
    with session(seeded) as s:
        row = digests.get_post(session=s, engagement=E, channel_id="CCLIENT", week_start=WEEK)
        assert row is not None and row.last_error == "chat.postMessage: not_in_channel" and row.posted_at is None
    again = digest.post_engagement_digests(seeded, settings, client_for(api), engagement=E, now=NOW)
    assert [o.status for o in again] == ["posted", "already-posted", "already-posted"]
    assert {channel: len(p) for channel, p in posts(api).items()} == {"CCLIENT": 2, "CSHARED": 1, "CVENDOR": 1}
    assert [c.params["channel_id"] for c in api.calls_to("files.completeUploadExternal")] == [
        "CSHARED",
        "CVENDOR",
        "CCLIENT",
    ]


def test_post_due_digests_waits_for_each_engagements_moment_in_its_time_zone(
    db: Engine, api: SlackAPI, tmp_path: Path
) -> None:
    with session(db) as s:
        bind(s, "CNY", "shared", engagement="ny")
        bind(s, "CTOKYO", "shared", engagement="tokyo")
        schedule = digest_schedule.set_schedule(
            session=s, settings=Settings(), engagement="ny", text="fri 17:00 America/New_York", updated_by="cli"
        )
        assert schedule.text() == "Fridays at 17:00 (America/New_York)" and schedule.own
    deps = deps_for(db, tmp_path, LIAISON_TIMEZONE="Asia/Tokyo")  # the default: Mondays at 08:00 in Tokyo

    def due(day: int, hour: int, minute: int) -> list[tuple[str, str, str]]:
        outcomes = digest.post_due_digests(deps, client_for(api), now=datetime(2026, 11, day, hour, minute, tzinfo=UTC))
        return [(o.engagement, o.week_start.isoformat(), o.status) for o in outcomes]

    # Sun 22:59 UTC: Mon 07:59 in Tokyo; New York's Friday digest never went out (nothing ran) and is two days
    # late: skipped (a bot first started mid-week does not post a stale digest), next week's comes on time
    assert due(22, 22, 59) == []
    assert due(22, 23, 0) == [("tokyo", "2026-11-23", "posted")]  # Mon 08:00 in Tokyo
    assert due(27, 21, 59) == []  # Fri 16:59 in New York
    assert due(27, 23, 30) == [("ny", "2026-11-23", "posted")]  # the bot was down at 17:00: caught up
    assert due(28, 9, 0) == []
    assert "Fri 20 Nov 17:00 – Fri 27 Nov 2026 17:00 (America/New_York)" in posts(api)["CNY"][0]["text"]


def test_the_managers_channel_gets_one_cross_engagement_digest(seeded: Engine, api: SlackAPI, tmp_path: Path) -> None:
    with session(seeded) as s:
        bind(s, "COTHER", "client", engagement="globex")
    deps = deps_for(seeded, tmp_path, LIAISON_MANAGERS_CHANNEL="CMGR")
    at_once(2, lambda: digest.post_due_digests(deps, client_for(api), now=NOW))
    (managers,) = posts(api)["CMGR"]
    assert managers["metadata"]["event_payload"] == {"engagement": "*", "week": "2026-11-23"}
    assert "Weekly digest: all engagements" in managers["text"] and "acme, globex" in managers["text"]
    dumped = json.dumps(managers["blocks"], ensure_ascii=False)
    assert "*acme*" in dumped and "*globex*" in dumped and "SLA breaches logged" in dumped
    assert "margin" not in dumped and "holiday" not in dumped


# The "Add a document" button


def test_add_a_document_button_explains_how_for_the_channels_side(tmp_path: Path, fake_kb: Any) -> None:
    from tests.test_slack_app import running_slack

    with running_slack(tmp_path, fake_kb) as slack:
        slack.bind("CCLIENT", "client")
        slack.action("digest_add_document", "acme-customer-care", channel="CCLIENT")
        (reply,) = slack.api.wait_for("chat.postEphemeral")
    text = reply.params["blocks"][0]["text"]["text"]
    assert reply.params["channel"] == "CCLIENT" and reply.params["user"] == "U1"
    assert "acme-customer-care" in text and "client-only" in text and "/liaison index" in text


def test_a_week_across_a_dst_change_keeps_the_local_hour() -> None:
    schedule = digest_schedule.Schedule("mon", "08:00", "Europe/Paris")  # summer time ended on Sun 25 Oct 2026
    now = datetime(2026, 10, 27, tzinfo=UTC)
    w = digest_posts.window_for(
        engagement=E, side="shared", week_start=schedule.week_of(now), schedule=schedule, now=now
    )
    assert (w.start, w.end) == (datetime(2026, 10, 19, 6, tzinfo=UTC), datetime(2026, 10, 26, 7, tzinfo=UTC))
    assert w.previous.start == datetime(2026, 10, 12, 6, tzinfo=UTC)
    assert digest_schedule.parse_schedule("Friday 9:05") == ("fri", "09:05", None)
    with pytest.raises(digest_schedule.ScheduleError):
        digest_schedule.parse_schedule("someday 08:00")


def test_a_restart_that_cannot_read_the_history_does_not_post_blindly(
    seeded: Engine, api: SlackAPI, tmp_path: Path
) -> None:
    _stale_claim(seeded, "CCLIENT", "client")
    api.fail("conversations.history", "missing_scope", status=200)
    settings = Settings(LIAISON_DATA_DIR=tmp_path)
    outcomes = digest.post_engagement_digests(seeded, settings, client_for(api), engagement=E, now=NOW)
    assert outcomes[0].status == "failed" and outcomes[0].detail == "conversations.history: missing_scope"
    assert "CCLIENT" not in posts(api)
    with session(seeded) as s:  # a claim taken over is no longer the first attempt's
        first = digests.claim_post(
            session=s, engagement=E, channel_id="CX", week_start=WEEK, side="client", now=NOW, stale_after=timedelta(0)
        )
        second = digests.claim_post(
            session=s, engagement=E, channel_id="CX", week_start=WEEK, side="client", now=NOW, stale_after=timedelta(0)
        )
        assert first is not None and second is not None and second.retaken
        assert not digests.holds_claim(session=s, post_id=first.post_id, token=first.token)
        assert digests.holds_claim(session=s, post_id=second.post_id, token=second.token)
