"""When an obligation falls due: its terms as the draft read them (`Terms`), the contract term they count
from (`Contract`), and `due`, the date still ahead (or the last one, when nothing renews) as of a day.

Pure, like `bot.deadlines.dates`: the register hands in plain data read from its rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.deadlines.dates import (
    ROLLING,
    business_day_of_month,
    current_term,
    next_month,
    shift,
    term_end,
)

Period = tuple[int, str]  # (amount, unit): (120, "day"), (3, "year")
TERM_ANCHORS = ("term-end", "anniversary")
UNKNOWN_ANCHORS = ("breach-notice", "notice", "go-live", "termination", "signature")  # no date to count from


@dataclass(frozen=True)
class Calendar:
    """Whose public holidays business days skip (None: weekends only)."""

    country: str | None = None
    subdivision: str | None = None


@dataclass(frozen=True)
class Terms:
    """What an obligation's rule says, as stored in its row's `details["terms"]`, plus what a person gave."""

    kind: str
    duration: Period | None = None
    direction: str | None = None
    anchor: str | None = None
    on: date | None = None
    renewal: str | None = None
    day_of_month: int | None = None
    anchor_date: date | None = None  # the anchor a person gave (an SOW's go-live date)

    @classmethod
    def of(cls, kind: str, terms: dict[str, Any]) -> Terms:
        """Terms from their JSON form (`terms_json`)."""
        duration = terms.get("duration")
        return cls(
            kind=kind,
            duration=(int(duration["amount"]), str(duration["unit"])) if duration else None,
            direction=terms.get("direction"),
            anchor=terms.get("anchor"),
            on=_day(terms.get("on")),
            renewal=terms.get("renewal"),
            day_of_month=terms.get("day_of_month"),
            anchor_date=_day(terms.get("anchor_date")),
        )


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Contract:
    """The term a document's deadlines count from: its effective date, initial term (or the day it ends, as
    written or set by hand) and renewals."""

    effective: date | None = None
    initial: Period | None = None
    renewal: Period | None = None
    renewal_kind: str | None = None
    first_end: date | None = None  # the initial term's last day, when written ("ending on 29 February 2028")

    @property
    def known(self) -> bool:
        return self.first_end is not None or (self.effective is not None and self.initial is not None)

    @property
    def rolls(self) -> bool:
        return self.renewal_kind in ROLLING

    def term(self, as_of: date) -> tuple[date, date] | None:
        """The term in force on `as_of` (renewals rolled forward), or None while the term is unknown."""
        if self.first_end is not None:
            period = self.renewal or self.initial
            if self.first_end >= as_of or not self.rolls or period is None:
                return self.effective or self.first_end, self.first_end
            start, end, _ = current_term(self.first_end + timedelta(days=1), period, period, "automatic", as_of)
            return start, end
        if self.effective is None or self.initial is None:
            return None
        start, end, _ = current_term(self.effective, self.initial, self.renewal, self.renewal_kind, as_of)
        return start, end


def contract_of(terms: Iterable[Terms], fallback: Contract | None = None) -> Contract:
    """The contract term the obligations state (the first of each), completed from `fallback` (the MSA's); a
    document that states no term of its own counts from the fallback's, whatever its own effective date."""
    effective = initial = renewal = kind = first_end = None
    for t in terms:
        if t.kind == "effective" and effective is None:
            effective = t.anchor_date or t.on
        elif t.kind == "term-end" and initial is None and first_end is None:
            initial, first_end = t.duration, t.on
            kind = kind or t.renewal
        elif t.kind == "renewal":
            renewal = renewal or t.duration
            kind = t.renewal or kind
    base = fallback or Contract()
    if first_end is None and initial is None and base.known:
        return base  # no term of its own (an SOW co-terminous with the MSA, an amendment): the fallback's term
    return Contract(effective or base.effective, initial, renewal or base.renewal, kind or base.renewal_kind, first_end)


def due(terms: Terms, contract: Contract, as_of: date, calendar: Calendar = Calendar()) -> date | None:
    """The obligation's date as of `as_of`: the next one still ahead where the term renews; None when the rule's
    anchor is unknown (no go-live date yet) or the rule states no date."""
    if terms.kind == "effective":
        return terms.anchor_date or terms.on or contract.effective
    if terms.kind == "term-end":
        held = contract.term(as_of)
        return held[1] if held else terms.on
    if terms.kind == "renewal":
        held = contract.term(as_of)
        if held is None or terms.renewal == "none" or contract.renewal_kind == "none":
            return None
        if contract.rolls or contract.renewal_kind == "option":
            return held[1] + timedelta(days=1)
        return None
    if terms.kind == "report" and terms.day_of_month is not None:
        return _next_report(terms, as_of, calendar)
    if terms.on is not None and terms.anchor is None:
        return terms.on
    if terms.duration is None or terms.direction is None or terms.anchor is None:
        return terms.anchor_date
    if terms.anchor in TERM_ANCHORS:
        return _before_term(terms, contract, as_of, calendar)
    if terms.anchor == "period-end" and terms.kind != "credit-claim" and terms.anchor_date is None:
        return _after_month_end(terms, as_of, calendar)
    anchor = terms.anchor_date or (contract.effective if terms.anchor == "effective" else None)
    if anchor is None:
        return None
    return shift(anchor, *terms.duration, terms.direction, country=calendar.country, subdivision=calendar.subdivision)


def recurs(terms: Terms, contract: Contract) -> bool:
    """Whether the obligation comes round again: a report each month, a window after each period's end, or a
    date counted from a term that renews (marking one done closes that occurrence, not the obligation)."""
    if terms.anchor_date is not None or (terms.on is not None and terms.anchor is None and terms.kind != "term-end"):
        return False  # one date, given or written
    if terms.kind == "report" and terms.day_of_month is not None:
        return True
    if terms.anchor == "period-end":
        return terms.duration is not None and terms.direction is not None
    if terms.kind in ("term-end", "renewal") or terms.anchor in TERM_ANCHORS:
        return contract.rolls and contract.known
    return False


def takes_anchor(terms: Terms) -> bool:
    """Whether a date given as the rule's anchor (`anchor_date`) moves its date: not for a date counted from the
    contract's term or a monthly calendar, nor for a date the text writes."""
    if terms.kind in ("term-end", "renewal") or terms.anchor in TERM_ANCHORS:
        return False
    if terms.kind == "report" and terms.day_of_month is not None:
        return False
    return not (terms.on is not None and terms.anchor is None and terms.kind != "effective")


def anchor_missing(terms: Terms, contract: Contract) -> bool:
    """Whether the date waits on an anchor nobody has given yet (the digest asks for it)."""
    if terms.anchor_date is not None or terms.on is not None or terms.kind == "credit-claim":
        return False  # a credit claim's windows are dated by the SLA register's statements, one each
    if terms.anchor == "period-end":
        return False
    if terms.anchor in UNKNOWN_ANCHORS:
        return True
    needs_term = terms.kind in ("term-end", "renewal") or terms.anchor in TERM_ANCHORS
    return (needs_term and not contract.known) or (terms.anchor == "effective" and contract.effective is None)


def _before_term(terms: Terms, contract: Contract, as_of: date, calendar: Calendar) -> date | None:
    """Counted from the end of the term (or its anniversary, the day after): the next one on or after `as_of`
    while the term renews; the initial term's otherwise."""
    assert terms.duration is not None and terms.direction is not None
    day = as_of
    for _ in range(3):  # the current term's, else the next term's (a notice window already passed)
        held = contract.term(day)
        if held is None:
            return None
        anchor = held[1] + timedelta(days=1) if terms.anchor == "anniversary" else held[1]
        found = shift(
            anchor, *terms.duration, terms.direction, country=calendar.country, subdivision=calendar.subdivision
        )
        if found >= as_of or not contract.rolls:
            return found
        day = held[1] + timedelta(days=1)
    return found


def _after_month_end(terms: Terms, as_of: date, calendar: Calendar) -> date:
    """Counted from the end of each (monthly) period: the next one on or after `as_of`."""
    assert terms.duration is not None and terms.direction is not None
    year, month = (as_of.year - 1, 12) if as_of.month == 1 else (as_of.year, as_of.month - 1)
    for _ in range(3):
        last = term_end(date(year, month, 1), 1, "month")
        found = shift(
            last, *terms.duration, terms.direction, country=calendar.country, subdivision=calendar.subdivision
        )
        if found >= as_of:
            return found
        year, month = next_month(year, month)
    return found


def _next_report(terms: Terms, as_of: date, calendar: Calendar) -> date:
    """'By the fifth (5th) Business Day of each month': the next such day on or after `as_of`."""
    n = terms.day_of_month or 1
    business = terms.duration is not None and terms.duration[1] == "business-day"
    year, month = as_of.year, as_of.month
    for _ in range(2):
        if business:
            found = business_day_of_month(year, month, n, country=calendar.country)
        else:
            found = min(term_end(date(year, month, 1), 1, "month"), date(year, month, 1) + timedelta(days=n - 1))
        if found >= as_of:
            return found
        year, month = next_month(year, month)
    return found
