"""The issue log: SLA breaches, incidents and disagreements as records, each change on the timeline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import Session, col, select

from bot.records.case_schemas import IssueCreate
from bot.records.cases import (
    CASE_SIDES,
    ISSUE_STATUSES,
    OPEN_ISSUE_STATUSES,
    IssueRecord,
    TimelineEntry,
    add_entry,
    by_source_key,
    clause_refs_of,
    insert_case,
    lock_row,
    office_of,
    required_text,
    timeline_of,
)
from bot.records.tables import check_choice, utcnow

# Issues


def issue_by_source_key(*, session: Session, source_key: str) -> IssueRecord | None:
    return by_source_key(session, IssueRecord, source_key)


def _lock_issue(session: Session, issue_id: int) -> IssueRecord:
    return lock_row(session, IssueRecord, issue_id, "issue")


def get_issue(*, session: Session, issue_id: int) -> IssueRecord | None:
    return session.get(IssueRecord, issue_id)


def create_issue(*, session: Session, issue_in: IssueCreate) -> IssueRecord:
    """Log an issue (and a "created" timeline entry). With a `source_key`, once: again returns the first one."""
    if issue_in.source_key is not None:
        existing = issue_by_source_key(session=session, source_key=issue_in.source_key)
        if existing is not None:
            return existing
    now = utcnow()
    values: dict[str, Any] = {
        **issue_in.model_dump(),
        "office": office_of(issue_in.category),
        "status": "open",
        "created_at": now,
        "updated_at": now,
        "resolved_at": None,
    }
    issue, inserted = insert_case(session, IssueRecord, values)
    if not inserted:  # another delivery of the same Slack id won
        return issue
    assert issue.id is not None
    add_entry(
        session,
        kind="created",
        actor=issue_in.created_by,
        text=f"issue #{issue.id} raised: {issue.title}",
        data={"severity": issue.severity, "category": issue.category, "side": issue.raised_by_side},
        issue_id=issue.id,
        at=now,
    )
    return issue


def set_issue_status(*, session: Session, issue_id: int, status: str, actor: str, note: str = "") -> IssueRecord:
    """Move an issue to `status` (timeline: "status: open -> acknowledged"); the same status changes nothing.

    Resolving or closing sets `resolved_at` (once); reopening clears it.
    """
    new = check_choice(status, ISSUE_STATUSES, "status")
    issue = _lock_issue(session, issue_id)
    old = issue.status
    if old == new:
        return issue
    now = utcnow()
    issue.status = new
    issue.updated_at = now
    if status in OPEN_ISSUE_STATUSES:
        issue.resolved_at = None
    elif issue.resolved_at is None:
        issue.resolved_at = now
    session.add(issue)
    text = f"status: {old} -> {status}" + (f" ({note})" if note else "")
    add_entry(
        session,
        kind="status",
        actor=actor,
        text=text,
        data={"from": old, "to": status, "note": note},
        issue_id=issue_id,
        at=now,
    )
    return issue


def comment_on_issue(
    *, session: Session, issue_id: int, actor: str, text: str, data: dict[str, Any] | None = None
) -> TimelineEntry:
    """A comment on the issue: a person's words, or Liaison's with the `data` to say them again
    (`bot.issues.timeline`)."""
    issue = _lock_issue(session, issue_id)
    now = utcnow()
    issue.updated_at = now
    session.add(issue)
    return add_entry(
        session,
        kind="comment",
        actor=actor,
        text=required_text(text, "comment"),
        data=data,
        issue_id=issue_id,
        at=now,
    )


def list_issues(
    *, session: Session, engagement: str, statuses: Iterable[str] | None = None, side: str | None = None
) -> list[IssueRecord]:
    """The engagement's issues (open ones unless `statuses` says), worst first, then oldest first."""
    wanted = OPEN_ISSUE_STATUSES if statuses is None else tuple(statuses)
    for status in wanted:
        check_choice(status, ISSUE_STATUSES, "status")
    query = select(IssueRecord).where(IssueRecord.engagement == engagement, col(IssueRecord.status).in_(wanted))
    if side is not None:
        query = query.where(IssueRecord.raised_by_side == check_choice(side, CASE_SIDES, "side"))
    query = query.order_by(col(IssueRecord.severity), col(IssueRecord.created_at), col(IssueRecord.id))
    return list(session.exec(query).all())


def issue_with_permalink(*, session: Session, engagement: str, permalink: str) -> IssueRecord | None:
    """The engagement's issue logged from the message at `permalink`, if any."""
    query = select(IssueRecord).where(IssueRecord.engagement == engagement, IssueRecord.permalink == permalink)
    return session.exec(query).first()


def issue_timeline(*, session: Session, issue_id: int) -> list[TimelineEntry]:
    """What happened to an issue, oldest first."""
    return timeline_of(session, issue_id=issue_id)


def attach_clause(*, session: Session, issue_id: int, ref: Mapping[str, Any], actor: str) -> bool:
    """Attach a contract clause to an issue (a timeline entry says who): False if it was already attached."""
    [checked] = clause_refs_of([ref])
    issue = _lock_issue(session, issue_id)
    refs = list(issue.clause_refs or [])
    where = (checked["document"], checked["start"], checked["end"])
    if any((r.get("document"), r.get("start"), r.get("end")) == where for r in refs):
        return False
    now = utcnow()
    issue.clause_refs = [*refs, checked]  # a new list, so the JSON column is written
    issue.updated_at = now
    session.add(issue)
    label = " ".join(str(part) for part in (checked["document"], checked.get("section")) if part)
    add_entry(
        session,
        kind="comment",
        actor=actor,
        text=f"clause attached: {label}",
        data={"clause": checked},
        issue_id=issue_id,
        at=now,
    )
    return True
