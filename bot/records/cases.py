"""Cases: the tables of the issue log and of mediations, their timeline, and the checks both share (the schema
a new issue is checked with and those records are shown with are in `bot.records.case_schemas`). A field with a
fixed set of values is a `Literal` (stored as the same string or integer column, with the same CHECK constraints as
before).

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
from typing import Any, Literal, NotRequired, TypeVar, cast, get_args

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKeyConstraint, Index, Integer, UniqueConstraint
from sqlmodel import AutoString, Field, Session, SQLModel, col, select
from typing_extensions import TypedDict

from bot.records.tables import check_choice, insert_once, utcnow

# The fixed sets of values, as the fields' types; the tuples (for option lists and checks) are read off them.
BackOffice = Literal["finance", "accounting", "billing", "data-processing"]
FrontOffice = Literal["customer-service", "technical-support", "marketing", "sales"]
Category = Literal[BackOffice, FrontOffice, "sla-breach", "other"]
Office = Literal["back", "front"]
Severity = Literal[1, 2, 3, 4]  # 1 is the worst
Level = Literal["high", "low"]  # risk and value
CaseSide = Literal["client", "vendor"]
IssueStatus = Literal["open", "acknowledged", "in-progress", "resolved", "closed"]
MediationStatus = Literal["open", "proposal", "agreed", "escalated", "withdrawn", "closed"]
TimelineKind = Literal["created", "status", "comment", "position", "evidence", "summary", "outcome", "reminder"]

BACK_OFFICE: tuple[BackOffice, ...] = get_args(BackOffice)
FRONT_OFFICE: tuple[FrontOffice, ...] = get_args(FrontOffice)
CATEGORIES: tuple[Category, ...] = (*BACK_OFFICE, *FRONT_OFFICE, "sla-breach", "other")
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
LEVELS: tuple[Level, ...] = get_args(Level)
CASE_SIDES: tuple[CaseSide, ...] = get_args(CaseSide)
ISSUE_STATUSES: tuple[IssueStatus, ...] = get_args(IssueStatus)
OPEN_ISSUE_STATUSES: tuple[IssueStatus, ...] = ("open", "acknowledged", "in-progress")
MEDIATION_STATUSES: tuple[MediationStatus, ...] = get_args(MediationStatus)
ACTIVE_MEDIATION_STATUSES: tuple[MediationStatus, ...] = ("open", "proposal")  # positions, evidence, agreement
OPEN_MEDIATION_STATUSES: tuple[MediationStatus, ...] = ("open", "proposal", "agreed", "escalated")  # not yet ended
TIMELINE_KINDS: tuple[TimelineKind, ...] = get_args(TimelineKind)


class ClauseRef(TypedDict):
    """A clause an issue or a mediation rests on, as stored: the quote verbatim at [start:end] of the document's
    extracted text (title and page kept when known, for citations)."""

    document: str
    section: str | None
    quote: str | None
    start: int | None
    end: int | None
    title: NotRequired[str | None]
    page: NotRequired[int | None]


CLAUSE_REF_KEYS = ("document", "section", "quote", "start", "end")
OPTIONAL_CLAUSE_REF_KEYS = ("title", "page")  # kept when known, for citations


def office_of(category: str) -> Office | None:
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
    category: Category = Field(default="other", sa_type=AutoString)
    office: Office | None = Field(default=None, sa_type=AutoString)  # from the category
    severity: Severity = Field(default=3, sa_type=Integer)  # 1 (worst) .. 4
    risk: Level = Field(default="low", sa_type=AutoString)
    value: Level = Field(default="low", sa_type=AutoString)
    raised_by_side: CaseSide | None = Field(default=None, sa_type=AutoString)
    clause_refs: list[ClauseRef] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    owner: str | None = None  # Slack user id
    due: date | None = None
    status: IssueStatus = Field(default="open", sa_type=AutoString)
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
    status: MediationStatus = Field(default="open", sa_type=AutoString)
    deadline: date | None = None
    opened_by: str
    opened_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    last_activity_at: datetime = Field(default_factory=utcnow, index=True)
    outcome_text: str | None = None  # the proposal on the table, then the agreed outcome
    escalated_to: str | None = None
    related_issue_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    clause_refs: list[ClauseRef] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
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
    kind: TimelineKind = Field(sa_type=AutoString)
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
    side: CaseSide = Field(sa_type=AutoString)
    author: str
    text: str
    evidence: str | None = None
    at: datetime = Field(default_factory=utcnow)


Case = TypeVar("Case", IssueRecord, MediationRecord)

# Checks


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


def clause_refs_of(refs: Iterable[Mapping[str, Any]]) -> list[ClauseRef]:
    """Clause references as stored: {"document", "section", "quote", "start", "end"} (plus "title" and "page"
    when known), a document required."""
    if isinstance(refs, Mapping | str):
        raise ValueError("clause_refs must be a list of {document, section, quote, start, end}")
    out = []
    for ref in refs:
        if not isinstance(ref, Mapping) or not ref.get("document"):
            raise ValueError(f"a clause reference needs a document, not {ref!r}")
        kept: dict[str, Any] = {key: ref.get(key) for key in CLAUSE_REF_KEYS}
        kept.update({key: ref[key] for key in OPTIONAL_CLAUSE_REF_KEYS if ref.get(key) is not None})
        out.append(cast(ClauseRef, kept))
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
    inserted = insert_once(session, model, values, key=("source_key",))
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
