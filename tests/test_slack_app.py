"""The Slack app end to end: the real Bolt app, signed requests, the real WebClient against a local Slack API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy.engine import Engine

from bot import records
from bot.db import make_engine, session, upgrade
from bot.deps import Deps
from bot.localslack.api import SlackAPI
from bot.localslack.bodies import action_body, event_body, sign
from bot.records.questions import feedback_balance, questions_since, unanswered_questions
from bot.records.roles import grant_role
from bot.records.tables import EPOCH
from bot.settings import Settings
from bot.slack import seal
from bot.slack.app import create_app
from knowledge.base import KnowledgeBase
from tests.conftest import ENGAGEMENT, write

SECRET = "test-signing-secret"


def sealed(value: str) -> str:
    """`value` as Liaison writes it into a button or a modal: sealed (a value that already is stays as it is)."""
    return value if seal.unseal(value) is not None else seal.seal(value)


def opened(value: str) -> str:
    """What Liaison wrote into a sealed value (the assertion fails if it is not sealed)."""
    plain = seal.unseal(value)
    assert plain is not None, f"not sealed by Liaison: {value!r}"
    return plain


def meta_of(view: dict[str, Any]) -> Any:
    """A view's private_metadata as Liaison wrote it (JSON), checking its seal."""
    return json.loads(opened(view["private_metadata"]))


VENDOR_SECRETS = ("17.40", "32%", "27.20")
CLIENT_SECRETS = ("9.6", "27.00", "Vendor B")


class Slack:
    """The app under test, the local Slack API it talks to, and how to send it requests."""

    def __init__(self, app: App, api: SlackAPI, deps: Deps) -> None:
        self.app, self.api, self.deps = app, api, deps
        self._event = 0

    def send(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> BoltResponse:
        signed = {**sign(body, SECRET), "Content-Type": content_type, **(headers or {})}
        return self.app.dispatch(BoltRequest(body=body, headers=signed))

    def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None) -> BoltResponse:
        self._event += 1
        body = event_body(event, event_id=event_id or f"Ev{self._event}")
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "timeout"} if retry else None
        return self.send(body, "application/json", headers)

    def mention(self, text: str, *, channel: str = "C1", ts: str = "1.0001", **kw: Any) -> BoltResponse:
        event = {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "channel": channel, "ts": ts}
        return self.event(event, **kw)

    def command(self, text: str, *, user: str = "U1", channel: str = "C1") -> BoltResponse:
        return self.send(
            self.api.command_body(text=text, user=user, channel=channel), "application/x-www-form-urlencoded"
        )

    def action(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "U1",
        channel: str = "C1",
        message_ts: str = "9.9",
        element: dict[str, Any] | None = None,
        forged: bool = False,
    ) -> BoltResponse:
        """A click on a message's button (or, with `element`, another interactive element) as Slack sends it.

        The value is sealed as Liaison seals what it writes (a value read back from a posted message already is),
        unless `forged`: then it goes as given, as a forged or hand-made payload would."""
        clicked = dict(element or {"type": "button", "value": value})
        if not forged:
            if "value" in clicked:
                clicked["value"] = sealed(clicked["value"])
            if isinstance(clicked.get("selected_option"), dict):
                option = clicked["selected_option"]
                clicked["selected_option"] = {**option, "value": sealed(option["value"])}
        payload = {
            "type": "block_actions",
            "user": {"id": user},
            "team": {"id": "T1"},
            "api_app_id": "A1",
            "channel": {"id": channel},
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "message": {"ts": message_ts, "text": "answer"},
            "response_url": self.api.response_url(),
            "trigger_id": "1.2.3",
            "actions": [{"action_id": action_id, "block_id": "b", "action_ts": "1.1", **clicked}],
        }
        return self.send(action_body(payload), "application/x-www-form-urlencoded")

    def submit(
        self,
        *,
        callback_id: str,
        metadata: str,
        values: dict[str, Any],
        user: str = "U1",
        view_id: str = "V1",
        forged: bool = False,
    ) -> BoltResponse:
        """A modal's submission as Slack sends it: `values` is its `state.values`, `metadata` its private_metadata
        (sealed as Liaison seals it, unless `forged` or already sealed)."""
        if metadata and not forged:
            metadata = sealed(metadata)
        payload = {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": user},
            "api_app_id": "A1",
            "trigger_id": "1.2.3",
            "view": {
                "id": view_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": metadata,
                "state": {"values": values},
                "hash": "1.abc",
            },
        }
        return self.send(action_body(payload), "application/x-www-form-urlencoded")

    def bind(self, channel: str, side: str) -> None:
        with session(self.deps.engine) as s:
            records.bind_channel(
                session=s, channel_id=channel, team_id="T1", engagement=ENGAGEMENT, side=side, user_id="UADMIN"
            )

    def answers(self) -> list[dict[str, Any]]:
        return [c.params for c in self.api.calls_to("chat.postMessage")]


