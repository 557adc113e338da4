"""The calendar arithmetic of contract deadlines: pure, no database.

Months and years with `relativedelta` (Jan 31 + 1 month = Feb 28/29), business days skipping weekends and the
`holidays` package's public holidays of a country, terms that end the day before their anniversary, and
automatic renewals rolled forward so that the term in force is the one still ahead.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Literal

import dateparser
import holidays
from dateutil.relativedelta import relativedelta

UNITS: tuple[str, ...] = ("day", "business-day", "week", "month", "year")
_CALENDAR_UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}
ROLLING: frozenset[str] = frozenset({"automatic", "evergreen"})  # the renewals that happen unless stopped
MAX_RENEWALS = 1000  # a term rolled forward more often than this is a wrong anchor, not a contract
_DATE_SETTINGS = {
    "REQUIRE_PARTS": ["day", "month", "year"],  # "March 2024" is not a date to count from
    "PARSERS": ["custom-formats", "absolute-time"],  # never "tomorrow" or "in 3 days": a document has no today
    "RETURN_AS_TIMEZONE_AWARE": False,
}


class DateError(ValueError):
    """A unit, direction or country the arithmetic does not know."""


def supported_country(country: str, subdivision: str | None = None) -> bool:
    """Whether the `holidays` package has this country's (and subdivision's) public holidays."""
    supported = holidays.list_supported_countries()
    if country.upper() not in supported:
        return False
    return subdivision is None or subdivision.upper() in {s.upper() for s in supported[country.upper()]}


@functools.cache
def _calendar(country: str, subdivision: str | None) -> holidays.HolidayBase:
    if not supported_country(country, subdivision):
        raise DateError(f"no holiday calendar for {country}{'-' + subdivision if subdivision else ''}")
    return holidays.country_holidays(country.upper(), subdiv=subdivision.upper() if subdivision else None)


def is_business_day(day: date, *, country: str | None = None, subdivision: str | None = None) -> bool:
    """Monday to Friday and, with a country, not one of its public holidays."""
    if day.weekday() >= 5:
        return False
    return country is None or day not in _calendar(country, subdivision)


def shift(
    anchor: date,
    amount: int,
    unit: str,
    direction: str = "after",
    *,
    country: str | None = None,
    subdivision: str | None = None,
) -> date:
    """The date `amount` units after (or before) `anchor`; business days skip weekends and holidays."""
    if direction not in ("after", "before"):
        raise DateError(f"a direction is 'after' or 'before', not {direction!r}")
    if amount < 0:
        raise DateError(f"an amount is not negative: {amount}")
    sign = 1 if direction == "after" else -1
    if unit == "day":
        return anchor + timedelta(days=sign * amount)
    if unit == "week":
        return anchor + timedelta(weeks=sign * amount)
    if unit == "month":
        return anchor + relativedelta(months=sign * amount)
    if unit == "year":
        return anchor + relativedelta(years=sign * amount)
    if unit == "business-day":
        day, left = anchor, amount
        while left:
            day += timedelta(days=sign)
            if is_business_day(day, country=country, subdivision=subdivision):
                left -= 1
        return day
    raise DateError(f"a unit is one of {', '.join(UNITS)}, not {unit!r}")


def term_end(start: date, amount: int, unit: str) -> date:
    """The last day of a term of `amount` units from `start`: the day before its anniversary."""
    return shift(start, amount, unit) - timedelta(days=1)


def current_term(
    effective: date,
    initial: tuple[int, str],
    renewal: tuple[int, str] | None,
    renewal_kind: str | None,
    as_of: date,
) -> tuple[date, date, int]:
    """(start, end, renewals so far) of the term in force on `as_of`, or the initial term if renewals stop.

    Automatic and evergreen renewals roll the term forward (by the renewal period, else by the initial term)
    until its end is on or after `as_of`; a renewal by option, or none, leaves the initial term. Each renewal
    is counted from the first anniversary, not chained, so a term from Jan 31 keeps ending on the 30th.
    """
    first_end = term_end(effective, *initial)
    if renewal_kind not in ROLLING or first_end >= as_of:
        return effective, first_end, 0
    amount, unit = renewal or initial
    if amount <= 0:
        raise DateError("a renewal period is longer than nothing")
    for k in range(1, MAX_RENEWALS + 1):
        start = _after_renewals(effective, initial, (amount, unit), k - 1)
        end = _after_renewals(effective, initial, (amount, unit), k) - timedelta(days=1)
        if end >= as_of:
            return start, end, k
    raise DateError(f"more than {MAX_RENEWALS} renewals between {effective} and {as_of}")


def _after_renewals(effective: date, initial: tuple[int, str], renewal: tuple[int, str], k: int) -> date:
    """The day the initial term and k renewals end on, added in one step so month ends do not drift."""
    if "business-day" in (initial[1], renewal[1]):
        return shift(shift(effective, *initial), k * renewal[0], renewal[1])
    return effective + (_delta(*initial) + _delta(renewal[0] * k, renewal[1]))


def _delta(amount: int, unit: str) -> relativedelta:
    if unit not in _CALENDAR_UNITS:
        raise DateError(f"a unit is one of {', '.join(UNITS)}, not {unit!r}")
    return relativedelta(**{_CALENDAR_UNITS[unit]: amount})


def business_day_of_month(year: int, month: int, n: int, *, country: str | None = None) -> date:
    """The n-th business day (1-based) of a month: 'the fifth (5th) Business Day of the month'."""
    if n < 1:
        raise DateError(f"the business day of a month counts from 1, not {n}")
    day = date(year, month, 1)
    seen = 0
    while day.month == month:
        if is_business_day(day, country=country):
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)
    raise DateError(f"{year}-{month:02d} has fewer than {n} business days")


def next_month(year: int, month: int) -> tuple[int, int]:
    """The calendar month after (year, month)."""
    return (year + 1, 1) if month == 12 else (year, month + 1)


Order = Literal["DMY", "MDY", "YMD"]


def parse_date(text: str, *, order: Order | None = None) -> date | None:
    """A calendar date written any way in English or Italian ('March 1, 2024', '1° marzo 2024'); else None.

    Offline (dateparser's own tables); a day, a month and a year must all be written; relative words are not
    dates. `order` settles '01/02/2024' when the caller knows the document's convention.
    """
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    settings = dict(_DATE_SETTINGS)
    if order:
        settings["DATE_ORDER"] = order
    found = dateparser.parse(cleaned, languages=["en", "it"], settings=settings)
    return found.date() if found else None
