"""A mediation's use cases: open one, check a form may be opened, apply a form once per view, agree, close,
summarise, pin evidence. Each opens its own session, checks who may (`bot.authorize`) and raises `bot.errors`.

No Slack imports: the transport posts the header and the summary and hands back where they went.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import access, issues, records
from bot.access import Probe, Scope
from bot.authorize import Action, Actor, actor_in, agreeing_side, authorize
from bot.contracts.clauses import relevant_clauses
from bot.db import session
from bot.deps import Deps
from bot.errors import Conflict, LiaisonError, NotFound
from bot.i18n import N_, _, ngettext
from bot.mediation import lifecycle as mediations
from bot.mediation import queries as mediation_queries
from bot.mediation import summaries
from bot.records import cases
from bot.records.cases import ClauseRef
from bot.records.tables import utcnow
from knowledge.errors import KnowledgeError

log = logging.getLogger(__name__)

GONE = N_("That mediation no longer exists.")  # through _() where raised
# the statuses in which a form still makes sense (the records check again when they change)
STATUSES_FOR: dict[str, tuple[str, ...]] = {
    "position": cases.ACTIVE_MEDIATION_STATUSES,
    "propose": cases.ACTIVE_MEDIATION_STATUSES,
    "escalate": ("open", "proposal", "agreed"),
    "withdraw": ("open", "proposal", "escalated"),
}
_TOO_LATE = {  # a form's change the mediation's status no longer allows, a sentence each
    "position": N_("Mediation #{id} is {status}: you can't state positions now."),
    "propose": N_("Mediation #{id} is {status}: you can't propose outcomes now."),
    "escalate": N_("Mediation #{id} is {status}: you can't escalate now."),
    "withdraw": N_("Mediation #{id} is {status}: you can't withdraw now."),
}
Change = Callable[[Session, cases.MediationRecord, Actor], None]


def id_of(mediation: cases.MediationRecord) -> int:
    """A stored mediation's id (never None once it is in the database)."""
    assert mediation.id is not None
    return mediation.id


def today(deps: Deps, now: datetime | None = None) -> date:
    """Today's date where the engagement's people are (LIAISON_TIMEZONE), UTC otherwise."""
    moment = now or utcnow()
    zone = deps.settings.timezone
    return (moment.astimezone(ZoneInfo(zone)) if zone else moment).date()


def case_of(deps: Deps, mediation_id: int) -> dict[str, Any] | None:
    """The mediation as its header shows it, or None if it is gone."""
    with session(deps.engine) as s:
        return mediation_queries.mediation_case(session=s, mediation_id=mediation_id)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- opening -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MediationOpen:
    """`/liaison mediate TITLE [#12 ...] [by YYYY-MM-DD]`, read."""

    title: str
    issue_ids: list[int]
    deadline: date | None


def _clauses(deps: Deps, text: str, scope: Scope) -> list[ClauseRef]:
    try:
        return relevant_clauses(deps.kb, text, engagement=scope.engagement, side=scope.side)
    except KnowledgeError as err:  # the clauses help; a mediation opens without them
        log.warning("no clause suggestions for %r: %s", text, err)
        return []


def open_case(
    deps: Deps, request: MediationOpen, *, scope: Scope, channel: str, user: str, trigger: str
) -> dict[str, Any] | None:
    """The mediation a command opens (once per trigger), or None when another delivery of it is posting it.

    Mediators and admins open mediations (`NotAllowed` otherwise); every issue named must be the engagement's
    (`NotFound` otherwise)."""
    with session(deps.engine) as s:
        authorize(actor_in(s, user, scope.engagement), "open-mediation", scope.engagement)
        related = [issues.get_issue(session=s, issue_id=i) for i in request.issue_ids]
        found = {issue.id for issue in related if issue is not None and issue.engagement == scope.engagement}
        missing = [f"#{i}" for i in request.issue_ids if i not in found]
        if missing:
            raise NotFound(
                ngettext("no issue {ids} in {engagement}", "no issues {ids} in {engagement}", len(missing)).format(
                    ids=", ".join(missing), engagement=scope.engagement
                )
            )
        titles = [issue.title for issue in related if issue is not None]
    clause_refs = _clauses(deps, " ".join([request.title, *titles]), scope)
    with session(deps.engine) as s:
        mediation = mediations.open_mediation(
            session=s,
            engagement=scope.engagement,
            title=request.title,
            channel_id=channel,
            opened_by=user,
            deadline=request.deadline,
            related_issue_ids=request.issue_ids,
            clause_refs=clause_refs,
            source_key=f"command:{trigger}",
        )
        # keyed by when it was opened too: if a failed post discarded it, a redelivery opens and posts it afresh
        key = f"mediation-header:{id_of(mediation)}:{mediation.opened_at.isoformat()}"
        if mediation.thread_ts is not None or not records.claim_event(session=s, key=key):
            return None
        return mediation_queries.mediation_case(session=s, mediation_id=id_of(mediation))


