"""The SLA register's records: service levels (one row a version), their timeline, measurements, each
period's credit statement, the engagement's fees over time and the claims of each period's close.

A service level's versions share a `family`: the id of its first version. An amendment that restates a level
adds a version with its `effective_from`; a measurement belongs to the family, so it applies to whichever
version is in force in its period. Numbers are stored as decimal text (`"99.95"`), never as floats, and read
back as `Decimal`. Data functions take the caller's session and never commit.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import AutoString, Field, Session, SQLModel, select

from bot.records.tables import insert_once, utcnow

LevelStatus = Literal["draft", "approved", "rejected"]
MeasurementStatus = Literal["reported", "agreed", "disputed"]
LevelKind = Literal["credit", "report"]
EventKind = Literal[
    "extracted", "updated", "approved", "rejected", "edited", "owner", "reported", "disputed", "agreed", "breach"
]
LEVEL_STATUSES: tuple[LevelStatus, ...] = get_args(LevelStatus)
MEASUREMENT_STATUSES: tuple[MeasurementStatus, ...] = get_args(MeasurementStatus)


def decimal_text(value: Decimal | None) -> str | None:
    """A Decimal as stored: its exact text without exponent ('99.95', '100'), or None."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


def decimal_of(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


class ServiceLevelRecord(SQLModel, table=True):
    """One version of a service level, drafted from a clause and reviewed by a person."""

    __tablename__ = "sla_levels"
    __table_args__ = (
        UniqueConstraint("engagement", "document", "key", name="uq_sla_levels_engagement_document_key"),
        Index("ix_sla_levels_engagement_family", "engagement", "family"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement: str = Field(index=True)
    family: int | None = None  # the id of the level's first version (its own id for a first version)
    version: int = 1
    key: str  # what identifies the level within its document across re-extractions: "metric|scope", lowercased
    metric: str
    scope: str | None = None
    comparison: str
    target: str | None = None  # decimal text
    target_text: str = ""
    unit: str = ""
    window: str | None = None
    kind: LevelKind = Field(default="credit", sa_type=AutoString)
    credit: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    cap_pct: str | None = None  # decimal text
    effective_from: date | None = None
    status: LevelStatus = Field(default="draft", sa_type=AutoString)
    owner: str | None = None  # Slack user id of who answers for it
    document: str
    visibility: str = "shared"  # the source document's: which sides may see the level
    section: str | None = None
    quote: str
    start: int
    end: int
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None


class SlaEvent(SQLModel, table=True):
    """Something that happened to a service level or a measurement: who, when, what, and the values before/after."""

    __tablename__ = "sla_events"

    id: int | None = Field(default=None, primary_key=True)
    engagement: str = Field(index=True)
    level_id: int | None = Field(default=None, index=True)
    measurement_id: int | None = Field(default=None, index=True)
    kind: EventKind = Field(sa_type=AutoString)
    actor: str
    text: str = ""
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow)


class Measurement(SQLModel, table=True):
    """A service level's value in one period, who reported it, and whether both sides agree with it."""

    __tablename__ = "sla_measurements"
    __table_args__ = (
        UniqueConstraint("engagement", "family", "period", name="uq_sla_measurements_engagement_family_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement: str = Field(index=True)
    family: int
    period: str  # "2026-10"
    value: str  # decimal text
    status: MeasurementStatus = Field(default="reported", sa_type=AutoString)
    reported_by: str
    reported_at: datetime = Field(default_factory=utcnow)
    via: str = "cli"  # slack, cli, csv
    reason: str | None = None  # why it is disputed
    updated_at: datetime = Field(default_factory=utcnow)


class CreditStatement(SQLModel, table=True):
    """A period's credits as last computed (recomputed when one of its measurements changes), and its claim."""

    __tablename__ = "sla_statements"
    __table_args__ = (UniqueConstraint("engagement", "period", name="uq_sla_statements_engagement_period"),)

    id: int | None = Field(default=None, primary_key=True)
    engagement: str = Field(index=True)
    period: str
    fees: str  # decimal text
    currency: str
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    visibility: str = "shared"  # the narrowest of its lines' levels
    claim_deadline: date | None = None
    computed_by: str
    computed_at: datetime = Field(default_factory=utcnow)
    claimed_by: str | None = None
    claimed_at: datetime | None = None


class SlaFees(SQLModel, table=True):
    """What the engagement's fees are from a period on (until a later `from_period`): the base of its credits."""

    __tablename__ = "sla_fees"
    __table_args__ = (UniqueConstraint("engagement", "from_period", name="uq_sla_fees_engagement_from_period"),)

    id: int | None = Field(default=None, primary_key=True)
    engagement: str = Field(index=True)
    from_period: str  # "2026-01"
    amount: str  # decimal text
    currency: str
    set_by: str
    set_at: datetime = Field(default_factory=utcnow)


class SlaClosing(SQLModel, table=True):
    """A period's close, claimed once: its statement computed (`target` ""), or its summary for one channel."""

    __tablename__ = "sla_closings"
    __table_args__ = (
        UniqueConstraint(
            "engagement", "period", "kind", "target", name="uq_sla_closings_engagement_period_kind_target"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement: str = Field(index=True)
    period: str
    kind: str  # "statement" (computed and posted) or "no-fees" (could not be computed)
    target: str  # "" for the computation, else the channel id the summary went to
    claimed_at: datetime = Field(default_factory=utcnow)


def levels_of(session: Session, *, engagement: str) -> list[ServiceLevelRecord]:
    """Every version of every level of an engagement, by family then version."""
    query = select(ServiceLevelRecord).where(ServiceLevelRecord.engagement == engagement)
    rows = list(session.exec(query))
    return sorted(rows, key=lambda r: (r.family or r.id or 0, r.version, r.id or 0))


def level_by_id(session: Session, level_id: int, *, lock: bool = False) -> ServiceLevelRecord | None:
    query = select(ServiceLevelRecord).where(ServiceLevelRecord.id == level_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.exec(query).first()


def add_event(
    session: Session,
    *,
    engagement: str,
    kind: EventKind,
    actor: str,
    text: str = "",
    data: dict[str, Any] | None = None,
    level_id: int | None = None,
    measurement_id: int | None = None,
) -> SlaEvent:
    event = SlaEvent(
        engagement=engagement,
        level_id=level_id,
        measurement_id=measurement_id,
        kind=kind,
        actor=actor,
        text=text,
        data=dict(data or {}),
    )
    session.add(event)
    session.flush()
    return event


def events_of(session: Session, *, level_ids: list[int]) -> list[SlaEvent]:
    """The timeline of these versions and of their family's measurements, oldest first."""
    if not level_ids:
        return []
    query = select(SlaEvent).where(SlaEvent.level_id.in_(level_ids))  # type: ignore[union-attr]
    return sorted(session.exec(query), key=lambda e: (e.at, e.id or 0))


def measurement_of(session: Session, *, engagement: str, family: int, period: str) -> Measurement | None:
    query = select(Measurement).where(
        Measurement.engagement == engagement, Measurement.family == family, Measurement.period == period
    )
    return session.exec(query.with_for_update().execution_options(populate_existing=True)).first()


def put_measurement(
    session: Session, *, engagement: str, family: int, period: str, value: Decimal, actor: str, via: str
) -> tuple[Measurement, Decimal | None]:
    """Record a period's value (insert, or replace the last one, which makes it `reported` again): the row, and
    the value it replaced (None if it is new or unchanged). Safe when two processes report at once."""
    text = decimal_text(value)
    assert text is not None
    now = utcnow()
    insert_once(
        session,
        Measurement,
        {
            "engagement": engagement,
            "family": family,
            "period": period,
            "value": text,
            "status": "reported",
            "reported_by": actor,
            "reported_at": now,
            "via": via,
            "updated_at": now,
        },
        key=("engagement", "family", "period"),
    )
    row = measurement_of(session, engagement=engagement, family=family, period=period)
    assert row is not None
    before = None
    if Decimal(row.value) != value:
        before = Decimal(row.value)
        row.value, row.status, row.reason = text, "reported", None
        row.reported_by, row.reported_at, row.via, row.updated_at = actor, now, via, now
        session.add(row)
        session.flush()
    return row, before


def measurements_of(session: Session, *, engagement: str, periods: list[str] | None = None) -> list[Measurement]:
    query = select(Measurement).where(Measurement.engagement == engagement)
    if periods is not None:
        query = query.where(Measurement.period.in_(periods))  # type: ignore[attr-defined]
    return list(session.exec(query))


def statement_of(session: Session, *, engagement: str, period: str, lock: bool = False) -> CreditStatement | None:
    query = select(CreditStatement).where(CreditStatement.engagement == engagement, CreditStatement.period == period)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.exec(query).first()


def statements_of(session: Session, *, engagement: str) -> list[CreditStatement]:
    query = select(CreditStatement).where(CreditStatement.engagement == engagement)
    return sorted(session.exec(query), key=lambda s: s.period, reverse=True)


def put_fees(
    session: Session, *, engagement: str, from_period: str, amount: Decimal, currency: str, actor: str
) -> SlaFees:
    """Set the engagement's fees from a period on (replacing what was set from that same period)."""
    text = decimal_text(amount)
    assert text is not None
    values = {"amount": text, "currency": currency, "set_by": actor, "set_at": utcnow()}
    key = {"engagement": engagement, "from_period": from_period}
    if not insert_once(session, SlaFees, {**key, **values}, key=("engagement", "from_period")):
        query = select(SlaFees).where(SlaFees.engagement == engagement, SlaFees.from_period == from_period)
        row = session.exec(query.with_for_update().execution_options(populate_existing=True)).one()
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
        session.flush()
    query = select(SlaFees).where(SlaFees.engagement == engagement, SlaFees.from_period == from_period)
    return session.exec(query.execution_options(populate_existing=True)).one()


def fees_history(session: Session, *, engagement: str) -> list[SlaFees]:
    """The engagement's fees as set over time, oldest `from_period` first."""
    query = select(SlaFees).where(SlaFees.engagement == engagement)
    return sorted(session.exec(query), key=lambda f: f.from_period)


def fees_for(session: Session, *, engagement: str, period: str) -> SlaFees | None:
    """The fees in force in a period: those set from the latest `from_period` at or before it, if any."""
    return next((f for f in reversed(fees_history(session, engagement=engagement)) if f.from_period <= period), None)


def claim_closing(session: Session, *, engagement: str, period: str, kind: str, target: str = "") -> bool:
    """Claim a step of a period's close once, whichever process asks first: True for the one that did."""
    values = {"engagement": engagement, "period": period, "kind": kind, "target": target, "claimed_at": utcnow()}
    return insert_once(session, SlaClosing, values, key=("engagement", "period", "kind", "target"))


def closing_targets(session: Session, *, engagement: str, period: str, kind: str) -> set[str]:
    """The channels a period's close of this kind has been claimed for."""
    query = select(SlaClosing.target).where(
        SlaClosing.engagement == engagement, SlaClosing.period == period, SlaClosing.kind == kind
    )
    return {target for target in session.exec(query) if target}


def release_closing(session: Session, *, engagement: str, period: str, kind: str, target: str) -> bool:
    """Give a claimed step back (its post failed), so that a later run takes it again: True if released."""
    query = select(SlaClosing).where(
        SlaClosing.engagement == engagement,
        SlaClosing.period == period,
        SlaClosing.kind == kind,
        SlaClosing.target == target,
    )
    row = session.exec(query).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def approved_engagements(session: Session) -> list[str]:
    """The engagements with at least one approved service level, by name."""
    query = select(ServiceLevelRecord.engagement).where(ServiceLevelRecord.status == "approved").distinct()
    return sorted(set(session.exec(query)))
