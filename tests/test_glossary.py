"""An Italian question's contract terms glossed in English for BM25 (issue #14, mixed pools)."""

from __future__ import annotations

from knowledge.glossary import gloss


def test_contract_terms_are_glossed_as_written_and_by_their_stem() -> None:
    words = gloss("Entro quanti giorni va chiesto il credito? E il preavviso di recesso?", "it").split()
    assert {"credit", "notice", "termination", "days"} <= set(words)
    assert "automatic" in gloss("il contratto si rinnova in modo tacito?", "it")  # "tacito"
    assert "credits" in gloss("crediti", "it") and "penalties" in gloss("le penali", "it")
    assert "uptime" in gloss("l'uptime e la disponibilità", "it")  # after an elided article


def test_a_support_tables_priority_levels_and_a_subscriptions_words_are_glossed() -> None:
    assert set(gloss("priorità alta, media o bassa?", "it").split()) >= {"priority", "high", "medium", "low"}
    assert "critical" in gloss("un ticket critico", "it") and "urgent" in gloss("una richiesta urgente", "it")
    assert "automated" in gloss("una risposta automatica", "it")  # as a clause says it: "An automated response"
    assert "subscription" in gloss("in un periodo di abbonamento", "it")
    assert "time" in gloss("in quanto tempo", "it").split()


def test_english_and_unknown_languages_get_no_gloss() -> None:
    assert gloss("what is the notice period?", "en") == ""
    assert gloss("¿cuál es el plazo?", "es") == "" and gloss("qualcosa", None) == ""
