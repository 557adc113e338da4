"""Answers quote real clauses verbatim, respect the asker's side, and say plainly what is not covered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.answers import Answer
from knowledge.base import KnowledgeBase
from tests.conftest import ENGAGEMENT

QUESTIONS = [json.loads(line) for line in (Path(__file__).parent / "data" / "sample_questions.jsonl").open()]
ANSWERABLE = [q for q in QUESTIONS if "expect_document" in q]
UNANSWERABLE = [q for q in QUESTIONS if q.get("expect_found") is False]

# what only the vendor-only delivery plan says (its Bogota site is public: the SOW and the DPA list it)
VENDOR_SECRETS = ("17.40", "32%", "27.20", "21.15", "31.40")
CLIENT_SECRETS = ("9.6", "27.00", "Vendor B", "walk-away")


def _assert_grounded(kb: KnowledgeBase, answer: Answer) -> None:
    for c in [*answer.citations, *answer.nearest]:
        assert kb.document_text(ENGAGEMENT, c.document)[c.start : c.end] == c.quote
        assert c.quote == c.quote.strip() and c.quote


@pytest.mark.parametrize("q", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_every_quote_is_verbatim_from_the_indexed_document(sample_kb: KnowledgeBase, q: dict) -> None:
    _assert_grounded(sample_kb, sample_kb.answer_question(q["question"], engagement=ENGAGEMENT, side=q["side"]))


def test_sample_questions_are_answered_with_the_right_clause(sample_kb: KnowledgeBase) -> None:
    right = []
    for q in ANSWERABLE:
        answer = sample_kb.answer_question(q["question"], engagement=ENGAGEMENT, side=q["side"])
        if answer.found and any(
            c.document == q["expect_document"] and q["expect_quote"] in c.quote for c in answer.citations
        ):
            right.append(q["id"])
    assert len(right) / len(ANSWERABLE) >= 0.75, f"only {len(right)}/{len(ANSWERABLE)}: {right}"


def test_questions_the_contracts_do_not_cover_are_not_found(sample_kb: KnowledgeBase) -> None:
    for q in UNANSWERABLE:
        answer = sample_kb.answer_question(q["question"], engagement=ENGAGEMENT, side=q["side"])
        assert not answer.found, q["question"]
        assert answer.citations == [] and answer.nearest, q["question"]
        assert "do not seem to cover" in answer.text


def test_an_amended_target_leads_with_the_amendment(sample_kb: KnowledgeBase) -> None:
    answer = sample_kb.answer_question("how long do we have to fix a sev 1?", engagement=ENGAGEMENT)
    assert answer.found
    assert answer.citations[0].document == "05-amendment-no-1.md"
    assert "Restoration within 2 hours" in answer.citations[0].quote
    assert any(c.document == "03-sla-schedule.md" for c in answer.citations[1:])


def test_citations_carry_section_and_page(sample_kb: KnowledgeBase) -> None:
    answer = sample_kb.answer_question("how fast must a personal data breach be notified?", engagement=ENGAGEMENT)
    pdf = [c for c in answer.citations if c.document.endswith(".pdf")]
    assert pdf and all(c.page and c.page >= 1 for c in pdf)
    assert all(c.section for c in answer.citations)


@pytest.mark.parametrize(
    "question", ["What is Meridian's target gross margin?", "what does an agent cost per hour in Manila?"]
)
def test_vendor_only_documents_never_reach_a_client_channel(sample_kb: KnowledgeBase, question: str) -> None:
    for side in ("client", "shared"):
        answer = sample_kb.answer_question(question, engagement=ENGAGEMENT, side=side)
        quoted = " ".join(c.quote for c in [*answer.citations, *answer.nearest])
        assert not any(c.document == "meridian-delivery-plan.md" for c in [*answer.citations, *answer.nearest])
        assert not any(secret in quoted for secret in VENDOR_SECRETS)
        hits = sample_kb.search(question, engagement=ENGAGEMENT, side=side, k=50)
        assert all(h.chunk.visibility != "vendor-only" for h in hits)
    vendor = sample_kb.answer_question(question, engagement=ENGAGEMENT, side="vendor")
    assert vendor.found and vendor.citations[0].document == "meridian-delivery-plan.md"


@pytest.mark.parametrize("question", ["what's our budget ceiling for the renewal?", "who else is in the RFP?"])
def test_client_only_documents_never_reach_a_vendor_channel(sample_kb: KnowledgeBase, question: str) -> None:
    for side in ("vendor", "shared"):
        answer = sample_kb.answer_question(question, engagement=ENGAGEMENT, side=side)
        quoted = " ".join(c.quote for c in [*answer.citations, *answer.nearest])
        assert not any(c.document == "acme-renewal-strategy.md" for c in [*answer.citations, *answer.nearest])
        assert not any(secret in quoted for secret in CLIENT_SECRETS)
        hits = sample_kb.search(question, engagement=ENGAGEMENT, side=side, k=50)
        assert all(h.chunk.visibility != "client-only" for h in hits)


def test_another_engagement_sees_nothing(sample_kb: KnowledgeBase) -> None:
    answer = sample_kb.answer_question("whats the credit cap", engagement="globex-billing")
    assert not answer.found and answer.citations == [] and answer.nearest == []
    assert "No contracts are indexed" in answer.text
    assert sample_kb.search("credit cap", engagement="globex-billing") == []


def test_a_question_in_another_language_is_told_to_use_english(sample_kb: KnowledgeBase) -> None:
    """With an English-only embedder (MiniLM), in the asker's own language."""
    answer = sample_kb.answer_question("¿Cuál es el límite de los créditos de servicio?", engagement=ENGAGEMENT)
    assert not answer.found and answer.language == "es"
    assert "LIAISON_EMBEDDER" in answer.text and "pregunta en inglés" in answer.text


def test_an_empty_question_asks_for_one(sample_kb: KnowledgeBase) -> None:
    answer = sample_kb.answer_question("   ", engagement=ENGAGEMENT)
    assert not answer.found and answer.citations == []


def test_json_shape_of_an_answer(sample_kb: KnowledgeBase) -> None:
    data = sample_kb.answer_question("whats the credit cap", engagement=ENGAGEMENT).as_dict()
    assert set(data) >= {"found", "answer", "citations"}
    assert data["found"] is True and isinstance(data["answer"], str)
    for c in data["citations"]:
        assert set(c) == {"document", "title", "section", "page", "quote", "start", "end"}
        assert isinstance(c["start"], int) and isinstance(c["end"], int)
