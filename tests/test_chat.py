"""`liaison chat`: the real Bolt app driven from a terminal through the local Slack API stand-in."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.app import build_knowledge
from bot.localslack.chat import run_chat
from bot.localslack.chat_render import render_blocks
from bot.settings import Settings
from tests.conftest import write

SLA = """# Service Level Agreement

Acme Retail and Meridian Contact Solutions.

## 1. Service Credits

1.1 Service credits in any month are capped at 12% of the monthly fees for that month.

## 2. Incident Restoration

2.1 Vendor shall restore service for a Severity 1 incident within 4 hours of it being reported.
"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(LIAISON_DATA_DIR=tmp_path / "data", _env_file=None)
    report = build_knowledge(settings).index([write(tmp_path / "docs" / "sla.md", SLA)], engagement="acme")
    assert not report.failed, report.failed
    return settings


def _chat(settings: Settings, lines: str, engagement: str | None = "acme") -> str:
    out = io.StringIO()
    run_chat(settings, engagement=engagement, side="shared", input=io.StringIO(lines), output=out)
    return out.getvalue()


def test_questions_follow_ups_commands_and_feedback_go_through_the_slack_app(settings: Settings) -> None:
    out = _chat(settings, "what is the credit cap?\n> and severity 1?\n/up\n/liaison help\nquit\nnever sent\n")
    assert "Engagement: acme" in out and "shared" in out and "/up" in out and "quit" in out  # the banner
    question, follow_up, feedback, help_, after = _turns(out)
    assert "Liaison (in thread):" in question
    assert "> 1.1 Service credits in any month are capped at 12% of the monthly fees" in question
    assert "[👍 Helpful] [👎 Not helpful]" in question
    assert "Liaison (in thread):" in follow_up and "4 hours" in follow_up
    assert "Thanks, noted." in feedback
    assert "/liaison ask QUESTION" in help_ and "/liaison bind ENGAGEMENT client|vendor|shared" in help_
    assert after == "quit" and "never sent" not in out
    assert "&amp;" not in out and "&gt;" not in out


def _turns(out: str) -> list[str]:
    """What followed each `you> ` line, with the line itself removed."""
    turns = out.split("you> ")[1:]
    return [t.split("\n", 1)[1] if "\n" in t else t for t in turns[:-1]] + [turns[-1].strip()]


def test_an_unbound_channel_is_told_how_to_bind_it(settings: Settings) -> None:
    out = _chat(settings, "what is the credit cap?\n", engagement=None)  # ends at end of input
    banner, reply = out.split("you> what is the credit cap?")
    assert "not bound" in banner
    assert "is not bound to an engagement yet" in reply and "/liaison bind ENGAGEMENT client|vendor|shared" in reply
    assert "12%" not in reply


def test_render_blocks_makes_block_kit_readable() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Liaison"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "R&amp;D costs &lt;b&gt; for <@U123> :mag:"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "*SLA, §1*"}]},
        {"type": "section", "text": {"type": "mrkdwn", "text": "> capped at 12%\n>\n> see <https://x.test/a|the SLA>"}},
        {"type": "divider"},
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "👍 Helpful"}, "action_id": "up"},
                {"type": "button", "text": {"type": "plain_text", "text": "👎 Not helpful"}, "action_id": "down"},
            ],
        },
    ]
    assert render_blocks(blocks) == (
        "Liaison\n───────\n"
        "R&D costs <b> for @U123 🔍\n"
        "*SLA, §1*\n"
        "> capped at 12%\n>\n> see the SLA (https://x.test/a)\n" + "─" * 20 + "\n[👍 Helpful] [👎 Not helpful]"
    )
    assert render_blocks([]) == ""


def test_a_form_opened_by_a_command_is_described(settings: Settings) -> None:
    out = _chat(settings, "/liaison issue Chat SLA missed\n")
    [reply] = _turns(out)[-1:]
    assert "opened the form \u201cLog an issue\u201d: Title, Description, Category" in reply
    assert "filled in Slack" in reply
