"""Questions by @mention, in a DM, or as a follow-up in a thread Liaison answered in.

Each is answered in its own language (`bot.slack.language.for_question`: as written; when too short or mixed to
tell, the channel's setting, its engagement's, the asker's Slack locale, the default), decided here again over
the request's (which is the person's): the listener's context is its own copy, so the choice ends with it.
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import questions as workflow
from bot.deps import Deps
from bot.i18n import _, use
from bot.slack.blocks import answers as blocks
from bot.slack.blocks.kit import wire
from bot.slack.facts import SlackProbe
from bot.slack.language import for_question
from bot.slack.payloads import EventBody, MessageEvent

log = logging.getLogger(__name__)
LOOKING = "eyes"


def register(app: App) -> None:
    app.event("app_mention")(on_mention)
    app.event("message")(on_message)


def _mention(event: MessageEvent, body: EventBody) -> workflow.Mention:
    return workflow.Mention(
        event_id=body.get("event_id") or event["ts"],
        channel_id=event["channel"],
        user_id=event.get("user", ""),
        ts=event["ts"],
        thread_ts=event.get("thread_ts"),
        text=event.get("text", ""),
        is_dm=event.get("channel_type") == "im",
    )


def on_mention(event: MessageEvent, body: EventBody, client: WebClient, context: BoltContext) -> None:
    deps: Deps = context["deps"]
    mention = _mention(event, body)
    _speak(deps, client, mention)
    claimed = workflow.claim_mention(deps, mention, probe=SlackProbe(client))
    reply(deps, client, claimed)


def on_message(event: MessageEvent, body: EventBody, client: WebClient, context: BoltContext) -> None:
    if event.get("subtype") or event.get("bot_id") or not event.get("text"):
        return  # edits, joins, and our own posts
    if f"<@{context.bot_user_id}>" in event["text"]:
        return  # the app_mention listener answers it
    mention = _mention(event, body)
    claimed = workflow.claim_message(context["deps"], mention, probe=SlackProbe(client))
    if claimed is not None:  # a DM, or a follow-up in a thread Liaison answered in
        _speak(context["deps"], client, mention)
        reply(context["deps"], client, claimed)


def _speak(deps: Deps, client: WebClient, mention: workflow.Mention) -> None:
    """Speak the question's language for the rest of this listener (and its error handler's apology)."""
    question = workflow.strip_mentions(mention.text)
    use(for_question(deps, client, text=question, channel_id=mention.channel_id, user_id=mention.user_id).speak)


def reply(deps: Deps, client: WebClient, claimed: workflow.Claimed | workflow.Unbound | workflow.Duplicate) -> None:
    """Say how to bind an unbound channel; otherwise look (👀), answer in the message's thread, then stop looking."""
    if isinstance(claimed, workflow.Duplicate):
        return
    m = claimed.mention
    if isinstance(claimed, workflow.Unbound):
        client.chat_postMessage(
            channel=m.channel_id,
            thread_ts=m.reply_ts,
            text=_("This channel is not linked to an engagement yet."),
            blocks=wire(blocks.unbound_channel_blocks(channel_is_dm=m.is_dm)),
        )
        return
    _react(client, "reactions_add", m.channel_id, m.ts)
    try:
        asked = workflow.answer_mention(deps, claimed)  # recorded before it is posted: the buttons carry its id
        client.chat_postMessage(
            channel=m.channel_id,
            thread_ts=m.reply_ts,
            text=blocks.answer_text(asked.answer),
            blocks=wire(blocks.answer_blocks(asked.answer, answer_id=asked.question_id)),
            unfurl_links=False,
            unfurl_media=False,
        )
    finally:
        _react(client, "reactions_remove", m.channel_id, m.ts)


def _react(client: WebClient, method: str, channel: str, ts: str) -> None:
    try:
        getattr(client, method)(channel=channel, timestamp=ts, name=LOOKING)
    except SlackApiError as err:  # a missing reaction must never cost the answer
        log.info("%s failed: %s", method, err.response.get("error"))
