"""The values a dated obligation is written in: periods ("one hundred and twenty (120) days", "3 Business Days",
"twenty-four (24) months") and calendar dates ("1 March 2025", "March 1st, 2024", "the 4th day of February
2019", "2025-03-01", "11/4/10"), each found as a span of the text it is given.

Dates are read by pattern first; a date written with a month name the patterns do not parse (another
language, an odd abbreviation) is handed to `dateparser` with offline settings (no relative dates: a document
has no "today"). The patterns have no nested repetition and callers pass sentences of bounded length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from knowledge.sla_words import ITALIAN_NUMBER, italian_number

WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000}
_WORD = "|".join(sorted([*WORD_NUMBERS, *_SCALES], key=len, reverse=True))
_WORDS = rf"(?:{_WORD})(?:(?:[ \t]*-[ \t]*|\s+(?:and\s+)?)(?:{_WORD}))*"
_SPELLED = rf"\b(?P<words>{_WORDS})\b"
_FIG = r"\d{1,4}(?!\d)"
# "one hundred and twenty (120)", "120 (one hundred twenty)", "(120)", "120", "twelve", "a" / "an" ("a year")
_NUMBER = (
    rf"(?:{_SPELLED}\s*\(\s*(?P<paren>{_FIG})\s*\)"
    rf"|(?<![\w.,/-])(?P<fig>{_FIG})(?:\s*\(\s*(?:{_WORDS})\s*\))?"
    rf"|\(\s*(?P<bare>{_FIG})\s*\)"
    rf"|{_SPELLED.replace('words', 'words2')}"
    r"|\b(?P<article>an?|one)\b)"
)
PERIOD = re.compile(
    rf"(?i){_NUMBER}\s*(?:-\s*)?(?:\((?P<paren3>{_FIG})\)\s*)?"
    r"(?P<kind>(?:business|working|calendar|banking)\s+)?"
    r"(?P<unit>days?|weeks?|months?|years?)(?!\w)(?:'s|s'|’s|s’)?"
)
# and with Italian: "trenta (30)", "20 (venti)", "novanta", "un" ("un anno"); "giorni lavorativi", "6 (sei) mesi"
_NUMBER_IT = (
    rf"(?:{_SPELLED}\s*\(\s*(?P<paren>{_FIG})\s*\)"
    rf"|\b(?P<it>{ITALIAN_NUMBER})\s*\(\s*(?P<paren_it>{_FIG})\s*\)"
    rf"|(?<![\w.,/-])(?P<fig>{_FIG})(?:\s*\(\s*(?:{_WORDS}|{ITALIAN_NUMBER})\s*\))?"
    rf"|\(\s*(?P<bare>{_FIG})\s*\)"
    rf"|{_SPELLED.replace('words', 'words2')}"
    rf"|\b(?P<it2>{ITALIAN_NUMBER})\b"
    r"|\b(?P<article>an?|one)\b)"
)
_PERIOD_IT = re.compile(
    rf"(?i){_NUMBER_IT}\s*(?:-\s*)?(?:\((?P<paren3>{_FIG})\)\s*)?"
    r"(?P<kind>(?:business|working|calendar|banking)\s+)?"
    r"(?P<unit>days?|weeks?|months?|years?|giorn[oi]|settiman[ae]|mes[ei]|ann[oi])(?!\w)(?:'s|s'|’s|s’)?"
    # Italian writes the kind of day after it: "giorni lavorativi", "giorni solari", "giorni (di) calendario"
    r"(?:\s+(?P<kind2>lavorativ[ie]|solari|di\s+calendario|calendario|naturali(?:\s+e\s+consecutivi)?"
    r"|consecutiv[ie])(?!\w))?"
)
# the Italian pattern is read only where an Italian unit is written: English text keeps the English pattern's speed
_ITALIAN_UNIT = re.compile(r"(?i)\b(?:giorn[oi]|settiman[ae]|mes[ei]|ann[oi])\b")
_UNIT = {
    "day": "day", "week": "week", "month": "month", "year": "year", "giorno": "day", "giorni": "day",
    "settimana": "week", "settimane": "week", "mese": "month", "mesi": "month", "anno": "year", "anni": "year",
}  # fmt: skip

MONTHS = {
    **{m: i + 1 for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"])},
    **{m: i + 1 for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])},
    "sept": 9,
}  # fmt: skip
_ITALIAN = "gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre"
ITALIAN_MONTHS = {m: i + 1 for i, m in enumerate(_ITALIAN.split("|"))}
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:\s?(?:s\s?t|n\s?d|r\s?d|t\s?h)(?!\w))?"  # "1st", "1 st", "15t h" (text read from scans)
DATE = re.compile(
    rf"(?i)\b(?:"
    rf"(?P<d1>\d{{1,2}}){_ORD}(?:\s?[°º])?\s+(?:day\s+of\s+|of\s+)?(?P<m1>{_MONTH}|{_ITALIAN})\s*,?\s+(?:of\s+)?"
    r"(?:in\s+the\s+year\s+)?"
    rf"(?P<y1>\d{{4}})"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}){_ORD}\s*,?\s*(?P<y2>\d{{4}})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{1,2})-(?P<d3>\d{1,2})"
    r"|(?P<a4>\d{1,2})[/.-](?P<b4>\d{1,2})[/.-](?P<y4>\d{4}|\d{2})"
    r")(?![\w/])"
)


@dataclass(frozen=True)
class Period:
    """A length of time found in a text: `amount` `unit`s, at text[start:end]."""

    amount: int
    unit: str  # "day", "business-day", "week", "month", "year"
    start: int
    end: int


@dataclass(frozen=True)
class Found:
    """A calendar date found in a text, at text[start:end]."""

    on: date
    start: int
    end: int


def spelled(words: str) -> int | None:
    """'one hundred and twenty' -> 120, 'twenty-four' -> 24, 'two thousand' -> 2000 (None if not a number)."""
    total, current = 0, 0
    for part in re.split(r"[\s-]+", words.casefold()):
        if not part or part == "and":
            continue
        if part in WORD_NUMBERS:
            current += WORD_NUMBERS[part]
        elif part in _SCALES:
            current = max(current, 1) * _SCALES[part]
            if part == "thousand":
                total, current = total + current, 0
        else:
            return None
    return total + current


def _amount(m: re.Match[str]) -> int | None:
    found = m.groupdict()
    for group in ("paren", "paren_it", "paren3", "fig", "bare"):
        if found.get(group):
            return int(found[group])
    words = m.group("words") or m.group("words2")
    if words:
        return spelled(words)
    if found.get("it2"):
        return italian_number(found["it2"])
    return 1 if m.group("article") else None


def periods(text: str, start: int = 0, end: int | None = None) -> list[Period]:
    """The periods in text[start:end], in order; business and working days are "business-day"."""
    out = []
    stop = len(text) if end is None else end
    pattern = _PERIOD_IT if _ITALIAN_UNIT.search(text, start, stop) else PERIOD
    for m in pattern.finditer(text, start, stop):
        amount = _amount(m)
        if amount is None or amount <= 0 or amount > 10_000:
            continue
        word = m.group("unit").casefold()
        unit = _UNIT.get(word) or _UNIT[word.rstrip("s")]
        kind = (m.group("kind") or m.groupdict().get("kind2") or "").strip().casefold()
        if unit == "day" and (kind in {"business", "working", "banking"} or kind.startswith("lavorativ")):
            unit = "business-day"
        out.append(Period(amount, unit, m.start(), m.end()))
    return out


def dates(text: str, start: int = 0, end: int | None = None) -> list[Found]:
    """The calendar dates in text[start:end], in order (a numeric date is month first, unless it cannot be)."""
    out = []
    stop = len(text) if end is None else end
    day_first: bool | None = None  # decided once, for the first numeric date both ways readable
    for m in DATE.finditer(text, start, stop):
        if m.group("a4") and day_first is None:
            day_first = _italian(text, start, stop)
        on = _date_of(m, bool(day_first))
        if on is not None:
            out.append(Found(on, m.start(), m.end()))
    return out


_IT_WORDS = re.compile(
    r"(?i)\b(?:il|lo|la|gli|le|della|dello|delle|degli|dei|del|che|per|con|sono|è|alla|al|dal|dalla|nel|nella|entro"
    r"|giorni|mesi|anni|data|presente)\b"
)
_EN_WORDS = re.compile(r"(?i)\b(?:the|of|and|to|shall|is|for|with|by|within|days|months|years|date|this)\b")


def _italian(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] reads as Italian (its function words): its numeric dates are day first ("17/01/2025",
    "05/03/2025" is 5 March)."""
    a, b = max(0, start), min(end, start + 5000)
    return len(_IT_WORDS.findall(text, a, b)) > len(_EN_WORDS.findall(text, a, b))


