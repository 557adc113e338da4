"""The deadlines register's use cases, for Slack and the CLI alike: each opens one session, checks who may
(`bot.authorize`), and returns plain data (JSON-ready dicts) or raises `bot.errors`.

`who` is the person as the engagement knows them (`bot.authorize.actor_in`, `bot.sla.workflows.person`), or
`bot.sla.workflows.operator()` for the CLI's trusted operator. `side` is the channel's side, derived by the
transport at the moment of use (None: the CLI's operator, who sees every obligation). An obligation is seen by
the sides its source document is visible to; drafts only by people with a role. Dates are computed as of
`as_of` (today by default): an automatic renewal rolls the term forward, so each date is the one still ahead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.authorize import Actor, authorize, may
from bot.db import session
from bot.deadlines import claims, ics, register, reviews
from bot.deadlines.register import Found, deadline_json
from bot.deps import Deps
from bot.errors import NotFound
from bot.i18n import _
from bot.records import deadlines as records
from bot.records.deadlines import DeadlineStatus
from knowledge.base import KnowledgeBase


@dataclass(frozen=True)
class Extracted:
    created: int
    updated: int
    kept: int
    removed: int
    claims: int  # credit-claim obligations new from the SLA register's statements
    deadlines: list[dict[str, Any]]


def drafts_found(kb: KnowledgeBase, engagement: str) -> list[Found]:
    """What the knowledge base drafts from each of the engagement's documents (every visibility)."""
    return [Found(doc.name, doc.visibility, drafts) for doc, drafts in kb.deadlines(engagement)]


def may_review(who: Actor, engagement: str) -> bool:
    """Whether the person may approve, edit, mark done or waive the engagement's deadlines."""
    return may(who, "review-deadlines", engagement)


def extract(deps: Deps, *, engagement: str, who: Actor, as_of: date | None = None) -> Extracted:
    """Draft the engagement's dated obligations from its documents and its credit statements (reviewed ones
    are never touched), and store every date as of `as_of`."""
    authorize(who, "review-deadlines", engagement)
    found = drafts_found(deps.kb, engagement)
    if not found:
        raise NotFound(
            _("No documents are indexed in {engagement}: `liaison index FILE -e {engagement}` first.").format(
                engagement=engagement
            )
        )
    day = as_of or date.today()
    with session(deps.engine) as s:
        synced = register.sync_drafts(s, engagement=engagement, found=found, actor=who.user_id)
        new_claims = claims.sync_claims(s, engagement=engagement, actor=who.user_id)
        register.refresh_dates(s, engagement=engagement, as_of=day)
        rows = _listed(s, engagement=engagement, who=who, as_of=day)
    return Extracted(synced.created, synced.updated, synced.kept, synced.removed, new_claims, rows)


def refresh(deps: Deps, *, engagement: str, as_of: date | None = None) -> int:
    """A scheduled job's pass (no person): the credit statements' claim windows brought up to date and every
    date stored as of `as_of`, so reminders read today's dates; how many claim windows are new."""
    with session(deps.engine) as s:
        new_claims = claims.sync_claims(s, engagement=engagement, actor="scheduler")
        register.refresh_dates(s, engagement=engagement, as_of=as_of or date.today())
        return new_claims


def _listed(
    s: Any,
    *,
    engagement: str,
    who: Actor,
    as_of: date,
    side: str | None = None,
    status: str | None = None,
    within: int | None = None,
) -> list[dict[str, Any]]:
    settings = records.settings_of(s, engagement=engagement)
    lead = settings.lead_days if settings else None
    drafts = may(who, "see-deadline-drafts", engagement)
    out = []
    for d in register.dated(s, engagement=engagement, as_of=as_of):
        if not register.visible(d.row, side) or (d.row.status == "draft" and not drafts):
            continue
        if status is not None and d.row.status != status:
            continue
        if within is not None and (d.date is None or not as_of <= d.date <= as_of + timedelta(days=within)):
            continue
        out.append(deadline_json(d, lead_days=lead))
    return out


def listing(
    deps: Deps,
    *,
    engagement: str,
    who: Actor,
    as_of: date | None = None,
    side: str | None = None,
    status: str | None = None,
    within: int | None = None,
) -> list[dict[str, Any]]:
    """The register as a side sees it as of a day, soonest first (undated last); `within` keeps the dated ones
    from `as_of` to `within` days after. Drafts are listed (marked) only for people with a role."""
    if within is not None and within < 0:
        raise ValueError(_("--within counts days ahead, not {within}").format(within=within))
    with session(deps.engine) as s:
        return _listed(
            s, engagement=engagement, who=who, as_of=as_of or date.today(), side=side, status=status, within=within
        )


def deadline(
    deps: Deps, *, engagement: str, deadline_id: int, who: Actor, as_of: date | None = None, side: str | None = None
) -> dict[str, Any]:
    """One obligation with its timeline, as a side may see it."""
    with session(deps.engine) as s:
        row = register.get_deadline(s, engagement=engagement, deadline_id=deadline_id)
        if not register.visible(row, side) or (
            row.status == "draft" and not may(who, "see-deadline-drafts", engagement)
        ):
            raise NotFound(_("No deadline {id} here.").format(id=deadline_id))
        found = register.dated(s, engagement=engagement, as_of=as_of or date.today(), rows=[row])[0]
        settings = records.settings_of(s, engagement=engagement)
        out = deadline_json(found, lead_days=settings.lead_days if settings else None)
        out["timeline"] = [
            {"kind": e.kind, "actor": e.actor, "text": e.text, "data": e.data, "at": e.at.isoformat()}
            for e in records.events_of(s, engagement=engagement, deadline_id=deadline_id)
        ]
        return out


