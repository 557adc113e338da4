"""Deadline reminders: each dated, approved obligation is reminded in the engagement's bound channels and the
managers' channel at the offsets of `Settings.deadline_offsets` (90, 30 and 7 days before its date, and on the
day), and once more at the engagement's own lead time before the date when one is set.

`due_reminders` says what to post, with the clock passed in; `bot.slack.deadline_posting` words and posts it.
Every reminder is claimed in the database per channel before it is returned (`claim_reminder`, key
`deadline:<id>:<offset>:<date>`), so two schedulers running at once post it once; a post Slack refuses is
`release`d and the next run sends it. A date moved by an edit has new keys, so it is reminded afresh. When
several offsets have passed (an obligation approved 20 days before its date), only the latest is sent.

A reminder mentions the obligation's owner (if one is set) and the engagement's owners and admins that the
channel may ping (`owners_of`: a client channel never pings the vendor's).

Side rules, at the moment of use: a channel's side is derived now (`bot.access.scope_of`: Slack Connect and an
unknown answer narrow it to shared) and an obligation goes only where its document's visibility may be read
(`knowledge.visibility.visible_to`): a client-only obligation never reaches a vendor or shared channel. The
managers' channel reads as shared.

The reminders' buttons: Mark done (`mark_done`), Snooze (`snooze`: the reminders are held back 7 days, then sent
once again; the one on the day itself still goes) and Open a mediation (`mediation_request`, opened by
`bot.mediation.workflows.open_case`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import access
from bot.access import Probe
from bot.authorize import Actor, authorize
from bot.db import session
from bot.deadlines import register
from bot.deadlines import workflows as deadlines
from bot.deadlines.names import title_of
from bot.deadlines.register import deadline_json
from bot.deps import Deps
from bot.errors import Conflict, NotFound
from bot.i18n import _
from bot.mediation.workflows import MediationOpen
from bot.records import deadline_reminders as ledger
from bot.records import deadlines as records
from bot.records import digests, roles
from bot.records.cases import aware
from knowledge.visibility import visible_to

log = logging.getLogger(__name__)
SNOOZE_DAYS = 7
ACTOR = "liaison"


@dataclass(frozen=True)
class DeadlineReminder:
    """One obligation's reminders for one channel, claimed: where to post, and what to say."""

    engagement: str
    channel_id: str
    side: str  # what the channel's readers may see
    deadline: dict[str, Any]  # `bot.deadlines.register.deadline_json`
    keys: tuple[str, ...]  # claimed; `release` gives them back
    today: date
    lead_days: int | None
    people: tuple[str, ...] = ()  # whom to mention: the obligation's owner, and the owners this channel may ping

    @property
    def days_left(self) -> int:
        return (date.fromisoformat(self.deadline["date"]) - self.today).days

    @property
    def kinds(self) -> list[str]:
        """What each key reminds of: "90", "0", "lead-60", "snooze-2026-12-09"."""
        return [key.split(":")[2] for key in self.keys]


def today_of(deps: Deps, now: datetime) -> date:
    """`now`'s date where the engagement's people are (LIAISON_TIMEZONE), UTC otherwise."""
    zone = deps.settings.timezone
    return (now.astimezone(ZoneInfo(zone)) if zone else now).date()


def wanted(
    deadline_id: int,
    when: date,
    today: date,
    offsets: tuple[int, ...],
    lead_days: int | None = None,
    snoozed: tuple[date, date] | None = None,
) -> list[str]:
    """The reminder keys an obligation dated `when` wants on `today` (pure): the latest offset passed, the lead
    time's, and after a snooze (`snoozed`: the date it held back and until when) the snooze's own, once."""
    left = (when - today).days
    if left < 0:
        return []
    key = f"deadline:{deadline_id}:{{}}:{when.isoformat()}"
    held = snoozed is not None and snoozed[0] == when
    if held and snoozed is not None and today < snoozed[1]:
        return [key.format(0)] if left == 0 and 0 in offsets else []
    out = []
    passed = [o for o in offsets if left <= o]
    if passed:
        out.append(key.format(min(passed)))
    if lead_days and left <= lead_days:
        out.append(key.format(f"lead-{lead_days}"))
    if held and snoozed is not None:
        out.append(key.format(f"snooze-{snoozed[1].isoformat()}"))
    return out


def due_reminders(deps: Deps, *, now: datetime, probe: Probe | None = None) -> list[DeadlineReminder]:
    """The deadline reminders due at `now` (aware), each claimed: one per obligation and channel."""
    today = today_of(deps, aware(now, "now"))
    with session(deps.engine) as s:
        engagements = ledger.reminded_engagements(s)
    due: list[DeadlineReminder] = []
    for engagement in engagements:
        try:
            due.extend(_engagement_reminders(deps, engagement, today, probe))
        except Exception:  # one engagement's trouble must not stop the others' reminders
            log.exception("could not remind the deadlines of %s", engagement)
    return due