@contextmanager
def running_slack(tmp_path: Path, kb: KnowledgeBase, engine: Engine | None = None, **env: Any) -> Iterator[Slack]:
    """The real app on `kb`, a records database (a fresh SQLite file unless `engine`, migrated here) and a local
    Slack API; `env` adds settings (e.g. LIAISON_MEDIATION_IDLE_HOURS=1). Listeners are drained at the end."""
    with SlackAPI() as api:
        settings = Settings(
            LIAISON_DATA_DIR=tmp_path,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=api.url,
            **env,
        )
        engine = engine or make_engine(f"sqlite:///{tmp_path / 'liaison.db'}")
        upgrade(engine)
        deps = Deps(settings=settings, kb=kb, engine=engine)
        client = WebClient(token="xoxb-test", base_url=api.url)
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
        app = create_app(settings, deps, client=client)
        try:
            yield Slack(app, api, deps)
        finally:
            app.listener_runner.listener_executor.shutdown(wait=True)  # let background listeners finish first


@pytest.fixture
def slack(tmp_path: Path, sample_kb: KnowledgeBase) -> Iterator[Slack]:
    with running_slack(tmp_path, sample_kb) as running:
        yield running


def _button(params: dict[str, Any], action_id: str) -> str:
    """The value of a message's button, as Slack sends it back when clicked."""
    return next(
        e["value"]
        for b in params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


def _text(params: dict[str, Any]) -> str:
    return json.dumps(params.get("blocks", [])) + str(params.get("text", ""))


def test_mention_is_answered_in_a_thread_with_citations(slack: Slack) -> None:
    slack.bind("C1", "shared")
    response = slack.mention("whats the credit cap?", ts="5.0001")
    assert response.status == 200
    [posted] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    assert posted["channel"] == "C1" and posted["thread_ts"] == "5.0001"
    assert "15%" in _text(posted) and "Amendment" in _text(posted)
    actions = [e for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {e["action_id"] for e in actions} >= {"feedback_up", "feedback_down"}
    slack.api.wait_for("reactions.remove")
    assert slack.api.calls_to("reactions.add")[0].params["name"] == "eyes"


def test_a_retried_event_is_answered_once(slack: Slack) -> None:
    slack.bind("C1", "shared")
    slack.mention("whats the credit cap?", event_id="EvSame")
    slack.mention("whats the credit cap?", event_id="EvSame", retry=1)
    slack.mention("whats the credit cap?", event_id="EvSame", retry=2)
    slack.api.wait_for("chat.postMessage")
    slack.api.wait_for("reactions.remove")
    assert len(slack.api.calls_to("chat.postMessage")) == 1
    with session(slack.deps.engine) as s:
        assert len(unanswered_questions(session=s, engagement=ENGAGEMENT, since=EPOCH)) == 0


def test_an_unbound_channel_is_told_how_to_bind(slack: Slack) -> None:
    slack.mention("whats the credit cap?", channel="C9")
    [posted] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    assert "/liaison bind" in _text(posted) and "15%" not in _text(posted)


def test_dm_questions_are_answered(slack: Slack) -> None:
    slack.bind("D1", "client")
    slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "user": "U1",
            "text": "how long is new hire training?",
            "channel": "D1",
            "ts": "7.0001",
        }
    )
    [posted] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    assert posted["channel"] == "D1" and "3 weeks" in _text(posted)


def test_a_follow_up_in_the_thread_keeps_its_context(slack: Slack) -> None:
    slack.bind("C1", "shared")
    slack.mention("how long do we have to fix a sev 1?", ts="8.0001")
    slack.api.wait_for("chat.postMessage")
    slack.event(
        {
            "type": "message",
            "user": "U1",
            "text": "and for severity 2?",
            "channel": "C1",
            "ts": "8.0002",
            "thread_ts": "8.0001",
        }
    )
    follow_up = slack.api.wait_for("chat.postMessage", count=2)[1].params
    assert follow_up["thread_ts"] == "8.0001" and "8 hours" in _text(follow_up)


