"""Kinds of clause a question asks for by name, and whether a contract has one at all.

"is there a force majeure clause in the gridiron supply agreement?" asks whether a kind of clause exists. A
contract without one still has clauses that come close in meaning (a delay, a termination), so similarity
cannot say no; the words can. Each kind lists the words any clause of that kind is written with, generously
(a force majeure clause speaks of "force majeure", "acts of God" or events "beyond its reasonable control"). When
the documents a question is about hold none of them in any form (`coverage.occurs`: a stem, a longer word, an
expansion), they have no such clause. A kind is only asked about when the question names it in so many words.
Italian words that begin an English one ("controllo", "deposito", "assumere") are not among them: they would
be found in any English contract ("control", "deposit", "assume").

The kinds follow CUAD's clause categories that people ask about by name (The Atticus Project's category list,
`../shared/bench/cuad/category_descriptions.csv`), with the words their clauses use in CUAD's contracts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.coverage import occurs
from knowledge.text import tokenize


@dataclass(frozen=True)
class ClauseType:
    name: str  # "force majeure"
    asked: re.Pattern[str]  # the question names the kind
    written: tuple[str, ...]  # phrases one of which any such clause holds (each word in some form)


def _kind(name: str, asked: str, *written: str) -> ClauseType:
    return ClauseType(name, re.compile(asked, re.IGNORECASE), written)


CLAUSE_TYPES = (
    _kind(
        "force majeure",
        r"\bforce[\s-]*majeure\b|\bacts?\s+of\s+god\b|\bforza\s+maggiore\b|\bcaso\s+fortuito\b",
        "majeure",
        "forza maggiore",
        "caso fortuito",
        "imprevedibile",
        "act god",
        "beyond reasonable control",
        "beyond control",
        "unforeseeable",
    ),
    _kind(
        "non-compete",
        r"\bnon[\s-]?compete\b|\bnoncompet\w*|\bnon[\s-]?competition\b|\bnot\s+to\s+compete\b"
        r"|\bnon\s+concorrenza\b|\bdivieto\s+di\s+concorrenza\b",
        "compete",
        "concorrenza",
        "concorrente",
        "competitive",
        "competition",
        "competitor",
    ),
    _kind(
        "non-solicitation",
        r"\bnon[\s-]?solicit\w*|\bno[\s-]?poach\w*|\bno[\s-]?hire\b"
        r"|\bstorno\s+(?:del|dei|di)\s+(?:personale|dipendenti)\b|\bnon\s+sollecitazione\b",
        "solicit",
        "storno",
        "sollecitare",
        "assunzione",
        "hire",
        "recruit",
        "employ",
    ),
    _kind(
        "escrow",
        r"\bescrow\b|\bdeposito\s+(?:del\s+)?codice\s+sorgente\b",
        "escrow",
        "deposit source code",
        "source code release",
        "source code access",
        "deposito codice sorgente",
    ),
    _kind(
        "insurance",
        r"\binsurance\b|\binsured\b|\be&o\b|\berrors\s+(?:and|&)\s+omissions\b|\bassicurazion[ei]\b|\bpolizz[ae]\b",
        "insur",
        "assicurazione",
        "assicurare",
        "polizza",
    ),
    _kind(
        "audit",
        r"\baudits?\b|\bauditing\b|\bispezion[ei]\b|\bverifiche\s+ispettive\b",
        "audit",
        "ispezione",
        "inspect",
        "examine",
        "books records",
        "records available",
        "enter premises",
    ),
    _kind("jury trial waiver", r"\bjury\b", "jury"),
    _kind(
        "liquidated damages",
        r"\bliquidated\s+damages\b",
        "liquidated",
        "termination payment",
        "termination fee",
        "penalty",
    ),
    _kind(  # a support SLA without remedies: "do we get credits if they miss a P1 response?"
        "service credits",
        r"\bcredits?\b|\brefunds?\b|\bcompensation\b|\bcompensated\b|\bpenalt(?:y|ies)\b|\brebates?\b"
        r"|\bcredit[oi]\b|\bindennizz[oi]\b|\brimbors[oi]\b|\bpenal[ei]\b",
        "credit",
        "compensation",
        "compensate",
        "refund",
        "rebate",
        "penalty",
        "liquidated",
        "discount",
        "reduction",
        "indennizzo",
        "rimborso",
        "penale",
        "penali",
        "credito",
        "crediti",
    ),
    _kind(
        "confidentiality",
        r"\bconfidentiality\b|\bnon[\s-]?disclosure\b|\bnda\b|\briservatezza\b|\bnon\s+divulgazione\b",
        "confidential",
        "riservatezza",
        "riservato",
        "riservate",
        "confidenziale",
        "segreto",
        "divulgare",
        "disclose",
        "secret",
        "proprietary",
    ),
    _kind(
        "data protection",
        r"\bgdpr\b|\bdata\s+protection\b|\bprivacy\b|\bdpa\b|\bdati\s+personali\b|\bprotezione\s+dei\s+dati\b",
        "data protection",
        "dati personali",
        "protezione dati",
        "trattamento dati",
        "personal data",
        "personal information",
        "privacy",
        "gdpr",
        "personally identifiable",
    ),
)


def absent_clause_type(question: str, vocabulary: frozenset[str]) -> str | None:
    """The kind of clause the question asks for by name, as it names it ("force majeure", "forza maggiore"),
    when no document in `vocabulary` could hold one; else None."""
    for kind in CLAUSE_TYPES:
        asked = kind.asked.search(question)
        if asked is None:
            continue
        if not any(all(occurs(w, vocabulary, typos=False, expand=False) for w in tokenize(p)) for p in kind.written):
            return asked.group(0).lower()
    return None
