"""The values a dated obligation is written in: periods ("one hundred and twenty (120) days", "3 Business Days",
"twenty-four (24) months") and calendar dates ("1 March 2025", "March 1st, 2024", "the 4th day of February
2019", "2025-03-01", "11/4/10"), each found as a span of the text it is given.

Dates are read by pattern first; a date written with a month name the patterns do not parse (another
language, an odd abbreviation) is handed to `dateparser` with offline settings (no relative dates: a document
has no "today"). The patterns have no nested repetition and callers pass sentences of bounded length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

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
_UNIT = {"day": "day", "week": "week", "month": "month", "year": "year"}

MONTHS = {
    **{m: i + 1 for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"])},
    **{m: i + 1 for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])},
    "sept": 9,
}  # fmt: skip
_ITALIAN = "gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre"  # dateparser
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:\s?(?:s\s?t|n\s?d|r\s?d|t\s?h)(?!\w))?"  # "1st", "1 st", "15t h" (text read from scans)
DATE = re.compile(
    rf"(?i)\b(?:"
    rf"(?P<d1>\d{{1,2}}){_ORD}\s+(?:day\s+of\s+|of\s+)?(?P<m1>{_MONTH}|{_ITALIAN})\s*,?\s+(?:of\s+)?(?:in\s+the\s+year\s+)?"
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
    for group in ("paren", "paren3", "fig", "bare"):
        if m.group(group):
            return int(m.group(group))
    words = m.group("words") or m.group("words2")
    if words:
        return spelled(words)
    return 1 if m.group("article") else None


def periods(text: str, start: int = 0, end: int | None = None) -> list[Period]:
    """The periods in text[start:end], in order; business and working days are "business-day"."""
    out = []
    for m in PERIOD.finditer(text, start, len(text) if end is None else end):
        amount = _amount(m)
        if amount is None or amount <= 0 or amount > 10_000:
            continue
        unit = _UNIT[m.group("unit").casefold().rstrip("s")]
        kind = (m.group("kind") or "").strip().casefold()
        if unit == "day" and kind in {"business", "working", "banking"}:
            unit = "business-day"
        out.append(Period(amount, unit, m.start(), m.end()))
    return out


def dates(text: str, start: int = 0, end: int | None = None) -> list[Found]:
    """The calendar dates in text[start:end], in order (a numeric date is month first, unless it cannot be)."""
    out = []
    for m in DATE.finditer(text, start, len(text) if end is None else end):
        on = _date_of(m)
        if on is not None:
            out.append(Found(on, m.start(), m.end()))
    return out


def _date_of(m: re.Match[str]) -> date | None:
    try:
        if m.group("y1"):
            month = MONTHS.get(m.group("m1").casefold().rstrip("."))
            if month is None:
                return _dateparser(m.group(0))
            return date(int(m.group("y1")), month, int(m.group("d1")))
        if m.group("y2"):
            return date(int(m.group("y2")), MONTHS[m.group("m2").casefold().rstrip(".")], int(m.group("d2")))
        if m.group("y3"):
            return date(int(m.group("y3")), int(m.group("m3")), int(m.group("d3")))
        a, b, y = int(m.group("a4")), int(m.group("b4")), int(m.group("y4"))
        year = y if y >= 100 else (2000 + y if y < 50 else 1900 + y)
        month, day = (a, b) if a <= 12 else (b, a)
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
