"""The Slack Web API stand-in, exercised by the real slack_sdk WebClient and a real Bolt App over loopback."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond, Say
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

from bot.localslack.api import SlackAPI
from bot.localslack.bodies import action_body, event_body, sign
from bot.localslack.workspace import AUTH_TEST

SECRET = "test-signing-secret"
TOKEN = "xoxb-test"
# the smallest valid PNG: 1x1 transparent pixel
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def api() -> Iterator[SlackAPI]:
    with SlackAPI() as server:
        yield server


@pytest.fixture
def client(api: SlackAPI) -> WebClient:
    return WebClient(base_url=api.url, token=TOKEN, timeout=5)


@pytest.fixture
def app(api: SlackAPI) -> App:
    # With client= given, Bolt takes the token from the client (and warns if token= is passed as well).
    return App(
        signing_secret=SECRET,
        client=WebClient(base_url=api.url, token=TOKEN, timeout=5),
        request_verification_enabled=True,
    )


def test_url_is_a_loopback_base_url_and_stop_releases_it() -> None:
    api = SlackAPI()
    assert api.url.startswith("http://127.0.0.1:") and api.url.endswith("/")
    assert WebClient(base_url=api.url).auth_test().data == AUTH_TEST
    api.stop()
    api.stop()  # idempotent
    with pytest.raises(OSError):
        urllib.request.urlopen(api.url + "auth.test", timeout=1)


def test_chat_post_message_is_recorded_with_decoded_blocks(api: SlackAPI, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}]
    response = client.chat_postMessage(channel="C1", text="hello", blocks=blocks, thread_ts="1.2")

    (call,) = api.calls_to("chat.postMessage")
    assert call.params["channel"] == "C1"
    assert call.params["text"] == "hello"
    assert call.params["blocks"] == blocks
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.status == 200
    assert response["channel"] == "C1"
    assert response["message"]["text"] == "hello"
    assert response["message"]["ts"] == response["ts"]
    assert response["message"]["thread_ts"] == "1.2"
    assert api.texts() == ["hello"]


def test_form_encoded_json_values_are_decoded(api: SlackAPI, client: WebClient) -> None:
    blocks = [{"type": "divider"}]
    client.api_call("chat.postMessage", params={"channel": "C2", "text": "[not json]", "blocks": json.dumps(blocks)})

    (call,) = api.calls_to("chat.postMessage")
    assert call.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert call.params == {"channel": "C2", "text": "[not json]", "blocks": blocks}


def test_message_ts_values_are_unique_and_increasing(client: WebClient) -> None:
    ts = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(5)]
    ts.append(client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"])
    assert len(set(ts)) == len(ts)
    assert [float(t) for t in ts] == sorted(float(t) for t in ts)
    assert ts[0] == "1700000000.000100"
    # chat.update keeps the message's ts, as Slack does
    assert client.chat_update(channel="C1", ts=ts[0], text="edited")["ts"] == ts[0]


def test_users_info_reads_the_admin_flag_from_the_table(api: SlackAPI, client: WebClient) -> None:
    api.users["UADMIN"] = {"is_admin": True, "real_name": "Ada Admin"}

    admin = client.users_info(user="UADMIN")["user"]
    plain = client.users_info(user="U2")["user"]

    assert (admin["id"], admin["is_admin"], admin["real_name"]) == ("UADMIN", True, "Ada Admin")
    assert (plain["id"], plain["is_admin"], plain["is_owner"]) == ("U2", False, False)
    assert plain["tz"] == "America/New_York"
    assert [c.params["user"] for c in api.calls_to("users.info")] == ["UADMIN", "U2"]


def test_conversations_info_and_views_and_permalink(api: SlackAPI, client: WebClient) -> None:
    api.channels["CEXT"] = {"is_ext_shared": True}
    assert client.conversations_info(channel="D1")["channel"]["is_im"] is True
    channel = client.conversations_info(channel="CEXT")["channel"]
    assert (channel["is_im"], channel["is_shared"], channel["is_ext_shared"]) == (False, False, True)

    view = {"type": "modal", "title": {"type": "plain_text", "text": "Ask"}, "blocks": []}
    opened = client.views_open(trigger_id="123.456", view=view)["view"]
    assert opened == {"id": "V123", **view}
    assert api.calls_to("views.open")[0].params["view"] == view
    assert client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]["type"] == "home"

    assert client.chat_getPermalink(channel="C1", message_ts="1.2")["permalink"].startswith("https://acme.slack.com/")


def test_injected_api_error_raises_slack_api_error_once(api: SlackAPI, client: WebClient) -> None:
    api.fail("chat.postMessage", error="channel_not_found", status=200)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="CGONE", text="hello?")
    assert raised.value.response["error"] == "channel_not_found"
    assert raised.value.response.status_code == 200

    assert client.chat_postMessage(channel="C1", text="again")["ok"] is True
    assert [c.status for c in api.calls_to("chat.postMessage")] == [200, 200]
    assert api.texts() == ["hello?", "again"]


def test_rate_limit_is_retried_by_the_sdk_retry_handler(api: SlackAPI, client: WebClient) -> None:
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    api.fail("chat.postMessage", times=1, status=429, retry_after=0)

    response = client.chat_postMessage(channel="C1", text="eventually")

    assert response["ok"] is True
    assert [c.status for c in api.calls_to("chat.postMessage")] == [429, 200]
    assert api.texts() == ["eventually", "eventually"]


def test_rate_limit_without_retry_handler_surfaces_retry_after(api: SlackAPI, client: WebClient) -> None:
    api.fail("reactions.add", times=2, retry_after=7)

    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            client.reactions_add(channel="C1", timestamp="1.2", name="eyes")
        assert raised.value.response.status_code == 429
        assert raised.value.response["error"] == "ratelimited"
        assert raised.value.response.headers["Retry-After"] == "7"
    assert client.reactions_add(channel="C1", timestamp="1.2", name="eyes")["ok"] is True
    assert api.calls_to("reactions.add")[-1].params["name"] == "eyes"


def test_files_upload_v2_stores_the_bytes(api: SlackAPI, client: WebClient) -> None:
    response = client.files_upload_v2(
        channel="C1", content=PNG, filename="pixel.png", title="Pixel", initial_comment="here"
    )

    (url_call,) = api.calls_to("files.getUploadURLExternal")
    assert url_call.params["filename"] == "pixel.png"
    assert int(url_call.params["length"]) == len(PNG)
    (upload,) = api.calls_to("upload")
    file_id = upload.params["file_id"]
    assert upload.params["content"] == PNG
    assert api.uploads == {file_id: PNG}
    (complete,) = api.calls_to("files.completeUploadExternal")
    assert complete.params["files"] == [{"id": file_id, "title": "Pixel"}]
    assert complete.params["channel_id"] == "C1"
    assert complete.params["initial_comment"] == "here"
    assert response["file"]["id"] == file_id
    assert response["file"]["size"] == len(PNG)
    assert client.files_info(file=file_id)["file"]["title"] == "Pixel"


def test_wait_for_sees_calls_made_from_another_thread(api: SlackAPI, client: WebClient) -> None:
    def later() -> None:
        time.sleep(0.1)
        for text in ("one", "two"):
            client.chat_postMessage(channel="C1", text=text)

    worker = threading.Thread(target=later)
    worker.start()
    calls = api.wait_for("chat.postMessage", count=2, timeout=5)
    worker.join()
    assert [c.params["text"] for c in calls] == ["one", "two"]

    with pytest.raises(AssertionError, match="reactions.add"):
        api.wait_for("reactions.add", timeout=0.05)


def test_get_with_query_string_and_reset(api: SlackAPI, client: WebClient) -> None:
    with urllib.request.urlopen(api.url + "conversations.replies?channel=C1&ts=1.2", timeout=5) as resp:
        assert json.load(resp) == {"ok": True}
    assert api.calls[-1].params == {"channel": "C1", "ts": "1.2"}

    api.respond_with("conversations.replies", {"ok": True, "messages": [{"text": "earlier"}]})
    assert client.conversations_replies(channel="C1", ts="1.2")["messages"] == [{"text": "earlier"}]

    api.users["U1"] = {"is_admin": True}
    api.fail("auth.test")
    api.reset()
    assert api.calls == [] and api.users == {}
    assert client.auth_test()["team"] == "Acme"
    assert client.conversations_replies(channel="C1", ts="1.2").data == {"ok": True}


def test_sign_matches_slack_sdk_signature_verifier() -> None:
    body = event_body({"type": "app_mention", "user": "U1", "text": "hi", "channel": "C1", "ts": "1.2"})
    headers = sign(body, SECRET)
    verifier = SignatureVerifier(SECRET)

    assert verifier.is_valid_request(body, headers)
    assert headers["X-Slack-Signature"] == verifier.generate_signature(
        timestamp=headers["X-Slack-Request-Timestamp"], body=body
    )
    assert not verifier.is_valid_request(body + " ", headers)
    assert not SignatureVerifier("other-secret").is_valid_request(body, headers)
    assert not verifier.is_valid_request(body, sign(body, SECRET, timestamp=int(time.time()) - 3600))


def test_bolt_app_mention_says_hi_through_the_stand_in(api: SlackAPI, app: App) -> None:
    assert api.calls_to("auth.test")  # Bolt verified its token against the stand-in

    @app.event("app_mention")
    def on_mention(say: Say) -> None:
        say("hi")

    body = event_body({"type": "app_mention", "user": "U1", "text": "<@UBOT> hello", "channel": "C1", "ts": "1.2"})
    response = app.dispatch(BoltRequest(body=body, headers=sign(body, SECRET)))

    assert response.status == 200
    (call,) = api.wait_for("chat.postMessage")
    assert (call.params["channel"], call.params["text"]) == ("C1", "hi")


def test_bolt_rejects_an_unsigned_request(api: SlackAPI, app: App) -> None:
    body = event_body({"type": "app_mention", "user": "U1", "text": "hi", "channel": "C1", "ts": "1.2"})
    response = app.dispatch(BoltRequest(body=body, headers=sign(body, "wrong-secret")))
    assert response.status == 401
    assert api.calls_to("chat.postMessage") == []


def test_bolt_slash_command_response_url_is_recorded(api: SlackAPI, app: App) -> None:
    seen: dict[str, Any] = {}

    @app.command("/liaison")
    def on_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        seen.update(command)
        respond("working on it")

    body = api.command_body(text="ask notice period", user="U7", channel="C9")
    response = app.dispatch(BoltRequest(body=body, headers=sign(body, SECRET)))

    assert response.status == 200
    (call,) = api.wait_for("response_url")
    assert call.params["text"] == "working on it"
    assert call.path.startswith("/response/")
    assert seen["response_url"] == api.url + call.path.lstrip("/")
    assert (seen["text"], seen["user_id"], seen["channel_id"]) == ("ask notice period", "U7", "C9")
    assert seen["trigger_id"]


def test_bolt_block_action_payload_is_parsed(api: SlackAPI, app: App) -> None:
    @app.action("approve")
    def on_approve(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.reactions_add(channel=body["channel"]["id"], timestamp=body["message"]["ts"], name="white_check_mark")

    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "channel": {"id": "C1"},
        "message": {"ts": "1.2", "text": "approve?"},
        "response_url": api.response_url(),
        "trigger_id": "1.2.trigger",
        "actions": [{"action_id": "approve", "block_id": "b1", "type": "button", "value": "yes"}],
    }
    body = action_body(payload)
    response = app.dispatch(BoltRequest(body=body, headers=sign(body, SECRET)))

    assert response.status == 200
    (call,) = api.wait_for("reactions.add")
    assert (call.params["channel"], call.params["timestamp"], call.params["name"]) == ("C1", "1.2", "white_check_mark")


def test_seeded_and_posted_messages_answer_history_and_replies(api: SlackAPI, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="header")["ts"]
    first = api.add_message("C1", "a reply", user="U2", thread_ts=parent)
    second = api.add_message("C1", "another", user="U3", thread_ts=parent, files=[{"name": "report.pdf"}])
    top = api.add_message("C1", "top level", user="U2", ts="1800000000.000001")
    assert [m["ts"] for m in api.messages("C1")] == [parent, first["ts"], second["ts"], top["ts"]]

    # one message, reply or not: its ts as both ends of an inclusive range (the parent always comes first)
    found = client.conversations_replies(
        channel="C1", ts=first["ts"], oldest=first["ts"], latest=first["ts"], inclusive=True, limit=10
    )["messages"]
    assert [m["ts"] for m in found] == [parent, first["ts"]]
    assert found[1] == {"type": "message", "user": "U2", "text": "a reply", "ts": first["ts"], "thread_ts": parent}
    assert found[0]["reply_count"] == 2 and found[0]["reply_users"] == ["U2", "U3"]
    exclusive = client.conversations_replies(channel="C1", ts=parent, oldest=first["ts"])["messages"]
    assert [m["ts"] for m in exclusive] == [parent, second["ts"]] and exclusive[1]["files"] == [{"name": "report.pdf"}]
    page = client.conversations_replies(channel="C1", ts=parent, limit=2)
    assert len(page["messages"]) == 2 and page["has_more"] is True

    history = client.conversations_history(channel="C1")["messages"]
    assert [m["text"] for m in history] == ["top level", "header"]  # newest first, no replies
    older = client.conversations_history(channel="C1", latest=top["ts"], limit=1)
    assert [m["ts"] for m in older["messages"]] == [parent] and older["has_more"] is False
    latest = client.conversations_history(channel="C1", latest=top["ts"], inclusive=True, limit=1)
    assert [m["ts"] for m in latest["messages"]] == [top["ts"]] and latest["has_more"] is True

    with pytest.raises(SlackApiError) as missing:
        client.conversations_replies(channel="C1", ts="1.5")
    assert missing.value.response["error"] == "thread_not_found"
    assert client.conversations_history(channel="CEMPTY").data == {"ok": True}  # as before for a quiet channel


def test_chat_update_and_delete_change_the_remembered_messages(api: SlackAPI, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="draft", blocks=[{"type": "divider"}])["ts"]
    client.chat_update(channel="C1", ts=ts, text="final", blocks=[])
    [message] = api.messages("C1")
    assert (message["text"], message["blocks"], message["user"]) == ("final", [], AUTH_TEST["user_id"])
    client.chat_postEphemeral(channel="C1", user="U1", text="only you")  # never part of the conversation
    client.chat_delete(channel="C1", ts=ts)
    assert api.messages("C1") == []
    api.add_message("C1", "seeded")
    api.reset()
    assert api.messages("C1") == []
