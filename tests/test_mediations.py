"""Mediations on SQLite and PostgreSQL: positions, evidence, agreement by both sides, outcomes, reminders' queries."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.db import session
from bot.mediation import lifecycle as mediations
from bot.mediation import queries
from bot.records import reminders as ledger
from bot.records.cases import MediationRecord, Position, TimelineEntry
from tests.conftest import at_once, count
from tests.test_cases import REF, kinds, new_issue, new_mediation


def test_positions_replace_earlier_ones_and_stay_in_the_timeline(db: Engine) -> None:
    issue = new_issue(db)
    mediation_id = new_mediation(db, related_issue_ids=[issue, issue], clause_refs=[REF], deadline=date(2026, 12, 1))
    with session(db) as s:
        mediation = queries.get_mediation(session=s, mediation_id=mediation_id)
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
        positions = queries.positions_of(session=s, mediation_id=mediation_id)
        assert {side: (p.author, p.text) for side, p in positions.items()} == {
            "client": ("U3", "Credits of 15%"),
            "vendor": ("U2", "Force majeure"),
        }
        timeline = queries.mediation_timeline(session=s, mediation_id=mediation_id)
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
        [entry] = [e for e in queries.mediation_timeline(session=s, mediation_id=mediation_id) if e.kind == "evidence"]
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
        again = queries.get_mediation(session=s, mediation_id=mediation_id)
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
        timeline = queries.mediation_timeline(session=s, mediation_id=mediation_id)
        assert queries.list_mediations(session=s, engagement="acme") == []
        assert [m.id for m in queries.list_mediations(session=s, engagement="acme", statuses=["closed"])] == [
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
            mediation = queries.get_mediation(session=s, mediation_id=mediation_id)
            assert mediation is not None
            assert (mediation.status, mediation.client_agreed_by, mediation.vendor_agreed_by) == (
                "agreed",
                "U-client",
                "U-vendor",
            )
            assert kinds(queries.mediation_timeline(session=s, mediation_id=mediation_id)).count("status") == 1


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
        timeline = queries.mediation_timeline(session=s, mediation_id=escalated_id)
        assert queries.list_mediations(session=s, engagement="acme") == []
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
        stale = queries.stale_mediations(session=s, now=now, idle=timedelta(days=2))
        assert [m.id for m in stale] == [quiet, overdue]
        assert [m.id for m in queries.stale_mediations(session=s, now=now, idle=timedelta(days=4))] == [quiet]
        assert [m.id for m in queries.due_soon(session=s, now=now, within=timedelta(days=3))] == [overdue, quiet]
        assert [m.id for m in queries.due_soon(session=s, now=now, within=timedelta(days=30))] == [
            overdue,
            quiet,
            busy,
        ]
        with pytest.raises(ValueError, match="aware"):
            queries.due_soon(session=s, now=now.replace(tzinfo=None), within=timedelta(days=1))
        assert ledger.note_reminder(session=s, mediation_id=quiet, key=f"{quiet}:stale:2026-11-20", text="nudge")
        assert ledger.note_reminder(session=s, mediation_id=quiet, key=f"{quiet}:stale:2026-11-20", text="x") is None
    with session(db) as s:  # a reminder is not activity
        assert [m.id for m in queries.stale_mediations(session=s, now=now, idle=timedelta(days=4))] == [quiet]
        # activity is
        mediations.state_position(session=s, mediation_id=quiet, side="client", author="U1", text="still waiting")
        assert queries.stale_mediations(session=s, now=now, idle=timedelta(days=4)) == []


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
        found = queries.mediation_in_thread(session=s, channel_id="C1", thread_ts="1700.5")
        assert found is not None and found.id == mediation_id
        assert queries.mediation_in_thread(session=s, channel_id="C2", thread_ts="1700.5") is None
