"""The SLA register's use cases, for Slack and the CLI alike: each opens one session, checks who may
(`bot.authorize`), and returns plain data (JSON-ready dicts) or raises `bot.errors`.

`who` is the person as the engagement knows them (`bot.authorize.actor_in`), or `operator()` for the CLI's
trusted operator. `side` is the channel's side, derived by the transport at the moment of use (None: the
CLI's operator, who sees every level). A level is seen by the sides its source document is visible to; a
credit statement by the sides that may see every level it sums.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.authorize import Actor, actor_in, authorize, may, nobody
from bot.db import session
from bot.deps import Deps
from bot.errors import NotAllowed, NotFound
from bot.i18n import _
from bot.mediation import lifecycle, queries
from bot.records import sla as sla_records
from bot.records.cases import ACTIVE_MEDIATION_STATUSES
from bot.records.sla import LevelStatus
from bot.records.tables import ROLES
from bot.sla import fees as sla_fees
from bot.sla import history, measures, register, reviews
from bot.sla.money import number
from bot.sla.terms import Period
from bot.sla.views import level_json, name_of
from knowledge.base import KnowledgeBase
from knowledge.slas import sections_at
from knowledge.visibility import visible_to

CLI = "cli"


def operator() -> Actor:
    """The CLI's operator: trusted with every role (they hold the database and the data directory)."""
    return Actor(CLI, frozenset(ROLES))


def person(deps: Deps, user_id: str, engagement: str, is_workspace_admin: Callable[[str], bool] = nobody) -> Actor:
    with session(deps.engine) as s:
        return actor_in(s, user_id, engagement, is_workspace_admin)


@dataclass(frozen=True)
class Extracted:
    created: int
    updated: int
    kept: int
    removed: int
    levels: list[dict[str, Any]]


def drafts_found(kb: KnowledgeBase, engagement: str) -> list[register.Found]:
    """What the knowledge base drafts from each document, with the clause label at each value's span."""
    found = []
    for doc, drafts in kb.service_levels(engagement):
        text = kb.document_text(engagement, doc.name)
        offsets = [span.start for d in drafts for span in register.spans_of(d)]
        places = sections_at(text, offsets) if offsets else {}
        labels = {offset: label or heading for offset, (label, heading) in places.items()}
        found.append(register.Found(doc.name, doc.visibility, drafts, labels))
    return found


def extract(deps: Deps, *, engagement: str, who: Actor) -> Extracted:
    """Draft the engagement's service levels from its indexed documents (approved ones are never touched)."""
    authorize(who, "review-sla", engagement)
    found = drafts_found(deps.kb, engagement)
    if not found:
        raise NotFound(
            _("No documents are indexed in {engagement}: `liaison index FILE -e {engagement}` first.").format(
                engagement=engagement
            )
        )
    with session(deps.engine) as s:
        synced = register.sync_drafts(s, engagement=engagement, found=found, actor=who.user_id)
        measures.recompute(s, engagement=engagement, actor=who.user_id)
        rows = [level_json(r) for r in register.levels(s, engagement=engagement)]
    return Extracted(synced.created, synced.updated, synced.kept, synced.removed, rows)


