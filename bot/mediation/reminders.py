"""Reminders in mediation threads: a quiet mediation, a deadline coming up, a deadline missed.

`due_reminders` says what to remind, with the clock passed in; the scheduler's Slack wiring
(`bot.scheduler.send_reminders`) words and posts it. Each reminder is claimed in the database (`note_reminder`,
one unique key per reminder) before it is returned, so two replicas running at once post it once; if Slack
refuses the post, the wiring `release`s the claim and the next run tries again.

Keys: "<id>:idle:<last activity>" (new activity, then a new quiet spell, reminds again),
"<id>:due-soon:<deadline>" and "<id>:overdue:<deadline>" (a moved deadline reminds again). What is due for one
mediation in one run goes out as one message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import access
from bot.access import Probe
from bot.db import session
from bot.deps import Deps
from bot.i18n import speaking
from bot.issues.timeline import reminder_data, reminder_text
from bot.mediation import queries as mediation_queries
from bot.records import reminders as reminder_ledger
from bot.records.cases import aware


@dataclass(frozen=True)
class Reminder:
    """One mediation's reminders, claimed: where to post them, and what they are about."""

    case: dict[str, Any]
    keys: list[str]  # claimed; `release` gives them back
    today: date
    side: str  # what the channel's readers may see
    idle_hours: float

    @property
    def kinds(self) -> list[str]:
        return [key.split(":")[1] for key in self.keys]


def due_reminders(deps: Deps, *, now: datetime, probe: Probe | None = None) -> list[Reminder]:
    """The reminders due at `now` (aware), each claimed: one per mediation with a thread to remind in."""
    settings = deps.settings
    now = aware(now, "now")
    local_now = now.astimezone(ZoneInfo(settings.timezone)) if settings.timezone else now
    today = local_now.date()
    keys: dict[int, list[str]] = {}
    with session(deps.engine) as s:
        idle = timedelta(hours=settings.mediation_idle_hours)
        for m in mediation_queries.stale_mediations(session=s, now=now, idle=idle):
            keys.setdefault(_id(m.id), []).append(f"{m.id}:idle:{m.last_activity_at.isoformat()}")
        within = timedelta(days=settings.mediation_remind_days)
        for m in mediation_queries.due_soon(session=s, now=local_now, within=within):
            kind = "overdue" if m.deadline is not None and m.deadline < today else "due-soon"
            keys.setdefault(_id(m.id), []).append(f"{m.id}:{kind}:{m.deadline}")
        cases = {mediation_id: _case(s, mediation_id) for mediation_id in keys}
    due = []
    for mediation_id, wanted in keys.items():
        case = cases[mediation_id]
        if case.get("header_ts"):  # a mediation whose header never reached Slack has no thread to remind in
            reminder = _claim(deps, case, wanted, today=today, probe=probe)
            if reminder is not None:
                due.append(reminder)
    return due


def _claim(deps: Deps, case: dict[str, Any], keys: list[str], *, today: date, probe: Probe | None) -> Reminder | None:
    """Claim one mediation's reminders not sent yet: None if another run has them all."""
    scope = access.scope_of(deps, case["channel_id"], probe=probe)
    claimed: list[str] = []
    idle_hours = deps.settings.mediation_idle_hours
    with session(deps.engine) as s:
        for key in keys:
            data = reminder_data(key, idle_hours=idle_hours)
            with speaking("en"):  # the record's words
                text = reminder_text(data) or key
            entry = reminder_ledger.note_reminder(session=s, mediation_id=case["id"], key=key, text=text)
            if entry is not None:
                entry.data = data  # what `bot.issues.timeline.entry_text` words the entry again from
                s.add(entry)
                s.flush()
                claimed.append(key)
    if not claimed:
        return None
    side = scope.side if scope else "shared"
    return Reminder(case, claimed, today, side, idle_hours)


def release(deps: Deps, reminder: Reminder) -> None:
    """The post failed: give the claims back, so the next run tries again."""
    with session(deps.engine) as s:
        for key in reminder.keys:
            reminder_ledger.forget_reminder(session=s, mediation_id=reminder.case["id"], key=key)


def _id(value: int | None) -> int:
    assert value is not None
    return value


def _case(s: Session, mediation_id: int) -> dict[str, Any]:
    case = mediation_queries.mediation_case(session=s, mediation_id=mediation_id)
    assert case is not None
    return case
