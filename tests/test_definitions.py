"""Defined terms in the hands contracts write them, and answers led by the definition that holds what was asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.definitions import asked_terms, definitions_in, names_term
from knowledge.embeddings import E5Embeddings
from knowledge.store import Store, make_client
from tests.conftest import write


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ('"Service Credit" shall mean a credit against the fees.', "Service Credit"),
        ("\u201c**Enhanced Cap**\u201d means three times (3x) the General Cap.", "Enhanced Cap"),
        ("**Multiple Failures:** means Target Availability is not met for 2 consecutive months.", "Multiple Failures"),
        ("**Compensation** \u2014 the amount to be credited to the Customer's account.", "Compensation"),
        ('"Affiliate" (as defined by control) means any entity that controls a party.', "Affiliate"),
        ('Ai fini del contratto, per "Servizio" si intende il servizio di conservazione.', "Servizio"),
        ("\u00abCanone\u00bb indica il corrispettivo annuo.", "Canone"),
    ],
)
def test_a_definition_is_found_in_each_hand(text: str, term: str) -> None:
    found = definitions_in(text)
    assert [d.term for d in found] == [term]
    assert term in text[found[0].at : found[0].at + len(term) + 8]  # the term, its quotes and bold, "per"


def test_every_definition_of_a_list_is_found_where_it_starts() -> None:
    text = "- Essential Services: means the core services.\n- Outage: means the interruption of an Essential Service."
    found = definitions_in(text)
    assert [d.term for d in found] == ["Essential Services", "Outage"]
    assert text[found[1].at :].startswith("- Outage")


@pytest.mark.parametrize(
    "text",
    [
        "\u201cMultiple Failures\u201d is defined in the SLA Key Terms Chart.",  # a pointer, not the definition
        '"Affiliate" has the meaning given in the Framework Terms.',
        "The Provider means well, and a note: means of transport are excluded.",
        "the \u201cPayment Period\u201d). Late payments are subject to a charge.",
    ],
)
def test_pointers_and_prose_are_no_definitions(text: str) -> None:
    assert definitions_in(text) == []


def test_a_question_names_a_term_by_every_word_in_any_form() -> None:
    assert names_term("what counts as multiple failures", "Multiple Failures")
    assert names_term("whats a high risk activity per common paper", "High Risk Activities")
    assert names_term("when can they suspend us?", "Suspension")  # a shared first five letters
    assert not names_term("what is the cap?", "Enhanced Cap")  # one word of two
    assert not names_term("can the provider change the agreement?", "Provider")  # a party's name is no topic
    assert asked_terms("whats the enhanced cap", ["Cap", "Enhanced Cap", "General Cap"]) == ["Enhanced Cap", "Cap"]
    # an Italian question names an English contract's term by its contract words' English
    assert names_term("a quanto ammonta il massimale maggiorato?", "Enhanced Cap")
    assert names_term("cosa conta come interruzione del servizio?", "Outage")


TERMS = """# Cloud Terms

## 16. Limitation of Liability

**16.1.** General Cap. Each party's entire liability arising out of this Agreement will not exceed the General Cap.

**16.3.** Enhanced Cap. For all Enhanced Claims, each party's entire liability will not exceed the Enhanced Cap.

## 17. Support

**17.1.** Response. Provider will respond to each Outage report within the Response Window.

## 23. Definitions

\u201c**Enhanced Cap**\u201d means three times (3x) the General Cap.

\u201c**Enhanced Claims**\u201d means claims for a breach of Section 9 (Security).

\u201c**General Cap**\u201d means the amounts paid by Customer in the 12 months before the first incident.

\u201c**Outage**\u201d means an interruption of the Cloud Service that affects more than 50% of Users.

\u201c**Response Window**\u201d means one (1) hour from the report.
"""


@pytest.fixture(scope="module")
def terms_kb(tmp_path_factory: pytest.TempPathFactory, e5: E5Embeddings) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("terms")
    kb = KnowledgeBase(Store(make_client(data_dir=root / "data")), e5)
    report = kb.index([write(Path(root) / "cloud-terms.md", TERMS)], engagement="terms")
    assert not report.failed
    return kb


@pytest.mark.parametrize(
    ("question", "defines", "value"),
    [
        ("enhanced cap for security breaches?", "Enhanced Cap", "three times (3x)"),  # the lead holds no amount
        ("what counts as an outage", "Outage", "more than 50% of Users"),  # a meaning asked
        ("whats the general cap", "General Cap", "12 months"),  # not the definition of another cap
    ],
)
def test_the_definition_that_holds_what_was_asked_leads(
    terms_kb: KnowledgeBase, question: str, defines: str, value: str
) -> None:
    answer = terms_kb.answer_question(question, engagement="terms")
    assert answer.found
    lead = answer.citations[0]
    assert lead.role == "answer" and f"**{defines}**" in lead.quote and value in lead.quote
    assert terms_kb.document_text("terms", lead.document)[lead.start : lead.end] == lead.quote
    assert answer.direct is not None and value in answer.direct.text


def test_the_clause_that_holds_the_value_keeps_the_lead_and_shows_the_definition_beside_it(
    terms_kb: KnowledgeBase,
) -> None:
    answer = terms_kb.answer_question("how fast will the provider respond to an outage report?", engagement="terms")
    assert answer.found
    assert "17.1" in (answer.citations[0].section or "")
    assert "within the Response Window" in answer.citations[0].quote