def review(
    deps: Deps,
    *,
    engagement: str,
    deadline_ids: Sequence[int],
    status: DeadlineStatus,
    who: Actor,
    side: str | None = None,
    whole: bool = False,
) -> list[int]:
    """Approve, mark done or waive obligations (all, or none if one is not found here): the ids changed. A
    recurring one marked done or waived closes its current occurrence (`whole`: the obligation itself)."""
    done = reviewed(
        deps, engagement=engagement, deadline_ids=deadline_ids, status=status, who=who, side=side, whole=whole
    )
    return [r["id"] for r in done if r["changed"]]


def reviewed(
    deps: Deps,
    *,
    engagement: str,
    deadline_ids: Sequence[int],
    status: DeadlineStatus,
    who: Actor,
    side: str | None = None,
    whole: bool = False,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    """`review`, saying for each obligation whether it changed and, for a recurring one closed, the occurrence
    closed and the next one's date: {"id", "changed", "occurrence", "next"}."""
    authorize(who, "review-deadlines", engagement)
    day = as_of or date.today()
    with session(deps.engine) as s:
        for deadline_id in deadline_ids:
            row = register.get_deadline(s, engagement=engagement, deadline_id=deadline_id)
            if not register.visible(row, side):
                raise NotFound(_("No deadline {id} here.").format(id=deadline_id))
        done = reviews.reviewed(
            s,
            engagement=engagement,
            deadline_ids=deadline_ids,
            status=status,
            actor=who.user_id,
            as_of=day,
            whole=whole,
        )
        register.refresh_dates(s, engagement=engagement, as_of=date.today())
        return [
            {
                "id": r.id,
                "changed": r.changed,
                "occurrence": r.occurrence.isoformat() if r.occurrence else None,
                "next": r.next.isoformat() if r.next else None,
            }
            for r in done
        ]


def edit(
    deps: Deps,
    *,
    engagement: str,
    deadline_id: int,
    changes: Mapping[str, object],
    who: Actor,
    as_of: date | None = None,
    side: str | None = None,
) -> dict[str, Any]:
    """Set an obligation's date, its anchor's date (an SOW's go-live) or its owner by hand; kept in the timeline."""
    authorize(who, "review-deadlines", engagement)
    with session(deps.engine) as s:
        row = register.get_deadline(s, engagement=engagement, deadline_id=deadline_id)
        if not register.visible(row, side):
            raise NotFound(_("No deadline {id} here.").format(id=deadline_id))
        reviews.edit(s, engagement=engagement, deadline_id=deadline_id, changes=changes, actor=who.user_id)
        register.refresh_dates(s, engagement=engagement, as_of=date.today())
        settings = records.settings_of(s, engagement=engagement)
        found = register.dated(s, engagement=engagement, as_of=as_of or date.today(), rows=[row])[0]
        return deadline_json(found, lead_days=settings.lead_days if settings else None)


def settings(deps: Deps, *, engagement: str) -> dict[str, Any]:
    """The engagement's deadline settings: holiday country and subdivision, lead time in days."""
    with session(deps.engine) as s:
        row = records.settings_of(s, engagement=engagement)
        return _settings_json(engagement, row)


def change_settings(
    deps: Deps,
    *,
    engagement: str,
    who: Actor,
    country: str | None = None,
    subdivision: str | None = None,
    lead_days: int | None = None,
    clear: Sequence[str] = (),
) -> dict[str, Any]:
    """Set the holiday calendar business days skip and the engagement's own lead time; dates are recomputed."""
    authorize(who, "review-deadlines", engagement)
    with session(deps.engine) as s:
        row = reviews.put_settings(
            s,
            engagement=engagement,
            actor=who.user_id,
            country=country,
            subdivision=subdivision,
            lead_days=lead_days,
            clear=clear,
        )
        register.refresh_dates(s, engagement=engagement, as_of=date.today())
        return _settings_json(engagement, row)


def _settings_json(engagement: str, row: records.DeadlineSettings | None) -> dict[str, Any]:
    return {
        "engagement": engagement,
        "country": row.country if row else None,
        "subdivision": row.subdivision if row else None,
        "lead_days": row.lead_days if row else None,
    }


def calendar(
    deps: Deps,
    *,
    engagement: str,
    who: Actor,
    as_of: date | None = None,
    side: str | None = None,
    status: str | None = None,
    within: int | None = None,
) -> bytes:
    """The listing's dated obligations as an iCalendar file (waived ones left out), with the lead time's alarm."""
    rows = listing(deps, engagement=engagement, who=who, as_of=as_of, side=side, status=status, within=within)
    lead = settings(deps, engagement=engagement)["lead_days"]
    return ics.calendar_of(engagement, rows, lead_days=lead)
