"""📌 evidence: a 📌 reaction on a reply in a mediation's thread adds that message to the case, once."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.mediation import workflows as mediation
from bot.slack.mediation_header import refresh_header
from bot.slack.payloads import ReactionEvent, SlackMessage

log = logging.getLogger(__name__)

EVIDENCE_REACTIONS = ("pushpin", "round_pushpin")


def register(app: App) -> None:
    """Add the 📌 reaction listener."""
    app.event("reaction_added")(on_reaction)


def on_reaction(event: ReactionEvent, client: WebClient, context: BoltContext) -> None:
    item = event.get("item") or {}
    if event.get("reaction") in EVIDENCE_REACTIONS and item.get("type") == "message" and item.get("ts"):
        pin_evidence(context["deps"], client, channel=item["channel"], ts=item["ts"], user=event.get("user", ""))


def pin_evidence(deps: Deps, client: WebClient, *, channel: str, ts: str, user: str) -> None:
    """Add a reply in a mediation's thread to its case, once; anything else is ignored quietly."""
    if not mediation.has_open_threads(deps, channel):
        return  # most reactions: no need to ask Slack for the message
    message = fetch_message(client, channel, ts)
    thread_ts = (message or {}).get("thread_ts")
    if message is None or not thread_ts or thread_ts == ts:
        return  # not a reply in a thread (a top-level message, or the header itself)
    mediation_id = mediation.pin_evidence(
        deps,
        channel=channel,
        thread_ts=thread_ts,
        ts=ts,
        author=message.get("user") or message.get("bot_id") or "unknown",
        text=_message_text(message),
        user=user,
    )
    if mediation_id is not None:
        refresh_header(deps, client, mediation_id)


def fetch_message(client: WebClient, channel: str, ts: str) -> SlackMessage | None:
    """One message, a thread reply or not: conversations.replies answers both, given its ts as the range."""
    try:
        found = client.conversations_replies(channel=channel, ts=ts, oldest=ts, latest=ts, inclusive=True, limit=10)
    except SlackApiError as err:  # e.g. not_in_channel, thread_not_found: then it is not ours to add
        log.info("could not read message %s in %s: %s", ts, channel, err.response.get("error"))
        return None
    return next((m for m in found.get("messages") or [] if m.get("ts") == ts), None)


def _message_text(message: SlackMessage) -> str:
    text = (message.get("text") or "").strip()
    files = ", ".join(str(f.get("name") or f.get("title") or "a file") for f in message.get("files") or [])
    if files:
        text = f"{text}\n[files: {files}]".strip()
    return text or "(a message without text)"
