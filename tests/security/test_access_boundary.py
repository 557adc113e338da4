"""Issue #9, items 1, 3, 4, 5 and 8: what is posted in a channel is filtered by that channel's side, scopes are
derived at the moment of use, and nothing Liaison carries in Slack is trusted unless Liaison signed it.

Every test goes through the real Bolt app with signed requests and the real WebClient against the local Slack
API (tests/test_slack_app.py's harness), on the sample engagement: shared contracts, a client-only renewal
memo (acme-renewal-strategy.md) and a vendor-only delivery plan.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import issues, records
from bot.db import session
from bot.mediation import lifecycle as mediations
from bot.records.case_schemas import IssueCreate
from bot.records.questions import record_question
from bot.records.roles import grant_role
from bot.records.tables import ChannelBinding
from bot.slack.blocks import home as hb
from bot.slack.blocks import issue_modal
from bot.slack.blocks import issues as ib
from bot.slack.blocks import mediation as mb
from bot.slack.seal import REFUSED
from knowledge.base import KnowledgeBase
from tests.conftest import ENGAGEMENT
from tests.test_slack_app import CLIENT_SECRETS, Slack, meta_of, running_slack
from tests.test_slack_home import _home_click

MEMO = "acme-renewal-strategy.md"  # client-only
# an issue titled like the client's memo: in a client channel its clauses are what applies
MEMO_TITLE = "Renewal strategy: RFP budget ceiling and the non-renewal notice by courier"


@pytest.fixture
def slack(tmp_path: Path, sample_kb: KnowledgeBase) -> Iterator[Slack]:
    with running_slack(tmp_path, sample_kb) as running:
        yield running


def _grant(slack: Slack, user: str, role: str, engagement: str = ENGAGEMENT) -> None:
    with session(slack.deps.engine) as s:
        grant_role(session=s, engagement=engagement, user_id=user, role=role, granted_by="cli")


def _bind(slack: Slack, channel: str, side: str, engagement: str = ENGAGEMENT) -> None:
    with session(slack.deps.engine) as s:
        records.bind_channel(
            session=s, channel_id=channel, team_id="T1", engagement=engagement, side=side, user_id="UADMIN"
        )


def _binding(slack: Slack, channel: str) -> tuple[str, str] | None:
    with session(slack.deps.engine) as s:
        row = records.binding_for(session=s, channel_id=channel)
        return None if row is None else (row.engagement, row.side)


def _drain(slack: Slack) -> None:
    slack.app.listener_runner.listener_executor.shutdown(wait=True)


def _issue_state(title: str, description: str = "") -> dict[str, Any]:
    def field(kind: str, **state: Any) -> dict[str, Any]:
        return {"type": kind, **state}

    def option(value: str) -> dict[str, Any]:
        return {"selected_option": {"text": {"type": "plain_text", "text": value}, "value": value}}

    return {
        "title": {"title": field("plain_text_input", value=title)},
        "description": {"description": field("plain_text_input", value=description)},
        "category": {"category": field("static_select", **option("other"))},
        "severity": {"severity": field("static_select", **option("3"))},
        "risk": {"risk": field("radio_buttons", **option("low"))},
        "value": {"value": field("radio_buttons", **option("low"))},
        "side": {"side": field("radio_buttons", selected_option=None)},
        "clause": {"clause": field("plain_text_input", value=None)},
        "owner": {"owner": field("users_select", selected_user=None)},
        "due": {"due": field("datepicker", selected_date=None)},
    }


def _log_from_home(slack: Slack, user: str, title: str, view_id: str) -> dict[str, Any]:
    """Open "Log an issue" from the person's Home and submit it: the card Liaison posts."""
    before = len(slack.api.calls_to("chat.postMessage"))
    opened = len(slack.api.calls_to("views.open"))
    _home_click(slack, hb.LOG_ISSUE, ENGAGEMENT, user=user)
    view = slack.api.wait_for("views.open", count=opened + 1, timeout=30)[-1].params["view"]
    slack.submit(
        callback_id=view["callback_id"],
        metadata=view["private_metadata"],  # as Slack sends it back: sealed by Liaison
        values=_issue_state(title, "Which notice and budget clauses apply?"),
        user=user,
        view_id=view_id,
    )
    return slack.api.wait_for("chat.postMessage", count=before + 1, timeout=30)[-1].params


