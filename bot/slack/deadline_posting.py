"""Posting the deadline reminders (`bot.deadlines.reminders`): one message per obligation and channel, worded by
`bot.slack.blocks.deadlines`, each in its channel's language (`bot.slack.language.for_post`). The scheduler's
reminders run calls `send_deadline_reminders`."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient

from bot.deadlines import reminders
from bot.deps import Deps
from bot.i18n import speaking
from bot.slack.blocks import deadlines as db
from bot.slack.blocks.kit import wire
from bot.slack.facts import SlackProbe
from bot.slack.language import for_post

log = logging.getLogger(__name__)


def send_deadline_reminders(deps: Deps, client: WebClient, *, now: datetime) -> int:
    """Post the deadline reminders due at `now` where they may be read: how many were posted. A post Slack
    refuses gives its claims back (the next run sends it); the other channels go on."""
    sent = 0
    for reminder in reminders.due_reminders(deps, now=now, probe=SlackProbe(client)):
        try:
            with speaking(for_post(deps, channel_id=reminder.channel_id, engagement=reminder.engagement)):
                text, blocks = db.reminder_text(reminder), wire(db.reminder_blocks(reminder))
            client.chat_postMessage(channel=reminder.channel_id, text=text, blocks=blocks, unfurl_links=False)
        except Exception as err:  # any failure: the next run tries again; the other reminders go on
            log.warning(
                "could not remind deadline #%s in %s (%s): %s",
                reminder.deadline["id"],
                reminder.channel_id,
                ", ".join(reminder.keys),
                err,
            )
            reminders.release(deps, reminder)
            continue
        sent += 1
    return sent