def _engagement_reminders(deps: Deps, engagement: str, today: date, probe: Probe | None) -> list[DeadlineReminder]:
    offsets = deps.settings.deadline_offsets
    with session(deps.engine) as s:
        settings = records.settings_of(s, engagement=engagement)
        lead = settings.lead_days if settings else None
        pending: list[tuple[dict[str, Any], list[str]]] = []
        for d in register.dated(s, engagement=engagement, as_of=today):
            if d.row.status != "approved" or d.date is None or d.row.id is None:
                continue
            held = ledger.snooze_of(s, deadline_id=d.row.id)
            keys = wanted(d.row.id, d.date, today, offsets, lead, (held.date, held.until) if held else None)
            if keys:
                pending.append((deadline_json(d, lead_days=lead), keys))
        if not pending:
            return []
        bound = digests.bindings_by_engagement(session=s, engagement=engagement).get(engagement, [])
    targets = [(b.channel_id, _side(deps, b.channel_id, engagement, probe)) for b in bound]
    managers = deps.settings.managers_channel
    if managers and managers not in {channel for channel, _ in targets}:
        targets.append((managers, "shared"))
    out = []
    with session(deps.engine) as s:
        for channel, side in targets:
            if side is None:
                continue
            owners = roles.owners_of(session=s, engagement=engagement, side=side)
            for shown, keys in pending:
                if shown["visibility"] not in visible_to(side):
                    continue  # a one-sided document's obligation never reaches the other side, nor a shared channel
                claimed = [
                    k
                    for k in keys
                    if ledger.claim_reminder(
                        s, engagement=engagement, deadline_id=shown["id"], key=k, channel_id=channel
                    )
                ]
                if claimed:
                    people = tuple(dict.fromkeys([*([shown["owner"]] if shown.get("owner") else []), *owners]))
                    out.append(DeadlineReminder(engagement, channel, side, shown, tuple(claimed), today, lead, people))
    return out


def _side(deps: Deps, channel_id: str, engagement: str, probe: Probe | None) -> str | None:
    scope = access.scope_of(deps, channel_id, probe=probe)
    return scope.side if scope is not None and scope.engagement == engagement else None


def release(deps: Deps, reminder: DeadlineReminder) -> None:
    """The post failed: give the channel's claims back, so the next run sends it."""
    with session(deps.engine) as s:
        for key in reminder.keys:
            ledger.release_reminder(s, key=key, channel_id=reminder.channel_id)


# -- the reminder's buttons -------------------------------------------------------------------------
def mark_done(deps: Deps, *, engagement: str, deadline_id: int, who: Actor, side: str) -> dict[str, Any]:
    """Mark an obligation the side may see done (its reviewers): it is no longer reminded."""
    deadlines.review(deps, engagement=engagement, deadline_ids=[deadline_id], status="done", who=who, side=side)
    return deadlines.deadline(deps, engagement=engagement, deadline_id=deadline_id, who=who, side=side)


def snooze(
    deps: Deps, *, engagement: str, deadline_id: int, who: Actor, side: str, today: date, days: int = SNOOZE_DAYS
) -> date:
    """Hold an approved obligation's reminders back `days` (its reviewers), then remind once again: the day the
    reminder comes back. The one on the date itself is never held back; the snooze is kept in its timeline."""
    authorize(who, "review-deadlines", engagement)
    with session(deps.engine) as s:
        row = register.get_deadline(s, engagement=engagement, deadline_id=deadline_id, lock=True)
        if not register.visible(row, side):
            raise NotFound(_("No deadline {id} here.").format(id=deadline_id))
        if row.status != "approved":
            raise Conflict(
                _("Deadline {id} is {status}: only an approved one is reminded.").format(
                    id=deadline_id, status=row.status
                )
            )
        [found] = register.dated(s, engagement=engagement, as_of=today, rows=[row])
        if found.date is None or found.date < today:
            raise Conflict(_("Deadline {id} has no date ahead to be reminded of.").format(id=deadline_id))
        if found.date == today:
            raise Conflict(
                _("Deadline {id} is due today: there is no later day to be reminded on.").format(id=deadline_id)
            )
        until = min(today + timedelta(days=days), found.date)
        ledger.put_snooze(
            s, engagement=engagement, deadline_id=deadline_id, date=found.date, until=until, actor=who.user_id
        )
        records.add_event(
            s,
            engagement=engagement,
            kind="snoozed",
            actor=who.user_id,
            deadline_id=deadline_id,
            text=f"reminders snoozed until {until.isoformat()}",
            data={"date": found.date.isoformat(), "until": until.isoformat()},
        )
        return until


def mediation_request(
    deps: Deps, *, engagement: str, deadline_id: int, who: Actor, side: str, today: date
) -> MediationOpen:
    """What "Open a mediation" on a reminder opens: a mediation about the obligation, due on its date (or in
    the usual number of days when that has passed). Who may open it is `open_case`'s to check."""
    shown = deadlines.deadline(deps, engagement=engagement, deadline_id=deadline_id, who=who, side=side)
    when = date.fromisoformat(shown["date"]) if shown.get("date") else None
    if when is None or when <= today:
        when = today + timedelta(days=deps.settings.mediation_deadline_days)
    title = _("Deadline #{id}: {title}").format(id=deadline_id, title=title_of(shown))  # titled as its opener reads
    return MediationOpen(title, [], when)
