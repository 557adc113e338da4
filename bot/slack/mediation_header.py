"""A mediation thread's header, updated in place: what the mediation listeners share (not a listener)."""

from __future__ import annotations

import logging
import threading

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import questions as workflow
from bot.deps import Deps
from bot.i18n import speaking
from bot.mediation import workflows as mediation
from bot.slack.blocks import mediation as mb
from bot.slack.blocks.kit import wire
from bot.slack.facts import SlackProbe
from bot.slack.language import for_post

log = logging.getLogger(__name__)

_header_locks: dict[int, threading.Lock] = {}
_header_locks_guard = threading.Lock()


def refresh_header(deps: Deps, client: WebClient, mediation_id: int) -> None:
    """Edit the header in place to show the mediation as it is now.

    One refresh at a time per mediation (in this process), each reading after the change it follows: the last
    edit Slack gets shows every change, even when two people click at the same moment.
    """
    with _header_locks_guard:
        lock = _header_locks.setdefault(mediation_id, threading.Lock())
    with lock:
        case = mediation.case_of(deps, mediation_id)
        if case is None or not case.get("header_ts"):
            return
        scope = workflow.scope_of(deps, case["channel_id"], probe=SlackProbe(client))
        # the header is read by the whole channel: its language, whoever clicked
        with speaking(for_post(deps, channel_id=case["channel_id"], engagement=case.get("engagement"))):
            text = mb.header_text(case)
            blocks = mb.header_blocks(case, side=scope.side if scope else "shared", today=mediation.today(deps))
        try:
            client.chat_update(channel=case["channel_id"], ts=case["header_ts"], text=text, blocks=wire(blocks))
        except SlackApiError as err:  # the change is recorded; the header catches up on the next one
            log.warning("could not update the header of mediation #%s: %s", mediation_id, err.response.get("error"))
