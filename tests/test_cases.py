"""The case tables and the issue log on SQLite (a temp file) and PostgreSQL (a fresh schema per test)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot import issues
from bot.db import current_revision, session, upgrade
from bot.mediation import lifecycle as mediations
from bot.records import case_schemas, cases
from bot.records.case_schemas import IssueCreate
from bot.records.cases import IssueRecord, TimelineEntry
from tests.conftest import at_once, count

CASE_TABLES = {"issues", "mediations", "timeline_entries", "positions"}
REF = {"document": "msa.pdf", "section": "7.2", "quote": "credits capped at 15%", "start": 10, "end": 31}


def new_issue(engine: Engine, **kw: Any) -> int:
    fields: dict[str, Any] = {"engagement": "acme", "title": "Invoices late", "created_by": "U1"}
    fields.update(kw)
    with session(engine) as s:
        issue = issues.create_issue(session=s, issue_in=IssueCreate(**fields))
        assert issue.id is not None
        return issue.id


def new_mediation(engine: Engine, **kw: Any) -> int:
    fields: dict[str, Any] = {"engagement": "acme", "title": "SLA credits for March", "channel_id": "C1"}
    fields.update(kw)
    with session(engine) as s:
        mediation = mediations.open_mediation(session=s, opened_by=fields.pop("opened_by", "U1"), **fields)
        assert mediation.id is not None
        return mediation.id


def kinds(entries: list[TimelineEntry]) -> list[str]:
    return [e.kind for e in entries]


# Migration


def test_migration_creates_the_case_tables_matching_the_models(blank: Engine) -> None:
    upgrade(blank, "0001")
    assert not CASE_TABLES & set(inspect(blank).get_table_names())
    upgrade(blank, "0002")
    assert current_revision(blank) == "0002"
    assert set(inspect(blank).get_table_names()) >= CASE_TABLES
    upgrade(blank)  # the later revisions add other tables; the models and the migrations agree
    with blank.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    uniques = {u["name"] for u in inspect(blank).get_unique_constraints("positions")}
    assert "uq_positions_mediation_id_side" in uniques
    foreign = {f["name"] for f in inspect(blank).get_foreign_keys("timeline_entries")}
    assert foreign == {"fk_timeline_entries_issue_id_issues", "fk_timeline_entries_mediation_id_mediations"}


# Issues


def test_issue_lifecycle_and_timeline(db: Engine) -> None:
    with session(db) as s:
        issue = issues.create_issue(
            session=s,
            issue_in=IssueCreate(
                engagement="acme",
                title="Refunds posted to the wrong ledger",
                created_by="U1",
                description="Since the 3rd",
                category="accounting",
                severity=2,
                risk="high",
                value="high",
                raised_by_side="client",
                clause_refs=[REF],
                owner="U7",
                due=date(2026, 12, 1),
                permalink="https://x.slack.com/archives/C1/p1",
            ),
        )
        assert issue.id is not None
        issue_id = issue.id
        assert (issue.office, issue.status, issue.resolved_at) == ("back", "open", None)
        assert issue.clause_refs == [REF]
    assert new_issue(db, category="customer-service") != issue_id
    with session(db) as s:
        assert issues.get_issue(session=s, issue_id=issue_id + 1).office == "front"  # type: ignore[union-attr]
        acked = issues.set_issue_status(session=s, issue_id=issue_id, status="acknowledged", actor="U2")
        assert acked.resolved_at is None
        issues.set_issue_status(session=s, issue_id=issue_id, status="acknowledged", actor="U2")  # no change
    with session(db) as s:
        resolved = issues.set_issue_status(session=s, issue_id=issue_id, status="resolved", actor="U7", note="fixed")
        assert resolved.resolved_at is not None and resolved.resolved_at.utcoffset() == timedelta(0)
        assert [i.id for i in issues.list_issues(session=s, engagement="acme")] == [issue_id + 1]
        issues.comment_on_issue(session=s, issue_id=issue_id, actor="U1", text="confirmed on our side")
    with session(db) as s:
        reopened = issues.set_issue_status(session=s, issue_id=issue_id, status="open", actor="U1")
        assert reopened.resolved_at is None
        timeline = issues.issue_timeline(session=s, issue_id=issue_id)
    assert kinds(timeline) == ["created", "status", "status", "comment", "status"]
    assert [e.text for e in timeline if e.kind == "status"] == [
        "status: open -> acknowledged",
        "status: acknowledged -> resolved (fixed)",
        "status: resolved -> open",
    ]
    assert [e.actor for e in timeline] == ["U1", "U2", "U7", "U1", "U1"]
    assert all(e.at.utcoffset() == timedelta(0) for e in timeline)
    with session(db) as s, pytest.raises(LookupError):
        issues.set_issue_status(session=s, issue_id=999, status="open", actor="U1")


def test_a_clause_is_attached_once_with_its_page_and_title(db: Engine) -> None:
    issue_id = new_issue(db)
    ref = {**REF, "title": "Master Services Agreement", "page": 3}
    with session(db) as s:
        assert issues.attach_clause(session=s, issue_id=issue_id, ref=ref, actor="U1")
    with session(db) as s:
        assert not issues.attach_clause(session=s, issue_id=issue_id, ref=dict(ref), actor="U2")
        issue = issues.get_issue(session=s, issue_id=issue_id)
        assert issue is not None and issue.clause_refs == [ref]
        [entry] = [e for e in issues.issue_timeline(session=s, issue_id=issue_id) if e.kind == "comment"]
        assert (entry.actor, entry.text) == ("U1", "clause attached: msa.pdf 7.2")
    with session(db) as s, pytest.raises(ValueError, match="document"):
        issues.attach_clause(session=s, issue_id=issue_id, ref={"section": "1"}, actor="U1")


def test_issues_are_listed_worst_first_and_by_side(db: Engine) -> None:
    low = new_issue(db, title="typo in report", severity=4, raised_by_side="vendor")
    worst = new_issue(db, title="outage", severity=1, raised_by_side="client", category="sla-breach")
    mid = new_issue(db, title="late invoices", severity=2, raised_by_side="client")
    closed = new_issue(db, title="old", severity=1)
    new_issue(db, engagement="globex", title="elsewhere")
    with session(db) as s:
        issues.set_issue_status(session=s, issue_id=closed, status="closed", actor="U1")
    with session(db) as s:
        assert [i.id for i in issues.list_issues(session=s, engagement="acme")] == [worst, mid, low]
        assert [i.id for i in issues.list_issues(session=s, engagement="acme", side="client")] == [worst, mid]
        assert [i.id for i in issues.list_issues(session=s, engagement="acme", statuses=["closed"])] == [closed]
        every = issues.list_issues(session=s, engagement="acme", statuses=cases.ISSUE_STATUSES)
        assert [i.id for i in every] == [worst, closed, mid, low]


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("category", "hr"),
        ("severity", 0),
        ("severity", 5),
        ("severity", True),
        ("risk", "medium"),
        ("value", "none"),
        ("raised_by_side", "shared"),
        ("clause_refs", [{"section": "7"}]),
        ("due", "next week"),
        ("title", "  "),
    ],
)
def test_issue_fields_are_validated(db: Engine, field: str, bad: Any) -> None:
    what = "side" if field == "raised_by_side" else field
    fields: dict[str, Any] = {"engagement": "acme", "title": "t", "created_by": "U1", field: bad}
    with session(db) as s, pytest.raises(ValueError, match=what if field != "clause_refs" else "document"):
        issues.create_issue(session=s, issue_in=IssueCreate(**fields))
    assert count(db, IssueRecord) == 0
    issue_id = new_issue(db)
    with session(db) as s, pytest.raises(ValueError, match="status"):
        issues.set_issue_status(session=s, issue_id=issue_id, status="done", actor="U1")


def test_an_issue_is_created_once_per_source_key(db: Engine) -> None:
    first = new_issue(db, source_key="view:V1")
    assert new_issue(db, source_key="view:V1", title="a retry") == first
    results = at_once(4, lambda: new_issue(db, source_key="view:V2"))
    assert len(set(results)) == 1
    assert count(db, IssueRecord) == 2
    with session(db) as s:
        assert kinds(issues.issue_timeline(session=s, issue_id=results[0])) == ["created"]
        assert issues.get_issue(session=s, issue_id=first).title == "Invoices late"  # type: ignore[union-attr]


# The JSON shapes (`liaison issues --json`, `liaison export`, the Slack cards read them)


def test_the_json_shapes_of_an_issue_a_mediation_and_an_entry_are_pinned(db: Engine) -> None:
    at = datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=UTC)
    with session(db) as s:
        issue = issues.create_issue(
            session=s,
            issue_in=IssueCreate(
                engagement="acme",
                title="Invoices late",
                created_by="U1",
                category="billing",
                severity=2,
                raised_by_side="vendor",
                clause_refs=[REF],
                due=date(2026, 4, 1),
                source_key="view:V9",
                permalink="https://x.slack.com/archives/C1/p1",
            ),
        )
        issue.created_at = issue.updated_at = at
        mediation = mediations.open_mediation(
            session=s, engagement="acme", title="Credits", channel_id="C1", opened_by="U2", deadline=date(2026, 4, 2)
        )
        mediation.opened_at = mediation.updated_at = mediation.last_activity_at = at
        [entry] = issues.issue_timeline(session=s, issue_id=issue.id or 0)
        entry.at = at
        assert json.dumps(case_schemas.issue_as_dict(issue)) == json.dumps(
            {
                "id": issue.id,
                "engagement": "acme",
                "title": "Invoices late",
                "description": "",
                "status": "open",
                "severity": 2,
                "category": "billing",
                "office": "back",
                "risk": "low",
                "value": "low",
                "side": "vendor",
                "owner": None,
                "due": "2026-04-01",
                "clause_refs": [REF],
                "permalink": "https://x.slack.com/archives/C1/p1",
                "created_by": "U1",
                "created_at": "2026-03-04T05:06:07.000890+00:00",
                "updated_at": "2026-03-04T05:06:07.000890+00:00",
                "resolved_at": None,
            }
        )
        assert json.dumps(case_schemas.mediation_as_dict(mediation)) == json.dumps(
            {
                "id": mediation.id,
                "engagement": "acme",
                "title": "Credits",
                "status": "open",
                "channel_id": "C1",
                "thread_ts": None,
                "deadline": "2026-04-02",
                "opened_by": "U2",
                "opened_at": "2026-03-04T05:06:07.000890+00:00",
                "updated_at": "2026-03-04T05:06:07.000890+00:00",
                "last_activity_at": "2026-03-04T05:06:07.000890+00:00",
                "outcome_text": None,
                "escalated_to": None,
                "related_issue_ids": [],
                "clause_refs": [],
                "client_agreed_by": None,
                "vendor_agreed_by": None,
            }
        )
        assert json.dumps(case_schemas.entry_as_dict(entry)) == json.dumps(
            {
                "id": entry.id,
                "issue_id": issue.id,
                "mediation_id": None,
                "kind": "created",
                "actor": "U1",
                "text": f"issue #{issue.id} raised: Invoices late",
                "data": {"severity": 2, "category": "billing", "side": "vendor"},
                "at": "2026-03-04T05:06:07.000890+00:00",
                "original_ts": None,
                "original_author": None,
            }
        )
