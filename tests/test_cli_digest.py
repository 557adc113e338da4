"""`liaison digest`: the dry run as a person reads it, --post once per channel and week, the schedule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot import issues, records
from bot.cli import cli
from bot.db import make_engine, session, upgrade
from bot.digest import posts
from bot.digest import schedule as digest_schedule
from bot.localslack.api import SlackAPI
from bot.records.case_schemas import IssueCreate
from bot.records.questions import record_question
from bot.settings import Settings


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def seed(data: Path) -> None:
    """Channels on both sides, an issue and two questions inside this week's digest window (by the real clock):
    by hand, the seven days up to now."""
    engine = make_engine(f"sqlite:///{data / 'liaison.db'}")
    upgrade(engine)
    now = datetime.now(UTC)
    schedule = digest_schedule.default_schedule(Settings(LIAISON_DATA_DIR=data))
    window = posts.window_for(
        engagement="acme", side="shared", week_start=schedule.week_of(now), schedule=schedule, now=now, live=True
    )
    inside = window.start + (window.end - window.start) / 2
    with session(engine) as s:
        for channel, side in (("CCLIENT", "client"), ("CVENDOR", "vendor")):
            records.bind_channel(
                session=s, channel_id=channel, team_id="T1", engagement="acme", side=side, user_id="U0"
            )
        issue = issues.create_issue(
            session=s,
            issue_in=IssueCreate(
                engagement="acme", title="Invoice 4411 billed twice", created_by="U1", category="billing", severity=1
            ),
        )
        issue.created_at = inside
        for text, side in (("What is the notice period?", "client"), ("What is our target margin?", "vendor")):
            row = record_question(
                session=s,
                source_key=f"q:{side}",
                engagement="acme",
                side=side,
                channel_id=f"C{side.upper()}",
                user_id="U1",
                thread_ts=None,
                question=text,
                answer_dict={"answer": "", "citations": []},
                found=False,
                mode="extractive",
            )
            row.asked_at = inside
    engine.dispose()


@pytest.fixture
def run(data: Path):  # type: ignore[no-untyped-def]
    def invoke(*args: str, code: int = 0, **env: str | None) -> str:
        environment: dict[str, str | None] = {"LIAISON_DATA_DIR": str(data), "SLACK_BOT_TOKEN": None, **env}
        result = CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    return invoke


@pytest.fixture
def api() -> Iterator[SlackAPI]:
    with SlackAPI() as running:
        yield running


def test_dry_run_prints_the_digest_as_text_without_slack_tokens(run: Any, data: Path) -> None:
    seed(data)
    out = run("digest", "--engagement", "acme", "--dry-run", "--side", "client")
    assert out.startswith("Weekly digest: acme\n")
    for heading in (
        "ISSUES THIS WEEK",
        "OPEN AND AGEING ISSUES",
        "MEDIATIONS",
        "SLA",
        "TOP QUESTIONS",
        "KNOWLEDGE GAPS",
    ):
        assert f"\n{heading}\n" in out
    assert "New: 1 (▲1 vs 0 the week before) — sev 1: 1; back office: 1" in out
    assert "#1 · sev 1 · billing (back office) · Invoice 4411 billed twice" in out
    assert "1× What is the notice period?" in out and "margin" not in out  # the vendor's question stays theirs
    assert "Note: No approved service levels yet: `liaison sla extract`, then approve them." in out
    assert "{" not in out
    assert "margin" in run("digest", "-e", "acme", "--dry-run", "--side", "vendor")
    assert json.loads(run("digest", "-e", "acme", "--dry-run", "--json"))["engagement"] == "acme"


def test_post_posts_once_per_channel_and_week(run: Any, data: Path, api: SlackAPI) -> None:
    seed(data)
    slack = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": api.url}
    first = run("digest", "-e", "acme", "--post", **slack)
    assert "CCLIENT (client): posted ts " in first and "CVENDOR (vendor): posted ts " in first
    assert sorted(c.params["channel"] for c in api.calls_to("chat.postMessage")) == ["CCLIENT", "CVENDOR"]
    assert all(c.headers["authorization"] == "Bearer xoxb-test" for c in api.calls_to("chat.postMessage"))
    assert len(api.calls_to("files.completeUploadExternal")) == 2
    second = run("digest", "-e", "acme", "--post", **slack)
    assert "already posted this week: nothing posted" in second and "nothing posted:" in second
    assert len(api.calls_to("chat.postMessage")) == 2


def test_post_needs_a_token_and_a_bound_channel(run: Any, data: Path, api: SlackAPI) -> None:
    seed(data)
    assert "SLACK_BOT_TOKEN" in run("digest", "-e", "acme", "--post", code=1)
    out = run("digest", "-e", "nobody", "--post", code=1, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=api.url)
    assert "unknown engagement 'nobody'" in out
    preview = run("digest", "-e", "nobody", "--dry-run")  # an empty digest, and a note to check the name
    assert "nothing is recorded for 'nobody' yet" in preview and "Weekly digest: nobody" in preview
    engine = make_engine(f"sqlite:///{data / 'liaison.db'}")
    with session(engine) as s:
        issues.create_issue(session=s, issue_in=IssueCreate(engagement="globex", title="Late report", created_by="U1"))
    engine.dispose()
    out = run("digest", "-e", "globex", "--post", code=1, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=api.url)
    assert "no bound channel" in out and "/liaison bind globex" in out
    assert api.calls_to("chat.postMessage") == []


def test_schedule_is_set_per_engagement_and_checked(run: Any, data: Path) -> None:
    seed(data)
    assert "Mondays at 08:00 (UTC) (the default schedule)" in run("digest", "-e", "acme")
    out = run("digest", "-e", "acme", "--schedule", "fri 17:30 Europe/Paris")
    assert "Fridays at 17:30 (Europe/Paris) (its own schedule)" in out and "next: Fri" in out
    assert "(Europe/Paris)" in run("digest", "-e", "acme", "--dry-run").splitlines()[1]
    assert "must be HH:MM" in run("digest", "-e", "acme", "--schedule", "fri 25:00", code=2)
    assert "IANA" in run("digest", "-e", "acme", "--schedule", "fri 17:00 Mars/Olympus", code=2)
    assert "Mondays at 08:00 (UTC)" in run("digest", "-e", "acme", "--schedule", "default")
    assert "has not started" in run("digest", "-e", "acme", "--dry-run", "--week", "2099-01-05", code=2)


def test_a_digest_by_hand_covers_the_last_seven_days_up_to_now(run: Any, data: Path) -> None:
    """Logged a minute ago, after Monday's scheduled digest: `--dry-run` shows it (the scheduled one did not)."""
    engine = make_engine(f"sqlite:///{data / 'liaison.db'}")
    upgrade(engine)
    with session(engine) as s:
        issues.create_issue(
            session=s,
            issue_in=IssueCreate(
                engagement="globex", title="Chat first response over 45 s", created_by="U1", category="sla-breach"
            ),
        )
    engine.dispose()
    out = run("digest", "--engagement", "globex", "--dry-run")
    assert "New: 1 (▲1 vs 0 the week before)" in out and "SLA breaches logged: 1" in out
