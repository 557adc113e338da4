"""Numbers written in Italian words, as contracts write them beside or instead of figures: "trenta (30) giorni",
"20 (venti) giorni", "novanta giorni", "ventiquattro ore", "centoventi", "duemilacinquecento".

`ITALIAN_NUMBER` is a regular expression of one such word (without groups, to be embedded in the callers'
patterns, case-insensitive where they use it); `italian_number` reads one ("quarantotto" -> 48). Words up to
the thousands are read: units, teens, tens with their elisions ("ventuno", "trentotto"), hundreds ("cento",
"trecento", "centottanta") and thousands ("mille", "duemila", "tremilacinquecento"). The pattern has no nested
unbounded repetition: each part is a bounded choice of literal words, so a hostile text cannot make it
backtrack for long.
"""

from __future__ import annotations

import re

_UNITS = {
    "un": 1, "uno": 1, "una": 1, "due": 2, "tre": 3, "tré": 3, "quattro": 4, "cinque": 5, "sei": 6, "sette": 7,
    "otto": 8, "nove": 9,
}  # fmt: skip
_TEENS = {
    "dieci": 10, "undici": 11, "dodici": 12, "tredici": 13, "quattordici": 14, "quindici": 15, "sedici": 16,
    "diciassette": 17, "diciotto": 18, "diciannove": 19,
}  # fmt: skip
_TENS = {
    "vent": 20, "trent": 30, "quarant": 40, "cinquant": 50, "sessant": 60, "settant": 70, "ottant": 80,
    "novant": 90,
}  # fmt: skip

_UNIT = "uno|una|un|due|tre|tré|quattro|cinque|sei|sette|otto|nove"
_TEEN = "|".join(sorted(_TEENS, key=len, reverse=True))
_TEN_STEM = "|".join(_TENS)
# "venti", "trenta", "ventuno", "ventitré", "trentotto", "quarantacinque"
_TENS_WORD = rf"(?:{_TEN_STEM})(?:[ia](?:due|tre|tré|quattro|cinque|sei|sette|nove)?|uno|otto)"
_BELOW_100 = rf"(?:{_TENS_WORD}|{_TEEN}|{_UNIT})"
_HUNDREDS = rf"(?:(?:due|tre|quattro|cinque|sei|sette|otto|nove)?cento?(?:{_BELOW_100})?)"
_BELOW_1000 = rf"(?:{_HUNDREDS}|{_BELOW_100})"
ITALIAN_NUMBER = rf"(?:mille(?:{_BELOW_1000})?|{_BELOW_1000}mila(?:{_BELOW_1000})?|{_BELOW_1000})"
_WHOLE = re.compile(rf"(?i){ITALIAN_NUMBER}")


def _below_100(word: str) -> int | None:
    if word in _UNITS:
        return _UNITS[word]
    if word in _TEENS:
        return _TEENS[word]
    for stem, tens in _TENS.items():
        if not word.startswith(stem):
            continue
        rest = word[len(stem) :]
        if rest in ("i", "a"):
            return tens
        if rest in ("uno", "otto"):
            return tens + _UNITS[rest]
        if rest[:1] in ("i", "a") and rest[1:] in _UNITS and rest[1:] not in ("uno", "otto", "un", "una"):
            return tens + _UNITS[rest[1:]]
        return None
    return None


def _below_1000(word: str) -> int | None:
    at = word.find("cent")
    if at < 0:
        return _below_100(word)
    head, rest = word[:at], word[at + 4 :]
    hundreds = 1 if not head else _UNITS.get(head)
    if hundreds is None or head in ("un", "uno", "una"):
        return None
    if rest in ("", "o"):
        return hundreds * 100
    below = _below_100(rest)
    if below is None and rest.startswith("o"):
        below = _below_100(rest[1:])  # "centoventi": cent-o-venti; "centottanta": cent-ottanta
    return hundreds * 100 + below if below is not None else None


def italian_number(word: str) -> int | None:
    """'trenta' -> 30, 'ventiquattro' -> 24, 'centoventi' -> 120, 'duemila' -> 2000 (None if no such number)."""
    w = word.strip().casefold()
    if not _WHOLE.fullmatch(w):
        return None
    if w.startswith("mille"):
        rest = w[5:]
        below = _below_1000(rest) if rest else 0
        return 1000 + below if below is not None else None
    if "mila" in w:
        head, _sep, rest = w.partition("mila")
        thousands = _below_1000(head)
        below = _below_1000(rest) if rest else 0
        if thousands is None or below is None or thousands < 2:
            return None
        return thousands * 1000 + below
    return _below_1000(w)
