"""Italian questions are read for what they ask (issue #14): the kind of value, a yes/no, a definition; and Italian
values are recognised in clauses (durations in words, decimal commas, euro amounts, Italian dates)."""

from __future__ import annotations

import pytest

from knowledge.asking import asked_kinds
from knowledge.signals import AMOUNT, DATE, DURATION


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("entro quanti giorni va chiesto il credito di servizio?", "duration"),
        ("qual è la disponibilità garantita del piano dati della VPC?", "level"),
        ("possiamo subappaltare il servizio a terzi?", "yesno"),
        ("chi paga la migrazione alla fine del contratto?", "party"),
        ("cosa si intende per indisponibilità?", "definition"),
        ("qual è la legge applicabile alla convenzione?", "law"),
        ("ogni quanto vanno inviati i report?", "frequency"),
        ("quanto costa il canone mensile?", "money"),
        ("quali sono gli orari di assistenza?", "hours"),
        ("quando scade il contratto?", "date"),
        ("quanto dura il contratto con CCA?", "duration"),
        ("per quanto tempo deve continuare il servizio?", "duration"),
        ("massimale maggiorato per le violazioni di sicurezza?", "amount"),  # a liability cap
    ],
)
def test_an_italian_question_asks_for_a_kind_of_value(question: str, first: str) -> None:
    assert asked_kinds(question)[0] == first


def test_a_question_about_a_method_asks_for_no_one_value() -> None:
    assert asked_kinds("come si calcola la disponibilità mensile?") == []


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("entro trenta (30) giorni dalla fine del mese", DURATION),
        ("per un periodo di sei (6) mesi", DURATION),
        ("un'interruzione di almeno cinque (5) minuti consecutivi", DURATION),
        ("una disponibilità del 99,99 %", AMOUNT),
        ("un importo di € 11.291.100,00 oltre IVA", AMOUNT),
        ("pari al 10 per cento del canone", AMOUNT),
        ("aggiornato il 17 aprile 2026", DATE),
        ("con decorrenza dal 1° aprile 2025", DATE),
        ("Deliberazione n. 42 del 20.04.2018", DATE),
    ],
)
def test_italian_values_are_recognised(text: str, pattern: object) -> None:
    assert pattern.search(text)  # type: ignore[attr-defined]


def test_a_nested_section_number_is_not_a_date() -> None:
    assert not DATE.search("as set out in Section 4.2.10 of Schedule B")