def header_posted(deps: Deps, mediation_id: int, ts: str) -> None:
    """The header is posted: its ts is the mediation's thread."""
    with session(deps.engine) as s:
        mediations.set_mediation_thread(session=s, mediation_id=mediation_id, thread_ts=ts, header_ts=ts)


def discard(deps: Deps, mediation_id: int) -> None:
    """The header could not be posted: the mediation was never opened."""
    with session(deps.engine) as s:
        mediations.discard_mediation(session=s, mediation_id=mediation_id)


# -- forms and buttons ---------------------------------------------------------------------------------
def form_action(doing: str, side: str | None = None) -> Action:
    """The `bot.authorize` action of a header button or form ("position" needs its side)."""
    if doing == "position":
        return "state-client-position" if side == "client" else "state-vendor-position"
    return {"propose": "propose", "escalate": "escalate", "withdraw": "withdraw"}[doing]  # type: ignore[return-value]


def form_case(deps: Deps, mediation_id: int, *, user: str, doing: str, side: str | None = None) -> dict[str, Any]:
    """The case a button's form is opened on, if the person may use it now (`NotAllowed`, `Conflict` else)."""
    with session(deps.engine) as s:
        mediation = mediation_queries.get_mediation(session=s, mediation_id=mediation_id)
        case = mediation_queries.mediation_case(session=s, mediation_id=mediation_id)
        if mediation is None or case is None:
            raise NotFound(_(GONE))
        authorize(actor_in(s, user, mediation.engagement), form_action(doing, side), mediation)
    if case["status"] not in STATUSES_FOR[doing]:
        raise Conflict(_(_TOO_LATE[doing]).format(id=case["id"], status=case["status"]))
    return case


def _change(deps: Deps, mediation_id: int, user: str, change: Change, *, once: str | None = None) -> bool:
    """Apply a change in one session (once per `once` key, if given): False if it was applied already. A
    refusal, or a change the mediation's state does not allow, raises with the sentence to show."""
    try:
        with session(deps.engine) as s:
            mediation = mediation_queries.get_mediation(session=s, mediation_id=mediation_id)
            if mediation is None:
                raise NotFound(_(GONE))
            if once is not None and not records.claim_event(session=s, key=once):
                return False  # a retried submission was applied already
            change(s, mediation, actor_in(s, user, mediation.engagement))  # raising rolls the claim back too
            return True
    except ValueError as err:  # the records refuse a change the status does not allow
        raise Conflict(_sentence(str(err))) from err
    except LiaisonError as err:
        raise type(err)(_sentence(str(err))) from err


def submit_form(deps: Deps, mediation_id: int, *, view_id: str, user: str, doing: str, **form: Any) -> bool:
    """Apply a modal's change once per view id: False for a retried submission (applied already)."""
    side = str(form.get("side") or "")

    def change(s: Session, m: cases.MediationRecord, actor: Actor) -> None:
        authorize(actor, form_action(doing, side), m)
        if doing == "position":
            mediations.state_position(
                session=s, mediation_id=id_of(m), side=side, author=user, text=form["text"], evidence=form["evidence"]
            )
        elif doing == "propose":
            mediations.record_proposal(session=s, mediation_id=id_of(m), actor=user, text=form["text"])
        elif doing == "escalate":
            mediations.escalate(session=s, mediation_id=id_of(m), actor=user, reason=form["reason"], to=form["to"])
        else:
            mediations.withdraw(session=s, mediation_id=id_of(m), actor=user, reason=form["reason"])

    return _change(deps, mediation_id, user, change, once=f"mediation-view:{view_id}")


