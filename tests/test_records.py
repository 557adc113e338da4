"""The database layer on SQLite (a temp file) and PostgreSQL (a fresh schema per test): migrations, records, races."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from bot import records
from bot.db import current_revision, head_revision, make_engine, normalise_url, session, upgrade
from bot.records.questions import (
    feedback_balance,
    first_question_in_thread,
    get_question,
    questions_since,
    record_feedback,
    record_question,
    set_answer_ts,
    unanswered_questions,
)
from bot.records.roles import grant_role, has_role, owners_of, revoke_role, roles_of
from bot.records.tables import (
    EPOCH,
    ChannelBinding,
    EngagementRole,
    Feedback,
    ProcessedEvent,
    QuestionRecord,
    insert_once,
)
from tests.conftest import at_once, count

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TABLES = {
    "channel_bindings",
    "engagement_roles",
    "questions",
    "feedback",
    "processed_events",
    "issues",
    "mediations",
    "timeline_entries",
    "positions",
    "digest_schedules",
    "digest_posts",
    "sla_levels",
    "sla_events",
    "sla_measurements",
    "sla_statements",
    "sla_fees",
    "sla_closings",
    "deadlines",
    "deadline_events",
    "deadline_settings",
    "deadline_reminders",
    "deadline_snoozes",
    "engagement_languages",
    "channel_languages",
}
ANSWER = {
    "found": True,
    "answer": "Here is what the MSA says:",
    "citations": [
        {"document": "msa.pdf", "title": "MSA", "section": "7.2", "page": 4, "quote": "15%", "start": 10, "end": 13}
    ],
    "nearest": [],
}


def ask(s: Session, source_key: str, *, engagement: str = "acme", found: bool = True, **kw: Any) -> QuestionRecord:
    fields: dict[str, Any] = {
        "side": "shared",
        "channel_id": "C1",
        "user_id": "U1",
        "thread_ts": None,
        "question": "what is the credit cap?",
        "mode": "extractive",
    }
    fields.update(kw)
    return record_question(
        session=s,
        source_key=source_key,
        engagement=engagement,
        answer_dict={**ANSWER, "found": found},
        found=found,
        **fields,
    )


def test_urls_are_normalised_to_psycopg_3() -> None:
    for url in (
        "postgres://u:secret@h:5433/d",
        "postgresql://u:secret@h:5433/d",
        "postgresql+psycopg://u:secret@h:5433/d",
    ):
        assert normalise_url(url).render_as_string(hide_password=False) == "postgresql+psycopg://u:secret@h:5433/d"
    assert normalise_url("sqlite:///x.db").drivername == "sqlite"
    assert make_engine("postgres://u@127.0.0.1:1/d").dialect.driver == "psycopg"


def test_sqlite_files_get_their_folder_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a' / 'b' / 'liaison.db'}"
    engine = make_engine(url)
    assert (tmp_path / "a" / "b").is_dir()
    upgrade(engine)  # switches foreign keys off for its run: they must be back on afterwards
    with engine.connect() as c1, engine.connect() as c2:  # two pooled connections, both set up
        for connection in (c1, c2):
            pragmas = [
                connection.exec_driver_sql(f"PRAGMA {p}").scalar()
                for p in ("journal_mode", "foreign_keys", "busy_timeout")
            ]
            assert pragmas == ["wal", 1, 5000]
            connection.rollback()  # every SQLite transaction is BEGIN IMMEDIATE: end it to let the other in
    with pytest.raises(IntegrityError), session(engine) as s:
        s.add(Feedback(question_id="no-such-question", user_id="U1", value=1))
    engine.dispose()
    upgrade(url)  # a URL works too, and a second run changes nothing
    assert current_revision(make_engine(url)) == head_revision()


def test_migrations_reach_head_and_match_the_models(blank: Engine) -> None:
    assert current_revision(blank) is None
    upgrade(blank)
    assert current_revision(blank) == head_revision() == "0008"
    assert set(inspect(blank).get_table_names()) == TABLES | {"alembic_version"}
    with blank.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrade_again_is_a_no_op(db: Engine) -> None:
    with session(db) as s:
        records.bind_channel(session=s, channel_id="C1", team_id="T1", engagement="acme", side="client", user_id="U1")
    upgrade(db)
    upgrade(db)
    assert current_revision(db) == head_revision()
    assert count(db, ChannelBinding) == 1


def test_concurrent_upgrades_take_turns(blank: Engine) -> None:
    at_once(3, lambda: upgrade(blank))
    assert current_revision(blank) == head_revision()
    with blank.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []


def test_a_session_rolls_back_when_its_block_raises(db: Engine) -> None:
    with pytest.raises(RuntimeError), session(db) as s:
        records.bind_channel(session=s, channel_id="C1", team_id="T1", engagement="acme", side="client", user_id="U1")
        raise RuntimeError("handler failed")
    assert count(db, ChannelBinding) == 0


# Channels and roles


def test_bind_and_rebind_a_channel(db: Engine) -> None:
    with session(db) as s:
        first = records.bind_channel(
            session=s, channel_id="C1", team_id="T1", engagement="acme", side="client", user_id="U1"
        )
        assert (first.engagement, first.side, first.bound_by) == ("acme", "client", "U1")
    with session(db) as s:
        records.bind_channel(session=s, channel_id="C1", team_id="T1", engagement="globex", side="vendor", user_id="U2")
    with session(db) as s:
        binding = records.binding_for(session=s, channel_id="C1")
        assert binding is not None
        assert (binding.engagement, binding.side, binding.bound_by) == ("globex", "vendor", "U2")
        assert binding.bound_at.tzinfo is not None and binding.bound_at.utcoffset() == timedelta(0)
        assert records.binding_for(session=s, channel_id="C2") is None
        with pytest.raises(ValueError, match="side"):
            records.bind_channel(session=s, channel_id="C2", team_id="T1", engagement="acme", side="both", user_id="U1")
    assert count(db, ChannelBinding) == 1
    with session(db) as s:
        assert records.unbind_channel(session=s, channel_id="C1") is True
        assert records.unbind_channel(session=s, channel_id="C1") is False
        assert records.binding_for(session=s, channel_id="C1") is None


def test_roles_are_granted_once_and_checked(db: Engine) -> None:
    with session(db) as s:
        grant = grant_role(session=s, engagement="acme", user_id="U1", role="admin", granted_by="cli")
        again = grant_role(session=s, engagement="acme", user_id="U1", role="admin", granted_by="U9")
        assert again.id == grant.id and again.granted_by == "cli"
        grant_role(session=s, engagement="acme", user_id="U2", role="mediator", granted_by="U1")
        grant_role(session=s, engagement="acme", user_id="U3", role="client-owner", granted_by="U1")
        grant_role(session=s, engagement="globex", user_id="U1", role="owner", granted_by="cli")
        with pytest.raises(ValueError, match="role"):
            grant_role(session=s, engagement="acme", user_id="U1", role="superuser", granted_by="cli")
    with session(db) as s:
        assert has_role(session=s, engagement="acme", user_id="U1", roles=["admin"])
        assert has_role(session=s, engagement="acme", user_id="U1", roles=("mediator", "admin"))
        assert has_role(session=s, engagement="acme", user_id="U1", roles="admin")  # one name, not letters
        assert not has_role(session=s, engagement="acme", user_id="U2", roles=["admin"])
        assert not has_role(session=s, engagement="initech", user_id="U1", roles=["admin"])
        assert not has_role(session=s, engagement="acme", user_id="U1", roles=[])
        assert [(r.engagement, r.role) for r in roles_of(session=s, user_id="U1")] == [
            ("acme", "admin"),
            ("globex", "owner"),
        ]
        assert owners_of(session=s, engagement="acme") == ["U1", "U3"]
        assert revoke_role(session=s, engagement="acme", user_id="U3", role="client-owner")
        assert not revoke_role(session=s, engagement="acme", user_id="U3", role="client-owner")
        assert owners_of(session=s, engagement="acme") == ["U1"]
    assert count(db, EngagementRole) == 3


# Slack events


def test_an_event_is_claimed_once(db: Engine) -> None:
    with session(db) as s:
        assert records.claim_event(session=s, key="event:Ev1") is True
        assert records.claim_event(session=s, key="event:Ev1") is False
        assert records.claim_event(session=s, key="event:Ev2") is True
    with session(db) as s:
        assert records.claim_event(session=s, key="event:Ev1") is False
        assert records.forget_events(session=s, before=datetime.now(UTC) + timedelta(seconds=1)) == 2
        assert records.claim_event(session=s, key="event:Ev1") is True


def test_a_duplicate_insert_leaves_the_session_usable(db: Engine) -> None:
    with session(db) as s:
        records.bind_channel(session=s, channel_id="C1", team_id="T1", engagement="acme", side="client", user_id="U1")
        row = {"key": "k", "received_at": datetime.now(UTC)}
        assert insert_once(s, ProcessedEvent, row, key=("key",)) is True
        assert insert_once(s, ProcessedEvent, row, key=("key",)) is False  # ON CONFLICT (key) DO NOTHING
        records.bind_channel(session=s, channel_id="C2", team_id="T1", engagement="acme", side="vendor", user_id="U1")
    assert count(db, ChannelBinding) == 2 and count(db, ProcessedEvent) == 1


def test_only_a_conflict_on_the_idempotency_key_is_a_duplicate(db: Engine) -> None:
    values = {
        "id": "q1",
        "source_key": "event:E1",
        "engagement": "acme",
        "side": "client",
        "channel_id": "C1",
        "user_id": "U1",
        "question": "q",
        "answer": "a",
        "found": True,
        "mode": "llm",
        "citations": [],
        "asked_at": datetime.now(UTC),
    }
    with session(db) as s:
        assert insert_once(s, QuestionRecord, values, key=("source_key",)) is True
        assert insert_once(s, QuestionRecord, {**values, "id": "q2"}, key=("source_key",)) is False
    with session(db) as s, pytest.raises(IntegrityError):  # the same id under a new key is no retry: it raises
        insert_once(s, QuestionRecord, {**values, "source_key": "event:E2"}, key=("source_key",))
    assert count(db, QuestionRecord) == 1


def test_threads_claiming_one_event_at_once_get_one_true(db: Engine) -> None:
    def claim() -> bool:
        with session(db) as s:
            return records.claim_event(session=s, key="event:race")

    assert sorted(at_once(4, claim)) == [False, False, False, True]
    assert count(db, ProcessedEvent) == 1


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_a_claim_waits_for_a_concurrent_uncommitted_claim(db: Engine, outcome: str) -> None:
    def claim_and_keep_working() -> bool:
        with session(db) as s:
            claimed = records.claim_event(session=s, key="event:slow")
            s.exec(select(ProcessedEvent)).all()  # still usable after losing
            return claimed

    with ThreadPoolExecutor(1) as executor:
        with session(db) as s:
            assert records.claim_event(session=s, key="event:slow")
            other = executor.submit(claim_and_keep_working)
            time.sleep(0.3)
            assert not other.done()  # blocked behind our uncommitted claim
            if outcome == "rollback":
                s.rollback()
        assert other.result(timeout=10) is (outcome == "rollback")
    assert count(db, ProcessedEvent) == 1


# Questions and feedback


def test_a_question_is_recorded_once_per_source_key(db: Engine) -> None:
    with session(db) as s:
        first = ask(s, "event:Ev1", thread_ts="1.0001")
        again = ask(s, "event:Ev1", thread_ts="1.0001", question="asked twice by a Slack retry")
        assert again.id == first.id and again.question == "what is the credit cap?"
        ask(s, "event:Ev2", thread_ts="1.0001", question="and the floor?")
    with session(db) as s:
        row = get_question(session=s, question_id=first.id)
        assert row is not None and row.citations == ANSWER["citations"] and row.answer == ANSWER["answer"]
        assert row.found is True and row.answered_ts is None and len(row.id) == 32
        assert row.asked_at.utcoffset() == timedelta(0)
        set_answer_ts(session=s, question_id=first.id, ts="1.0002")
        assert get_question(session=s, question_id="nope") is None
        with pytest.raises(LookupError):
            set_answer_ts(session=s, question_id="nope", ts="1.0")
    with session(db) as s:
        assert get_question(session=s, question_id=first.id).answered_ts == "1.0002"  # type: ignore[union-attr]
        thread_first = first_question_in_thread(session=s, channel_id="C1", thread_ts="1.0001")
        assert thread_first is not None and thread_first.id == first.id
        assert first_question_in_thread(session=s, channel_id="C1", thread_ts="9.9") is None
    assert count(db, QuestionRecord) == 2


def test_threads_recording_one_question_at_once_share_one_row(db: Engine) -> None:
    def record() -> str:
        with session(db) as s:
            return ask(s, "cmd:trigger-1").id

    ids = at_once(4, record)
    assert len(set(ids)) == 1
    assert count(db, QuestionRecord) == 1


def test_a_second_click_changes_the_vote(db: Engine) -> None:
    with session(db) as s:
        question = ask(s, "event:Ev1")
        up = record_feedback(session=s, question_id=question.id, user_id="U1", value=1)
    with session(db) as s:
        down = record_feedback(session=s, question_id=question.id, user_id="U1", value=-1)
        assert down.id == up.id and down.value == -1
        record_feedback(session=s, question_id=question.id, user_id="U2", value=1)
        with pytest.raises(ValueError):
            record_feedback(session=s, question_id=question.id, user_id="U3", value=0)
        with pytest.raises(LookupError):
            record_feedback(session=s, question_id="nope", user_id="U3", value=1)
        assert feedback_balance(session=s, engagement="acme", since=EPOCH) == (1, 1)
    assert count(db, Feedback) == 2


def test_deleting_a_question_deletes_its_feedback(db: Engine) -> None:
    with session(db) as s:
        question = ask(s, "event:Ev1")
        kept = ask(s, "event:Ev2")
        for q in (question, kept):
            record_feedback(session=s, question_id=q.id, user_id="U1", value=1)
    with session(db) as s:
        s.delete(s.get_one(QuestionRecord, question.id))
    with session(db) as s:
        assert [f.question_id for f in s.exec(select(Feedback)).all()] == [kept.id]


def test_digest_queries_filter_by_engagement_and_time(db: Engine) -> None:
    now = datetime.now(UTC)
    week_ago, long_ago = now - timedelta(days=7), now - timedelta(days=30)
    with session(db) as s:
        old = ask(s, "e1", found=False)
        recent = ask(s, "e2", found=False)
        answered = ask(s, "e3", found=True)
        elsewhere = ask(s, "e4", found=False, engagement="globex")
        old.asked_at = long_ago
        s.add(old)
        for q, user, value in (
            (old, "U1", 1),
            (recent, "U1", -1),
            (answered, "U1", 1),
            (answered, "U2", 1),
            (elsewhere, "U1", -1),
        ):
            record_feedback(session=s, question_id=q.id, user_id=user, value=value)
        stale = record_feedback(session=s, question_id=old.id, user_id="U1", value=1)
        stale.given_at = long_ago
        s.add(stale)
    with session(db) as s:
        unanswered = unanswered_questions(session=s, engagement="acme", since=week_ago)
        assert [q.id for q in unanswered] == [recent.id]
        assert [q.id for q in unanswered_questions(session=s, engagement="acme", since=EPOCH)] == [
            old.id,
            recent.id,
        ]
        assert [q.id for q in questions_since(session=s, engagement="acme", since=week_ago)] == [
            recent.id,
            answered.id,
        ]
        assert feedback_balance(session=s, engagement="acme", since=week_ago) == (2, 1)
        assert feedback_balance(session=s, engagement="acme", since=EPOCH) == (3, 1)
        assert feedback_balance(session=s, engagement="globex", since=week_ago) == (0, 1)
        assert feedback_balance(session=s, engagement="initech", since=week_ago) == (0, 0)
        assert unanswered[0].asked_at.tzinfo is not None
