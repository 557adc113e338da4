"""Mediations as read: one, an engagement's list, the one in a thread, positions, timeline, the display dicts.

Also the scheduler's questions (`stale_mediations`, `due_soon`). Nothing here writes; changes are in
`bot.mediation.lifecycle`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.records.case_schemas import issue_as_dict, mediation_as_dict
from bot.records.cases import (
    ACTIVE_MEDIATION_STATUSES,
    MEDIATION_STATUSES,
    OPEN_MEDIATION_STATUSES,
    IssueRecord,
    MediationRecord,
    Position,
    TimelineEntry,
    aware,
    timeline_of,
)
from bot.records.tables import EngagementRole, check_choice


def get_mediation(*, session: Session, mediation_id: int) -> MediationRecord | None:
    return session.get(MediationRecord, mediation_id)


def mediation_in_thread(*, session: Session, channel_id: str, thread_ts: str) -> MediationRecord | None:
    """The mediation run in a Slack thread (by its thread or header ts), if any."""
    query = (
        select(MediationRecord)
        .where(MediationRecord.channel_id == channel_id)
        .where((col(MediationRecord.thread_ts) == thread_ts) | (col(MediationRecord.header_ts) == thread_ts))
        .order_by(col(MediationRecord.id))
    )
    return session.exec(query.limit(1)).first()


def list_mediations(
    *, session: Session, engagement: str, statuses: Iterable[str] | None = None
) -> list[MediationRecord]:
    """The engagement's mediations (not closed or withdrawn unless `statuses` says), oldest first."""
    wanted = OPEN_MEDIATION_STATUSES if statuses is None else tuple(statuses)
    for status in wanted:
        check_choice(status, MEDIATION_STATUSES, "status")
    query = (
        select(MediationRecord)
        .where(MediationRecord.engagement == engagement, col(MediationRecord.status).in_(wanted))
        .order_by(col(MediationRecord.opened_at), col(MediationRecord.id))
    )
    return list(session.exec(query).all())


def positions_of(*, session: Session, mediation_id: int) -> dict[str, Position]:
    """The sides' current positions, by side."""
    rows = session.exec(select(Position).where(Position.mediation_id == mediation_id)).all()
    return {row.side: row for row in rows}


def mediation_timeline(*, session: Session, mediation_id: int) -> list[TimelineEntry]:
    """What happened in a mediation, oldest first."""
    return timeline_of(session, mediation_id=mediation_id)


def stale_mediations(*, session: Session, now: datetime, idle: timedelta) -> list[MediationRecord]:
    """Mediations still argued (open or proposal) with no activity for `idle` before `now`, quietest first."""
    cutoff = aware(now, "now") - idle
    query = (
        select(MediationRecord)
        .where(
            col(MediationRecord.status).in_(ACTIVE_MEDIATION_STATUSES),
            col(MediationRecord.last_activity_at) <= cutoff,
        )
        .order_by(col(MediationRecord.last_activity_at), col(MediationRecord.id))
    )
    return list(session.exec(query).all())


def due_soon(*, session: Session, now: datetime, within: timedelta) -> list[MediationRecord]:
    """Mediations still argued whose deadline falls by `now + within` (overdue ones too), soonest first."""
    last_day = (aware(now, "now") + within).date()
    query = (
        select(MediationRecord)
        .where(
            col(MediationRecord.status).in_(ACTIVE_MEDIATION_STATUSES),
            col(MediationRecord.deadline).is_not(None),
            col(MediationRecord.deadline) <= last_day,
        )
        .order_by(col(MediationRecord.deadline), col(MediationRecord.id))
    )
    return list(session.exec(query).all())


PARTY_ROLES = {"mediator": "mediators", "client-owner": "client_owners", "vendor-owner": "vendor_owners"}


def mediation_parties(*, session: Session, engagement: str) -> dict[str, list[str]]:
    """Who takes part in the engagement's mediations: {"mediators", "client_owners", "vendor_owners": user ids}."""
    query = (
        select(EngagementRole.user_id, EngagementRole.role)
        .where(EngagementRole.engagement == engagement, col(EngagementRole.role).in_(tuple(PARTY_ROLES)))
        .order_by(col(EngagementRole.user_id))
    )
    parties: dict[str, list[str]] = {key: [] for key in PARTY_ROLES.values()}
    for user_id, role in session.exec(query).all():
        parties[PARTY_ROLES[role]].append(user_id)
    return parties


def mediation_case(*, session: Session, mediation_id: int) -> dict[str, Any] | None:
    """A mediation as one plain dict for display: `mediation_as_dict` plus "header_ts", "positions" ({side:
    {author, text, evidence, at}}), "evidence" ([{text, author, ts, data}]), "evidence_count", "issues" (the related
    issues as dicts) and "parties" (`mediation_parties`). None if there is no such mediation."""
    mediation = session.get(MediationRecord, mediation_id)
    if mediation is None:
        return None
    case = mediation_as_dict(mediation)
    case["header_ts"] = mediation.header_ts
    case["positions"] = {
        side: {"author": p.author, "text": p.text, "evidence": p.evidence, "at": p.at.isoformat()}
        for side, p in positions_of(session=session, mediation_id=mediation_id).items()
    }
    evidence = [e for e in timeline_of(session, mediation_id=mediation_id) if e.kind == "evidence"]
    case["evidence"] = [
        {"text": e.text, "author": e.original_author, "ts": e.original_ts, "data": e.data} for e in evidence
    ]
    case["evidence_count"] = len(evidence)
    issues = (session.get(IssueRecord, issue_id) for issue_id in mediation.related_issue_ids or [])
    case["issues"] = [issue_as_dict(issue) for issue in issues if issue is not None]
    case["parties"] = mediation_parties(session=session, engagement=mediation.engagement)
    return case
