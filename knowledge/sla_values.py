"""The values a service level is written in: numbers (figures, words, decimal commas), percentages, durations
with their unit, amounts with their currency, and the comparison words before or after them.

Every finder returns spans into the text it is given, so each value stays tied to the characters it came
from. The patterns have no nested repetition and the callers pass sentences or table cells of bounded length,
so a hostile document cannot make them backtrack for long.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from knowledge.sla_words import ITALIAN_NUMBER, italian_number

WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "forty-five": 45, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "a": 1, "an": 1,
}  # fmt: skip
_WORDS = "|".join(sorted((w for w in WORD_NUMBERS if len(w) > 2), key=len, reverse=True))
_FIGURE = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d{1,3}(?:\.\d{3})+,\d+|\d+(?:[.,]\d+)?|\.\d+"


def _number(words: str) -> str:
    # "seven (7)", "twenty four (24)", "7 (seven)", "7", "99,95", "1,000.50", "seven" (and with Italian words
    # "trenta (30)", "20 (venti)", "novanta")
    return (
        rf"(?:(?:{words})(?:[ -](?:{words}))?[ \t]*\((?P<paren>{_FIGURE})\)"
        rf"|(?P<fig>{_FIGURE})(?:[ \t]*\((?:{words})(?:[ -](?:{words}))?\))?"
        rf"|(?P<word>(?:{words})(?:[ -](?:{words}))?|an?|one))"
    )


_NUMBER = _number(_WORDS)
_NUMBER_IT = _number(f"{_WORDS}|{ITALIAN_NUMBER}")
_UNITS = {
    "second": "seconds", "seconds": "seconds", "sec": "seconds", "secs": "seconds", "s": "seconds",
    "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes", "m": "minutes",
    "hour": "hours", "hours": "hours", "hr": "hours", "hrs": "hours", "h": "hours",
    "day": "days", "days": "days", "week": "weeks", "weeks": "weeks",
    "month": "months", "months": "months", "quarter": "quarters", "quarters": "quarters",
    "ms": "milliseconds", "millisecond": "milliseconds", "milliseconds": "milliseconds",
    "millisecondi": "milliseconds", "secondi": "seconds", "minuto": "minutes", "minuti": "minutes", "ora": "hours",
    "ore": "hours", "giorno": "days", "giorni": "days", "gg": "days", "settimana": "weeks", "settimane": "weeks",
    "mese": "months", "mesi": "months", "trimestre": "quarters", "trimestri": "quarters",
}  # fmt: skip
_PERCENT_TAIL = rf"[ \t]*(?:%|(?i:per[ \t]?cento?)\b)(?:[ \t]*\((?P<paren2>{_FIGURE})[ \t]*%\))?"
PERCENT = re.compile(rf"(?<![\w.,]){_NUMBER}{_PERCENT_TAIL}")
_PERCENT_IT = re.compile(rf"(?<![\w.,]){_NUMBER_IT}{_PERCENT_TAIL}")
_EN_UNITS = r"seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|quarters?|milliseconds?|ms|h|m|s"
_DURATION_HEAD = r"(?:[ \t]*-[ \t]*|[ \t]+|(?=[a-z]))" rf"(?:\((?P<paren3>{_FIGURE})\)[ \t]*)?"
DURATION = re.compile(
    rf"(?<![\w.,]){_NUMBER}{_DURATION_HEAD}"
    r"(?P<kind>(?i:business|working|calendar)[ \t]+)?"
    rf"(?P<unit>(?i:{_EN_UNITS}))"
    r"(?![\w])"
)
_DURATION_IT = re.compile(
    rf"(?<![\w.,]){_NUMBER_IT}{_DURATION_HEAD}"
    r"(?P<kind>(?i:business|working|calendar)[ \t]+)?"
    rf"(?P<unit>(?i:{_EN_UNITS}|millisecondi|secondi|minut[oi]|ore|ora|giorn[oi]|gg|settiman[ae]|mes[ei]|trimestr[ei]))"
    r"(?![\w])"
    # Italian writes the kind of day after it: "giorni lavorativi", "giorni solari", "giorni (di) calendario"
    r"(?P<kind2>[ \t]+(?i:lavorativ[ie]|solari|di[ \t]+calendario|calendario|naturali(?:[ \t]+e[ \t]+consecutivi)?"
    r"|consecutiv[ie])(?![\w]))?"
)
# the Italian patterns (number words, units) are read only where an Italian unit is written: English text keeps the
# speed of the English patterns
_ITALIAN_UNIT = re.compile(
    r"(?i)\b(?:millisecondi|secondi|minut[oi]|ore|ora|giorn[oi]|gg|settiman[ae]|mes[ei]|trimestr[ei])\b"
)
_ITALIAN_PERCENT = re.compile(r"(?i)\bper[ \t]?cento\b")
_CURRENCIES = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₽": "RUB"}
MONEY = re.compile(
    r"(?P<code>\b(?:USD|EUR|GBP|CHF|CAD|AUD|JPY|INR|RUB|SEK|NOK|DKK)\b|US\$|[$€£¥₽])[ \t]?"
    r"(?P<amount>\d{1,3}(?:[,. ]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?)"
    r"|(?P<amount2>\d{1,3}(?:[,. ]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?)[ \t]?"
    r"(?P<code2>\b(?:USD|EUR|GBP|CHF|CAD|AUD|JPY|INR|RUB|dollars|euros|euro|pounds|rubles)\b)"
)
_CURRENCY_WORDS = {"dollars": "USD", "euros": "EUR", "euro": "EUR", "pounds": "GBP", "rubles": "RUB"}


@dataclass(frozen=True)
class Value:
    """A number found in a text: its value, its unit ('%', 'minutes', 'business days', 'USD'), its span."""

    number: Decimal
    unit: str
    start: int
    end: int


def figure(text: str) -> Decimal | None:
    """'99,95' -> 99.95, '1,000.50' -> 1000.50, '800,000' -> 800000, '.05' -> 0.05 (None if not a number)."""
    text = text.strip().replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", text):
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _words(text: str) -> Decimal | None:
    italian = italian_number(text)
    if italian is not None and text.casefold() not in WORD_NUMBERS:
        return Decimal(italian)
    total = 0
    for part in re.split(r"[ -]", text.casefold()):
        if part not in WORD_NUMBERS:
            return None
        total = total * 100 if part == "hundred" and total else total + WORD_NUMBERS[part]
    return Decimal(total)


def _number_of(m: re.Match[str], *extra: str) -> Decimal | None:
    for group in ("paren", *extra):
        if m.groupdict().get(group):
            return figure(m.group(group))
    if m.group("fig"):
        return figure(m.group("fig"))
    return _words(m.group("word")) if m.group("word") else None


def percentages(text: str, start: int = 0, end: int | None = None) -> list[Value]:
    """The percentages of text[start:end] ('99.9%', '99,95 %', 'five percent (5%)'), in order."""
    out = []
    stop = len(text) if end is None else end
    pattern = _PERCENT_IT if _ITALIAN_PERCENT.search(text, start, stop) else PERCENT
    for m in pattern.finditer(text, start, stop):
        number = _number_of(m, "paren2")
        if number is not None and not (m.group("word") and m.group("word").casefold() in {"a", "an", "one"}):
            out.append(Value(number, "%", m.start(), m.end()))
    return out


def durations(text: str, start: int = 0, end: int | None = None) -> list[Value]:
    """The durations of text[start:end] with their unit ('30 minutes', '2h', 'seven (7) business days')."""
    out = []
    stop = len(text) if end is None else end
    pattern = _DURATION_IT if _ITALIAN_UNIT.search(text, start, stop) else DURATION
    for m in pattern.finditer(text, start, stop):
        unit_word = m.group("unit").casefold()
        glued = m.start("unit") > 0 and text[m.start("unit") - 1].isdigit()
        if len(unit_word) == 1 and not glued:
            continue  # "5 m" or "1 s" in prose is no duration; "2h" is
        if m.group("word") and unit_word in {"m", "s", "h"}:
            continue
        number = _number_of(m, "paren3")
        if number is None:
            continue
        unit = _UNITS[unit_word]
        kind = (m.group("kind") or m.groupdict().get("kind2") or "").strip().casefold()
        if unit == "days" and (kind in {"business", "working"} or kind.startswith("lavorativ")):
            unit = "business days"
        out.append(Value(number, unit, m.start(), m.end()))
    return out


def amounts(text: str, start: int = 0, end: int | None = None) -> list[Value]:
    """Amounts with their currency ('USD 500', '$1,000.00', '500 euros'), unit the ISO code."""
    out = []
    for m in MONEY.finditer(text, start, len(text) if end is None else end):
        code = m.group("code") or m.group("code2")
        raw = m.group("amount") or m.group("amount2")
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
            raw = raw.replace(".", "")  # "€ 1.000", "1.500.000 euro": an amount has cents, not thousandths
        number = figure(raw.replace(" ", ","))
        if number is None:
            continue
        iso = _CURRENCIES.get(code.casefold(), _CURRENCY_WORDS.get(code.casefold(), code.upper()))
        out.append(Value(number, iso, m.start(), m.end()))
    return out


_IT_ART = r"(?:[ \t]+(?:il|lo|la|i|gli|le|l['’]))?"  # "non inferiore al", "entro i", "almeno il"
_IT_TO = rf"(?:a(?:l|llo|lla|i|gli|lle|ll['’])?|di|del(?:lo|la|l['’])?){_IT_ART}"
_BEFORE = [
    (re.compile(r"(?i)(?:at[ \t]+least|no[ \t]+less[ \t]+than|not[ \t]+less[ \t]+than|minimum(?:[ \t]+of)?|"
                r"meets?[ \t]+or[ \t]+exceeds?|≥|>=|equal[ \t]+to[ \t]+or[ \t]+greater[ \t]+than)"
                r"[ \t]*(?:the[ \t]+)?$"),
     ">="),
    (re.compile(rf"(?i)(?:\balmeno{_IT_ART}|\bnon[ \t]+inferiore[ \t]+{_IT_TO}|"
                rf"\b(?:pari|uguale)[ \t]+o[ \t]+superiore[ \t]+{_IT_TO}|\bminimo(?:[ \t]+{_IT_TO})?)[ \t*]*$"),
     ">="),
    (re.compile(r"(?i)(?:no[ \t]+more[ \t]+than|not[ \t]+more[ \t]+than|(?:shall|will|must|does)[ \t]+not[ \t]+exceed|"
                r"not[ \t]+to[ \t]+exceed|maximum(?:[ \t]+of)?|at[ \t]+most|up[ \t]+to|≤|<=)[ \t]*(?:the[ \t]+)?$"),
     "<="),
    (re.compile(rf"(?i)(?:\bnon[ \t]+superiore[ \t]+{_IT_TO}|\b(?:pari|uguale)[ \t]+o[ \t]+inferiore[ \t]+{_IT_TO}|"
                rf"\b(?:al[ \t]+)?massimo(?:[ \t]+{_IT_TO})?|\bnon[ \t]+oltre{_IT_ART}|\bfino[ \t]+{_IT_TO}|"
                rf"\bnon[ \t]+(?:deve|dovrà|devono|dovranno|può|potrà)[ \t]+(?:superare|eccedere){_IT_ART})[ \t*]*$"),
     "<="),
    (re.compile(r"(?i)(?:more[ \t]+than|greater[ \t]+than|exceeds?|exceeding|above|over|>)[ \t]*(?:the[ \t]+)?$"), ">"),
    (re.compile(rf"(?i)(?:\bsuperiore[ \t]+{_IT_TO}|\b(?:più|maggiore)[ \t]+di{_IT_ART}|\boltre{_IT_ART})[ \t*]*$"),
     ">"),
    (re.compile(r"(?i)(?:less[ \t]+than|fewer[ \t]+than|below|under|<)[ \t]*(?:the[ \t]+)?$"), "<"),
    (re.compile(rf"(?i)(?:\binferiore[ \t]+{_IT_TO}|\b(?:meno|minore)[ \t]+di{_IT_ART}|"
                rf"\bal[ \t]+di[ \t]+sotto[ \t]+{_IT_TO})[ \t*]*$"),
     "<"),
    (re.compile(r"(?i)(?:every|each)[ \t]*$"), "<="),
    (re.compile(r"(?i)(?:within|in|inside)[ \t]*(?:the[ \t]+)?$"), "within"),
    (re.compile(rf"(?i)\bentro(?:[ \t]+e[ \t]+non[ \t]+oltre)?(?:[ \t]+il[ \t]+termine[ \t]+di)?{_IT_ART}[ \t*]*$"),
     "within"),
]  # fmt: skip
_AFTER = [
    (re.compile(r"(?i)[ \t]*(?:or|and)[ \t]+(?:higher|more|above|greater|better)\b"), ">="),
    (re.compile(r"(?i)[ \t]*(?:or|and)[ \t]+(?:lower|less|fewer|below|under)\b"), "<="),
    (re.compile(r"(?i)[ \t*]*(?:o|e)[ \t]+(?:superiore|superiori|più|oltre|maggiore)\b"), ">="),
    (re.compile(r"(?i)[ \t*]*(?:o|e)[ \t]+(?:inferiore|inferiori|meno|minore)\b"), "<="),
]


def comparison_at(text: str, start: int, end: int, floor: int = 0) -> tuple[str, int, int] | None:
    """The comparison stated around the value text[start:end]: ('>=', where its words start, where they end)."""
    for pattern, sign in _AFTER:
        m = pattern.match(text, end, min(len(text), end + 30))
        if m:
            return sign, start, m.end()
    head = text[max(floor, start - 40) : start]
    for pattern, sign in _BEFORE:
        m = pattern.search(head)
        if m:
            return sign, start - len(head) + m.start(), end
    return None
