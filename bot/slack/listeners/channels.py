"""A channel shared with another organisation (Slack Connect) reads only shared documents from then on."""

from __future__ import annotations

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot import questions as workflow
from bot.access import SLACK_CONNECT
from bot.i18n import N_, _
from bot.slack.blocks.kit import section, wire
from bot.slack.facts import SlackProbe, forget_channel
from bot.slack.payloads import ChannelEvent

NOTICE = N_(  # translated where it is posted
    "This channel is now shared with another organisation, so I answer here from the engagement's shared "
    "documents only. Ask about one side's documents in that side's own channel."
)


def register(app: App) -> None:
    app.event("channel_shared")(on_shared)
    app.event("channel_unshared")(on_unshared)


def on_shared(event: ChannelEvent, client: WebClient, context: BoltContext) -> None:
    channel = str(event.get("channel") or "")
    forget_channel(client, channel)  # ask Slack afresh: the binding is narrowed for good if it is shared
    scope = workflow.scope_of(context["deps"], channel, probe=SlackProbe(client))
    if scope is not None and scope.narrowed == SLACK_CONNECT:
        notice = _(NOTICE)
        client.chat_postMessage(channel=channel, text=notice, blocks=wire([section(notice)]))


def on_unshared(event: ChannelEvent, client: WebClient) -> None:
    forget_channel(client, str(event.get("channel") or ""))  # the binding stays shared until an admin rebinds
