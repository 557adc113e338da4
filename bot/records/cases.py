"""Cases: the tables of the issue log and of mediations, their timeline, and the checks both share.

The workflows are in `bot.issues` and `bot.mediation.lifecycle`.

Same conventions as `bot.records`: SQLModel tables (migrated by `bot/migrations`, revision 0002), functions
that take the caller's session by keyword and never commit, aware UTC datetimes. Every change writes a
`TimelineEntry` saying who did what and when. Inserts keyed by a Slack id (`source_key`: a view submission,
a message permalink, "evidence:<channel>:<ts>") happen once however many times Slack delivers them, even from
two processes at once. Changes to one mediation or issue take its row lock first (`SELECT ... FOR UPDATE` on
PostgreSQL; on SQLite every transaction is already `BEGIN IMMEDIATE`), so concurrent agreements both land.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

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
OPTIONAL_CLAUSE_REF_KEYS = ("title", "page")  # kept when known, for citations


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


Case = TypeVar("Case", IssueRecord, MediationRecord)

# Checks


def check_choice(value: Any, allowed: tuple[Any, ...], what: str) -> Any:
    if isinstance(value, bool) or value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(map(str, allowed))}, not {value!r}")
    return value


def required_text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must not be empty")
    return value.strip()


def as_date(value: Any, what: str) -> date | None:
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


def aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value


def clause_refs_of(refs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Clause references as stored: {"document", "section", "quote", "start", "end"} (plus "title" and "page"
    when known), a document required."""
    if isinstance(refs, Mapping | str):
        raise ValueError("clause_refs must be a list of {document, section, quote, start, end}")
    out = []
    for ref in refs:
        if not isinstance(ref, Mapping) or not ref.get("document"):
            raise ValueError(f"a clause reference needs a document, not {ref!r}")
        kept = {key: ref.get(key) for key in CLAUSE_REF_KEYS}
        kept.update({key: ref[key] for key in OPTIONAL_CLAUSE_REF_KEYS if ref.get(key) is not None})
        out.append(kept)
    return out


def checked_issue_ids(ids: Iterable[int]) -> list[int]:
    out = []
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"related issue ids must be integers, not {value!r}")
        if value not in out:
            out.append(value)
    return out


def add_entry(
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
        kind=check_choice(kind, TIMELINE_KINDS, "kind"),
        actor=actor,
        text=text,
        data=dict(data or {}),
        at=at or utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


def by_source_key(session: Session, model: type[Case], source_key: str) -> Case | None:
    """The issue or mediation a Slack id (view submission, command trigger...) created, if any."""
    return session.exec(select(model).where(model.source_key == source_key)).first()


def insert_case(session: Session, model: type[Case], values: dict[str, Any]) -> tuple[Case, bool]:
    """Insert an issue or mediation: (the row, True), or with a `source_key` another delivery already inserted,
    (that row, False). Safe when two processes insert the same key at once."""
    if values.get("source_key") is None:
        row = model(**values)
        session.add(row)
        session.flush()
        return row, True
    inserted = _insert_once(session, model, values)
    found = by_source_key(session, model, values["source_key"])
    assert found is not None
    return found, inserted


def lock_row(session: Session, model: type[Case], row_id: int, what: str) -> Case:
    """An issue or mediation read afresh under its row lock (SELECT ... FOR UPDATE), or LookupError."""
    query = select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)
    row = session.exec(query).first()
    if row is None:
        raise LookupError(f"no {what} #{row_id}")
    return row


def timeline_of(session: Session, **where: int) -> list[TimelineEntry]:
    ((column, value),) = where.items()
    query = (
        select(TimelineEntry)
        .where(getattr(TimelineEntry, column) == value)
        .order_by(col(TimelineEntry.at), col(TimelineEntry.id))
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
