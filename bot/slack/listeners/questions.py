"""Questions by @mention, in a DM, or as a follow-up in a thread Liaison answered in."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import questions as workflow
from bot.deps import Deps
from bot.slack import blocks
from bot.slack.facts import SlackProbe

log = logging.getLogger(__name__)
LOOKING = "eyes"


def register(app: App, deps: Deps) -> None:
    @app.event("app_mention")
    def on_mention(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if workflow.first_time(deps, f"event:{body.get('event_id') or event.get('ts')}"):
            answer_in_thread(deps, client, event, body.get("event_id") or event["ts"])

    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: Any) -> None:
        if event.get("subtype") or event.get("bot_id") or not event.get("text"):
            return  # edits, joins, and our own posts
        if f"<@{context.bot_user_id}>" in event["text"]:
            return  # the app_mention listener answers it
        is_dm = event.get("channel_type") == "im"
        in_our_thread = event.get("thread_ts") and workflow.thread_context(deps, event["channel"], event["thread_ts"])
        if (is_dm or in_our_thread) and workflow.first_time(deps, f"event:{body.get('event_id') or event['ts']}"):
            answer_in_thread(deps, client, event, body.get("event_id") or event["ts"])


def answer_in_thread(deps: Deps, client: WebClient, event: dict[str, Any], source: str) -> None:
    """Look (👀), answer in the message's thread, then stop looking."""
    channel, ts = event["channel"], event["ts"]
    thread_ts = event.get("thread_ts") or ts
    question = workflow.strip_mentions(event.get("text", ""))
    scope = workflow.scope_of(deps, channel, probe=SlackProbe(client), user_id=event.get("user"))
    if scope is None:
        client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text="This channel is not linked to an engagement yet.",
            blocks=blocks.unbound_channel_blocks(channel_is_dm=event.get("channel_type") == "im"),
        )
        return
    _react(client, "reactions_add", channel, ts)
    try:
        asked = workflow.ask(
            deps,
            source_key=f"event:{source}",
            scope=scope,
            channel_id=channel,
            user_id=event.get("user", ""),
            thread_ts=thread_ts,
            question=question,
            context=workflow.thread_context(deps, channel, event.get("thread_ts")),
        )
        posted = client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=blocks.answer_text(asked.answer),
            blocks=blocks.answer_blocks(asked.answer, answer_id=asked.question_id),
            unfurl_links=False,
            unfurl_media=False,
        )
        workflow.answer_posted(deps, asked.question_id, posted["ts"])
    finally:
        _react(client, "reactions_remove", channel, ts)


def _react(client: WebClient, method: str, channel: str, ts: str) -> None:
    try:
        getattr(client, method)(channel=channel, timestamp=ts, name=LOOKING)
    except SlackApiError as err:  # a missing reaction must never cost the answer
        log.info("%s failed: %s", method, err.response.get("error"))
