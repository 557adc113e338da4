"""Case schemas: what comes in to create an issue (`IssueCreate`, checked as it is built) and what is shown of an
issue, a mediation and a timeline entry (`IssuePublic`, `MediationPublic`, `TimelineEntryPublic`, dumped with
`model_dump(mode="json")`, as `issue_as_dict`, `mediation_as_dict` and `entry_as_dict` do). The tables and the
checks they share are in `bot.records.cases`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import PlainSerializer, ValidationInfo, field_validator
from sqlmodel import Field, SQLModel

from bot.records.cases import (
    SEVERITIES,
    CaseSide,
    Category,
    ClauseRef,
    IssueRecord,
    IssueStatus,
    Level,
    MediationRecord,
    MediationStatus,
    Office,
    Severity,
    TimelineEntry,
    TimelineKind,
    as_date,
    clause_refs_of,
    required_text,
)

# Schemas: what comes in to create an issue, and what is shown of a record (JSON, CSV, Slack blocks)

# A datetime in JSON as `datetime.isoformat()` writes it ("...+00:00"), as Liaison's JSON always had it.
IsoDatetime = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str, when_used="json")]


class IssueCreate(SQLModel):
    """A new issue, checked as it is built: what a form or the CLI says of it, who logs it, and the Slack id
    (`source_key`: a view submission...) that logs it once."""

    engagement: str
    title: str
    created_by: str
    description: str = ""
    category: Category = "other"
    severity: Severity = 3
    risk: Level = "low"
    value: Level = "low"
    raised_by_side: CaseSide | None = None
    clause_refs: list[ClauseRef] = Field(default_factory=list)
    owner: str | None = None
    due: date | None = None
    source_key: str | None = None
    permalink: str | None = None

    @field_validator("engagement", "title", mode="before")
    @classmethod
    def _required(cls, value: Any, info: ValidationInfo) -> str:
        return required_text(value, str(info.field_name))

    @field_validator("description", mode="before")
    @classmethod
    def _description(cls, value: Any) -> Any:
        return value or ""

    @field_validator("owner", mode="before")
    @classmethod
    def _owner(cls, value: Any) -> Any:
        return value or None

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, value: Any) -> Any:
        if isinstance(value, bool):  # True == 1, but no one means severity 1 by it
            raise ValueError(f"severity must be one of {', '.join(map(str, SEVERITIES))}, not {value!r}")
        return value

    @field_validator("clause_refs", mode="before")
    @classmethod
    def _clause_refs(cls, value: Any) -> list[ClauseRef]:
        return clause_refs_of(value)

    @field_validator("due", mode="before")
    @classmethod
    def _due(cls, value: Any) -> date | None:
        return as_date(value, "due")


class IssuePublic(SQLModel):
    """An issue as shown: `IssuePublic.model_validate(record).model_dump(mode="json")`."""

    id: int
    engagement: str
    title: str
    description: str
    status: IssueStatus
    severity: Severity
    category: Category
    office: Office | None
    risk: Level
    value: Level
    side: CaseSide | None = Field(schema_extra={"validation_alias": "raised_by_side"})
    owner: str | None
    due: date | None
    clause_refs: list[ClauseRef]
    permalink: str | None
    created_by: str
    created_at: IsoDatetime
    updated_at: IsoDatetime
    resolved_at: IsoDatetime | None


class MediationPublic(SQLModel):
    """A mediation as shown (its Slack header ts and source key are not)."""

    id: int
    engagement: str
    title: str
    status: MediationStatus
    channel_id: str
    thread_ts: str | None
    deadline: date | None
    opened_by: str
    opened_at: IsoDatetime
    updated_at: IsoDatetime
    last_activity_at: IsoDatetime
    outcome_text: str | None
    escalated_to: str | None
    related_issue_ids: list[int]
    clause_refs: list[ClauseRef]
    client_agreed_by: str | None
    vendor_agreed_by: str | None


class TimelineEntryPublic(SQLModel):
    """A timeline entry as shown (its source key is not)."""

    id: int
    issue_id: int | None
    mediation_id: int | None
    kind: TimelineKind
    actor: str
    text: str
    data: dict[str, Any]
    at: IsoDatetime
    original_ts: str | None
    original_author: str | None


def issue_as_dict(issue: IssueRecord) -> dict[str, Any]:
    return IssuePublic.model_validate(issue).model_dump(mode="json")


def mediation_as_dict(mediation: MediationRecord) -> dict[str, Any]:
    return MediationPublic.model_validate(mediation).model_dump(mode="json")


def entry_as_dict(entry: TimelineEntry) -> dict[str, Any]:
    return TimelineEntryPublic.model_validate(entry).model_dump(mode="json")