def _date_of(m: re.Match[str], day_first: bool = False) -> date | None:
    try:
        if m.group("y1"):
            name = m.group("m1").casefold().rstrip(".")
            month = MONTHS.get(name) or ITALIAN_MONTHS.get(name)
            if month is None:
                return _dateparser(m.group(0))
            return date(int(m.group("y1")), month, int(m.group("d1")))
        if m.group("y2"):
            return date(int(m.group("y2")), MONTHS[m.group("m2").casefold().rstrip(".")], int(m.group("d2")))
        if m.group("y3"):
            return date(int(m.group("y3")), int(m.group("m3")), int(m.group("d3")))
        a, b, y = int(m.group("a4")), int(m.group("b4")), int(m.group("y4"))
        year = y if y >= 100 else (2000 + y if y < 50 else 1900 + y)
        month, day = (a, b) if a <= 12 and not (day_first and b <= 12) else (b, a)
        return date(year, month, day)
    except ValueError:
        return None


def _dateparser(words: str) -> date | None:
    import dateparser  # slow to import; only for the dates the patterns do not read

    settings = {
        "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": ["day", "month", "year"],
        "PARSERS": ["custom-formats", "absolute-time"],
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(words, languages=["en", "it"], settings=settings)
    return parsed.date() if parsed is not None else None


_READING_ITALIAN: ContextVar[bool] = ContextVar("reading_italian", default=False)


def is_italian(text: str) -> bool:
    """Whether a document reads as Italian: more Italian function words than English ones in its first pages."""
    return _italian(text, 0, min(len(text), 20_000))


@contextmanager
def reading(text: str) -> Iterator[bool]:
    """Read a document's obligations in its language: the Italian wordings are tried only in an Italian one (an
    English contract keeps the English patterns, and their speed)."""
    token = _READING_ITALIAN.set(is_italian(text))
    try:
        yield _READING_ITALIAN.get()
    finally:
        _READING_ITALIAN.reset(token)


def reading_italian() -> bool:
    return _READING_ITALIAN.get()


class Bilingual:
    """A pattern with its English wording and its English-and-Italian one; which is used depends on the document
    being read (`reading`)."""

    def __init__(self, english: str, both: str) -> None:
        self.english = re.compile(english)
        self.both = re.compile(both)

    @property
    def pattern(self) -> re.Pattern[str]:
        return self.both if _READING_ITALIAN.get() else self.english

    def search(self, string: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.pattern.search(string, pos, len(string) if endpos is None else endpos)

    def match(self, string: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.pattern.match(string, pos, len(string) if endpos is None else endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(string, pos, len(string) if endpos is None else endpos)


def bilingual(english: str, italian: str = "") -> Bilingual:
    """`english` alone, or with the alternatives of `italian` (a string starting with "|") appended."""
    return Bilingual(english, english + italian)
