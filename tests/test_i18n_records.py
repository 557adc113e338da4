"""The records Liaison writes itself are shown in the reader's language (issue #14): an issue's and a mediation's
timeline entries worded again from their kind and data (`bot.issues.timeline`), people's words as written, older
rows without the data as stored; and a kept credit statement's total said again from its parts. What is stored
stays the English record.

Real records on SQLite (and PostgreSQL where it runs), through the same workflows as the issue and SLA tests."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.engine import Engine

from bot import issues
from bot.db import session
from bot.i18n import speaking
from bot.issues.timeline import entry_text
from bot.mediation import lifecycle as mediations
from bot.mediation import queries
from bot.records import case_schemas, cases
from bot.records import sla as sla_records
from bot.records.case_schemas import IssueCreate
from bot.sla import measures
from bot.sla.totals import TOTAL_KEY, Total, total_working_of
from bot.slack.blocks.issues import issue_card_blocks
from tests.test_digest_sla import SPEED, with_register

REF = {"document": "msa.pdf", "section": "7.2", "quote": "credits capped at 15%", "start": 10, "end": 31}


def _issue_with_history(db: Engine) -> int:
    """An issue raised, acknowledged, resolved with a note, a clause attached and a comment."""
    with session(db) as s:
        issue = issues.create_issue(
            session=s, issue_in=IssueCreate(engagement="acme", title="Refunds posted late", created_by="U1")
        )
        assert issue.id is not None
        issues.set_issue_status(session=s, issue_id=issue.id, status="acknowledged", actor="U2")
        issues.set_issue_status(session=s, issue_id=issue.id, status="in-progress", actor="U2", note="ledger fix")
        assert issues.attach_clause(session=s, issue_id=issue.id, ref=REF, actor="U1")
        issues.comment_on_issue(session=s, issue_id=issue.id, actor="U1", text="confirmed on our side")
        return issue.id


def _timeline(db: Engine, issue_id: int) -> list[cases.TimelineEntry]:
    with session(db) as s:
        return issues.issue_timeline(session=s, issue_id=issue_id)


def test_an_issues_timeline_in_italian_and_as_stored_in_english(db: Engine) -> None:
    issue_id = _issue_with_history(db)
    timeline = _timeline(db, issue_id)
    english = [
        f"issue #{issue_id} raised: Refunds posted late",
        "status: open -> acknowledged",
        "status: acknowledged -> in-progress (ledger fix)",
        "clause attached: msa.pdf 7.2",
        "confirmed on our side",
    ]
    assert [e.text for e in timeline] == english  # the record: English
    assert [entry_text(e) for e in timeline] == english  # an English reader reads it word for word
    with speaking("it"):
        assert [entry_text(e) for e in timeline] == [
            f"segnalazione #{issue_id} aperta: Refunds posted late",  # the title is the person's
            "stato: aperta -> presa in carico",
            "stato: presa in carico -> in corso (ledger fix)",  # the note is the person's
            "clausola allegata: msa.pdf 7.2",
            "confirmed on our side",  # a comment keeps the person's words
        ]
        shown = [entry_text(case_schemas.entry_as_dict(e)) for e in timeline]  # the JSON the transports get
        assert shown[1] == "stato: aperta -> presa in carico" and shown[-1] == "confirmed on our side"
    assert [e.text for e in _timeline(db, issue_id)] == english  # reading changed nothing


def test_the_issue_cards_history_is_in_the_readers_language(db: Engine) -> None:
    issue_id = _issue_with_history(db)
    with session(db) as s:
        issue = issues.get_issue(session=s, issue_id=issue_id)
        assert issue is not None
        card = case_schemas.issue_as_dict(issue)
    history = [case_schemas.entry_as_dict(e) for e in _timeline(db, issue_id)]
    with speaking("it"):
        it = str(issue_card_blocks(card, user="U1", history=history))
    en = str(issue_card_blocks(card, user="U1", history=history))
    assert "stato: aperta \u2192 presa in carico" in it and "clausola allegata: msa.pdf 7.2" in it
    assert "confirmed on our side" in it and "status: open" not in it
    assert "status: open \u2192 acknowledged" in en and "clause attached: msa.pdf 7.2" in en


def test_a_mediations_timeline_in_italian_keeps_the_parties_words(db: Engine) -> None:
    with session(db) as s:
        mediation = mediations.open_mediation(
            session=s, engagement="acme", title="SLA credits for March", channel_id="C1", opened_by="U1"
        )
        assert mediation.id is not None
        mid = mediation.id
        mediations.state_position(session=s, mediation_id=mid, side="client", author="U1", text="Credits are due")
        mediations.record_proposal(session=s, mediation_id=mid, actor="M1", text="12% credit")
        mediations.agree(session=s, mediation_id=mid, side="client", user_id="U1")
        mediations.agree(session=s, mediation_id=mid, side="vendor", user_id="U2")
        mediations.escalate(session=s, mediation_id=mid, actor="M1", reason="board review", to="Maria Rossi")
        timeline = queries.mediation_timeline(session=s, mediation_id=mid)
    english = [e.text for e in timeline]
    assert english == [
        f"mediation #{mid} opened: SLA credits for March",
        "Credits are due",
        "status: open -> proposal",
        "12% credit",
        "client agreed",
        "vendor agreed",
        "status: proposal -> agreed (both sides agreed)",
        "status: agreed -> escalated (to Maria Rossi: board review)",
    ]
    assert [entry_text(e) for e in timeline] == english
    with speaking("it"):
        assert [entry_text(e) for e in timeline] == [
            f"mediazione #{mid} avviata: SLA credits for March",
            "Credits are due",  # a position: the side's words
            "stato: aperta -> proposta",
            "12% credit",  # a proposal: the person's words
            "il cliente ha accettato",
            "il fornitore ha accettato",
            "stato: proposta -> concordata (entrambe le parti hanno accettato)",
            "stato: concordata -> in escalation (a Maria Rossi: board review)",
        ]


def test_an_entry_without_the_data_to_word_it_again_is_shown_as_stored(db: Engine) -> None:
    with session(db) as s:
        issue = issues.create_issue(session=s, issue_in=IssueCreate(engagement="acme", title="Late", created_by="U1"))
        assert issue.id is not None
        rows = [  # as an older Liaison wrote them (the words, no data), and a proposal (a person's words)
            ("status", "status: open -> acknowledged", {}),
            ("comment", "clause attached: msa.pdf 7.2", {}),
            ("created", "issue raised: Late", {}),
            ("outcome", "a proposal", {"side": "vendor", "proposal": True}),
        ]
        older = [
            cases.add_entry(s, kind=kind, actor="U1", text=text, data=data, issue_id=issue.id)
            for kind, text, data in rows
        ]
    with speaking("it"):
        assert [entry_text(e) for e in older] == [e.text for e in older]
        assert entry_text({"kind": "status", "text": "status: x", "data": {"from": "open"}}) == "status: x"
        assert entry_text({"kind": "comment", "text": "as typed", "data": {"corrected": {"period": "2026-10"}}}) == (
            "as typed"
        )


def test_a_breach_corrected_to_a_value_that_meets_is_said_in_italian(db: Engine) -> None:
    with_register(db)  # October's speed of answer, 76.4%, missed: a breach issue
    with session(db) as s:
        reported = measures.report(s, engagement="acme", ref=SPEED, period="2026-10", value="85.5", actor="U1")
        assert reported.met
        [breach] = issues.list_issues(session=s, engagement="acme")
        assert breach.id is not None
        corrected = issues.issue_timeline(session=s, issue_id=breach.id)[-1]
    assert corrected.kind == "comment" and corrected.text == "2026-10 corrected to 85.5% vs >= 80%: met."
    assert entry_text(corrected) == corrected.text
    with speaking("it"):
        assert entry_text(corrected) == "2026-10 corretto a 85,5% rispetto a >= 80%: rispettato."


def test_credits_attached_as_evidence_say_their_heading_and_total_in_italian(db: Engine) -> None:
    with_register(db)  # October's credits kept on USD 800,000
    with session(db) as s:
        kept = sla_records.statement_of(s, engagement="acme", period="2026-10")
        assert kept is not None
        statement = dict(kept.result)
    entry = {
        "kind": "evidence",
        "text": "Service credits for 2026-10:\n" + "\n".join(f"\u2022 {line}" for line in statement["working"]),
        "data": {"sla_credits": statement, "period": "2026-10", "fees": "800000", "currency": "USD"},
        "mediation_id": 1,
    }
    assert entry_text(entry) == entry["text"]
    with speaking("it"):
        said = entry_text(entry)
    assert said.startswith("Crediti di servizio per 2026-10:\n\u2022 ")
    assert said.endswith("\u2022 " + _italian_total(statement))
    assert statement["working"][0] in said  # a line's working as kept


def test_a_mediation_case_carries_its_evidence_data_for_the_summary_to_word_it(db: Engine) -> None:
    data = {"sla_credits": {"working": ["SL1 missed"]}, "period": "2026-10", "fees": "800000", "currency": "USD"}
    with session(db) as s:
        mediation = mediations.open_mediation(
            session=s, engagement="acme", title="October credits", channel_id="C1", opened_by="U1"
        )
        assert mediation.id is not None
        mediations.add_record_evidence(
            session=s,
            mediation_id=mediation.id,
            key="credits:acme:2026-10",
            text="Service credits",
            data=data,
            actor="M1",
        )
        case = queries.mediation_case(session=s, mediation_id=mediation.id)
    assert case is not None
    assert case["evidence"][0]["data"] == data and case["evidence"][0]["text"] == "Service credits"


def _italian_total(statement: dict[str, object]) -> str:
    with speaking("it"):
        return total_working_of(statement)


def test_a_kept_total_is_said_again_from_its_parts_and_an_older_one_as_stored(db: Engine) -> None:
    with_register(db)
    with session(db) as s:
        kept = sla_records.statement_of(s, engagement="acme", period="2026-10")
        assert kept is not None
        statement = dict(kept.result)
    english = statement["total_working"]
    assert english.startswith("Total 2% of USD 800,000 = USD 16,000")
    assert total_working_of(statement) == english  # from the parts, word for word
    parts = statement[TOTAL_KEY]
    assert Total.from_dict(parts).as_dict() == parts and Decimal(parts["amount"]) == Decimal(16000)
    with speaking("it"):
        italian = total_working_of(statement)
        assert italian.startswith("Totale 2% di USD 800.000 = USD 16.000")
        older = {k: v for k, v in statement.items() if k != TOTAL_KEY}  # kept before the parts were
        assert total_working_of(older) == english
        assert total_working_of({**statement, TOTAL_KEY: {"pct": "x"}}) == english  # unreadable parts: as stored
    assert english.split(" = USD 16,000")[1].split("(")[-1] == italian.split("(")[-1]  # the same clauses cited
