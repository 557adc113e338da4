"""Which hours a service level counts: its business-hours calendar, where the document states one.

A level counts either every hour ("counting all hours", "24 x 7", "24/7", "calendar hours") or the hours a
document defines ("Hours of Operation", "Business Hours", "office hours", "Support Hours"). The level says
which in its own row or sentence, or in a note about it that names its reference ("(c) SL3: ... counting all
hours"). Where the same document defines the hours with a time range ("from 7:00 a.m. to 11:00 p.m. US
Eastern Time, 7 days a week"), that definition is kept too. Only the level's own document is read: a
definition in another document may be one the level's readers are not allowed to see.

Every piece is a verbatim span; nothing is computed from it (a measurement is reported already counted).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.sla_drafts import Span

_ALL_HOURS = re.compile(
    r"(?i)\b(?:counting[ \t]+all[ \t]+hours|all[ \t]+hours[ \t]+count|24[ \t]*(?:x|×|/)[ \t]*7(?:[ \t]*(?:x|×|/)"
    r"[ \t]*365)?|twenty-four[ \t]+hours[ \t]+a[ \t]+day,?[ \t]+seven[ \t]+days[ \t]+a[ \t]+week|calendar[ \t]+hours|"
    r"round[ \t]+the[ \t]+clock)\b"
    # Italian: "24h/24, 7g/7", "24 ore su 24 e 7 giorni su 7", "H24"
    r"|(?i:\b24[ \t]*h[ \t]*/[ \t]*24\b|\b24[ \t]+ore[ \t]+su[ \t]+24\b|\bH24\b|\b7[ \t]*g[ \t]*/[ \t]*7\b"
    r"|\b7[ \t]+giorni[ \t]+su[ \t]+7\b)"
)
_TERM = re.compile(
    r"(?i)\b(?:(?:normal|standard|local)[ \t]+)?(?:hours[ \t]+of[ \t]+(?:operation|service|coverage)|"
    r"business[ \t]+hours|office[ \t]+hours|support[ \t]+hours|operating[ \t]+hours|"
    r"working[ \t]+hours|service[ \t]+hours)\b"
    # Italian: "orari normali di ufficio", "orario lavorativo", "ore lavorative", "orario di servizio"
    r"|(?i:\borari[oi]?[ \t]+(?:normal[ei][ \t]+)?(?:di[ \t]+)?(?:ufficio|lavorativ[oi]|servizio|apertura|supporto)\b"
    r"|\bore[ \t]+lavorative\b|\bfascia[ \t]+oraria\b)"
)
_TIME = r"\d{1,2}(?:[:.]\d{2})?[ \t]*(?:a\.?m\.?|p\.?m\.?|am|pm|h)?"
_RANGE = re.compile(
    rf"(?i)(?:from[ \t]+)?\b{_TIME}[ \t]*(?:to|until|-|–|—)[ \t]*{_TIME}(?![\d])"
    r"|(?i:\bmonday\b[^.\n]{0,20}\b(?:to|through|-|–)\b[ \t]*(?:friday|saturday|sunday)\b)"
    r"|(?i:\blunedì\b[^.\n]{0,20}?(?:\bal\b|-|–)[ \t]*(?:venerdì|sabato|domenica)\b)"
)
_NOT = re.compile(r"(?i)\(?[ \t]*not[ \t]+only[ \t]+")


@dataclass(frozen=True)
class HoursDraft:
    """The hours a level counts: every hour, or a defined calendar (its term and, if stated, its definition)."""

    all_hours: bool
    said: Span  # the level's own words: "counting all hours", "during Hours of Operation"
    term: str | None = None  # "Hours of Operation", when the level counts a defined calendar
    definition: Span | None = None  # the sentence stating those hours with a time range, in the same document


def hours_defined(text: str, sentences: Sequence[tuple[int, int]]) -> dict[str, Span]:
    """The hours terms a document states with a time range, each to the first sentence stating it."""
    found: dict[str, Span] = {}
    for a, b in sentences:
        if b - a > 1500 or not _RANGE.search(text, a, b):
            continue
        for m in _TERM.finditer(text, a, b):
            found.setdefault(_key(m.group(0)), Span.of(text, a, b))
    return found


def hours_of(
    text: str,
    own: Sequence[tuple[int, int]],
    notes: Sequence[tuple[int, int]],
    defined: dict[str, Span],
    *,
    ref: str | None = None,
) -> HoursDraft | None:
    """The hours a level counts, read in its own spans (`own`: its row or sentence) and in the `notes` that name
    its `ref` ("SL3"); None when neither says."""
    places = list(own)
    if ref:
        named = re.compile(rf"(?<![\w-]){re.escape(ref)}(?![\w-])")
        places += [(a, b) for a, b in notes if named.search(text, a, b) and (a, b) not in places]
    for a, b in places:
        everything = _ALL_HOURS.search(text, a, b)
        if everything:
            return HoursDraft(True, Span.of(text, everything.start(), everything.end()))
        for m in _TERM.finditer(text, a, b):
            if _NOT.search(text, max(a, m.start() - 12), m.start()):
                continue  # "(not only Hours of Operation)": the level counts more than these hours
            name = _key(m.group(0))
            return HoursDraft(False, Span.of(text, m.start(), m.end()), m.group(0), defined.get(name))
    return None


def _key(term: str) -> str:
    words = term.lower().split()
    return " ".join(w for w in words if w not in ("normal", "standard", "local", "normali", "normale"))
