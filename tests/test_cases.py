"""The issue log and mediations on SQLite (a temp file) and PostgreSQL (a fresh schema per test), and their CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from bot import cases, issues, mediations
from bot.cases import IssueRecord, MediationRecord, Position, TimelineEntry
from bot.cli_cases import GROUPS
from bot.db import current_revision, make_engine, session, upgrade
from tests.conftest import at_once, count

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CASE_TABLES = {"issues", "mediations", "timeline_entries", "positions"}
REF = {"document": "msa.pdf", "section": "7.2", "quote": "credits capped at 15%", "start": 10, "end": 31}


def new_issue(engine: Engine, **kw: Any) -> int:
    fields: dict[str, Any] = {"engagement": "acme", "title": "Invoices late", "created_by": "U1"}
    fields.update(kw)
    with session(engine) as s:
        issue = issues.create_issue(session=s, **fields)
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
        issues.create_issue(session=s, **fields)
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


# Mediations


def test_positions_replace_earlier_ones_and_stay_in_the_timeline(db: Engine) -> None:
    issue = new_issue(db)
    mediation_id = new_mediation(db, related_issue_ids=[issue, issue], clause_refs=[REF], deadline=date(2026, 12, 1))
    with session(db) as s:
        mediation = mediations.get_mediation(session=s, mediation_id=mediation_id)
        assert mediation is not None and mediation.related_issue_ids == [issue] and mediation.clause_refs == [REF]
        mediations.state_position(
            session=s, mediation_id=mediation_id, side="client", author="U1", text="Credits are due"
        )
        mediations.state_position(
            session=s, mediation_id=mediation_id, side="vendor", author="U2", text="Force majeure"
        )
    with session(db) as s:
        mediations.state_position(
            session=s, mediation_id=mediation_id, side="client", author="U3", text="Credits of 15%", evidence="p. 4"
        )
        positions = mediations.positions_of(session=s, mediation_id=mediation_id)
        assert {side: (p.author, p.text) for side, p in positions.items()} == {
            "client": ("U3", "Credits of 15%"),
            "vendor": ("U2", "Force majeure"),
        }
        timeline = mediations.mediation_timeline(session=s, mediation_id=mediation_id)
        with pytest.raises(ValueError, match="side"):
            mediations.state_position(session=s, mediation_id=mediation_id, side="shared", author="U1", text="x")
    assert count(db, Position) == 2
    assert kinds(timeline) == ["created", "position", "position", "position"]
    assert timeline[-1].data["previous"]["text"] == "Credits are due"
    with session(db) as s, pytest.raises(LookupError):
        mediations.open_mediation(
            session=s, engagement="globex", title="t", channel_id="C", opened_by="U", related_issue_ids=[issue]
        )


def test_evidence_is_added_once(db: Engine) -> None:
    mediation_id = new_mediation(db)

    def pin(actor: str = "U9") -> int | None:
        with session(db) as s:
            entry = mediations.add_evidence(
                session=s, mediation_id=mediation_id, channel_id="C1", message_ts="1700.1", author="U2",
                text="We shipped on the 3rd", actor=actor,
            )  # fmt: skip
            return None if entry is None else entry.id

    first = pin()
    assert first is not None and pin("U8") is None
    with session(db) as s:
        [entry] = [
            e for e in mediations.mediation_timeline(session=s, mediation_id=mediation_id) if e.kind == "evidence"
        ]
        assert (entry.original_ts, entry.original_author, entry.actor) == ("1700.1", "U2", "U9")
        assert entry.source_key == "evidence:C1:1700.1"

    def pin_other() -> int | None:
        with session(db) as s:
            entry = mediations.add_evidence(
                session=s, mediation_id=mediation_id, channel_id="C1", message_ts="1700.2", author="U2", text="x",
                actor="U9",
            )  # fmt: skip
            return None if entry is None else entry.id

    results = at_once(4, pin_other)
    assert sum(r is not None for r in results) == 1
    assert count(db, TimelineEntry) == 3  # created + two pieces of evidence


def test_both_sides_must_agree_before_closing(db: Engine) -> None:
    mediation_id = new_mediation(db)
    with session(db) as s:
        with pytest.raises(ValueError, match="both sides must agree"):
            mediations.close_mediation(session=s, mediation_id=mediation_id, actor="U1")
        proposal = mediations.record_proposal(session=s, mediation_id=mediation_id, actor="M1", text="10% credit")
        assert proposal.status == "proposal"
        mediation = mediations.agree(session=s, mediation_id=mediation_id, side="client", user_id="U1")
        assert (mediation.status, mediation.client_agreed_by, mediation.vendor_agreed_by) == ("proposal", "U1", None)
        with pytest.raises(ValueError, match="both sides must agree"):
            mediations.close_mediation(session=s, mediation_id=mediation_id, actor="U1")
        mediations.agree(session=s, mediation_id=mediation_id, side="client", user_id="U5")  # again: no change
        # a new proposal needs fresh agreement
        mediations.record_proposal(session=s, mediation_id=mediation_id, actor="M1", text="12% credit")
        again = mediations.get_mediation(session=s, mediation_id=mediation_id)
        assert again is not None and again.client_agreed_by is None and again.outcome_text == "12% credit"
        mediations.agree(session=s, mediation_id=mediation_id, side="vendor", user_id="U2")
        agreed = mediations.agree(session=s, mediation_id=mediation_id, side="client", user_id="U1")
        assert agreed.status == "agreed"
        assert mediations.agree(session=s, mediation_id=mediation_id, side="vendor", user_id="U2").status == "agreed"
        with pytest.raises(ValueError, match="agreed"):
            mediations.state_position(session=s, mediation_id=mediation_id, side="client", author="U1", text="more")
        closed = mediations.close_mediation(session=s, mediation_id=mediation_id, actor="M1")
        assert closed.status == "closed" and closed.outcome_text == "12% credit"
        assert mediations.close_mediation(session=s, mediation_id=mediation_id, actor="M1").status == "closed"
        timeline = mediations.mediation_timeline(session=s, mediation_id=mediation_id)
        assert mediations.list_mediations(session=s, engagement="acme") == []
        assert [m.id for m in mediations.list_mediations(session=s, engagement="acme", statuses=["closed"])] == [
            mediation_id
        ]
    statuses = [e.text for e in timeline if e.kind == "status"]
    assert statuses == [
        "status: open -> proposal",
        "status: proposal -> agreed (both sides agreed)",
        "status: agreed -> closed",
    ]
    assert kinds(timeline)[-1] == "summary" and timeline[-1].text == "12% credit"


def agree_both_at_once(db: Engine, mediation_id: int) -> list[str]:
    """Client and vendor agree in two threads (two sessions) released together: the statuses they saw."""
    sides = iter(["client", "vendor"])
    lock = threading.Lock()

    def agree() -> str:
        with lock:
            side = next(sides)
        with session(db) as s:
            return mediations.agree(session=s, mediation_id=mediation_id, side=side, user_id=f"U-{side}").status

    return at_once(2, agree)


def test_two_agrees_at_once_both_land(db: Engine) -> None:
    for _ in range(3):
        mediation_id = new_mediation(db)
        assert sorted(agree_both_at_once(db, mediation_id)) == ["agreed", "open"]
        with session(db) as s:
            mediation = mediations.get_mediation(session=s, mediation_id=mediation_id)
            assert mediation is not None
            assert (mediation.status, mediation.client_agreed_by, mediation.vendor_agreed_by) == (
                "agreed",
                "U-client",
                "U-vendor",
            )
            assert kinds(mediations.mediation_timeline(session=s, mediation_id=mediation_id)).count("status") == 1


def test_escalate_and_withdraw(db: Engine) -> None:
    escalated_id = new_mediation(db)
    withdrawn_id = new_mediation(db, title="Overtime rates")
    with session(db) as s:
        escalated = mediations.escalate(
            session=s, mediation_id=escalated_id, actor="M1", reason="deadlock", to="steering committee"
        )
        assert (escalated.status, escalated.escalated_to) == ("escalated", "steering committee")
        with pytest.raises(ValueError, match="escalated"):
            mediations.agree(session=s, mediation_id=escalated_id, side="client", user_id="U1")
        assert mediations.close_mediation(session=s, mediation_id=escalated_id, actor="M1").status == "closed"
        assert (
            mediations.withdraw(session=s, mediation_id=withdrawn_id, actor="U1", reason="settled").status
            == "withdrawn"
        )
        with pytest.raises(ValueError, match="withdrawn"):
            mediations.escalate(session=s, mediation_id=withdrawn_id, actor="M1", reason="", to="x")
        timeline = mediations.mediation_timeline(session=s, mediation_id=escalated_id)
        assert mediations.list_mediations(session=s, engagement="acme") == []
        with pytest.raises(LookupError):
            mediations.escalate(session=s, mediation_id=999, actor="M1", reason="", to="x")
    assert [e.text for e in timeline if e.kind == "status"][
        0
    ] == "status: open -> escalated (to steering committee: deadlock)"


def test_stale_and_due_soon_with_a_fixed_now(db: Engine) -> None:
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    quiet = new_mediation(db, title="quiet", deadline=date(2026, 11, 22))
    busy = new_mediation(db, title="busy", deadline=date(2026, 12, 20))
    overdue = new_mediation(db, title="overdue", deadline=date(2026, 11, 1))
    done = new_mediation(db, title="done", deadline=date(2026, 11, 21))
    with session(db) as s:
        for mediation_id, last in ((quiet, now - timedelta(days=5)), (busy, now - timedelta(hours=2))):
            row = s.get_one(MediationRecord, mediation_id)
            row.last_activity_at = last
        s.get_one(MediationRecord, overdue).last_activity_at = now - timedelta(days=3)
        s.get_one(MediationRecord, done).last_activity_at = now - timedelta(days=9)
        mediations.withdraw(session=s, mediation_id=done, actor="U1")
        s.get_one(MediationRecord, done).last_activity_at = now - timedelta(days=9)
    with session(db) as s:
        stale = mediations.stale_mediations(session=s, now=now, idle=timedelta(days=2))
        assert [m.id for m in stale] == [quiet, overdue]
        assert [m.id for m in mediations.stale_mediations(session=s, now=now, idle=timedelta(days=4))] == [quiet]
        assert [m.id for m in mediations.due_soon(session=s, now=now, within=timedelta(days=3))] == [overdue, quiet]
        assert [m.id for m in mediations.due_soon(session=s, now=now, within=timedelta(days=30))] == [
            overdue,
            quiet,
            busy,
        ]
        with pytest.raises(ValueError, match="aware"):
            mediations.due_soon(session=s, now=now.replace(tzinfo=None), within=timedelta(days=1))
        assert mediations.note_reminder(session=s, mediation_id=quiet, key=f"{quiet}:stale:2026-11-20", text="nudge")
        assert (
            mediations.note_reminder(session=s, mediation_id=quiet, key=f"{quiet}:stale:2026-11-20", text="x") is None
        )
    with session(db) as s:  # a reminder is not activity
        assert [m.id for m in mediations.stale_mediations(session=s, now=now, idle=timedelta(days=4))] == [quiet]
        # activity is
        mediations.state_position(session=s, mediation_id=quiet, side="client", author="U1", text="still waiting")
        assert mediations.stale_mediations(session=s, now=now, idle=timedelta(days=4)) == []


def test_deleting_a_mediation_cascades_and_entries_need_a_subject(db: Engine) -> None:
    mediation_id = new_mediation(db)
    with session(db) as s:
        mediations.state_position(session=s, mediation_id=mediation_id, side="vendor", author="U2", text="no")
    with session(db) as s:
        s.delete(s.get_one(MediationRecord, mediation_id))
    assert count(db, TimelineEntry) == 0 and count(db, Position) == 0
    with pytest.raises(IntegrityError), session(db) as s:
        s.add(TimelineEntry(kind="comment", actor="U1", text="orphan"))


def test_a_thread_finds_its_mediation(db: Engine) -> None:
    mediation_id = new_mediation(db, source_key="view:V9")
    assert new_mediation(db, source_key="view:V9") == mediation_id
    with session(db) as s:
        mediations.set_mediation_thread(session=s, mediation_id=mediation_id, thread_ts="1700.5", header_ts="1700.5")
    with session(db) as s:
        found = mediations.mediation_in_thread(session=s, channel_id="C1", thread_ts="1700.5")
        assert found is not None and found.id == mediation_id
        assert mediations.mediation_in_thread(session=s, channel_id="C2", thread_ts="1700.5") is None


# CLI


@pytest.fixture
def liaison(database: tuple[Engine, str], tmp_path: Path) -> Callable[..., Any]:
    group = click.Group("liaison")
    for command in GROUPS:
        group.add_command(command)
    url = database[1]
    env = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": "" if url.startswith("sqlite") else url}

    def run(*args: str, code: int = 0) -> Any:
        result = CliRunner().invoke(group, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return run


def test_cli_adds_lists_and_exports_issues(liaison: Callable[..., Any], tmp_path: Path) -> None:
    added = json.loads(
        liaison(
            "issues", "add", "-e", "Acme", "--title", "Queue over SLA", "--severity", "1", "--side", "client",
            "--category", "customer-service", "--owner", "U7", "--due", "2026-12-01", "--json",
        ).stdout
    )  # fmt: skip
    assert (added["engagement"], added["severity"], added["office"], added["due"]) == ("acme", 1, "front", "2026-12-01")
    second = liaison("issues", "add", "-e", "acme", "-t", "Invoice typo", "--severity", "4", "--category", "billing")
    assert "logged issue #" in second.stdout
    liaison("issues", "add", "-e", "acme", "-t", "x", "--due", "soon", code=2)
    liaison("issues", "add", "-e", "acme", "-t", "x", "--severity", "9", code=2)

    listed = json.loads(liaison("issues", "list", "-e", "acme", "--json").stdout)["issues"]
    assert [i["title"] for i in listed] == ["Queue over SLA", "Invoice typo"]
    first = listed[0]
    assert {"id", "title", "status", "severity", "category", "side", "owner", "due", "created_at", "updated_at"} <= set(
        first
    )
    assert (first["side"], first["owner"], first["status"]) == ("client", "U7", "open")
    assert datetime.fromisoformat(first["created_at"]).utcoffset() == timedelta(0)
    assert "Queue over SLA" in liaison("issues", "list", "-e", "acme").stdout
    assert json.loads(liaison("issues", "list", "-e", "globex", "--json").stdout) == {"issues": []}

    rows = list(csv.DictReader(io.StringIO(liaison("export", "issues", "-e", "acme", "--format", "csv").stdout)))
    assert [r["title"] for r in rows] == ["Queue over SLA", "Invoice typo"]
    assert (rows[0]["severity"], rows[0]["due"], rows[1]["owner"], rows[1]["clause_refs"]) == (
        "1",
        "2026-12-01",
        "",
        "[]",
    )
    out = tmp_path / "out" / "issues.json"
    liaison("export", "issues", "-e", "acme", "--format", "json", "--output", str(out))
    exported = json.loads(out.read_text())
    assert [i["id"] for i in exported] == [i["id"] for i in listed]
    csv_file = tmp_path / "issues.csv"
    liaison("export", "issues", "-e", "acme", "--format", "csv", "-o", str(csv_file))
    assert csv_file.read_text().splitlines()[0].startswith("id,engagement,title,")


def test_cli_lists_mediations(liaison: Callable[..., Any], database: tuple[Engine, str], tmp_path: Path) -> None:
    assert json.loads(liaison("mediations", "list", "-e", "acme", "--json").stdout) == {"mediations": []}
    engine, url = database
    if url.startswith("sqlite"):  # the CLI's own SQLite file
        engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'liaison.db'}")
    with session(engine) as s:
        mediations.open_mediation(
            session=s, engagement="acme", title="Credits", channel_id="C1", opened_by="U1", deadline=date(2026, 12, 1)
        )
    listed = json.loads(liaison("mediations", "list", "-e", "acme", "--json").stdout)["mediations"]
    assert [(m["title"], m["status"], m["deadline"]) for m in listed] == [("Credits", "open", "2026-12-01")]
    assert "Credits" in liaison("mediations", "list", "-e", "acme").stdout
