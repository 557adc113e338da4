"""Answers speak the asker's language (lead-in, not-covered message); quotes stay verbatim in the contract's
language, and with an LLM a marked translation is shown beside them, never in place of them."""

from __future__ import annotations

import json
from pathlib import Path

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from knowledge.base import KnowledgeBase
from knowledge.embeddings import E5Embeddings
from knowledge.i18n import speaking
from knowledge.store import Store, make_client
from tests.conftest import ENGAGEMENT, write

ITALIAN_SLA = """# Accordo sul livello di servizio

## Articolo 3 - Crediti di servizio

3.2 Il Cliente deve richiedere il credito di servizio entro trenta (30) giorni dalla fine del mese
in cui si è verificata l'indisponibilità.
"""


def _grounded(kb: KnowledgeBase, engagement: str, answer: object) -> None:
    for c in [*answer.citations, *answer.nearest]:  # type: ignore[attr-defined]
        assert kb.document_text(engagement, c.document)[c.start : c.end] == c.quote


def test_the_lead_in_is_in_the_language_asked_for_and_the_quote_is_not_translated(sample_kb: KnowledgeBase) -> None:
    english = sample_kb.answer_question("how long do we have to fix a sev 1?", engagement=ENGAGEMENT)
    italian = sample_kb.answer_question("how long do we have to fix a sev 1?", engagement=ENGAGEMENT, language="it")
    assert english.text.startswith(("Here is what", "05-amendment")) and english.language == "en"
    assert italian.language == "it" and italian.as_dict()["language"] == "it"
    assert "ha modificato questo punto" in italian.text or italian.text.startswith("Ecco cosa dice")
    assert [c.quote for c in italian.citations] == [c.quote for c in english.citations]  # verbatim, English
    _grounded(sample_kb, ENGAGEMENT, italian)


def test_an_italian_question_is_answered_in_italian(sample_kb: KnowledgeBase) -> None:
    answer = sample_kb.answer_question(
        "entro quanti giorni il fornitore deve risolvere un incidente di severità 1?", engagement=ENGAGEMENT
    )
    assert answer.language == "it"
    assert answer.text.startswith(("Ecco cosa dice", "I contratti indicizzati", "Con il modello")), answer.text
    _grounded(sample_kb, ENGAGEMENT, answer)


def test_the_language_of_the_moment_is_the_fallback_for_a_short_question(sample_kb: KnowledgeBase) -> None:
    with speaking("it"):
        answer = sample_kb.answer_question("sev1 fix?", engagement=ENGAGEMENT)  # too short to tell
    assert answer.language == "it"
    assert not sample_kb.answer_question("sev1 fix?", engagement=ENGAGEMENT).text.startswith(("Ecco", "I contratti"))


def test_not_covered_is_said_in_the_askers_language(sample_kb: KnowledgeBase) -> None:
    answer = sample_kb.answer_question("what is the wifi password?", engagement=ENGAGEMENT, language="it")
    assert not answer.found and answer.text.startswith("I contratti indicizzati per")


def _llm(replies: list[str]) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in replies]))


def test_with_an_llm_a_quote_in_another_language_gets_a_marked_translation(tmp_path: Path, e5: E5Embeddings) -> None:
    plain = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), e5)
    plain.index([write(tmp_path / "sla-it.md", ITALIAN_SLA)], engagement="it-eng")
    question = "within how many days must we request the service credit?"
    extractive = plain.answer_question(question, engagement="it-eng")
    assert extractive.found and all(c.translation is None for c in extractive.citations)
    translations = [f"English translation {i}" for i, _c in enumerate(extractive.citations)]
    llm = _llm(["not json: answer extractively", json.dumps({"translations": translations})])
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), e5, llm=llm)
    answer = kb.answer_question(question, engagement="it-eng")
    assert [c.quote for c in answer.citations] == [c.quote for c in extractive.citations]  # never replaced
    lead = answer.as_dict()["citations"][0]  # type: ignore[index]
    assert lead["translation"] == {"text": "English translation 0", "language": "en", "machine": True}
    _grounded(kb, "it-eng", answer)


def test_a_failed_translation_keeps_the_answer(tmp_path: Path, e5: E5Embeddings) -> None:
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), e5, llm=_llm(["nope", "still nope"]))
    kb.index([write(tmp_path / "sla-it.md", ITALIAN_SLA)], engagement="it-eng")
    answer = kb.answer_question("within how many days must we request the service credit?", engagement="it-eng")
    assert answer.found and all(c.translation is None for c in answer.citations)


