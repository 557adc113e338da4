"""Defined terms: where a contract defines them, and whether a question turns on one.

Contracts define their terms in many hands: '"Service Credit" means ...', Markdown's '"**Enhanced Cap**" means
...' and '**Multiple Failures:** means ...', a list's '- Outage: means ...', '**Compensation** - the amount
...', Italian's 'per "Servizio" si intende ...'. `definitions_in` finds each (the term and where its definition
starts) in a clause's text; `asked_terms` says which of an engagement's defined terms a question names in full
(every word, by its stem: "high risk activity" names "High Risk Activities"); `asks_meaning` whether it asks
what something is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.asking import asked_kinds
from knowledge.glossary import gloss
from knowledge.languages import detect
from knowledge.signals import HOLDS, answer_kinds
from knowledge.text import tokenize

_TERM = r"[A-Za-z\u00c0-\u017f][\w\u00c0-\u017f'\u2019&/\- ]{1,60}?"  # a term's words: 2-61 characters
_OPEN = "[\"\u201c\u2018\u00ab']"
_CLOSE = "[\"\u201d\u2019\u00bb']"
_MEANS = (
    # not "has the meaning given in ..." or "is defined in the Key Terms Chart": those point to a definition elsewhere
    r"(?:shall\s+)?(?:means?\b|refers?\s+to\b|is\s+defined\s+as\b|includes?\b"
    r"|si\s+intend(?:e|ono)\b|indica\b|significa\b|sta\s+per\b)"
)
_PARENS = r"(?:\([^)]{0,80}\)\s*)?"
DEFINES = re.compile(
    r"(?:"
    # "Term" means / "**Term**" means / «Term» indica: quoted, bold or not
    rf"{_OPEN}\**(?P<q>{_TERM})\**{_CLOSE}\s*{_PARENS}:?\s*{_MEANS}"
    # **Term** means / **Term:** means / **Term** - the amount ...
    rf"|\*\*(?P<b>{_TERM}):?\*\*:?\s*{_PARENS}(?:{_MEANS}|[\u2014\u2013]\s)"
    # a list's or a line's "Term: means ..." (GitHub's "- Outage: means the interruption ...")
    rf"|(?:^|\n)[ \t]*(?:[-*\u2022][ \t]+)?(?P<l>[A-Z][\w'\u2019&/\- ]{{1,50}}?):[ \t]*{_MEANS}"
    # per "Term" si intende ... (Italian puts the term after "per")
    rf"|\b(?:per|con)\s+{_OPEN}\**(?P<i>{_TERM})\**{_CLOSE}\s*(?:,\s*)?si\s+intend(?:e|ono)\b"
    r")",
    re.IGNORECASE,
)
_GENERIC = frozenset(tokenize("agreement contract party parties customer provider services service company this"))


@dataclass(frozen=True)
class Definition:
    term: str
    at: int  # offset in the text where the definition's wording starts


def definitions_in(text: str) -> list[Definition]:
    """Every term the text defines, in order, with where its definition starts."""
    out: list[Definition] = []
    for m in DEFINES.finditer(text):
        term = next(g for g in (m.group("q"), m.group("b"), m.group("l"), m.group("i")) if g)
        term = term.strip(" *:")
        if term and len(term.split()) <= 6:
            out.append(Definition(term, m.start() + (1 if text[m.start()] == "\n" else 0)))
    return out


def _stems(text: str) -> list[str]:
    return tokenize(text)


@functools.lru_cache(maxsize=256)
def _asked(question: str) -> tuple[str, ...]:
    """The question's words (stemmed), with the English of its contract terms when it is in another language
    ("massimale maggiorato" names "Enhanced Cap")."""
    language = detect(question)
    glossed = gloss(question, language) if language not in (None, "en") else ""
    return tuple(_stems(f"{question} {glossed}"))


def names_term(question: str, term: str) -> bool:
    """The question holds every word of the term (by stem, or a shared first five letters: "suspend" of
    "Suspension"), and the term is more than the generic names of the parties and the agreement."""
    words = _stems(term)
    if not words or set(words) <= _GENERIC:
        return False
    asked = set(_asked(question))
    prefixes = {w[:5] for w in asked if len(w) >= 5}
    return all(w in asked or (len(w) >= 5 and w[:5] in prefixes) for w in words)


def asked_terms(question: str, terms: Iterable[str]) -> list[str]:
    """The terms the question names in full, the longest (most specific) first."""
    named = {t for t in terms if names_term(question, t)}
    return sorted(named, key=lambda t: (-len(_stems(t)), t.lower()))


def share_of_question(question: str, term: str) -> float:
    """How much of what the question asks about the term's words are (the question's words bar the generic ones)."""
    asked = [w for w in _asked(question) if w not in _GENERIC]
    if not asked:
        return 0.0
    words = set(_stems(term))
    prefixes = {w[:5] for w in words if len(w) >= 5}
    return sum(w in words or (len(w) >= 5 and w[:5] in prefixes) for w in asked) / len(asked)


def definition_answers(question: str, term: str, lead: str, definition: str) -> bool:
    """Whether a definition answers better than the lead: the question asks for a value (a period, an amount, a
    date) the lead does not hold and the definition does ("enhanced cap?": "'Enhanced Cap' means three times (3x)
    the General Cap"), or asks what the term is ("what counts as multiple failures") without asking a value. Only
    for a term the question names in full."""
    if not names_term(question, term):
        return False
    lead_defines = [d.term for d in definitions_in(lead[:300])]
    if lead_defines and not any(names_term(question, t) for t in lead_defines):
        return True  # the lead defines another term ("Enhanced Cap" for "what's the general cap?")
    values = answer_kinds(question)
    if not values:
        return "definition" in asked_kinds(question)
    if any(HOLDS[kind].search(lead) for kind in values):
        return False
    if any(HOLDS[kind].search(definition) for kind in values):
        return True
    # the lead only names the term ("... will not exceed the General Cap") and holds no value; its definition
    # holds one ("the amounts paid ... in the 12 months before ...")
    return (
        share_of_question(question, term) >= 0.5  # the term is what is asked about, not one word of it
        and term.lower() in lead.lower()
        and not any(p.search(lead) for p in HOLDS.values())
        and any(p.search(definition) for p in HOLDS.values())
    )