def test_unrelated_thread_chatter_is_ignored(slack: Slack) -> None:
    slack.bind("C1", "shared")
    slack.event({"type": "message", "user": "U1", "text": "lunch?", "channel": "C1", "ts": "3.2", "thread_ts": "3.1"})
    slack.event({"type": "message", "user": "U1", "text": "morning all", "channel": "C1", "ts": "3.3"})
    slack.mention("whats the credit cap?", ts="3.4")
    slack.api.wait_for("chat.postMessage")
    assert [c.params["thread_ts"] for c in slack.api.calls_to("chat.postMessage")] == ["3.4"]


@pytest.mark.parametrize(
    ("side", "question", "forbidden", "forbidden_doc"),
    [
        (
            "client",
            "what is meridian's target gross margin and agent cost per hour in manila?",
            VENDOR_SECRETS,
            "meridian-delivery-plan.md",
        ),
        (
            "shared",
            "what is meridian's target gross margin and agent cost per hour in manila?",
            VENDOR_SECRETS,
            "meridian-delivery-plan.md",
        ),
        (
            "vendor",
            "what's acme's budget ceiling and walk-away rate for the renewal?",
            CLIENT_SECRETS,
            "acme-renewal-strategy.md",
        ),
        (
            "shared",
            "what's acme's budget ceiling and walk-away rate for the renewal?",
            CLIENT_SECRETS,
            "acme-renewal-strategy.md",
        ),
    ],
)
def test_one_sides_documents_never_reach_the_other(
    slack: Slack, side: str, question: str, forbidden: tuple[str, ...], forbidden_doc: str
) -> None:
    slack.bind("C1", side)
    slack.mention(question)
    [posted] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    text = _text(posted)
    assert forbidden_doc not in text and not any(secret in text for secret in forbidden)


def test_slash_ask_answers_privately_then_shares(slack: Slack) -> None:
    slack.bind("C1", "shared")
    response = slack.command("ask whats the credit cap?")
    assert response.status == 200
    assert "Looking" in json.dumps(json.loads(response.body)) if response.body else True
    reply = slack.api.wait_for("response_url")[-1].params
    assert reply["response_type"] == "ephemeral" and "15%" in _text(reply)
    slack.action("share_answer", _button(reply, "share_answer"))
    [shared] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    assert shared["channel"] == "C1" and "15%" in _text(shared) and "<@U1>" in _text(shared)
    assert any(c.params.get("delete_original") for c in slack.api.wait_for("response_url", count=2))


def test_feedback_is_recorded_once_per_person(slack: Slack) -> None:
    slack.bind("C1", "shared")
    slack.mention("whats the credit cap?")
    posted = slack.api.wait_for("chat.postMessage")[0].params
    value = _button(posted, "feedback_up")
    slack.action("feedback_up", value)
    slack.action("feedback_down", value)
    slack.api.wait_for("chat.postEphemeral", count=2)
    with session(slack.deps.engine) as s:
        assert feedback_balance(session=s, engagement=ENGAGEMENT, since=EPOCH) == (0, 1)


def test_bind_is_refused_to_non_admins_and_allowed_to_admins(slack: Slack) -> None:
    slack.command(f"bind {ENGAGEMENT} client", user="U2")
    refusal = slack.api.wait_for("response_url")[-1].params
    assert "admin" in _text(refusal).lower()
    with session(slack.deps.engine) as s:
        assert records.binding_for(session=s, channel_id="C1") is None
    slack.api.users["U3"] = {"is_admin": True}
    slack.command(f"bind {ENGAGEMENT} client", user="U3")
    slack.api.wait_for("response_url", count=2)
    with session(slack.deps.engine) as s:
        binding = records.binding_for(session=s, channel_id="C1")
        assert binding is not None and (binding.engagement, binding.side) == (ENGAGEMENT, "client")


def test_engagement_admins_may_bind(slack: Slack) -> None:
    with session(slack.deps.engine) as s:
        grant_role(session=s, engagement=ENGAGEMENT, user_id="U4", role="admin", granted_by="cli")
    slack.command(f"bind {ENGAGEMENT} vendor", user="U4")
    slack.api.wait_for("response_url")
    with session(slack.deps.engine) as s:
        assert records.binding_for(session=s, channel_id="C1").side == "vendor"