def test_a_translation_is_shown_beside_the_quote_marked_as_such(capsys: object) -> None:
    from bot.cli.render import print_answer
    from bot.slack.blocks.answers import answer_blocks
    from knowledge.answers import Answer, Citation

    quote = "Il Cliente deve richiedere il credito di servizio entro trenta (30) giorni."
    cited = Citation("sla-it.md", "SLA", "3.2", None, quote, 0, len(quote), translation="Within thirty days.")
    answer = Answer("q", "Here is what section 3.2 of the SLA says:", True, [cited])
    shown = json.dumps(answer_blocks(answer, answer_id="1"), ensure_ascii=False)
    assert quote in shown and "Machine translation, not the contract's words: Within thirty days." in shown
    with speaking("it"):
        assert "Traduzione automatica" in json.dumps(answer_blocks(answer, answer_id="1"), ensure_ascii=False)
    print_answer(answer)
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "machine translation, not the contract's words:" in out and "Within thirty days." in out


def test_an_italian_questions_query_vector_leans_to_its_contract_terms_english(
    tmp_path: Path, e5: E5Embeddings
) -> None:
    import numpy as np

    from knowledge.glossary import gloss
    from knowledge.retrieval import GLOSS_SHARE
    from knowledge.vocabulary import expand_query

    english = (
        "# Service Level Agreement\n\n3.2 Service Credits. Customer must request a Service Credit within seven (7) "
        "days after the end of the month.\n\n3.3 Termination. Either party may terminate on thirty days notice.\n"
    )
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), e5)
    kb.index([write(tmp_path / "sla.md", english)], engagement="en-eng")
    question = "entro quanti giorni va chiesto il credito di servizio?"
    stage = kb.retriever.candidates(question, engagement="en-eng")
    assert stage is not None
    assert gloss(question, "it") == "days requested claimed credit service"
    own = np.asarray(e5.embed_query(expand_query(question)))
    glossed = np.asarray(e5.embed_query(gloss(question, "it")))
    want = (1 - GLOSS_SHARE) * own + GLOSS_SHARE * glossed
    assert np.allclose(stage.query_vector, want / np.linalg.norm(want), atol=1e-4)
    assert "within seven (7) days" in stage.candidates[0].chunk.text
    # an English question's vector is its own
    english_stage = kb.retriever.candidates("within how many days do we request a credit?", engagement="en-eng")
    assert english_stage is not None
    plain = np.asarray(e5.embed_query(expand_query("within how many days do we request a credit?")))
    assert np.allclose(english_stage.query_vector, plain / np.linalg.norm(plain), atol=1e-4)


def test_an_english_clause_meets_an_italian_question_read_word_by_word_in_english(
    tmp_path: Path, e5: E5Embeddings, monkeypatch: object
) -> None:
    import knowledge.retrieval as retrieval
    from knowledge.glossary import english_reading

    question = "se common paper ci sospende l'account, quando ci riattivano l'accesso?"
    assert english_reading(question, "it") == "common paper suspend account reinstate access"
    english = (
        "# Cloud Service Agreement\n\n5.2 Suspension. Provider may suspend Customer's access to the Product if "
        "Customer has an outstanding, undisputed balance on its account for more than 30 days. Provider will "
        "reinstate Customer's access to the Product only if Customer resolves the underlying issue.\n\n"
        "5.3 Termination. Either party may terminate the Agreement on thirty days notice.\n\n"
        "6.1 Fees. Customer will pay the fees within 30 days of the invoice date.\n"
    )
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), e5)
    kb.index([write(tmp_path / "csa.md", english)], engagement="en-eng")

    def similarity_of_reinstatement() -> float:
        stage = kb.retriever.candidates(question, engagement="en-eng")
        assert stage is not None
        (found,) = [c for c in stage.candidates if "reinstate" in c.chunk.text]
        assert found.similarity is not None
        return found.similarity

    leaning = similarity_of_reinstatement()
    monkeypatch.setattr(retrieval, "READING_SHARE", 0.0)  # type: ignore[attr-defined]
    assert leaning > similarity_of_reinstatement() + 0.005
    answer = kb.answer_question(question, engagement="en-eng")
    assert answer.found and "reinstate" in answer.citations[0].quote


def test_a_verbs_inflection_finds_the_glossary_word_by_its_root() -> None:
    from knowledge.glossary import english_reading, gloss

    assert "suspend" in gloss("ci sospende il servizio?", "it").split()  # Snowball: "sosp", "sospendere": "sospend"
    assert "delete" in gloss("cancellano i dati?", "it").split()
    assert gloss("la parte", "it") == "party"  # a root of four letters is no root: "part" is not "partner"
    assert english_reading("c'è supporto fuori orario per le sev2?", "it") == "support outside hours sev2"
    assert english_reading("what is the notice period?", "en") == ""
