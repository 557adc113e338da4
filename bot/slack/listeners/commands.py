"""The /liaison slash command: a table of verbs, each a handler (ask privately first, bind, index, issues,
mediate); anything else gets the help."""

from __future__ import annotations

import re

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import channels
from bot import questions as workflow
from bot.deps import Deps
from bot.errors import LiaisonError, NotAllowed
from bot.i18n import _
from bot.slack.blocks import answers as blocks
from bot.slack.blocks.kit import wire
from bot.slack.facts import SlackProbe, workspace_admin
from bot.slack.payloads import Command, Handler
from bot.slack.replies import not_linked
from knowledge.visibility import SIDES

_ENGAGEMENT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def register(app: App) -> None:
    app.command("/liaison")(on_command)


def on_command(ack: Ack, command: Command, respond: Respond, client: WebClient, context: BoltContext) -> None:
    verb, _sep, rest = (command.get("text") or "").strip().partition(" ")
    verbs: dict[str, Handler] = context["verbs"]  # every feature's /liaison verbs (bot.slack.app)
    handler = verbs.get(verb.lower(), show_help)
    handler(context["deps"], rest, ack, command, respond, client)


def show_help(deps: Deps, rest: str, ack: Ack, command: Command, respond: Respond, client: WebClient) -> None:
    ack(response_type="ephemeral", text=_("How to use /liaison"), blocks=wire(blocks.help_blocks()))


def ask_privately(deps: Deps, rest: str, ack: Ack, command: Command, respond: Respond, client: WebClient) -> None:
    question = rest.strip()
    if not question:
        show_help(deps, rest, ack, command, respond, client)
        return
    ack(response_type="ephemeral", text=_("Looking through the contracts…"), blocks=wire(blocks.thinking_blocks()))
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
        blocks=wire(blocks.answer_blocks(asked.answer, answer_id=asked.question_id, shareable=True)),
    )


def bind(deps: Deps, rest: str, ack: Ack, command: Command, respond: Respond, client: WebClient) -> None:
    ack()
    args = rest.split()
    if len(args) != 2 or args[1].lower() not in SIDES or not _ENGAGEMENT.match(args[0].lower()):
        respond(
            response_type="ephemeral",
            text=_("Usage: /liaison bind ENGAGEMENT client|vendor|shared"),
            blocks=wire(
                blocks.refusal_blocks(
                    _(
                        "Usage: `/liaison bind ENGAGEMENT client|vendor|shared`, "
                        "e.g. `/liaison bind acme-customer-care client`."
                    )
                )
            ),
        )
        return
    engagement, side = args[0].lower(), args[1].lower()
    binding = channels.Binding(
        channel_id=command["channel_id"],
        team_id=command.get("team_id", ""),
        engagement=engagement,
        side=side,
        user_id=command["user_id"],
    )
    try:
        channels.bind(deps, binding, probe=SlackProbe(client), is_workspace_admin=workspace_admin(client))
    except LiaisonError as err:
        short = str(err)
        if isinstance(err, NotAllowed) and err.action == "bind":
            short = _("Only workspace admins and engagement admins can bind channels.")
        respond(response_type="ephemeral", text=short, blocks=wire(blocks.refusal_blocks(str(err))))
        return
    respond(
        response_type="in_channel",
        text=_("This channel now answers from {engagement} ({side} side).").format(engagement=engagement, side=side),
        blocks=wire(blocks.bound_blocks(engagement=engagement, side=side)),
    )


def unbind(deps: Deps, rest: str, ack: Ack, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison unbind`: the channel stops answering from its engagement (an admin of it, or a workspace admin)."""
    ack()
    try:
        engagement, side = channels.unbind(
            deps, command["channel_id"], command["user_id"], is_workspace_admin=workspace_admin(client)
        )
    except LiaisonError as err:
        respond(response_type="ephemeral", text=str(err), blocks=wire(blocks.refusal_blocks(str(err))))
        return
    respond(
        response_type="in_channel",
        text=_("This channel no longer answers from {engagement}.").format(engagement=engagement),
        blocks=wire(blocks.unbound_blocks(engagement=engagement, side=side)),
    )


VERBS: dict[str, Handler] = {"ask": ask_privately, "bind": bind, "help": show_help, "unbind": unbind}
