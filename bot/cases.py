"""The issue log and mediations: what went wrong in an engagement, and how the two sides settle it.

Same conventions as `bot.records`: SQLModel tables (migrated by `bot/migrations`, revision 0002), functions
that take the caller's session by keyword and never commit, aware UTC datetimes. Every change writes a
`TimelineEntry` saying who did what and when. Inserts keyed by a Slack id (`source_key`: a view submission,
a message permalink, "evidence:<channel>:<ts>") happen once however many times Slack delivers them, even from
two processes at once. Changes to one mediation or issue take its row lock first (`SELECT ... FOR UPDATE` on
PostgreSQL; on SQLite every transaction is already `BEGIN IMMEDIATE`), so concurrent agreements both land.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKeyConstraint, Index, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from bot.records import _insert_once, utcnow

BACK_OFFICE = ("finance", "accounting", "billing", "data-processing")
FRONT_OFFICE = ("customer-service", "technical-support", "marketing", "sales")
CATEGORIES = (*BACK_OFFICE, *FRONT_OFFICE, "sla-breach", "other")
SEVERITIES = (1, 2, 3, 4)  # 1 is the worst
LEVELS = ("high", "low")  # risk and value
CASE_SIDES = ("client", "vendor")
ISSUE_STATUSES = ("open", "acknowledged", "in-progress", "resolved", "closed")
OPEN_ISSUE_STATUSES = ("open", "acknowledged", "in-progress")
MEDIATION_STATUSES = ("open", "proposal", "agreed", "escalated", "withdrawn", "closed")
ACTIVE_MEDIATION_STATUSES = ("open", "proposal")  # still being argued: positions, evidence, agreement
OPEN_MEDIATION_STATUSES = ("open", "proposal", "agreed", "escalated")  # not yet closed or withdrawn
TIMELINE_KINDS = ("created", "status", "comment", "position", "evidence", "summary", "outcome", "reminder")
CLAUSE_REF_KEYS = ("document", "section", "quote", "start", "end")


def office_of(category: str) -> str | None:
    """The office of a category: "back" (finance, billing...), "front" (customer service...) or None."""
    if category in BACK_OFFICE:
        return "back"
    if category in FRONT_OFFICE:
        return "front"
    return None


class IssueRecord(SQLModel, table=True):
    """One problem raised in an engagement, by the client or the vendor, and where it stands."""

    __tablename__ = "issues"
    __table_args__ = (
        UniqueConstraint("source_key", name="uq_issues_source_key"),
        CheckConstraint("severity BETWEEN 1 AND 4", name="ck_issues_severity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement: str = Field(index=True)
    title: str
    description: str = ""
    category: str = "other"  # one of CATEGORIES
    office: str | None = None  # "back" | "front" | None, from the category
    severity: int = 3  # 1 (worst) .. 4
    risk: str = "low"  # one of LEVELS
    value: str = "low"  # one of LEVELS
    raised_by_side: str | None = None  # one of CASE_SIDES
    clause_refs: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    owner: str | None = None  # Slack user id
    due: date | None = None
    status: str = "open"  # one of ISSUE_STATUSES
    source_key: str | None = None  # a Slack id: view submission, message permalink...
    permalink: str | None = None
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None


class MediationRecord(SQLModel, table=True):
    """A dispute worked out in a Slack thread: positions, evidence, a proposal, both sides' agreement."""

    __tablename__ = "mediations"
    __table_args__ = (
        UniqueConstraint("source_key", name="uq_mediations_source_key"),
        Index("ix_mediations_channel_thread", "channel_id", "thread_ts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement: str = Field(index=True)
    title: str
    channel_id: str
    thread_ts: str | None = None
    header_ts: str | None = None  # the Slack ts of the pinned header message
    status: str = "open"  # one of MEDIATION_STATUSES
    deadline: date | None = None
    opened_by: str
    opened_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    last_activity_at: datetime = Field(default_factory=utcnow, index=True)
    outcome_text: str | None = None  # the proposal on the table, then the agreed outcome
    escalated_to: str | None = None
    related_issue_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    clause_refs: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    client_agreed_by: str | None = None
    vendor_agreed_by: str | None = None
    source_key: str | None = None


class TimelineEntry(SQLModel, table=True):
    """Something that happened to an issue or a mediation: who, when, what."""

    __tablename__ = "timeline_entries"
    __table_args__ = (
        UniqueConstraint("source_key", name="uq_timeline_entries_source_key"),
        CheckConstraint("issue_id IS NOT NULL OR mediation_id IS NOT NULL", name="ck_timeline_entries_subject"),
        ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], ondelete="CASCADE", name="fk_timeline_entries_issue_id_issues"
        ),
        ForeignKeyConstraint(
            ["mediation_id"], ["mediations.id"], ondelete="CASCADE", name="fk_timeline_entries_mediation_id_mediations"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int | None = Field(default=None, index=True)  # -> issues.id, ON DELETE CASCADE
    mediation_id: int | None = Field(default=None, index=True)  # -> mediations.id, ON DELETE CASCADE
    kind: str  # one of TIMELINE_KINDS
    actor: str  # Slack user id, or "cli" / "liaison"
    text: str = ""
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow)
    source_key: str | None = None  # e.g. "evidence:<channel>:<message ts>": added once
    original_ts: str | None = None  # evidence: the message's ts
    original_author: str | None = None  # evidence: who wrote the message


class Position(SQLModel, table=True):
    """A side's current position in a mediation (earlier ones live on in the timeline)."""

    __tablename__ = "positions"
    __table_args__ = (
        UniqueConstraint("mediation_id", "side", name="uq_positions_mediation_id_side"),
        ForeignKeyConstraint(
            ["mediation_id"], ["mediations.id"], ondelete="CASCADE", name="fk_positions_mediation_id_mediations"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    mediation_id: int  # -> mediations.id, ON DELETE CASCADE
    side: str  # one of CASE_SIDES
    author: str
    text: str
    evidence: str | None = None
    at: datetime = Field(default_factory=utcnow)


# Checks


def _check(value: Any, allowed: tuple[Any, ...], what: str) -> Any:
    if isinstance(value, bool) or value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(map(str, allowed))}, not {value!r}")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must not be empty")
    return value.strip()


def _date(value: Any, what: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{what} must be a date (YYYY-MM-DD), not {value!r}")


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value


def clause_refs_of(refs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Clause references as stored: {"document", "section", "quote", "start", "end"}, a document required."""
    if isinstance(refs, Mapping | str):
        raise ValueError("clause_refs must be a list of {document, section, quote, start, end}")
    out = []
    for ref in refs:
        if not isinstance(ref, Mapping) or not ref.get("document"):
            raise ValueError(f"a clause reference needs a document, not {ref!r}")
        out.append({key: ref.get(key) for key in CLAUSE_REF_KEYS})
    return out


def _issue_ids(ids: Iterable[int]) -> list[int]:
    out = []
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"related issue ids must be integers, not {value!r}")
        if value not in out:
            out.append(value)
    return out


def _entry(
    session: Session,
    *,
    kind: str,
    actor: str,
    text: str = "",
    data: dict[str, Any] | None = None,
    issue_id: int | None = None,
    mediation_id: int | None = None,
    at: datetime | None = None,
) -> TimelineEntry:
    entry = TimelineEntry(
        issue_id=issue_id,
        mediation_id=mediation_id,
        kind=_check(kind, TIMELINE_KINDS, "kind"),
        actor=actor,
        text=text,
        data=dict(data or {}),
        at=at or utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


def _timeline(session: Session, **where: int) -> list[TimelineEntry]:
    ((column, value),) = where.items()
    query = (
        select(TimelineEntry)
        .where(getattr(TimelineEntry, column) == value)
        .order_by(col(TimelineEntry.at), col(TimelineEntry.id))
    )
    return list(session.exec(query).all())


# Issues


def _issue_by_key(session: Session, source_key: str) -> IssueRecord | None:
    return session.exec(select(IssueRecord).where(IssueRecord.source_key == source_key)).first()


def _lock_issue(session: Session, issue_id: int) -> IssueRecord:
    query = (
        select(IssueRecord)
        .where(IssueRecord.id == issue_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    row = session.exec(query).first()
    if row is None:
        raise LookupError(f"no issue #{issue_id}")
    return row


def get_issue(*, session: Session, issue_id: int) -> IssueRecord | None:
    return session.get(IssueRecord, issue_id)


def create_issue(
    *,
    session: Session,
    engagement: str,
    title: str,
    created_by: str,
    description: str = "",
    category: str = "other",
    severity: int = 3,
    risk: str = "low",
    value: str = "low",
    raised_by_side: str | None = None,
    clause_refs: Iterable[Mapping[str, Any]] = (),
    owner: str | None = None,
    due: date | None = None,
    source_key: str | None = None,
    permalink: str | None = None,
) -> IssueRecord:
    """Log an issue (and a "created" timeline entry). With a `source_key`, once: again returns the first one."""
    if source_key is not None:
        existing = _issue_by_key(session, source_key)
        if existing is not None:
            return existing
    now = utcnow()
    values: dict[str, Any] = {
        "engagement": _text(engagement, "engagement"),
        "title": _text(title, "title"),
        "description": description or "",
        "category": _check(category, CATEGORIES, "category"),
        "office": office_of(category),
        "severity": _check(severity, SEVERITIES, "severity"),
        "risk": _check(risk, LEVELS, "risk"),
        "value": _check(value, LEVELS, "value"),
        "raised_by_side": None if raised_by_side is None else _check(raised_by_side, CASE_SIDES, "side"),
        "clause_refs": clause_refs_of(clause_refs),
        "owner": owner or None,
        "due": _date(due, "due"),
        "status": "open",
        "source_key": source_key,
        "permalink": permalink,
        "created_by": created_by,
        "created_at": now,
        "updated_at": now,
        "resolved_at": None,
    }
    if source_key is None:
        issue = IssueRecord(**values)
        session.add(issue)
        session.flush()
    else:
        inserted = _insert_once(session, IssueRecord, values)
        found = _issue_by_key(session, source_key)
        assert found is not None
        issue = found
        if not inserted:  # another delivery of the same submission won
            return issue
    assert issue.id is not None
    _entry(
        session,
        kind="created",
        actor=created_by,
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
    _check(status, ISSUE_STATUSES, "status")
    issue = _lock_issue(session, issue_id)
    old = issue.status
    if old == status:
        return issue
    now = utcnow()
    issue.status = status
    issue.updated_at = now
    if status in OPEN_ISSUE_STATUSES:
        issue.resolved_at = None
    elif issue.resolved_at is None:
        issue.resolved_at = now
    session.add(issue)
    text = f"status: {old} -> {status}" + (f" ({note})" if note else "")
    _entry(
        session,
        kind="status",
        actor=actor,
        text=text,
        data={"from": old, "to": status, "note": note},
        issue_id=issue_id,
        at=now,
    )
    return issue


def assign_issue(
    *, session: Session, issue_id: int, owner: str | None, actor: str, due: date | None = None
) -> IssueRecord:
    """Give an issue an owner (None: nobody) and optionally a due date."""
    issue = _lock_issue(session, issue_id)
    now = utcnow()
    old_owner, old_due = issue.owner, issue.due
    issue.owner = owner or None
    if due is not None:
        issue.due = _date(due, "due")
    issue.updated_at = now
    session.add(issue)
    text = f"owner: {old_owner or 'nobody'} -> {issue.owner or 'nobody'}"
    if issue.due != old_due:
        text += f"; due {issue.due.isoformat() if issue.due else 'none'}"
    data = {"owner": issue.owner, "due": issue.due.isoformat() if issue.due else None}
    _entry(session, kind="comment", actor=actor, text=text, data=data, issue_id=issue_id, at=now)
    return issue


def comment_on_issue(*, session: Session, issue_id: int, actor: str, text: str) -> TimelineEntry:
    issue = _lock_issue(session, issue_id)
    now = utcnow()
    issue.updated_at = now
    session.add(issue)
    return _entry(session, kind="comment", actor=actor, text=_text(text, "comment"), issue_id=issue_id, at=now)


def list_issues(
    *, session: Session, engagement: str, statuses: Iterable[str] | None = None, side: str | None = None
) -> list[IssueRecord]:
    """The engagement's issues (open ones unless `statuses` says), worst first, then oldest first."""
    wanted = OPEN_ISSUE_STATUSES if statuses is None else tuple(statuses)
    for status in wanted:
        _check(status, ISSUE_STATUSES, "status")
    query = select(IssueRecord).where(IssueRecord.engagement == engagement, col(IssueRecord.status).in_(wanted))
    if side is not None:
        query = query.where(IssueRecord.raised_by_side == _check(side, CASE_SIDES, "side"))
    query = query.order_by(col(IssueRecord.severity), col(IssueRecord.created_at), col(IssueRecord.id))
    return list(session.exec(query).all())


def issue_timeline(*, session: Session, issue_id: int) -> list[TimelineEntry]:
    """What happened to an issue, oldest first."""
    return _timeline(session, issue_id=issue_id)


# Mediations


def _mediation_by_key(session: Session, source_key: str) -> MediationRecord | None:
    return session.exec(select(MediationRecord).where(MediationRecord.source_key == source_key)).first()


def _lock_mediation(session: Session, mediation_id: int) -> MediationRecord:
    query = (
        select(MediationRecord)
        .where(MediationRecord.id == mediation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    row = session.exec(query).first()
    if row is None:
        raise LookupError(f"no mediation #{mediation_id}")
    return row


def _active(mediation: MediationRecord, doing: str) -> None:
    if mediation.status not in ACTIVE_MEDIATION_STATUSES:
        raise ValueError(f"mediation #{mediation.id} is {mediation.status}: cannot {doing}")


def _touch(session: Session, mediation: MediationRecord, now: datetime) -> None:
    mediation.updated_at = now
    mediation.last_activity_at = now
    session.add(mediation)


def _move(
    session: Session, mediation: MediationRecord, status: str, actor: str, now: datetime, note: str = ""
) -> TimelineEntry:
    old = mediation.status
    mediation.status = status
    _touch(session, mediation, now)
    text = f"status: {old} -> {status}" + (f" ({note})" if note else "")
    data = {"from": old, "to": status, "note": note}
    return _entry(session, kind="status", actor=actor, text=text, data=data, mediation_id=mediation.id, at=now)


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


def open_mediation(
    *,
    session: Session,
    engagement: str,
    title: str,
    channel_id: str,
    opened_by: str,
    deadline: date | None = None,
    related_issue_ids: Iterable[int] = (),
    clause_refs: Iterable[Mapping[str, Any]] = (),
    source_key: str | None = None,
) -> MediationRecord:
    """Open a mediation (and a "created" timeline entry). With a `source_key`, once: again returns the first.

    Related issues must exist in the same engagement (LookupError otherwise).
    """
    if source_key is not None:
        existing = _mediation_by_key(session, source_key)
        if existing is not None:
            return existing
    issue_ids = _issue_ids(related_issue_ids)
    for issue_id in issue_ids:
        issue = session.get(IssueRecord, issue_id)
        if issue is None or issue.engagement != engagement:
            raise LookupError(f"no issue #{issue_id} in {engagement}")
    now = utcnow()
    values: dict[str, Any] = {
        "engagement": _text(engagement, "engagement"),
        "title": _text(title, "title"),
        "channel_id": channel_id,
        "thread_ts": None,
        "header_ts": None,
        "status": "open",
        "deadline": _date(deadline, "deadline"),
        "opened_by": opened_by,
        "opened_at": now,
        "updated_at": now,
        "last_activity_at": now,
        "outcome_text": None,
        "escalated_to": None,
        "related_issue_ids": issue_ids,
        "clause_refs": clause_refs_of(clause_refs),
        "client_agreed_by": None,
        "vendor_agreed_by": None,
        "source_key": source_key,
    }
    if source_key is None:
        mediation = MediationRecord(**values)
        session.add(mediation)
        session.flush()
    else:
        inserted = _insert_once(session, MediationRecord, values)
        found = _mediation_by_key(session, source_key)
        assert found is not None
        mediation = found
        if not inserted:
            return mediation
    assert mediation.id is not None
    data = {"related_issue_ids": issue_ids, "deadline": values["deadline"] and values["deadline"].isoformat()}
    _entry(
        session,
        kind="created",
        actor=opened_by,
        text=f"mediation #{mediation.id} opened: {mediation.title}",
        data=data,
        mediation_id=mediation.id,
        at=now,
    )
    return mediation


def set_mediation_thread(
    *, session: Session, mediation_id: int, thread_ts: str | None, header_ts: str | None = None
) -> MediationRecord:
    """Remember where the mediation lives in Slack (its thread and the header message)."""
    mediation = _lock_mediation(session, mediation_id)
    mediation.thread_ts = thread_ts
    if header_ts is not None:
        mediation.header_ts = header_ts
    mediation.updated_at = utcnow()
    session.add(mediation)
    session.flush()
    return mediation


def state_position(
    *, session: Session, mediation_id: int, side: str, author: str, text: str, evidence: str | None = None
) -> Position:
    """A side states its position; it replaces that side's earlier one (which stays in the timeline)."""
    _check(side, CASE_SIDES, "side")
    text = _text(text, "position")
    mediation = _lock_mediation(session, mediation_id)
    _active(mediation, "state a position")
    now = utcnow()
    query = select(Position).where(Position.mediation_id == mediation_id, Position.side == side)
    position = session.exec(query.execution_options(populate_existing=True)).first()
    previous = (
        None if position is None else {"author": position.author, "text": position.text, "at": position.at.isoformat()}
    )
    values = {
        "mediation_id": mediation_id,
        "side": side,
        "author": author,
        "text": text,
        "evidence": evidence,
        "at": now,
    }
    if position is None and _insert_once(session, Position, values):
        position = session.exec(query).one()
    else:
        position = position or session.exec(query.execution_options(populate_existing=True)).one()
        for name, value in values.items():
            setattr(position, name, value)
        session.add(position)
    _touch(session, mediation, now)
    data = {"side": side, "evidence": evidence, "previous": previous}
    _entry(session, kind="position", actor=author, text=text, data=data, mediation_id=mediation_id, at=now)
    return position


def positions_of(*, session: Session, mediation_id: int) -> dict[str, Position]:
    """The sides' current positions, by side."""
    rows = session.exec(select(Position).where(Position.mediation_id == mediation_id)).all()
    return {row.side: row for row in rows}


def add_evidence(
    *, session: Session, mediation_id: int, channel_id: str, message_ts: str, author: str, text: str, actor: str
) -> TimelineEntry | None:
    """Add a Slack message (e.g. one pinned with 📌) as evidence: None if that message is already in.

    Keyed by "evidence:<channel>:<ts>", so two reactions at once, in two processes, add it once.
    """
    mediation = _lock_mediation(session, mediation_id)
    _active(mediation, "add evidence")
    source_key = f"evidence:{channel_id}:{message_ts}"
    if session.exec(select(TimelineEntry.id).where(TimelineEntry.source_key == source_key)).first() is not None:
        return None
    now = utcnow()
    values = {
        "issue_id": None,
        "mediation_id": mediation_id,
        "kind": "evidence",
        "actor": actor,
        "text": text,
        "data": {"channel_id": channel_id, "message_ts": message_ts},
        "at": now,
        "source_key": source_key,
        "original_ts": message_ts,
        "original_author": author,
    }
    if not _insert_once(session, TimelineEntry, values):
        return None
    _touch(session, mediation, now)
    return session.exec(select(TimelineEntry).where(TimelineEntry.source_key == source_key)).one()


def record_proposal(*, session: Session, mediation_id: int, actor: str, text: str) -> MediationRecord:
    """Put a proposed outcome on the table (status "proposal"); earlier agreements no longer count."""
    text = _text(text, "proposal")
    mediation = _lock_mediation(session, mediation_id)
    _active(mediation, "propose an outcome")
    now = utcnow()
    mediation.outcome_text = text
    mediation.client_agreed_by = None
    mediation.vendor_agreed_by = None
    if mediation.status != "proposal":
        _move(session, mediation, "proposal", actor, now)
    _touch(session, mediation, now)
    _entry(session, kind="outcome", actor=actor, text=text, data={"proposal": True}, mediation_id=mediation_id, at=now)
    return mediation


def agree(*, session: Session, mediation_id: int, side: str, user_id: str) -> MediationRecord:
    """One side agrees (to the proposal on the table, if any); when both have, the mediation is "agreed".

    A side agreeing again changes nothing. Safe when both sides click at the same moment.
    """
    _check(side, CASE_SIDES, "side")
    mediation = _lock_mediation(session, mediation_id)
    field = f"{side}_agreed_by"
    if getattr(mediation, field) is not None and mediation.status in (*ACTIVE_MEDIATION_STATUSES, "agreed"):
        return mediation  # a second click
    _active(mediation, "agree")
    now = utcnow()
    setattr(mediation, field, user_id)
    _touch(session, mediation, now)
    data = {"side": side, "outcome": mediation.outcome_text}
    _entry(session, kind="outcome", actor=user_id, text=f"{side} agreed", data=data, mediation_id=mediation_id, at=now)
    if mediation.client_agreed_by and mediation.vendor_agreed_by:
        _move(session, mediation, "agreed", user_id, now, "both sides agreed")
    session.flush()
    return mediation


def escalate(*, session: Session, mediation_id: int, actor: str, reason: str, to: str) -> MediationRecord:
    """Hand the mediation up (to a person, a committee...): status "escalated"."""
    mediation = _lock_mediation(session, mediation_id)
    if mediation.status not in ("open", "proposal", "agreed"):
        raise ValueError(f"mediation #{mediation.id} is {mediation.status}: cannot escalate")
    mediation.escalated_to = _text(to, "escalated to")
    _move(session, mediation, "escalated", actor, utcnow(), f"to {to}: {reason}" if reason else f"to {to}")
    session.flush()
    return mediation


def withdraw(*, session: Session, mediation_id: int, actor: str, reason: str = "") -> MediationRecord:
    """The mediation is dropped: status "withdrawn"."""
    mediation = _lock_mediation(session, mediation_id)
    if mediation.status not in ("open", "proposal", "escalated"):
        raise ValueError(f"mediation #{mediation.id} is {mediation.status}: cannot withdraw")
    _move(session, mediation, "withdrawn", actor, utcnow(), reason)
    session.flush()
    return mediation


def close_mediation(
    *, session: Session, mediation_id: int, actor: str, outcome_text: str | None = None
) -> MediationRecord:
    """Close an agreed, escalated or withdrawn mediation; closing one still argued is refused (ValueError).

    An already closed mediation is returned as it is.
    """
    mediation = _lock_mediation(session, mediation_id)
    if mediation.status == "closed":
        return mediation
    if mediation.status in ACTIVE_MEDIATION_STATUSES or (
        mediation.status == "agreed" and not (mediation.client_agreed_by and mediation.vendor_agreed_by)
    ):
        raise ValueError(f"both sides must agree before mediation #{mediation.id} closes (or escalate or withdraw it)")
    now = utcnow()
    if outcome_text:
        mediation.outcome_text = outcome_text
    _move(session, mediation, "closed", actor, now)
    if mediation.outcome_text:
        data = {"agreed_by": {"client": mediation.client_agreed_by, "vendor": mediation.vendor_agreed_by}}
        _entry(
            session,
            kind="summary",
            actor=actor,
            text=mediation.outcome_text,
            data=data,
            mediation_id=mediation_id,
            at=now,
        )
    session.flush()
    return mediation


def comment_on_mediation(*, session: Session, mediation_id: int, actor: str, text: str) -> TimelineEntry:
    mediation = _lock_mediation(session, mediation_id)
    now = utcnow()
    _touch(session, mediation, now)
    return _entry(session, kind="comment", actor=actor, text=_text(text, "comment"), mediation_id=mediation_id, at=now)


def note_reminder(
    *, session: Session, mediation_id: int, key: str, text: str, actor: str = "liaison"
) -> TimelineEntry | None:
    """Record a reminder once per `key` (e.g. "reminder:<id>:stale:<date>"): None if already sent.

    A reminder is not activity: it does not make a stale mediation fresh.
    """
    if session.get(MediationRecord, mediation_id) is None:
        raise LookupError(f"no mediation #{mediation_id}")
    source_key = f"reminder:{key}" if not key.startswith("reminder:") else key
    values = {
        "issue_id": None,
        "mediation_id": mediation_id,
        "kind": "reminder",
        "actor": actor,
        "text": text,
        "data": {},
        "at": utcnow(),
        "source_key": source_key,
        "original_ts": None,
        "original_author": None,
    }
    if not _insert_once(session, TimelineEntry, values):
        return None
    return session.exec(select(TimelineEntry).where(TimelineEntry.source_key == source_key)).one()


def list_mediations(
    *, session: Session, engagement: str, statuses: Iterable[str] | None = None
) -> list[MediationRecord]:
    """The engagement's mediations (not closed or withdrawn unless `statuses` says), oldest first."""
    wanted = OPEN_MEDIATION_STATUSES if statuses is None else tuple(statuses)
    for status in wanted:
        _check(status, MEDIATION_STATUSES, "status")
    query = (
        select(MediationRecord)
        .where(MediationRecord.engagement == engagement, col(MediationRecord.status).in_(wanted))
        .order_by(col(MediationRecord.opened_at), col(MediationRecord.id))
    )
    return list(session.exec(query).all())


def mediation_timeline(*, session: Session, mediation_id: int) -> list[TimelineEntry]:
    """What happened in a mediation, oldest first."""
    return _timeline(session, mediation_id=mediation_id)


def stale_mediations(*, session: Session, now: datetime, idle: timedelta) -> list[MediationRecord]:
    """Mediations still argued (open or proposal) with no activity for `idle` before `now`, quietest first."""
    cutoff = _aware(now, "now") - idle
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
    last_day = (_aware(now, "now") + within).date()
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


# Plain dicts (for JSON, CSV and Slack blocks)


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def issue_as_dict(issue: IssueRecord) -> dict[str, Any]:
    return {
        "id": issue.id,
        "engagement": issue.engagement,
        "title": issue.title,
        "description": issue.description,
        "status": issue.status,
        "severity": issue.severity,
        "category": issue.category,
        "office": issue.office,
        "risk": issue.risk,
        "value": issue.value,
        "side": issue.raised_by_side,
        "owner": issue.owner,
        "due": _iso(issue.due),
        "clause_refs": list(issue.clause_refs or []),
        "permalink": issue.permalink,
        "created_by": issue.created_by,
        "created_at": _iso(issue.created_at),
        "updated_at": _iso(issue.updated_at),
        "resolved_at": _iso(issue.resolved_at),
    }


def mediation_as_dict(mediation: MediationRecord) -> dict[str, Any]:
    return {
        "id": mediation.id,
        "engagement": mediation.engagement,
        "title": mediation.title,
        "status": mediation.status,
        "channel_id": mediation.channel_id,
        "thread_ts": mediation.thread_ts,
        "deadline": _iso(mediation.deadline),
        "opened_by": mediation.opened_by,
        "opened_at": _iso(mediation.opened_at),
        "updated_at": _iso(mediation.updated_at),
        "last_activity_at": _iso(mediation.last_activity_at),
        "outcome_text": mediation.outcome_text,
        "escalated_to": mediation.escalated_to,
        "related_issue_ids": list(mediation.related_issue_ids or []),
        "clause_refs": list(mediation.clause_refs or []),
        "client_agreed_by": mediation.client_agreed_by,
        "vendor_agreed_by": mediation.vendor_agreed_by,
    }


def entry_as_dict(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "issue_id": entry.issue_id,
        "mediation_id": entry.mediation_id,
        "kind": entry.kind,
        "actor": entry.actor,
        "text": entry.text,
        "data": dict(entry.data or {}),
        "at": _iso(entry.at),
        "original_ts": entry.original_ts,
        "original_author": entry.original_author,
    }
