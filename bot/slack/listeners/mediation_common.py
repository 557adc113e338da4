"""What the mediation listeners share: who manages a mediation, today's date, and updating the header in place."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import cases, mediations, records
from bot import questions as workflow
from bot.db import session
from bot.deps import Deps
from bot.slack import mediation_blocks as mb
from bot.slack.facts import SlackProbe

log = logging.getLogger(__name__)

MANAGERS = ("mediator", "admin")  # open and close mediations, act for either side

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
        with session(deps.engine) as s:
            case = mediations.mediation_case(session=s, mediation_id=mediation_id)
        if case is None or not case.get("header_ts"):
            return
        scope = workflow.scope_of(deps, case["channel_id"], probe=SlackProbe(client))
        try:
            client.chat_update(
                channel=case["channel_id"],
                ts=case["header_ts"],
                text=mb.header_text(case),
                blocks=mb.header_blocks(case, side=scope.side if scope else "shared", today=today(deps)),
            )
        except SlackApiError as err:  # the change is recorded; the header catches up on the next one
            log.warning("could not update the header of mediation #%s: %s", mediation_id, err.response.get("error"))


def today(deps: Deps, now: datetime | None = None) -> date:
    """Today's date where the engagement's people are (LIAISON_TIMEZONE), UTC otherwise."""
    moment = now or records.utcnow()
    zone = deps.settings.timezone
    return (moment.astimezone(ZoneInfo(zone)) if zone else moment).date()


def id_of(mediation: cases.MediationRecord) -> int:
    """A stored mediation's id (never None once it is in the database)."""
    assert mediation.id is not None
    return mediation.id