def _mention(slack: Slack, text: str, *, user: str, channel: str, event_id: str) -> dict[str, Any]:
    before = len(slack.api.calls_to("chat.postMessage"))
    event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "channel": channel, "ts": "7.0001"}
    slack.event(event, event_id=event_id)
    return slack.api.wait_for("chat.postMessage", count=before + 1, timeout=30)[-1].params


# -- item 1: a card in a shared channel never quotes a side's document ------------------------------
def test_home_issue_card_in_a_shared_channel_never_quotes_the_client_memo(slack: Slack) -> None:
    _grant(slack, "UC", "client-owner")
    _bind(slack, "CCLIENT", "client")
    in_client = _log_from_home(slack, "UC", MEMO_TITLE, "VH1")
    assert in_client["channel"] == "CCLIENT" and MEMO in json.dumps(in_client["blocks"])  # the title does find it

    with session(slack.deps.engine) as s:  # now only a shared channel is bound: the Home's card goes there
        s.delete(s.get_one(ChannelBinding, "CCLIENT"))
    _bind(slack, "CSHARED", "shared")
    card = _log_from_home(slack, "UC", MEMO_TITLE, "VH2")
    assert card["channel"] == "CSHARED"
    shown = json.dumps(card["blocks"]) + card["text"]
    assert MEMO not in shown and "ACME INTERNAL" not in shown
    assert not any(secret in shown for secret in CLIENT_SECRETS)


def test_attach_in_a_shared_channel_cannot_read_a_client_only_clause(slack: Slack, sample_kb: KnowledgeBase) -> None:
    _grant(slack, "UC", "client-owner")
    _bind(slack, "CSHARED", "shared")
    with session(slack.deps.engine) as s:
        issue = issues.create_issue(
            session=s, issue_in=IssueCreate(engagement=ENGAGEMENT, title="Budget", created_by="UC")
        )
        issue_id = issue.id
    text = sample_kb.document_text(ENGAGEMENT, MEMO)
    start = text.index("Budget ceiling")
    ref = {"document": MEMO, "section": "2", "page": None, "title": "memo", "start": start, "end": start + 60}
    # a value Liaison signed for a card in the client's channel, forwarded into the shared one
    value = ib.clause_value(issue_id, {**ref, "quote": text[start : start + 60]})
    slack.action(ib.ATTACH_ACTION, value, user="UC", channel="CSHARED")
    _drain(slack)
    with session(slack.deps.engine) as s:
        assert issues.get_issue(session=s, issue_id=issue_id).clause_refs == []
    said = " ".join(str(c.params.get("text")) for c in slack.api.calls_to("response_url"))
    assert "changed or was removed" in said  # the same words as for a clause that is gone: no oracle


# -- item 3: Slack Connect -------------------------------------------------------------------------
def test_an_externally_shared_channel_can_only_be_bound_shared(slack: Slack) -> None:
    slack.api.users = {"UADMIN": {"is_admin": True}}
    slack.api.channels = {"CX": {"is_ext_shared": True, "is_shared": True}}
    slack.command(f"bind {ENGAGEMENT} client", user="UADMIN", channel="CX")
    refusal = slack.api.wait_for("response_url")[-1].params
    assert "shared with another organisation" in refusal["text"] and _binding(slack, "CX") is None
    slack.command(f"bind {ENGAGEMENT} shared", user="UADMIN", channel="CX")
    _drain(slack)
    assert _binding(slack, "CX") == (ENGAGEMENT, "shared")


def test_a_client_channel_shared_later_answers_from_shared_documents_only(slack: Slack) -> None:
    _bind(slack, "C1", "client")
    question = "what is the budget ceiling for outsourced customer care from March 2028?"
    before = _mention(slack, question, user="U1", channel="C1", event_id="EvA")
    assert any(secret in json.dumps(before) for secret in CLIENT_SECRETS)  # the client's own channel sees it
    slack.api.channels = {"C1": {"is_ext_shared": True, "is_shared": True}}
    from bot.slack.facts import forget_channel

    forget_channel(slack.app.client, "C1")  # as a channel_shared event does; otherwise within a minute
    after = _mention(slack, question, user="U1", channel="C1", event_id="EvB")
    assert not any(secret in json.dumps(after) for secret in CLIENT_SECRETS)
    assert MEMO not in json.dumps(after)
    assert _binding(slack, "C1") == (ENGAGEMENT, "shared")  # narrowed for good


