"""Which table row a measured value falls in: "uptime was 99.5%" -> the row "99.00% - 99.89%".

SLA tables state bands ("99.9% - 99.95%", "99.95% and above", "less than 90%", "from 7.5 hours to 36 hours",
"more than 73 hours"); a question states one measurement ("we were down 10 hours", "availability 99.92",
"below 95"). Percentages and durations (in minutes) are compared only with their own kind; a bare decimal
between 50 and 100 reads as a percentage. Nothing here changes a quote: it only says which row to quote.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_NUM = r"[0-9]+(?:[.,][0-9]+)?"
_UNITS = (
    r"%|percent\b|per\s?cento\b|h\b|hrs?\b|hours?\b|min(?:ute)?s?\b|days?\b"
    r"|or[ae]\b|minut[oi]\b|giorn[oi]\b"  # Italian: "giù 10 ore", "più di 73 ore"
)
_MINUTES = {"h": 60.0, "hr": 60.0, "hour": 60.0, "min": 1.0, "minute": 1.0, "day": 1440.0}
_MINUTES |= {"ora": 60.0, "ore": 60.0, "minuto": 1.0, "minuti": 1.0, "giorno": 1440.0, "giorni": 1440.0}
_UNDER = r"under|below|less than|sotto|meno di|inferiore a|al di sotto del"
_OVER = r"over|above|more than|at least|oltre|sopra|più di|piu di|superiore a|almeno"
_EPSILON = 1e-6


@dataclass(frozen=True)
class Band:
    """A band of values of one kind, both ends included."""

    kind: str  # percent | minutes
    low: float
    high: float

    def holds(self, value: float) -> bool:
        return self.low - _EPSILON <= value <= self.high + _EPSILON


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _unit_kind(unit: str | None) -> tuple[str, float] | None:
    """(kind, factor to the kind's measure): ("percent", 1), ("minutes", 60) for hours."""
    if not unit:
        return None
    u = " ".join(unit.lower().split())
    if u in ("%", "percent", "per cento", "percento"):
        return "percent", 1.0
    if u in _MINUTES:
        return "minutes", _MINUTES[u]
    u = u[:-1] if u.endswith("s") and len(u) > 1 else u
    return ("minutes", _MINUTES[u]) if u in _MINUTES else None


_QUESTION_VALUE = re.compile(
    rf"(?P<cmp>\b(?:{_UNDER}|{_OVER})\s+(?:(?:il|al|del|the)\s+)?|[<>]\s*)?(?P<num>{_NUM})\s*"
    rf"(?P<unit>{_UNITS})?",
    re.IGNORECASE,
)


def measured(question: str) -> list[tuple[str, float]]:
    """The measurements a question states, as (kind, value): percent, or minutes for a duration."""
    out: list[tuple[str, float]] = []
    for m in _QUESTION_VALUE.finditer(question):
        value = _number(m.group("num"))
        cmp = re.sub(r"\s+(?:il|al|del|the)$", "", " ".join((m.group("cmp") or "").lower().split()))
        kind = _unit_kind(m.group("unit"))
        if kind is None:
            if ("." in m.group("num") or "," in m.group("num") or cmp) and 50 <= value <= 100:
                kind = ("percent", 1.0)  # "uptime was 99.5 for the quarter", "drops below 95"
            else:
                continue
        step = 0.001 if kind[0] == "percent" else 1.0 / kind[1]
        if cmp == "<" or (cmp and re.fullmatch(_UNDER, cmp)):
            value -= step
        elif cmp == ">" or (cmp and re.fullmatch(_OVER, cmp) and cmp not in ("at least", "almeno")):
            value += step
        out.append((kind[0], value * kind[1]))
    return out


_RANGE = re.compile(
    rf"(?P<a>{_NUM})\s*(?P<ua>{_UNITS})?\s*(?:-|\u2013|\u2014|\bto\b|\band\b)\s*(?P<b>{_NUM})\s*(?P<unit>{_UNITS})",
    re.IGNORECASE,
)
_ABOVE = re.compile(
    rf"(?:\b(?:more than|over|above|at least)\s*|\u2265\s*|>=?\s*)(?P<a>{_NUM})\s*(?P<unit>{_UNITS})"
    rf"|(?P<b>{_NUM})\s*(?P<unit2>{_UNITS})\s*(?:and above|or higher|or more|and higher|or above)",
    re.IGNORECASE,
)
_BELOW = re.compile(
    rf"(?:\b(?:less than|under|below|fewer than)\s*|\u2264\s*|<=?\s*)(?P<a>{_NUM})\s*(?P<unit>{_UNITS})",
    re.IGNORECASE,
)


def bands(text: str) -> list[Band]:
    """The value bands a row states (a row may state one per column: availability and downtime)."""
    out: list[Band] = []
    taken: list[tuple[int, int]] = []
    for m in _RANGE.finditer(text):
        kind = _unit_kind(m.group("unit"))
        if kind is None:
            continue
        own = _unit_kind(m.group("ua"))  # "45 minutes to 7.3 hours"
        scale_a = own[1] if own and own[0] == kind[0] else kind[1]
        low, high = _number(m.group("a")) * scale_a, _number(m.group("b")) * kind[1]
        out.append(Band(kind[0], min(low, high), max(low, high)))
        taken.append(m.span())
    for m in _ABOVE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        num, unit = (m.group("a"), m.group("unit")) if m.group("a") else (m.group("b"), m.group("unit2"))
        kind = _unit_kind(unit)
        if kind is not None:
            out.append(Band(kind[0], _number(num) * kind[1], math.inf))
    for m in _BELOW.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        kind = _unit_kind(m.group("unit"))
        if kind is not None:
            out.append(Band(kind[0], -math.inf, _number(m.group("a")) * kind[1] - _EPSILON * 2))
    return out


def row_for(question: str, rows: list[str]) -> int | None:
    """The index of the one row whose bands hold a value the question states, or None (none, or several)."""
    values = measured(question)
    if not values or len({kind for kind, _ in values}) < len(values):
        return None  # "99.95 or 99.9?" compares two values: it measures none
    matching = []
    for i, row in enumerate(rows):
        row_bands = bands(row)
        if any(b.kind == kind and b.holds(v) for kind, v in values for b in row_bands):
            matching.append(i)
    return matching[0] if len(matching) == 1 else None
