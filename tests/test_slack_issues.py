"""The issue log in Slack: `/liaison issue` opens a modal, its submission logs the issue once, `/liaison issues`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import cases, issues
from bot.db import session
from bot.slack import issue_blocks as ib
from bot.slack.local_api import action_body
from knowledge.base import KnowledgeBase
from tests.conftest import ENGAGEMENT
from tests.test_slack_app import Slack, running_slack


@pytest.fixture
def slack(tmp_path: Path, sample_kb: KnowledgeBase) -> Iterator[Slack]:
    """The app, a fresh database and the local Slack API, as in tests/test_slack_app.py."""
    with running_slack(tmp_path, sample_kb) as running:
        yield running


FILLED = {
    "title": "Invoice 4411 billed twice",
    "description": "March invoice charged twice.",
    "category": "billing",
    "severity": "2",
    "risk": "high",
    "value": "low",
    "side": "client",
    "clause": "SOW 7.2",
    "owner": "UOWNER",
    "due": "2026-12-05",
}


def _state(fields: dict[str, str | None]) -> dict[str, Any]:
    """`view.state.values` as Slack sends it: {block_id: {action_id: element state}}."""

    def option(value: str | None) -> dict[str, Any] | None:
        return {"text": {"type": "plain_text", "text": value}, "value": value} if value else None

    return {
        "title": {"title": {"type": "plain_text_input", "value": fields.get("title")}},
        "description": {"description": {"type": "plain_text_input", "value": fields.get("description")}},
        "category": {"category": {"type": "static_select", "selected_option": option(fields.get("category"))}},
        "severity": {"severity": {"type": "static_select", "selected_option": option(fields.get("severity"))}},
        "risk": {"risk": {"type": "radio_buttons", "selected_option": option(fields.get("risk"))}},
        "value": {"value": {"type": "radio_buttons", "selected_option": option(fields.get("value"))}},
        "side": {"side": {"type": "radio_buttons", "selected_option": option(fields.get("side"))}},
        "clause": {"clause": {"type": "plain_text_input", "value": fields.get("clause")}},
        "owner": {"owner": {"type": "users_select", "selected_user": fields.get("owner")}},
        "due": {"due": {"type": "datepicker", "selected_date": fields.get("due")}},
    }


def _submit(slack: Slack, fields: dict[str, str | None], *, view_id: str = "VISSUE1", channel: str = "C1") -> Any:
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "trigger_id": "1.2.3",
        "view": {
            "id": view_id,
            "type": "modal",
            "callback_id": ib.CALLBACK_ID,
            "private_metadata": json.dumps({"channel": channel, "engagement": ENGAGEMENT, "side": "client"}),
            "state": {"values": _state(fields)},
            "hash": "1.abc",
        },
    }
    return slack.send(action_body(payload), "application/x-www-form-urlencoded")


def _issues(slack: Slack) -> list[cases.IssueRecord]:
    with session(slack.deps.engine) as s:
        return issues.list_issues(session=s, engagement=ENGAGEMENT)


def test_slash_issue_opens_the_modal(slack: Slack) -> None:
    slack.bind("C1", "client")
    slack.command("issue Invoice billed twice")
    [opened] = [c.params for c in slack.api.wait_for("views.open")]
    assert opened["trigger_id"].endswith(".trigger")
    view = opened["view"]
    assert view["callback_id"] == "log_issue"
    assert json.loads(view["private_metadata"]) == {"channel": "C1", "engagement": ENGAGEMENT, "side": "client"}
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert set(inputs) == {"title", "description", "category", "severity", "risk", "value", "side"} | {
        "clause",
        "owner",
        "due",
    }
    assert inputs["title"]["element"]["initial_value"] == "Invoice billed twice"
    assert not inputs["title"]["optional"] and inputs["description"]["element"]["multiline"]
    groups = inputs["category"]["element"]["option_groups"]
    assert [g["label"]["text"] for g in groups] == ["Back office", "Front office", "Other"]
    assert sorted(o["value"] for g in groups for o in g["options"]) == sorted(cases.CATEGORIES)
    severity = inputs["severity"]["element"]
    assert [o["text"]["text"] for o in severity["options"]][0] == "1 - critical"
    assert severity["initial_option"]["value"] == "3"
    assert inputs["side"]["element"]["initial_option"]["value"] == "client"
    assert inputs["owner"]["element"]["type"] == "users_select" and inputs["due"]["element"]["type"] == "datepicker"


def test_a_shared_channel_has_no_default_side(slack: Slack) -> None:
    slack.bind("C1", "shared")
    slack.command("issue")
    view = slack.api.wait_for("views.open")[0].params["view"]
    side = next(b for b in view["blocks"] if b.get("block_id") == "side")
    assert "initial_option" not in side["element"]
    assert "initial_value" not in next(b for b in view["blocks"] if b.get("block_id") == "title")["element"]


def test_a_submission_logs_one_issue_and_confirms_it_once(slack: Slack) -> None:
    slack.bind("C1", "client")
    first = _submit(slack, FILLED)
    again = _submit(slack, FILLED)  # Slack retried, or a double click
    assert first.status == 200 and again.status == 200 and not first.body and not again.body
    [posted] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    [issue] = _issues(slack)
    assert posted["channel"] == "C1"
    assert posted["text"] == (
        f"Issue #{issue.id} logged: Invoice 4411 billed twice \u2014 severity 2, billing (back office), "
        "raised by client, owner <@UOWNER>, due 2026-12-05"
    )
    assert (issue.severity, issue.category, issue.office, issue.risk, issue.value) == (
        2,
        "billing",
        "back",
        "high",
        "low",
    )
    assert issue.raised_by_side == "client" and issue.owner == "UOWNER" and str(issue.due) == "2026-12-05"
    assert issue.description == "March invoice charged twice.\n\nClause: SOW 7.2"
    assert issue.created_by == "U1" and issue.source_key == "view:VISSUE1"
    slack.app.listener_runner.listener_executor.shutdown(wait=True)
    assert len(slack.api.calls_to("chat.postMessage")) == 1


def test_a_blank_title_is_refused_in_the_modal(slack: Slack) -> None:
    slack.bind("C1", "client")
    response = _submit(slack, {**FILLED, "title": "   ", "category": None})
    body = json.loads(response.body)
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"title", "category"}
    assert _issues(slack) == []


def test_slash_issues_lists_the_open_issues_most_severe_first(slack: Slack) -> None:
    slack.bind("C1", "vendor")
    _submit(slack, {**FILLED, "severity": "3", "title": "Slow chat replies", "category": "customer-service"})
    _submit(slack, FILLED, view_id="VISSUE2")
    slack.api.wait_for("chat.postMessage", count=2)
    slack.command("issues")
    reply = slack.api.wait_for("response_url")[-1].params
    text = json.dumps(reply["blocks"])
    assert reply["response_type"] == "ephemeral"
    assert text.index("Invoice 4411 billed twice") < text.index("Slow chat replies")
    assert "2 - high" in text and "<@UOWNER>" in text and "2026-12-05" in text and "open" in text


def test_the_list_is_capped() -> None:
    issue = {"id": 1, "severity": 1, "title": "t", "status": "open", "owner": None, "due": None}
    listed = ib.issue_list_blocks([issue] * 25, engagement="acme")
    assert len(listed) == 1 + 20 + 1 and "and 5 more" in json.dumps(listed[-1])


def test_an_unbound_channel_is_told_how_to_bind(slack: Slack) -> None:
    slack.command("issue", channel="C9")
    reply = slack.api.wait_for("response_url")[-1].params
    assert reply["response_type"] == "ephemeral" and "/liaison bind" in json.dumps(reply["blocks"])
    assert slack.api.calls_to("views.open") == []
