"""The deadlines' calendar arithmetic: month ends, leap years, business days across holidays, renewals."""

from __future__ import annotations

from datetime import date

import pytest

from bot.deadlines.dates import (
    DateError,
    business_day_of_month,
    current_term,
    is_business_day,
    next_month,
    parse_date,
    shift,
    supported_country,
    term_end,
)


def test_a_month_after_january_31_is_the_last_day_of_february() -> None:
    assert shift(date(2025, 1, 31), 1, "month") == date(2025, 2, 28)
    assert shift(date(2024, 1, 31), 1, "month") == date(2024, 2, 29)
    assert shift(date(2025, 3, 31), 1, "month", "before") == date(2025, 2, 28)


def test_a_year_after_february_29_is_february_28() -> None:
    assert shift(date(2024, 2, 29), 1, "year") == date(2025, 2, 28)
    assert shift(date(2024, 2, 29), 4, "year") == date(2028, 2, 29)


def test_days_and_weeks_count_calendar_days_both_ways() -> None:
    assert shift(date(2025, 12, 31), 120, "day", "before") == date(2025, 9, 2)
    assert shift(date(2025, 12, 1), 30, "day") == date(2025, 12, 31)
    assert shift(date(2025, 12, 1), 2, "week") == date(2025, 12, 15)


def test_business_days_skip_weekends_without_a_country() -> None:
    friday = date(2025, 10, 3)
    assert shift(friday, 1, "business-day") == date(2025, 10, 6)
    assert shift(date(2025, 10, 6), 1, "business-day", "before") == friday
    assert shift(friday, 10, "business-day") == date(2025, 10, 17)  # ten business days are two weeks


def test_business_days_skip_us_thanksgiving() -> None:
    wednesday = date(2026, 11, 25)  # Thanksgiving is Thursday the 26th
    assert shift(wednesday, 1, "business-day", country="US") == date(2026, 11, 27)
    assert shift(wednesday, 1, "business-day") == date(2026, 11, 26)


def test_business_days_skip_ferragosto_and_easter_monday_in_italy() -> None:
    assert shift(date(2025, 8, 14), 1, "business-day", country="IT") == date(2025, 8, 18)  # Fri 15th Ferragosto
    assert not is_business_day(date(2025, 4, 21), country="IT")  # Easter Monday 2025
    assert is_business_day(date(2025, 4, 21))
    assert shift(date(2025, 4, 22), 1, "business-day", "before", country="IT") == date(2025, 4, 18)


def test_a_subdivision_adds_its_own_holidays() -> None:
    saint_ambrose = date(2025, 12, 8)  # also the Immacolata, a national holiday: take Milan's patron in 2026
    assert not is_business_day(saint_ambrose, country="IT")
    assert supported_country("US", "CA") and not supported_country("XX")
    assert not is_business_day(date(2026, 3, 31), country="US", subdivision="CA")  # César Chávez Day
    assert is_business_day(date(2026, 3, 31), country="US")


def test_a_term_ends_the_day_before_its_anniversary() -> None:
    assert term_end(date(2024, 1, 1), 3, "year") == date(2026, 12, 31)
    assert term_end(date(2024, 2, 29), 1, "year") == date(2025, 2, 27)
    assert term_end(date(2025, 1, 31), 1, "month") == date(2025, 2, 27)


def test_automatic_renewal_rolls_the_term_forward_to_the_one_still_ahead() -> None:
    effective = date(2024, 1, 1)
    assert current_term(effective, (3, "year"), (1, "year"), "automatic", date(2026, 6, 1)) == (
        effective,
        date(2026, 12, 31),
        0,
    )
    assert current_term(effective, (3, "year"), (1, "year"), "automatic", date(2027, 1, 1)) == (
        date(2027, 1, 1),
        date(2027, 12, 31),
        1,
    )
    assert current_term(effective, (3, "year"), (1, "year"), "automatic", date(2029, 12, 31)) == (
        date(2029, 1, 1),
        date(2029, 12, 31),
        3,
    )


def test_renewals_are_counted_from_the_anniversary_not_chained() -> None:
    start, end, renewals = current_term(date(2025, 1, 31), (1, "month"), (1, "month"), "automatic", date(2025, 4, 1))
    assert (start, end, renewals) == (date(2025, 3, 31), date(2025, 4, 29), 2)


def test_evergreen_rolls_by_the_initial_term_when_no_renewal_period_is_written() -> None:
    assert current_term(date(2024, 7, 1), (1, "year"), None, "evergreen", date(2026, 8, 1)) == (
        date(2026, 7, 1),
        date(2027, 6, 30),
        2,
    )


def test_a_renewal_by_option_or_none_keeps_the_initial_term() -> None:
    for kind in ("option", "none", None):
        assert current_term(date(2024, 1, 1), (2, "year"), (1, "year"), kind, date(2030, 1, 1)) == (
            date(2024, 1, 1),
            date(2025, 12, 31),
            0,
        )


def test_the_nth_business_day_of_a_month_skips_holidays() -> None:
    assert business_day_of_month(2025, 1, 5) == date(2025, 1, 7)
    assert business_day_of_month(2025, 1, 5, country="IT") == date(2025, 1, 9)  # New Year, Epiphany
    assert next_month(2025, 12) == (2026, 1)
    with pytest.raises(DateError):
        business_day_of_month(2025, 2, 30)


def test_dates_are_read_written_any_way_in_english_and_italian() -> None:
    assert parse_date("March 1, 2024") == date(2024, 3, 1)
    assert parse_date("1st March 2024") == date(2024, 3, 1)
    assert parse_date("1° marzo 2024") == date(2024, 3, 1)
    assert parse_date("15 agosto 2025") == date(2025, 8, 15)
    assert parse_date("2024-03-01") == date(2024, 3, 1)
    assert parse_date("01/02/2024", order="DMY") == date(2024, 2, 1)


def test_relative_or_partial_dates_are_not_dates() -> None:
    assert parse_date("tomorrow") is None
    assert parse_date("March 2024") is None
    assert parse_date("") is None
    assert parse_date("the end of the then-current term") is None


def test_unknown_units_directions_and_countries_are_refused() -> None:
    with pytest.raises(DateError):
        shift(date(2025, 1, 1), 1, "fortnight")
    with pytest.raises(DateError):
        shift(date(2025, 1, 1), 1, "day", "around")
    with pytest.raises(DateError):
        shift(date(2025, 1, 1), 1, "business-day", country="XX")
