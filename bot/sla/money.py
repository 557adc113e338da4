"""Exact numbers for credits: Decimal only, currencies with their minor units, rounding and display.

Floats are refused everywhere (0.1 + 0.2 is not 0.3, and a credit must add up to the cent). An `int` is
exact, so it is taken and turned into a Decimal; anything else (float, bool, str, NaN, infinity) is an
`SlaInputError` naming the field.

What people read (`pct`, `money`, `shown`) is written the way the reader's language writes numbers (Babel: '3,6%',
'USD 2.000,50' in Italian); English as before. `plain` and `number` are the data's own forms, never localised.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from bot.i18n import _, current

# ISO 4217 minor units of the currencies contracts are commonly priced in. A currency not listed is refused
# rather than guessed: add it here with its ISO 4217 exponent.
MINOR_UNITS: dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "NZD": 2, "SGD": 2, "HKD": 2, "CNY": 2,
    "INR": 2, "PHP": 2, "MYR": 2, "THB": 2, "IDR": 2, "ZAR": 2, "MXN": 2, "BRL": 2, "COP": 2, "SEK": 2,
    "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2, "RON": 2, "ILS": 2, "AED": 2, "SAR": 2, "EGP": 2,
    "TRY": 2, "JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "UGX": 0, "BHD": 3, "KWD": 3, "OMR": 3,
    "JOD": 3, "TND": 3,
}  # fmt: skip

HUNDRED = Decimal(100)


class SlaInputError(ValueError):
    """An input to a credit computation is missing, of the wrong type or out of range."""


def exact(value: object, field: str, *, negative: bool = False) -> Decimal:
    """value as a finite Decimal; a float, bool or other type is refused, and so is a negative unless allowed."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        kind = type(value).__name__
        hint = " (floats are inexact: pass Decimal('...') or an int)" if isinstance(value, float) else ""
        raise SlaInputError(f"{field} must be a Decimal or an int, not {kind}{hint}")
    number = Decimal(value)
    if not number.is_finite():
        raise SlaInputError(f"{field} must be a finite number, not {number}")
    if number < 0 and not negative:
        raise SlaInputError(f"{field} must not be negative (got {plain(number)})")
    return number


def optional(value: object, field: str) -> Decimal | None:
    """exact(value), or None for None."""
    return None if value is None else exact(value, field)


def currency_code(code: str) -> str:
    """The ISO 4217 code, upper-cased; an unknown one is refused."""
    found = code.strip().upper() if isinstance(code, str) else ""
    if found not in MINOR_UNITS:
        raise SlaInputError(
            _("unknown currency {code!r}: known are {codes}").format(code=code, codes=", ".join(sorted(MINOR_UNITS)))
        )
    return found


def rounded(amount: Decimal, currency: str, rounding: str = ROUND_HALF_UP) -> Decimal:
    """amount to the currency's minor unit (USD cents, whole yen), half up unless a rule says otherwise."""
    return amount.quantize(Decimal(1).scaleb(-MINOR_UNITS[currency]), rounding=rounding)


def plain(number: Decimal) -> str:
    """A Decimal as a person writes it: no exponent, no trailing zeros ('15', '76.4', '0.25')."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def shown(number: Decimal) -> str:
    """A Decimal for people: `plain` in English, the reader's language's separators otherwise ('76,4')."""
    lang = current()
    if lang == "en":
        return plain(number)
    from babel.numbers import format_decimal  # imported when first needed: the CLI's start-up stays small

    digits = max(0, -int(number.normalize().as_tuple().exponent))
    return format_decimal(number, format="0." + "#" * digits if digits else "0", locale=lang)


def pct(number: Decimal) -> str:
    """'15%', '3.6%' ('3,6%' in Italian)."""
    return f"{shown(number)}%"


def money(amount: Decimal, currency: str) -> str:
    """'USD 30,000', 'USD 2,000.50', 'JPY 12,000': whole amounts without decimals, others to the minor unit
    ('USD 30.000', 'USD 2.000,50' in Italian)."""
    whole = amount == amount.to_integral_value()
    lang = current()
    if lang != "en":
        from babel.numbers import format_decimal

        value = amount if whole else rounded(amount, currency)
        minor = 0 if whole else MINOR_UNITS[currency]
        pattern = "#,##0" + ("." + "0" * minor if minor else "")
        return f"{currency} {format_decimal(value, format=pattern, locale=lang)}"
    if whole:
        return f"{currency} {amount:,.0f}"
    return f"{currency} {rounded(amount, currency):,.{MINOR_UNITS[currency]}f}"


def number(value: Decimal) -> int | float:
    """A Decimal for JSON: an int when whole, else the float whose shortest repr is the same decimal.

    json writes a float by its shortest repr, so 76.4 is written '76.4' and read back as 76.4, nothing lost.
    Every number serialised here is already exact at the precision shown (a rate, a pct to 4 places, an
    amount in minor units); one with more significant digits than a float keeps is refused, not blurred.
    """
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) != value.normalize():
        raise SlaInputError(f"{plain(value)} has more digits than a JSON number keeps exactly")
    return as_float
