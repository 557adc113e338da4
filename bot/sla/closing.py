"""A period's close: its credit statement computed and kept by itself, and a summary said where it may be read.

Like ServiceNow's and BMC's, credits are computed when a period closes: a month closes on the first day of the
next month in the engagement's time zone (its digest schedule's, else LIAISON_TIMEZONE, else UTC), plus
`Settings.sla_close_grace_days` for late measurements. `due_closes` (run by the scheduler) then, for each
engagement with approved levels in force in that month:

- computes and keeps the month's statement on the fees in force (`bot.sla.fees`; a statement already kept, e.g.
  computed by hand with `--fees`, is recomputed on its own fees), once across replicas: the claim
  (`sla_closings`, kind "statement", target "") is inserted in the transaction that computes, so a concurrent
  run waits for it and then finds it taken. A measurement reported later recomputes the statement
  (`measures.recompute`), as before;
- if no fees are set and no statement is kept, claims kind "no-fees" instead: the summary says the statement
  could not be computed and how to set the fees. Once the fees are set, the next run computes it;
- returns one `CloseNotice` a channel, each claimed (target: the channel id) before it is returned: the
  engagement's bound channels whose side may see every level the statement sums (`visibility`: a statement
  with a client-only level never goes to a vendor or shared channel; a channel shared with another organisation
  reads as shared), and the managers' channel (LIAISON_MANAGERS_CHANNEL), read as shared. The transport words
  and posts them, and `release`s a notice Slack refused so that the next run tries again.

Only the latest closed month is closed: a restart catches up with it, not with older ones (and a channel bound
after its close gets its summary at the next run). Slack is asked about a channel's side only while it has a
summary to get.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bot import access
from bot.access import Probe
from bot.db import session
from bot.deps import Deps
from bot.errors import NotFound
from bot.records import digests
from bot.records import sla as records
from bot.records.cases import aware
from bot.records.sla import CreditStatement
from bot.sla import fees as sla_fees
from bot.sla import measures, register
from bot.sla.money import SlaInputError
from bot.sla.terms import Period
from bot.sla.versions import in_force_rows
from knowledge.visibility import visible_to

log = logging.getLogger(__name__)
ACTOR = "liaison"
STATEMENT = "statement"
NO_FEES = "no-fees"


@dataclass(frozen=True)
class CloseNotice:
    """What to say in one channel about a closed period, claimed: `summary` is the statement's JSON (with
    `claim_deadline` and `fees_from`) for kind "statement", or `{"how": ...}` for kind "no-fees"."""

    engagement: str
    period: str
    kind: str
    channel_id: str
    side: str
    summary: dict[str, Any]


def closing_period(today: date, grace_days: int) -> Period:
    """The latest month whose close has come by `today`: it has ended, and `grace_days` have passed since."""
    last = sla_fees.last_period(today)
    if today < last.following().first_day + timedelta(days=grace_days):
        last = sla_fees.last_period(last.first_day)
    return last


def due_closes(deps: Deps, *, now: datetime, probe: Probe | None = None) -> list[CloseNotice]:
    """Close the latest closed month of each engagement with approved levels: the notices to post, claimed."""
    now = aware(now, "now")
    with session(deps.engine) as s:
        engagements = records.approved_engagements(s)
    notices: list[CloseNotice] = []
    for engagement in engagements:
        try:
            notices.extend(close(deps, engagement=engagement, now=now, probe=probe))
        except (NotFound, SlaInputError) as err:  # a level that cannot compute: fixed by editing it, said each run
            log.warning("could not close the SLA period of %s: %s", engagement, err)
        except Exception:  # one engagement's trouble must not stop the others' closes
            log.exception("could not close the SLA period of %s", engagement)
    return notices


def close(deps: Deps, *, engagement: str, now: datetime, probe: Probe | None = None) -> list[CloseNotice]:
    """Close one engagement's latest closed month (computed once), and claim its notices not posted yet."""
    with session(deps.engine) as s:
        zone = sla_fees.zone_of(s, deps.settings, engagement)
        period = str(closing_period(now.astimezone(zone).date(), deps.settings.sla_close_grace_days))
        approved = [r for r in register.levels(s, engagement=engagement) if r.status == "approved"]
        rows = list(in_force_rows(approved, Period.parse(period)).values())
        if not rows:
            return []  # nothing in force that month: nothing to close
        kept = records.statement_of(s, engagement=engagement, period=period, lock=True)
        found = sla_fees.in_force(s, engagement=engagement, period=period)
        kind = STATEMENT if kept is not None or found is not None else NO_FEES
        if records.claim_closing(s, engagement=engagement, period=period, kind=kind) and kind == STATEMENT:
            fees, currency = _base(kept, found)
            measures.save_statement(s, engagement=engagement, period=period, fees=fees, currency=currency, actor=ACTOR)
            log.info("SLA period %s of %s closed: statement computed", period, engagement)
    with session(deps.engine) as s:
        statement = records.statement_of(s, engagement=engagement, period=period)
        if kind == STATEMENT and statement is not None:
            visibility = statement.visibility
            summary = dict(statement.result)
            summary["claim_deadline"] = statement.claim_deadline.isoformat() if statement.claim_deadline else None
            same = found is not None and (found[0], found[1]) == (Decimal(statement.fees), statement.currency)
            summary["fees_from"] = found[2] if found is not None and same else None
        else:
            visibility = measures.statement_visibility(rows)
            summary = {"how": sla_fees.how_to_set(engagement, period)}
        bound = digests.bindings_by_engagement(session=s, engagement=engagement).get(engagement, [])
        done = records.closing_targets(s, engagement=engagement, period=period, kind=kind)
    # Slack is asked about a channel only if its binding may read the statement and it has not had it yet
    wanted = [b.channel_id for b in bound if b.channel_id not in done and visibility in visible_to(b.side)]
    targets = [(channel, _side(deps, channel, probe)) for channel in wanted]
    managers = deps.settings.managers_channel
    if managers and managers not in done and managers not in {b.channel_id for b in bound}:
        targets.append((managers, "shared"))
    notices = []
    with session(deps.engine) as s:
        for channel, side in targets:
            if side is None or visibility not in visible_to(side):
                continue
            if records.claim_closing(s, engagement=engagement, period=period, kind=kind, target=channel):
                notices.append(CloseNotice(engagement, period, kind, channel, side, summary))
    return notices


def _base(kept: CreditStatement | None, found: tuple[Decimal, str, str] | None) -> tuple[Decimal, str]:
    """A kept statement's own fees, else the fees in force."""
    if kept is not None:
        return Decimal(kept.fees), kept.currency
    assert found is not None
    return found[0], found[1]


def _side(deps: Deps, channel_id: str, probe: Probe | None) -> str | None:
    scope = access.scope_of(deps, channel_id, probe=probe)
    return scope.side if scope is not None else None


def release(deps: Deps, notice: CloseNotice) -> None:
    """The post failed: give the channel's claim back, so the next run tries again."""
    with session(deps.engine) as s:
        records.release_closing(
            s, engagement=notice.engagement, period=notice.period, kind=notice.kind, target=notice.channel_id
        )