def test_the_channel_shared_event_narrows_the_binding_and_says_so(slack: Slack) -> None:
    _bind(slack, "C7", "vendor")
    slack.api.channels = {"C7": {"is_ext_shared": True, "is_shared": True}}
    slack.event({"type": "channel_shared", "channel": "C7", "connected_team_id": "T9", "event_ts": "1.1"})
    [notice] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    assert notice["channel"] == "C7" and "shared with another organisation" in notice["text"]
    assert _binding(slack, "C7") == (ENGAGEMENT, "shared")


def test_a_person_of_another_organisation_reads_shared_documents_only(slack: Slack) -> None:
    _bind(slack, "C1", "client")
    slack.api.users = {"UEXT": {"team_id": "T9"}}
    question = "what is the budget ceiling for outsourced customer care from March 2028?"
    outsider = _mention(slack, question, user="UEXT", channel="C1", event_id="EvX")
    assert not any(secret in json.dumps(outsider) for secret in CLIENT_SECRETS)
    insider = _mention(slack, question, user="U1", channel="C1", event_id="EvY")
    assert any(secret in json.dumps(insider) for secret in CLIENT_SECRETS)


# -- item 4: no binding hijack ---------------------------------------------------------------------
def test_an_admin_of_another_engagement_cannot_rebind_a_channel(slack: Slack) -> None:
    _bind(slack, "C1", "client")  # engagement A's client channel
    _grant(slack, "UB", "admin", engagement="beta-billing")  # admin of engagement B only
    slack.command("bind beta-billing vendor", user="UB", channel="C1")
    refusal = slack.api.wait_for("response_url")[-1].params
    assert f"bound to `{ENGAGEMENT}`" in refusal["text"]
    assert _binding(slack, "C1") == (ENGAGEMENT, "client")
    _grant(slack, "UB", "admin")  # an admin of both may move it
    slack.command("bind beta-billing vendor", user="UB", channel="C1")
    _drain(slack)
    assert _binding(slack, "C1") == ("beta-billing", "vendor")


# -- item 5: forged or replayed values ---------------------------------------------------------------
def test_an_unsigned_button_value_is_refused_before_any_listener(slack: Slack) -> None:
    _bind(slack, "C1", "client")
    asked = _mention(slack, "what is the budget ceiling from March 2028?", user="U1", channel="C1", event_id="E1")
    question_id = next(e["value"] for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]).rpartition(
        "~"
    )[0]
    _bind(slack, "C2", "vendor")
    posted = len(slack.api.calls_to("chat.postMessage"))
    slack.action("share_answer", question_id, user="U1", channel="C2", forged=True)  # the id without a seal
    _drain(slack)
    assert len(slack.api.calls_to("chat.postMessage")) == posted
    assert slack.api.calls_to("response_url")[-1].params["text"] == REFUSED