def listing(
    deps: Deps, *, engagement: str, who: Actor, side: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """The register as a side sees it: drafts and rejected levels only for people with a role."""
    with session(deps.engine) as s:
        rows = register.levels(s, engagement=engagement, side=side, status=status)
        if not may(who, "see-sla-drafts", engagement):
            rows = [r for r in rows if r.status == "approved"]
        return [level_json(r) for r in rows]


def may_review(who: Actor, engagement: str) -> bool:
    return may(who, "review-sla", engagement)


def level(deps: Deps, *, engagement: str, level_id: int, who: Actor, side: str | None = None) -> dict[str, Any]:
    """One level with its timeline (review steps and measurements), as a side may see it."""
    with session(deps.engine) as s:
        row = register.get_level(s, engagement=engagement, level_id=level_id)
        if (side is not None and not register.visible(row, side)) or (
            row.status != "approved" and not may(who, "see-sla-drafts", engagement)
        ):
            raise NotFound(_("No service level {id} here.").format(id=level_id))
        events = register.timeline(s, engagement=engagement, level_id=level_id)
        out = level_json(row)
        out["timeline"] = [
            {"kind": e.kind, "actor": e.actor, "text": e.text, "data": e.data, "at": e.at.isoformat()} for e in events
        ]
        return out


def review(deps: Deps, *, engagement: str, level_ids: Sequence[int], status: LevelStatus, who: Actor) -> list[int]:
    """Approve or reject levels (all of them, or none if one cannot be); the statements are recomputed."""
    authorize(who, "review-sla", engagement)
    with session(deps.engine) as s:
        changed = reviews.review(s, engagement=engagement, level_ids=level_ids, status=status, actor=who.user_id)
        measures.recompute(s, engagement=engagement, actor=who.user_id)
        return changed


def edit(deps: Deps, *, engagement: str, level_id: int, changes: Mapping[str, object], who: Actor) -> dict[str, Any]:
    authorize(who, "review-sla", engagement)
    with session(deps.engine) as s:
        reviews.edit(s, engagement=engagement, level_id=level_id, changes=changes, actor=who.user_id)
        measures.recompute(s, engagement=engagement, actor=who.user_id)
        return level_json(register.get_level(s, engagement=engagement, level_id=level_id))


def report(
    deps: Deps,
    *,
    engagement: str,
    ref: str,
    period: str,
    value: str,
    who: Actor,
    via: str = "cli",
    side: str | None = None,
) -> dict[str, Any]:
    """Record a measurement: the level, the value, met or not, and the breach issue it logged."""
    authorize(who, "report-sla", engagement)
    with session(deps.engine) as s:
        done = measures.report(
            s, engagement=engagement, ref=ref, period=period, value=value, actor=who.user_id, via=via, side=side
        )
        return reported_json(done)


def reported_json(done: measures.Reported) -> dict[str, Any]:
    m = done.measurement
    return {
        "level": m.family,
        "version": done.level.version,
        "metric": done.level.metric,
        "name": name_of(done.level),
        "period": m.period,
        "value": number(Decimal(m.value)),
        "unit": done.level.unit,
        "status": m.status,
        "met": done.met,
        "target": None if done.level.target is None else number(Decimal(done.level.target)),
        "comparison": done.level.comparison,
        "replaced": None if done.replaced is None else number(done.replaced),
        "breach_issue": done.breach_issue,
        "breach_new": done.breach_new,
        "document": done.level.document,
        "section": done.level.section,
    }


def import_csv(deps: Deps, *, engagement: str, text: str, who: Actor) -> list[dict[str, Any]]:
    """Record every row of a level,period,value CSV, or none of them."""
    authorize(who, "report-sla", engagement)
    with session(deps.engine) as s:
        return [reported_json(d) for d in measures.import_csv(s, engagement=engagement, text=text, actor=who.user_id)]


def set_measurement_status(
    deps: Deps,
    *,
    engagement: str,
    ref: str,
    period: str,
    status: str,
    who: Actor,
    reason: str = "",
    side: str | None = None,
) -> dict[str, Any]:
    """Dispute (with a reason) or agree with a period's measurement of a level the side may see."""
    authorize(who, "dispute-sla", engagement)
    with session(deps.engine) as s:
        row = measures.set_status(
            s,
            engagement=engagement,
            ref=ref,
            period=period,
            status=status,
            actor=who.user_id,
            reason=reason,
            side=side,
        )
        return {"level": row.family, "period": row.period, "status": row.status, "reason": row.reason}


def credits(
    deps: Deps,
    *,
    engagement: str,
    period: str,
    fees: object | None,
    currency: str | None,
    who: Actor,
    side: str | None = None,
) -> dict[str, Any]:
    """A period's credits, kept as its statement: the contract's JSON plus the working, line by line. Without
    `fees`, on the fees in force in the period (`fees_from` says since when; NotFound if none are set)."""
    authorize(who, "report-sla", engagement)
    with session(deps.engine) as s:
        base, code, since = sla_fees.fees_of(s, engagement=engagement, period=period, fees=fees, currency=currency)
        result, statement = measures.save_statement(
            s, engagement=engagement, period=period, fees=base, currency=code, actor=who.user_id
        )
        if side is not None and statement.visibility not in visible_to(side):
            raise NotAllowed(
                _(
                    "Some of these service levels come from documents this channel's side may not see: "
                    "ask for the credits in a channel that may."
                )
            )
        out = measures.statement_json(result)
        out["claim_deadline"] = statement.claim_deadline.isoformat() if statement.claim_deadline else None
        out["claimed"] = statement.claimed_at is not None
        out["claimed_by"] = statement.claimed_by
        out["fees_from"] = since
        months = history.Months(s, engagement=engagement, fees=result.fees, currency=result.currency)
        out["chronic"] = history.chronic_through(s, engagement=engagement, period=period, months=months)
        out["earn_backs"] = history.earn_backs_through(
            s, engagement=engagement, period=period, fees=result.fees, currency=result.currency, months=months
        )
        return out


def claim(deps: Deps, *, engagement: str, period: str, who: Actor, side: str | None = None) -> dict[str, Any]:
    authorize(who, "review-sla", engagement)
    with session(deps.engine) as s:
        row = measures.claim(s, engagement=engagement, period=period, actor=who.user_id, side=side)
        return {
            "period": row.period,
            "claimed_by": row.claimed_by,
            "claimed_at": row.claimed_at and row.claimed_at.isoformat(),
        }


def attach_credits(
    deps: Deps, *, engagement: str, mediation_id: int, period: str, who: Actor, side: str | None = None
) -> bool:
    """Attach a period's kept credit computation to a mediation as evidence (once): whether it was added.

    The evidence is the working, line by line, each line citing its clause, as computed last (a statement is
    recomputed when a measurement changes, so attach again after a change: a new computation is new evidence).
    """
    authorize(who, "report-sla", engagement)
    when = str(Period.parse(period))
    with session(deps.engine) as s:
        mediation = queries.get_mediation(session=s, mediation_id=mediation_id)
        if mediation is None or mediation.engagement != engagement:
            raise NotFound(_("No mediation #{id} in {engagement}.").format(id=mediation_id, engagement=engagement))
        statement = sla_records.statement_of(s, engagement=engagement, period=when)
        if statement is None or (side is not None and statement.visibility not in visible_to(side)):
            raise NotFound(
                _("No credits computed for {period} yet: `liaison sla credits --period {period} --fees N`.").format(
                    period=when
                )
            )
        working = statement.result.get("working") or []
        text = f"Service credits for {when}:\n" + "\n".join(f"• {line}" for line in working)
        added = lifecycle.add_record_evidence(
            session=s,
            mediation_id=mediation_id,
            key=f"sla-credits:{engagement}:{when}:{statement.computed_at.isoformat()}",
            text=text,
            data={
                "sla_credits": statement.result,
                "period": when,
                "fees": statement.fees,
                "currency": statement.currency,
            },
            actor=who.user_id,
        )
        return added is not None


def active_mediations(deps: Deps, *, engagement: str) -> list[tuple[int, str]]:
    """The engagement's mediations still taking evidence: (number, title), oldest first."""
    with session(deps.engine) as s:
        rows = queries.list_mediations(session=s, engagement=engagement, statuses=ACTIVE_MEDIATION_STATUSES)
        return [(row.id, row.title) for row in rows if row.id is not None]
