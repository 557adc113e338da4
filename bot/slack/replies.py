"""Replies several listeners give the same way."""

from __future__ import annotations

from slack_bolt import Respond

from bot.i18n import _
from bot.slack.blocks import answers as blocks
from bot.slack.blocks.kit import wire


def not_linked(respond: Respond, channel: str, *, replace_original: bool = False) -> None:
    """Tell the user, privately, that this channel is not bound to an engagement, and how to bind it."""
    respond(
        response_type="ephemeral",
        replace_original=replace_original,
        text=_("This channel is not linked to an engagement."),
        blocks=wire(blocks.unbound_channel_blocks(channel_is_dm=channel.startswith("D"))),
    )