def test_unbind_is_for_the_engagements_admins_and_stops_the_answers(slack: Slack) -> None:
    slack.bind("C1", "client")
    slack.command("unbind", user="U2")
    refusal = slack.api.wait_for("response_url")[-1].params
    assert "only its admins" in _text(refusal).lower()
    with session(slack.deps.engine) as s:
        assert records.binding_for(session=s, channel_id="C1") is not None
        grant_role(session=s, engagement=ENGAGEMENT, user_id="U4", role="admin", granted_by="cli")
    slack.command("unbind", user="U4")
    done = slack.api.wait_for("response_url", count=2)[-1].params
    assert done["response_type"] == "in_channel" and "no longer bound" in _text(done)
    with session(slack.deps.engine) as s:
        assert records.binding_for(session=s, channel_id="C1") is None
    slack.command("unbind", user="U4")  # nothing left to unbind
    again = slack.api.wait_for("response_url", count=3)[-1].params
    assert "not linked" in _text(again)
    slack.mention("whats the credit cap?")  # an unbound channel explains binding instead of answering
    reply = slack.api.wait_for("chat.postMessage")[-1].params
    assert "/liaison bind" in _text(reply) and "15%" not in _text(reply)


def test_a_rate_limited_post_is_retried_and_the_answer_kept(slack: Slack) -> None:
    slack.bind("C1", "shared")
    slack.api.fail("chat.postMessage", error="ratelimited", times=1, status=429, retry_after=0)
    slack.mention("whats the credit cap?")
    calls = slack.api.wait_for("chat.postMessage", count=2)
    assert "15%" in _text(calls[-1].params)


def test_a_channel_not_found_error_keeps_the_recorded_answer(slack: Slack) -> None:
    slack.bind("C1", "shared")
    slack.api.fail("chat.postMessage", error="channel_not_found", times=1, status=200)
    slack.mention("whats the credit cap?")
    slack.api.wait_for("chat.postMessage")
    slack.api.wait_for("reactions.remove")
    with session(slack.deps.engine) as s:
        rows = questions_since(session=s, engagement=ENGAGEMENT, since=EPOCH)
        assert len(rows) == 1 and "15%" in json.dumps(rows[0].citations)


def test_help_lists_the_subcommands(slack: Slack) -> None:
    response = slack.command("help")
    body = json.loads(response.body)
    assert "bind" in json.dumps(body) and "ask" in json.dumps(body)


