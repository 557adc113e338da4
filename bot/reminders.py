"""Reminders in mediation threads: a quiet mediation, a deadline coming up, a deadline missed.

`send_reminders` is run by a scheduler (an interval job) with the clock passed in. Each reminder is claimed in
the database (`note_reminder`, one unique key per reminder) before it is posted, so two replicas running at
once post it once; if Slack refuses the post, the claim is released and the next run tries again.

Keys: "<id>:idle:<last activity>" (new activity, then a new quiet spell, reminds again),
"<id>:due-soon:<deadline>" and "<id>:overdue:<deadline>" (a moved deadline reminds again). What is due for one
mediation in one run goes out as one message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import mediations
from bot import questions as workflow
from bot.cases import aware
from bot.db import session
from bot.deps import Deps
from bot.slack import mediation_blocks as mb
from bot.slack.facts import SlackProbe

log = logging.getLogger(__name__)


class Poster(Protocol):
    """What reminding needs of a Slack client (`slack_sdk.WebClient` has it)."""

    def chat_postMessage(  # noqa: N802 (Slack's name)
        self,
        *,
        channel: str,
        text: str | None = None,
        thread_ts: str | None = None,
        blocks: Sequence[dict[str, Any]] | None = None,
    ) -> Any: ...


def send_reminders(deps: Deps, client: Poster, *, now: datetime) -> int:
    """Post the reminders due at `now` (aware) in their mediations' threads: how many messages were posted."""
    settings = deps.settings
    now = aware(now, "now")
    local_now = now.astimezone(ZoneInfo(settings.timezone)) if settings.timezone else now
    today = local_now.date()
    keys: dict[int, list[str]] = {}
    with session(deps.engine) as s:
        idle = timedelta(hours=settings.mediation_idle_hours)
        for m in mediations.stale_mediations(session=s, now=now, idle=idle):
            keys.setdefault(_id(m.id), []).append(f"{m.id}:idle:{m.last_activity_at.isoformat()}")
        within = timedelta(days=settings.mediation_remind_days)
        for m in mediations.due_soon(session=s, now=local_now, within=within):
            kind = "overdue" if m.deadline is not None and m.deadline < today else "due-soon"
            keys.setdefault(_id(m.id), []).append(f"{m.id}:{kind}:{m.deadline}")
        cases = {mediation_id: _case(s, mediation_id) for mediation_id in keys}
    sent = 0
    for mediation_id, wanted in keys.items():
        case = cases[mediation_id]
        if case.get("header_ts"):  # a mediation whose header never reached Slack has no thread to remind in
            sent += remind(deps, client, case=case, keys=wanted, today=today)
    return sent


def remind(deps: Deps, client: Poster, *, case: dict[str, Any], keys: list[str], today: date) -> bool:
    """Post one mediation's reminders not sent yet, as one message: claimed first, released if the post fails."""
    scope = workflow.scope_of(deps, case["channel_id"], probe=SlackProbe(client))
    claimed: list[str] = []
    with session(deps.engine) as s:
        for key in keys:
            if mediations.note_reminder(session=s, mediation_id=case["id"], key=key, text=key) is not None:
                claimed.append(key)
    if not claimed:
        return False
    text = mb.reminder_text(
        case,
        kinds=[key.split(":")[1] for key in claimed],
        today=today,
        side=scope.side if scope else "shared",
        idle_hours=deps.settings.mediation_idle_hours,
    )
    try:
        client.chat_postMessage(
            channel=case["channel_id"], thread_ts=case["header_ts"], text=text, blocks=mb.reminder_blocks(text)
        )
    except Exception as err:  # any failure: the next run tries again; the other mediations go on
        log.warning("could not remind mediation #%s (%s): %s", case["id"], ", ".join(claimed), err)
        with session(deps.engine) as s:
            for key in claimed:
                mediations.forget_reminder(session=s, mediation_id=case["id"], key=key)
        return False
    return True


def _id(value: int | None) -> int:
    assert value is not None
    return value


def _case(s: Session, mediation_id: int) -> dict[str, Any]:
    case = mediations.mediation_case(session=s, mediation_id=mediation_id)
    assert case is not None
    return case