def test_a_private_answer_is_shared_only_where_its_documents_may_be_read(slack: Slack) -> None:
    _bind(slack, "C1", "client")
    _bind(slack, "C2", "vendor")
    slack.command("ask what is the budget ceiling from March 2028?", user="U1", channel="C1")
    reply = slack.api.wait_for("response_url", timeout=30)[-1].params
    share = next(
        e["value"]
        for b in reply["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "share_answer"
    )
    slack.action("share_answer", share, user="U1", channel="C2")  # a live button replayed in the vendor's channel
    slack.action("share_answer", share, user="U2", channel="C1")  # someone else's private answer
    said = [c.params.get("text", "") for c in slack.api.wait_for("response_url", count=3, timeout=30)[1:]]
    assert any("may not see" in t for t in said) and any("Only the person who asked" in t for t in said)
    assert slack.api.calls_to("chat.postMessage") == []
    slack.action("share_answer", share, user="U1", channel="C1")  # where it was asked, by the asker: shared
    [shared] = [c.params for c in slack.api.wait_for("chat.postMessage", timeout=30)]
    assert shared["channel"] == "C1"


def test_ask_the_owner_only_for_a_question_asked_in_this_channel(slack: Slack) -> None:
    _bind(slack, "C1", "client")
    _bind(slack, "C2", "vendor")
    _grant(slack, "UCO", "client-owner")
    with session(slack.deps.engine) as s:
        row = record_question(
            session=s,
            source_key="k1",
            engagement=ENGAGEMENT,
            side="client",
            channel_id="C1",
            user_id="U1",
            thread_ts=None,
            question="Do we switch to Vendor B after the RFP?",
            answer_dict={"answer": "", "found": False, "citations": []},
            found=False,
            mode="extractive",
        )
        question_id = row.id
    posted = len(slack.api.calls_to("chat.postMessage"))
    slack.action("ask_owner", question_id, user="U2", channel="C2")
    _drain(slack)
    assert len(slack.api.calls_to("chat.postMessage")) == posted  # the client's question never reaches C2
    assert "Vendor B" not in json.dumps([c.params for c in slack.api.calls_to("chat.postEphemeral")])


def test_an_issue_form_with_forged_or_stale_metadata_logs_nothing(slack: Slack) -> None:
    _bind(slack, "C1", "client")
    metadata = json.dumps({"channel": "C1", "engagement": ENGAGEMENT})
    response = slack.submit(
        callback_id=issue_modal.CALLBACK_ID,
        metadata=metadata,
        values=_issue_state("Forged"),
        view_id="VF1",
        forged=True,
    )
    assert REFUSED in response.body
    with session(slack.deps.engine) as s:  # the form was opened for C1, which now belongs to another engagement
        s.delete(s.get_one(ChannelBinding, "C1"))
    _bind(slack, "C1", "client", engagement="beta-billing")
    response = slack.submit(
        callback_id=issue_modal.CALLBACK_ID, metadata=metadata, values=_issue_state("Stale"), view_id="VF2"
    )
    assert json.loads(response.body)["response_action"] == "errors"
    _drain(slack)
    with session(slack.deps.engine) as s:
        assert issues.list_issues(session=s, engagement=ENGAGEMENT) == []
        assert issues.list_issues(session=s, engagement="beta-billing") == []


def test_every_value_liaison_posts_carries_its_seal(slack: Slack) -> None:
    """Answers, private answers, the Home and its modals: every button value and metadata verifies."""
    from bot.slack.seal import unseal

    _bind(slack, "C1", "client")
    _grant(slack, "UC", "client-owner")
    _mention(slack, "what is the credit cap?", user="U1", channel="C1", event_id="E9")
    slack.command("ask what is the credit cap?", user="U1", channel="C1")
    _home_click(slack, hb.LOG_ISSUE, ENGAGEMENT, user="UC")
    _home_click(slack, hb.ASK, ENGAGEMENT, user="UC")
    slack.event({"type": "app_home_opened", "user": "UC", "tab": "home", "channel": "D1", "event_ts": "1.2"})
    slack.api.wait_for("views.publish", timeout=30)
    slack.api.wait_for("views.open", count=2, timeout=30)
    slack.api.wait_for("response_url", timeout=30)
    _drain(slack)
    values: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("button",) and "value" in node:
                values.append(node["value"])
            if isinstance(node.get("private_metadata"), str) and node["private_metadata"]:
                values.append(node["private_metadata"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for call in slack.api.calls:
        walk(call.params)
    assert len(values) >= 6
    assert all(unseal(v) is not None for v in values), [v for v in values if unseal(v) is None]


# -- item 8: who may summarise ---------------------------------------------------------------------
def test_only_the_parties_can_summarise_a_mediation(slack: Slack) -> None:
    _bind(slack, "C1", "shared")
    with session(slack.deps.engine) as s:
        mediation = mediations.open_mediation(
            session=s, engagement=ENGAGEMENT, title="Credits for October", channel_id="C1", opened_by="UM"
        )
        mediations.set_mediation_thread(session=s, mediation_id=mediation.id, thread_ts="3.3", header_ts="3.3")
        mediation_id = mediation.id
    slack.action(mb.SUMMARISE, str(mediation_id), user="UNOBODY", channel="C1")
    [refusal] = [c.params for c in slack.api.wait_for("chat.postEphemeral", timeout=30)]
    assert refusal["user"] == "UNOBODY" and "can summarise" in refusal["text"]
    assert slack.api.calls_to("chat.postMessage") == []
    _grant(slack, "UM", "mediator")
    slack.action(mb.SUMMARISE, str(mediation_id), user="UM", channel="C1")
    [summary] = [c.params for c in slack.api.wait_for("chat.postMessage", timeout=30)]
    assert summary["thread_ts"] == "3.3"


def test_meta_helper_reads_sealed_metadata(slack: Slack) -> None:
    """The Home's modal for a person with no channel on their side goes to their DM, sealed."""
    _grant(slack, "UV", "vendor-owner")
    _home_click(slack, hb.LOG_ISSUE, ENGAGEMENT, user="UV")
    view = slack.api.wait_for("views.open")[0].params["view"]
    assert meta_of(view) == {"channel": "UV", "engagement": ENGAGEMENT}
