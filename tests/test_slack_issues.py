"""The issue log in Slack: `/liaison issue` opens a modal, its submission logs the issue once, `/liaison issues`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import issues
from bot.db import session
from bot.localslack.bodies import action_body
from bot.localslack.workspace import PERMALINK
from bot.records import cases
from bot.slack import seal
from bot.slack.blocks import issue_modal
from bot.slack.blocks import issues as ib
from knowledge.base import KnowledgeBase
from tests.conftest import ENGAGEMENT
from tests.test_slack_app import Slack, meta_of, opened, running_slack


@pytest.fixture
def slack(tmp_path: Path, sample_kb: KnowledgeBase) -> Iterator[Slack]:
    """The app, a fresh database and the local Slack API, as in tests/test_slack_app.py."""
    with running_slack(tmp_path, sample_kb) as running:
        yield running


@pytest.fixture
def slack_any(tmp_path: Path, sample_kb: KnowledgeBase, db: Any) -> Iterator[Slack]:
    """The same on SQLite and on PostgreSQL (the `db` fixture's two databases)."""
    with running_slack(tmp_path, sample_kb, engine=db) as running:
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
    metadata = json.dumps({"channel": channel, "engagement": ENGAGEMENT})  # the side follows from the channel
    return slack.submit(callback_id=issue_modal.CALLBACK_ID, metadata=metadata, values=_state(fields), view_id=view_id)


def _issues(slack: Slack) -> list[cases.IssueRecord]:
    with session(slack.deps.engine) as s:
        return issues.list_issues(session=s, engagement=ENGAGEMENT)


def test_slash_issue_opens_the_modal(slack: Slack) -> None:
    slack.bind("C1", "client")
    slack.command("issue Invoice billed twice")
    [opening] = [c.params for c in slack.api.wait_for("views.open")]
    assert opening["trigger_id"].endswith(".trigger")
    view = opening["view"]
    assert view["callback_id"] == "log_issue"
    assert meta_of(view) == {"channel": "C1", "engagement": ENGAGEMENT}
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


def test_a_submission_logs_one_issue_and_confirms_it_once(slack_any: Slack) -> None:
    slack = slack_any
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


def test_the_reporters_and_the_owners_home_show_the_new_issue(slack: Slack) -> None:
    slack.bind("C1", "client")
    _submit(slack, FILLED)
    published = {c.params["user_id"]: c.params["view"] for c in slack.api.wait_for("views.publish", count=2)}
    assert set(published) == {"U1", "UOWNER"}
    assert "Invoice 4411 billed twice" in json.dumps(published["UOWNER"])  # assigned to them


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


# -- "Log as issue", the card, suggested clauses, status -----------------------------------------
MESSAGE_TS = "1732780000.000100"
MESSAGE = "<@U2> The March invoice 4411 was billed twice &amp; nobody answered\nSee <https://x.example/i|the invoice>"


def _shortcut(slack: Slack, *, channel: str = "C1", user: str = "U1", trigger: str = "7.7.7") -> Any:
    payload = {
        "type": "message_action",
        "callback_id": ib.SHORTCUT_ID,
        "trigger_id": trigger,
        "response_url": slack.api.response_url(),
        "team": {"id": "T1"},
        "user": {"id": user},
        "channel": {"id": channel, "name": channel.lower()},
        "message_ts": MESSAGE_TS,
        "message": {"type": "message", "user": "U2", "text": MESSAGE, "ts": MESSAGE_TS},
    }
    return slack.send(action_body(payload), "application/x-www-form-urlencoded")


def _select(slack: Slack, value: str, *, user: str, card_ts: str) -> Any:
    option = {"text": {"type": "plain_text", "text": value}, "value": value}
    element = {"type": "static_select", "selected_option": option}
    return slack.action(ib.STATUS_ACTION, value, user=user, message_ts=card_ts, element=element)


def _click(slack: Slack, action_id: str, value: str, *, user: str, card_ts: str) -> Any:
    return slack.action(action_id, value, user=user, message_ts=card_ts)


def _attach_buttons(blocks: list[dict[str, Any]]) -> list[str]:
    """The attach buttons' values as Liaison wrote them (their seals checked and stripped)."""
    return [
        opened(b["accessory"]["value"])
        for b in blocks
        if (b.get("accessory") or {}).get("action_id") == ib.ATTACH_ACTION
    ]


def _log_from_message(slack: Slack) -> tuple[dict[str, Any], dict[str, Any]]:
    """Use the shortcut, submit its modal as is (plus a category); the modal and the posted card."""
    slack.bind("C1", "client")
    assert _shortcut(slack).status == 200
    [opening] = [c.params for c in slack.api.wait_for("views.open")]
    view = opening["view"]
    meta = meta_of(view)
    fields = {**FILLED, "title": None, "description": None, "clause": None, "owner": None, "due": None}
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    fields.update(title=inputs["title"]["initial_value"], description=inputs["description"]["initial_value"])
    response = slack.submit(
        callback_id=view["callback_id"], metadata=view["private_metadata"], values=_state(fields), view_id="VMSG1"
    )
    assert response.status == 200
    [posted] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    return {"view": view, "meta": meta}, posted


def test_log_as_issue_prefills_from_the_message_and_links_back(slack: Slack) -> None:
    modal, posted = _log_from_message(slack)
    inputs = {b["block_id"]: b["element"] for b in modal["view"]["blocks"] if b["type"] == "input"}
    assert inputs["title"]["initial_value"] == "@U2 The March invoice 4411 was billed twice & nobody answered"
    assert inputs["description"]["initial_value"].endswith("See the invoice")
    assert modal["meta"] == {
        "channel": "C1",
        "engagement": ENGAGEMENT,
        "permalink": PERMALINK,
        "thread_ts": MESSAGE_TS,
    }
    [issue] = _issues(slack)
    assert issue.permalink == PERMALINK and issue.title.startswith("@U2 The March invoice 4411")
    assert posted["channel"] == "C1" and posted["thread_ts"] == MESSAGE_TS  # the card answers the message
    assert PERMALINK in json.dumps(posted["blocks"])
    # the same message again: the user is told, no second modal
    _shortcut(slack, trigger="7.7.8")
    reply = slack.api.wait_for("response_url")[-1].params
    assert reply["text"].startswith(f"This message is already issue #{issue.id}")
    assert len(slack.api.calls_to("views.open")) == 1


def test_log_as_issue_in_an_unbound_channel_explains_binding(slack: Slack) -> None:
    _shortcut(slack, channel="C9")
    reply = slack.api.wait_for("response_url")[-1].params
    assert "/liaison bind" in json.dumps(reply["blocks"]) and slack.api.calls_to("views.open") == []


def test_the_reporter_attaches_a_suggested_clause_verbatim(slack: Slack) -> None:
    _, posted = _log_from_message(slack)
    values = _attach_buttons(posted["blocks"])
    assert values, "billing issues should get clause suggestions"
    assert "Clauses that may apply" in json.dumps(posted["blocks"])
    card_ts = slack.api.calls_to("chat.postMessage")[0].params.get("ts") or "5.5"
    # someone else may not attach
    _click(slack, ib.ATTACH_ACTION, values[0], user="U3", card_ts=card_ts)
    assert "Only the person who logged" in slack.api.wait_for("response_url")[-1].params["text"]
    [issue] = _issues(slack)
    assert issue.clause_refs == []
    # the reporter may; the quote is read back from the document, verbatim
    _click(slack, ib.ATTACH_ACTION, values[0], user="U1", card_ts=card_ts)
    [update] = [c.params for c in slack.api.wait_for("chat.update")]
    [issue] = _issues(slack)
    [ref] = issue.clause_refs
    text = slack.deps.kb.document_text(ENGAGEMENT, ref["document"])
    assert text[ref["start"] : ref["end"]] == ref["quote"] and ref["quote"]
    assert update["channel"] == "C1" and update["ts"] == card_ts
    shown = json.dumps(update["blocks"])
    assert "Contract clauses attached" in shown and values[0] not in _attach_buttons(update["blocks"])
    # a click on the same (now attached) clause changes nothing; a forged value is refused
    _click(slack, ib.ATTACH_ACTION, values[0], user="U1", card_ts=card_ts)
    forged = json.loads(values[0]) | {"h": "0" * 16}
    _click(slack, ib.ATTACH_ACTION, json.dumps(forged), user="U1", card_ts=card_ts)
    assert "changed or was removed" in slack.api.wait_for("response_url", count=2)[-1].params["text"]
    # and a value Liaison never sealed does not reach the listener at all
    slack.action(ib.ATTACH_ACTION, json.dumps(forged), user="U1", message_ts=card_ts, forged=True)
    assert slack.api.wait_for("response_url", count=3)[-1].params["text"] == seal.REFUSED
    [issue] = _issues(slack)
    assert len(issue.clause_refs) == 1


def test_suggestions_respect_the_channel_side(slack: Slack) -> None:
    from tests.test_slack_app import VENDOR_SECRETS

    slack.bind("C1", "client")
    _submit(slack, {**FILLED, "title": "Vendor agent hourly rate and margin questioned", "description": ""})
    [posted] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    shown = json.dumps(posted["blocks"])
    assert not any(secret in shown for secret in VENDOR_SECRETS)


def test_the_status_menu_changes_the_status_on_the_timeline(slack_any: Slack) -> None:
    slack = slack_any
    _, posted = _log_from_message(slack)
    [issue] = _issues(slack)
    menu = next(
        b["accessory"] for b in posted["blocks"] if (b.get("accessory") or {}).get("action_id") == "issue_status"
    )
    assert [opened(o["value"]) for o in menu["options"]] == [
        f"{issue.id}:{s}" for s in ("acknowledged", "in-progress", "resolved", "closed")
    ]
    _select(slack, f"{issue.id}:acknowledged", user="U9", card_ts="5.5")  # no role, not the reporter
    assert "can change issue" in slack.api.wait_for("response_url")[-1].params["text"]
    _select(slack, f"{issue.id}:acknowledged", user="U1", card_ts="5.5")
    [update] = [c.params for c in slack.api.wait_for("chat.update")]
    assert "*Status:* Acknowledged" in json.dumps(update["blocks"])
    assert "status: open \u2192 acknowledged" in update["blocks"][-2]["elements"][0]["text"]
    with session(slack.deps.engine) as s:
        records_role = __import__("bot.records.roles", fromlist=["grant_role"])
        records_role.grant_role(session=s, engagement=ENGAGEMENT, user_id="UV", role="vendor-owner", granted_by="UA")
    _select(slack, f"{issue.id}:resolved", user="UV", card_ts="5.5")
    slack.api.wait_for("chat.update", count=2)
    with session(slack.deps.engine) as s:
        timeline = issues.issue_timeline(session=s, issue_id=issue.id)
        record = issues.get_issue(session=s, issue_id=issue.id)
    assert [(e.kind, e.actor) for e in timeline] == [("created", "U1"), ("status", "U1"), ("status", "UV")]
    assert record is not None and record.status == "resolved" and record.resolved_at is not None
    assert issues.list_issues is not None and _issues(slack) == []


def test_a_form_without_liaisons_metadata_is_refused_in_the_modal(slack: Slack) -> None:
    for metadata in ("", "not json", json.dumps({"channel": "C1"})):
        response = slack.submit(
            callback_id=issue_modal.CALLBACK_ID, metadata=metadata, values=_state(FILLED), view_id="VX"
        )
        body = json.loads(response.body)
        assert response.status == 200 and body["response_action"] == "errors" and "expired" in body["errors"]["title"]
    assert _issues(slack) == [] and slack.api.calls_to("chat.postMessage") == []


def test_a_card_in_a_channel_keeps_the_channels_language_whoever_clicks(slack: Slack) -> None:
    """Everyone in the channel reads the card: it is re-rendered in the channel's language (its own, then its
    engagement's, then LIAISON_LANGUAGE), never in the language of whoever clicked last (issue #14)."""
    from bot import languages
    from bot.authorize import Actor
    from bot.slack.language import forget_locales

    _, _posted = _log_from_message(slack)
    [issue] = _issues(slack)
    forget_locales()
    slack.api.users = {"U1": {"locale": "it-IT"}}  # the reporter reads Italian; the channel has no setting
    _select(slack, f"{issue.id}:acknowledged", user="U1", card_ts="5.5")
    [update] = [c.params for c in slack.api.wait_for("chat.update")]
    assert "*Status:* Acknowledged" in json.dumps(update["blocks"])
    languages.set_language(
        slack.deps, engagement=ENGAGEMENT, language="it", who=Actor("cli", frozenset({"admin"})), channel_id="C1"
    )
    slack.api.users = {}  # now an en-US person clicks in an Italian channel
    forget_locales()
    _select(slack, f"{issue.id}:in-progress", user="U1", card_ts="5.5")
    update = [c.params for c in slack.api.wait_for("chat.update", count=2)][-1]
    assert "Acknowledged" not in json.dumps(update["blocks"], ensure_ascii=False)
    assert "*Stato:*" in json.dumps(update["blocks"], ensure_ascii=False)
