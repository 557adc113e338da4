"""📌 evidence: a 📌 reaction on a reply in a mediation's thread adds that message to the case, once."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import cases, mediations
from bot import questions as workflow
from bot.db import session
from bot.deps import Deps
from bot.slack.listeners.mediation_common import id_of, refresh_header

log = logging.getLogger(__name__)

EVIDENCE_REACTIONS = ("pushpin", "round_pushpin")


def register(app: App, deps: Deps) -> None:
    """Add the 📌 reaction listener."""

    @app.event("reaction_added")
    def on_reaction(event: dict[str, Any], client: WebClient) -> None:
        item = event.get("item") or {}
        if event.get("reaction") in EVIDENCE_REACTIONS and item.get("type") == "message" and item.get("ts"):
            pin_evidence(deps, client, channel=item["channel"], ts=item["ts"], user=event.get("user", ""))


def pin_evidence(deps: Deps, client: WebClient, *, channel: str, ts: str, user: str) -> None:
    """Add a reply in a mediation's thread to its case, once; anything else is ignored quietly."""
    if not _has_open_threads(deps, channel):
        return  # most reactions: no need to ask Slack for the message
    message = fetch_message(client, channel, ts)
    thread_ts = (message or {}).get("thread_ts")
    if message is None or not thread_ts or thread_ts == ts:
        return  # not a reply in a thread (a top-level message, or the header itself)
    with session(deps.engine) as s:
        mediation = mediations.mediation_in_thread(session=s, channel_id=channel, thread_ts=thread_ts)
        if mediation is None or mediation.status not in cases.ACTIVE_MEDIATION_STATUSES:
            return
        added = mediations.add_evidence(
            session=s,
            mediation_id=id_of(mediation),
            channel_id=channel,
            message_ts=ts,
            author=message.get("user") or message.get("bot_id") or "unknown",
            text=_message_text(message),
            actor=user,
        )
        mediation_id = id_of(mediation)
    if added is not None:
        refresh_header(deps, client, mediation_id)


def fetch_message(client: WebClient, channel: str, ts: str) -> dict[str, Any] | None:
    """One message, a thread reply or not: conversations.replies answers both, given its ts as the range."""
    try:
        found = client.conversations_replies(channel=channel, ts=ts, oldest=ts, latest=ts, inclusive=True, limit=10)
    except SlackApiError as err:  # e.g. not_in_channel, thread_not_found: then it is not ours to add
        log.info("could not read message %s in %s: %s", ts, channel, err.response.get("error"))
        return None
    return next((m for m in found.get("messages") or [] if m.get("ts") == ts), None)


def _message_text(message: dict[str, Any]) -> str:
    text = (message.get("text") or "").strip()
    files = ", ".join(str(f.get("name") or f.get("title") or "a file") for f in message.get("files") or [])
    if files:
        text = f"{text}\n[files: {files}]".strip()
    return text or "(a message without text)"


def _has_open_threads(deps: Deps, channel: str) -> bool:
    scope = workflow.scope_of(deps, channel)
    if scope is None:
        return False
    with session(deps.engine) as s:
        statuses = cases.ACTIVE_MEDIATION_STATUSES
        active = mediations.list_mediations(session=s, engagement=scope.engagement, statuses=statuses)
        return any(m.channel_id == channel and m.thread_ts for m in active)
