"""The weekly digest's button: "Add a document" under its knowledge gaps says how to add the missing contract."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import questions as workflow
from bot.digest.sections import ADD_DOCUMENT_ACTION
from bot.i18n import _
from bot.slack.blocks import digest as digest_blocks
from bot.slack.blocks.kit import wire
from bot.slack.facts import SlackProbe
from bot.slack.payloads import Action, ActionBody


def register(app: App) -> None:
    app.action(ADD_DOCUMENT_ACTION)(on_add_document)


def on_add_document(ack: Ack, body: ActionBody, action: Action, client: WebClient, context: BoltContext) -> None:
    ack()
    channel = (body.get("channel") or {}).get("id")
    if not channel:
        return
    scope = workflow.scope_of(context["deps"], channel, probe=SlackProbe(client))
    engagement = action.get("value") or (scope.engagement if scope else _("the engagement"))
    side = scope.side if scope is not None and scope.engagement == engagement else None
    client.chat_postEphemeral(
        channel=channel,
        user=body["user"]["id"],
        text=_("How to add a document to {engagement}").format(engagement=engagement),
        blocks=wire(digest_blocks.add_document_blocks(engagement=engagement, side=side)),
    )