def agree(deps: Deps, mediation_id: int, *, user: str) -> None:
    """The clicker agrees for their own side (from their role); mediators propose but never agree for a side."""

    def change(s: Session, mediation: cases.MediationRecord, actor: Actor) -> None:
        side = agreeing_side(actor, mediation)
        if mediation.status in cases.ACTIVE_MEDIATION_STATUSES and not mediation.outcome_text:
            raise Conflict(
                _("There is no proposal to agree to in mediation #{id} yet: propose an outcome first.").format(
                    id=mediation.id
                )
            )
        mediations.agree(session=s, mediation_id=id_of(mediation), side=side, user_id=user)

    _change(deps, mediation_id, user, change)


def close(deps: Deps, mediation_id: int, *, user: str) -> None:
    def change(s: Session, mediation: cases.MediationRecord, actor: Actor) -> None:
        authorize(actor, "close-mediation", mediation)
        mediations.close_mediation(session=s, mediation_id=id_of(mediation), actor=user)

    _change(deps, mediation_id, user, change)


# -- summaries -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Summarised:
    """A fresh neutral summary of a case, to post in its thread."""

    case: dict[str, Any]
    summary: summaries.Summary


def summarise(deps: Deps, mediation_id: int, *, user: str, probe: Probe | None = None) -> Summarised | None:
    """A neutral summary of the case, or None when the last one in the thread is still current.

    The parties ask for it: mediators, admins and the client's or vendor's owners."""
    with session(deps.engine) as s:
        mediation = mediation_queries.get_mediation(session=s, mediation_id=mediation_id)
        case = mediation_queries.mediation_case(session=s, mediation_id=mediation_id)
        if mediation is None or case is None or not case.get("header_ts"):
            raise NotFound(_(GONE))
        authorize(actor_in(s, user, mediation.engagement), "summarise", mediation)
        current = any(
            e.kind == "summary" and e.data.get("activity") == case["last_activity_at"]
            for e in mediation_queries.mediation_timeline(session=s, mediation_id=mediation_id)
        )
    if current:
        return None
    scope = access.scope_of(deps, case["channel_id"], probe=probe)
    summary = summaries.summarise(
        deps.kb,
        engagement=case["engagement"],
        side=scope.side if scope else "shared",
        title=case["title"],
        positions={side: {k: p[k] for k in ("text", "evidence", "author")} for side, p in case["positions"].items()},
        evidence=case["evidence"],
        clause_refs=case["clause_refs"],
        llm=deps.llm or getattr(getattr(deps.kb, "answerer", None), "llm", None),
    )
    return Summarised(case, summary)


def summary_posted(deps: Deps, summarised: Summarised, *, ts: str, user: str) -> None:
    """Keep the posted summary on the timeline (so the next request knows whether it is still current)."""
    case = summarised.case
    with session(deps.engine) as s:
        data = {"activity": case["last_activity_at"], "ts": ts, "requested_by": user}
        text = summarised.summary.as_text()
        cases.add_entry(s, kind="summary", actor=user, text=text, data=data, mediation_id=case["id"])


# -- 📌 evidence ---------------------------------------------------------------------------------------
def has_open_threads(deps: Deps, channel: str) -> bool:
    """Whether a mediation is going on in a thread of this channel (most reactions: no need to ask Slack)."""
    scope = access.scope_of(deps, channel)
    if scope is None:
        return False
    with session(deps.engine) as s:
        statuses = cases.ACTIVE_MEDIATION_STATUSES
        active = mediation_queries.list_mediations(session=s, engagement=scope.engagement, statuses=statuses)
        return any(m.channel_id == channel and m.thread_ts for m in active)


def pin_evidence(deps: Deps, *, channel: str, thread_ts: str, ts: str, author: str, text: str, user: str) -> int | None:
    """Add a reply in an active mediation's thread to its case, once: the mediation's id if it was added."""
    with session(deps.engine) as s:
        mediation = mediation_queries.mediation_in_thread(session=s, channel_id=channel, thread_ts=thread_ts)
        if mediation is None or mediation.status not in cases.ACTIVE_MEDIATION_STATUSES:
            return None
        added = mediations.add_evidence(
            session=s,
            mediation_id=id_of(mediation),
            channel_id=channel,
            message_ts=ts,
            author=author,
            text=text,
            actor=user,
        )
        return id_of(mediation) if added is not None else None
