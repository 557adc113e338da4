"""The /liaison slash command: ask (privately first), bind a channel, help."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import questions as workflow
from bot import records
from bot.db import session
from bot.deps import Deps
from bot.slack import blocks
from bot.slack.facts import SlackProbe
from bot.slack.listeners.issues import handle_issue_command
from bot.slack.listeners.mediations import handle_mediation_command
from bot.slack.permissions import may_manage
from bot.slack.replies import not_linked
from knowledge.store import SIDES

_ENGAGEMENT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def register(app: App, deps: Deps) -> None:
    @app.command("/liaison")
    def on_command(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        verb, _, rest = (command.get("text") or "").strip().partition(" ")
        verb = verb.lower()
        if handle_issue_command(deps, verb, rest, ack, command, respond, client):
            return
        if handle_mediation_command(deps, verb, rest, ack, command, respond, client):
            return
        if verb == "ask" and rest.strip():
            ack(response_type="ephemeral", text="Looking through the contracts…", blocks=blocks.thinking_blocks())
            ask_privately(deps, command, respond, client, rest.strip())
        elif verb == "bind":
            ack()
            bind(deps, command, respond, client, rest.split())
        elif verb == "index":
            ack(response_type="ephemeral", text="Looking for the latest file shared here…")
            index_latest_file(deps, command, respond, client)
        else:
            ack(response_type="ephemeral", text="How to use /liaison", blocks=blocks.help_blocks())


def ask_privately(deps: Deps, command: dict[str, Any], respond: Respond, client: WebClient, question: str) -> None:
    scope = workflow.scope_of(deps, command["channel_id"], probe=SlackProbe(client), user_id=command.get("user_id"))
    if scope is None:
        not_linked(respond, str(command.get("channel_id", "")), replace_original=True)
        return
    asked = workflow.ask(
        deps,
        source_key=f"command:{command.get('trigger_id') or command.get('command_ts', '')}",
        scope=scope,
        channel_id=command["channel_id"],
        user_id=command["user_id"],
        thread_ts=None,
        question=question,
    )
    respond(
        response_type="ephemeral",
        replace_original=True,
        text=blocks.answer_text(asked.answer),
        blocks=blocks.answer_blocks(asked.answer, answer_id=asked.question_id, shareable=True),
    )


def bind(deps: Deps, command: dict[str, Any], respond: Respond, client: WebClient, args: list[str]) -> None:
    if len(args) != 2 or args[1].lower() not in SIDES or not _ENGAGEMENT.match(args[0].lower()):
        respond(
            response_type="ephemeral",
            text="Usage: /liaison bind ENGAGEMENT client|vendor|shared",
            blocks=blocks.refusal_blocks(
                "Usage: `/liaison bind ENGAGEMENT client|vendor|shared`, "
                "e.g. `/liaison bind acme-customer-care client`."
            ),
        )
        return
    engagement, side = args[0].lower(), args[1].lower()
    user, channel = command["user_id"], command["channel_id"]
    refusal = bind_refusal(deps, client, user=user, channel=channel, engagement=engagement, side=side)
    if refusal:
        respond(response_type="ephemeral", text=refusal, blocks=blocks.refusal_blocks(refusal))
        return
    if not may_manage(deps, client, user, engagement):
        respond(
            response_type="ephemeral",
            text="Only workspace admins and engagement admins can bind channels.",
            blocks=blocks.refusal_blocks(
                f"Only workspace admins or owners, and people made admins of `{engagement}`, can bind a channel to it."
            ),
        )
        return
    with session(deps.engine) as s:
        records.bind_channel(
            session=s,
            channel_id=command["channel_id"],
            team_id=command.get("team_id", ""),
            engagement=engagement,
            side=side,
            user_id=user,
        )
    respond(
        response_type="in_channel",
        text=f"This channel now answers from {engagement} ({side} side).",
        blocks=blocks.bound_blocks(engagement=engagement, side=side),
    )


def bind_refusal(deps: Deps, client: WebClient, *, user: str, channel: str, engagement: str, side: str) -> str | None:
    """Why this binding may not be made, or None: a channel shared with another organisation (Slack Connect) can
    only be bound `shared`, and a channel bound to another engagement is rebound only by an admin of that one too
    (or a workspace admin), so no engagement's admin can take over another's channel."""
    if side != "shared" and SlackProbe(client).channel_is_shared(channel) is not False:
        return (
            "This channel is shared with another organisation (Slack Connect), or Slack could not say it is not, so "
            f"it can only be bound as shared: `/liaison bind {engagement} shared`. People of the other organisation "
            "would read one side's documents here."
        )
    current = workflow.scope_of(deps, channel)
    taken = current is not None and current.engagement != engagement
    if current is not None and taken and not may_manage(deps, client, user, current.engagement):
        return (
            f"This channel is bound to `{current.engagement}`. Only its admins (or workspace admins) can rebind it "
            "to another engagement."
        )
    return None


def index_latest_file(deps: Deps, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
    """`/liaison index`: add the most recent file the caller shared in this channel to the contracts."""
    from bot.slack.listeners.files import add_file

    channel, user = command["channel_id"], command["user_id"]
    scope = workflow.scope_of(deps, channel, probe=SlackProbe(client))
    if scope is None:
        not_linked(respond, channel)
        return
    if not may_manage(deps, client, user, scope.engagement):
        respond(
            response_type="ephemeral", text=f"Only workspace admins and admins of {scope.engagement} can add contracts."
        )
        return
    history = client.conversations_history(channel=channel, limit=50)
    messages: list[dict[str, Any]] = history.get("messages", [])
    message = next((m for m in messages if m.get("files") and m.get("user") == user), None)
    if message is None:
        respond(
            response_type="ephemeral",
            text="I found no file you shared here recently. Share the PDF or DOCX "
            "first, then run /liaison index (or use the message shortcut Add to contracts).",
        )
        return
    for file in message["files"]:
        add_file(deps, client, file, channel=channel, thread_ts=message.get("thread_ts") or message["ts"], scope=scope)