def test_a_forged_signature_is_rejected(slack: Slack) -> None:
    body = event_body({"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "channel": "C1", "ts": "1.1"})
    response = slack.app.dispatch(
        BoltRequest(body=body, headers={**sign(body, "wrong"), "Content-Type": "application/json"})
    )
    assert response.status == 401
    assert slack.api.calls_to("chat.postMessage") == []


def test_ask_the_contract_owner_pings_only_that_sides_owners(slack: Slack) -> None:
    slack.bind("C1", "client")
    with session(slack.deps.engine) as s:
        grant_role(session=s, engagement=ENGAGEMENT, user_id="UCLIENT", role="client-owner", granted_by="cli")
        grant_role(session=s, engagement=ENGAGEMENT, user_id="UVENDOR", role="vendor-owner", granted_by="cli")
    slack.mention("what's the penalty for missing the carbon emissions target?", ts="6.0001")
    posted = slack.api.wait_for("chat.postMessage")[0].params
    value = _button(posted, "ask_owner")
    slack.action("ask_owner", value)
    ping = slack.api.wait_for("chat.postMessage", count=2)[1].params
    assert "<@UCLIENT>" in ping["text"] and "<@UVENDOR>" not in ping["text"] and "carbon" in ping["text"]


def test_ask_the_contract_owner_without_owners_explains_how_to_add_them(slack: Slack) -> None:
    slack.bind("C1", "shared")
    slack.mention("what's the penalty for missing the carbon emissions target?")
    posted = slack.api.wait_for("chat.postMessage")[0].params
    value = _button(posted, "ask_owner")
    slack.action("ask_owner", value)
    assert "liaison roles grant" in slack.api.wait_for("chat.postEphemeral")[0].params["text"]


def _add_to_contracts(slack: Slack, file: dict[str, Any], *, user: str = "UADMIN", channel: str = "CV") -> None:
    payload = {
        "type": "message_action",
        "callback_id": "add_to_contracts",
        "trigger_id": "1.2.3",
        "action_ts": "1.1",
        "user": {"id": user},
        "team": {"id": "T1"},
        "channel": {"id": channel},
        "api_app_id": "A1",
        "message": {"ts": "4.0001", "type": "message", "files": [file]},
        "response_url": slack.api.response_url(),
    }
    slack.send(action_body(payload), "application/x-www-form-urlencoded")


def _bind_files_channels(slack: Slack) -> None:
    with session(slack.deps.engine) as s:
        for channel, side in (("CV", "vendor"), ("CC", "client")):
            records.bind_channel(
                session=s, channel_id=channel, team_id="T1", engagement="files-test", side=side, user_id="UADMIN"
            )
        grant_role(session=s, engagement="files-test", user_id="UADMIN", role="admin", granted_by="cli")


def test_a_file_added_in_a_vendor_channel_is_indexed_for_the_vendor_only(slack: Slack) -> None:
    _bind_files_channels(slack)
    text = "# Vendor rate card\n\n1. Rates. The blended overtime rate for agents is USD 41.25 per hour.\n"
    _add_to_contracts(slack, slack.api.add_file("rate-card.md", text.encode()))
    done = slack.api.wait_for("chat.update", timeout=60)[0].params
    assert "Indexed rate-card.md" in done["text"]
    assert slack.api.calls_to("chat.postMessage")[0].params["thread_ts"] == "4.0001"
    stored = slack.deps.kb.store.get_document("files-test", "rate-card.md")
    assert stored is not None and stored.visibility == "vendor-only"
    assert slack.deps.kb.search("overtime rate", engagement="files-test", side="client") == []
    assert slack.deps.kb.search("overtime rate", engagement="files-test", side="vendor")


def test_add_to_contracts_refuses_non_admins_and_unreadable_files(slack: Slack) -> None:
    _bind_files_channels(slack)
    _add_to_contracts(slack, slack.api.add_file("plan.md", b"# Plan\n\n1. Text."), user="UNOBODY")
    assert "Only workspace admins" in slack.api.wait_for("chat.postEphemeral")[0].params["text"]
    _add_to_contracts(slack, slack.api.add_file("budget.xlsx", b"PK\x03\x04"))
    assert "not a contract format" in slack.api.wait_for("chat.update")[0].params["text"] + json.dumps(
        slack.api.calls_to("chat.update")[0].params.get("blocks")
    )
    _add_to_contracts(slack, slack.api.add_file("broken.pdf", b"%PDF-1.7 not really"))
    failed = slack.api.wait_for("chat.update", count=2, timeout=30)[1].params
    assert "broken.pdf" in failed["text"] and "Could not index" in failed["text"]
    assert slack.deps.kb.store.get_document("files-test", "broken.pdf") is None


def test_slash_index_adds_the_callers_latest_file(slack: Slack) -> None:
    _bind_files_channels(slack)
    file = slack.api.add_file("sow-2.md", b"# SOW 2\n\n1. Hours. Chat support runs from 6:00 to 22:00 Eastern.\n")
    slack.api.respond_with(
        "conversations.history",
        {
            "ok": True,
            "messages": [
                {"ts": "2.0002", "user": "USOMEONE", "text": "lunch?"},
                {"ts": "2.0001", "user": "UADMIN", "text": "new SOW", "files": [file]},
            ],
        },
    )
    slack.command("index", user="UADMIN", channel="CC")
    done = slack.api.wait_for("chat.update", timeout=60)[0].params
    assert "Indexed sow-2.md" in done["text"]
    assert slack.deps.kb.store.get_document("files-test", "sow-2.md").visibility == "client-only"


def test_a_failure_while_answering_is_apologised_for_in_the_thread(tmp_path: Path, minilm: Any) -> None:
    from knowledge.store import Store, make_client

    chroma = make_client(data_dir=tmp_path / "kb")
    kb = KnowledgeBase(Store(chroma), minilm)
    kb.index(
        [write(tmp_path / "sla.md", "# SLA\n\n5.3 Credit Cap. Credits shall not exceed 12%.\n")], engagement="acme"
    )
    with running_slack(tmp_path, kb) as slack:
        with session(slack.deps.engine) as s:
            records.bind_channel(
                session=s, channel_id="C1", team_id="T1", engagement="acme", side="shared", user_id="UADMIN"
            )
        chroma.delete_collection("liaison_chunks")  # the vector store goes away under the running bot
        slack.mention("whats the credit cap?", ts="9.0001")
        [posted] = [c.params for c in slack.api.wait_for("chat.postMessage")]
        slack.api.wait_for("reactions.remove")
    assert posted["thread_ts"] == "9.0001" and "Sorry" in posted["text"]
