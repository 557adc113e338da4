"""What a contract states about a service level's credit: where each number is written (`Source`), the
measurement period, how a value meets its target, and the credit rules (tiers, per point, fixed, pool).

Pure, like `bot.sla.credits`, which applies these to a period's measurements. Tier bounds are stated on each
tier (`low_inclusive`, `high_inclusive`); by default a tier is [from, to), and overlapping tiers are refused.
The working and the refusals a person reads are in the reader's language (`bot.i18n`); units are the contract's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal

from bot.i18n import _
from bot.sla.money import HUNDRED, SlaInputError, currency_code, exact, money, optional, pct, shown

if TYPE_CHECKING:
    from bot.sla.credits import ServiceLevel  # the level a rule credits (its metric, target, unit)

Comparison = Literal[">=", "<=", ">", "<", "within"]
COMPARISONS: tuple[str, ...] = (">=", "<=", ">", "<", "within")
DERIVED = Decimal("0.0001")  # a pct derived from an amount (fixed credit, amount cap) is shown to 4 places


@dataclass(frozen=True)
class Source:
    """Where a number came from: the document, its section and the verbatim quote at [start, end)."""

    document: str
    section: str | None
    quote: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if not self.document or not self.quote:
            raise SlaInputError("a source needs its document and its quote")
        if not 0 <= self.start <= self.end or self.end - self.start != len(self.quote):
            raise SlaInputError(f"source span [{self.start}, {self.end}) does not fit its quote of {len(self.quote)}")

    @property
    def label(self) -> str:
        """'Schedule 2 §4.1'."""
        if not self.section:
            return self.document
        return f"{self.document} {self.section if self.section.startswith('§') else '§' + self.section}"


def cited(sources: Iterable[Source | None]) -> str:
    """'(Schedule 2 §3.1, §4.1)': each source once, the document named once for its sections."""
    parts: list[str] = []
    last_document = None
    labelled = {s.label: s for s in sources if s is not None}  # one citation per clause, however many quotes
    for s in labelled.values():
        same = s.document == last_document and s.section
        parts.append(s.label[len(s.document) + 1 :] if same else s.label)
        last_document = s.document
    return f" ({', '.join(parts)})" if parts else ""


@dataclass(frozen=True)
class Period:
    """A measurement period: a calendar month ('2026-10') or a calendar quarter ('2026-Q3', `months` 3)."""

    year: int
    month: int  # the first month (of a quarter: 1, 4, 7 or 10)
    months: int = 1

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2026-10' or '2026-Q3' (also '2026Q3', lower case q)."""
        quarter = re.fullmatch(r"(\d{4})[- ]?[Qq]([1-4])", text.strip()) if isinstance(text, str) else None
        if quarter:
            return cls(int(quarter.group(1)), 3 * int(quarter.group(2)) - 2, 3)
        try:
            year, month = (int(p) for p in text.strip().split("-"))
            date(year, month, 1)
        except (ValueError, AttributeError) as e:
            raise SlaInputError(
                _("a period is YYYY-MM (a month) or YYYY-Qn (a quarter), not {text!r}").format(text=text)
            ) from e
        return cls(year, month)

    @property
    def is_quarter(self) -> bool:
        return self.months == 3

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_month(self) -> Period:
        """The period's last calendar month (itself for a month)."""
        return Period(self.year, self.month).shifted(self.months - 1) if self.is_quarter else self

    def quarter(self) -> Period:
        """The calendar quarter the period falls in."""
        return Period(self.year, (self.month - 1) // 3 * 3 + 1, 3)

    def following(self) -> Period:
        return self.shifted(1)

    def shifted(self, n: int) -> Period:
        """The period n periods (of its own length) later; n < 0: earlier."""
        index = self.year * 12 + self.month - 1 + n * self.months
        return Period(index // 12, index % 12 + 1, self.months)

    def __str__(self) -> str:
        if self.is_quarter:
            return f"{self.year:04d}-Q{(self.month - 1) // 3 + 1}"
        return f"{self.year:04d}-{self.month:02d}"


Window = Literal["month", "quarter"]
_QUARTERLY = re.compile(r"(?i)\bquarter(?:ly|s)?\b")
_ROLLING = re.compile(r"(?i)\brolling\b")


def window_of(window: str | None) -> Window:
    """How a level is measured: per calendar quarter when its window says so ("each calendar quarter",
    "quarterly"), else per month (a rolling window's value is reported per month)."""
    if window and _QUARTERLY.search(window) and not _ROLLING.search(window):
        return "quarter"
    return "month"


def is_rolling(window: str | None) -> bool:
    """A rolling window ("rolling 30 days", "rolling twelve months"): reported per month, over that window."""
    return bool(window and _ROLLING.search(window))


def month_of(text: str) -> Period:
    """A month, for what is computed per month (credits, their claim), or SlaInputError naming the month."""
    period = Period.parse(text)
    if period.is_quarter:
        raise SlaInputError(
            _(
                "credits are computed per month: the period {month} includes the levels measured per quarter ({period})"
            ).format(month=period.last_month, period=period)
        )
    return period


def period_for(window: str | None, period: Period, name: str) -> Period:
    """The period as the level measures it, or SlaInputError naming the period to use instead."""
    if window_of(window) == "quarter" and not period.is_quarter:
        quarter = period.quarter()
        raise SlaInputError(
            _("{name} is measured per calendar quarter: report the period {quarter}, not {period}").format(
                name=name, quarter=quarter, period=period
            )
        )
    if window_of(window) == "month" and period.is_quarter:
        months = ", ".join(str(period.last_month.shifted(-i)) for i in (2, 1, 0))
        raise SlaInputError(
            _("{name} is measured per month: report the periods {months}, not {period}").format(
                name=name, months=months, period=period
            )
        )
    return period


def is_met(comparison: str, actual: Decimal, target: Decimal) -> bool:
    """Whether actual meets target; `within` is a duration at most the target."""
    if comparison == ">=":
        return actual >= target
    if comparison == ">":
        return actual > target
    if comparison == "<=" or comparison == "within":
        return actual <= target
    if comparison == "<":
        return actual < target
    raise SlaInputError(f"unknown comparison {comparison!r}: one of {', '.join(COMPARISONS)}")


def shortfall(comparison: str, actual: Decimal, target: Decimal) -> Decimal:
    """How far actual is on the wrong side of target (0 when met or on the target itself)."""
    gap = target - actual if comparison in (">=", ">") else actual - target
    return max(gap, Decimal(0))


def quantity(value: Decimal, unit: str) -> str:
    """'76.4%', '3 hours', '1 hour', '1 business day'."""
    if unit == "%":
        return pct(value)
    if value == 1 and unit.endswith("s") and not unit.endswith("ss"):
        unit = unit[:-1]
    return f"{shown(value)} {unit}".rstrip()


@dataclass(frozen=True)
class Credit:
    """One missed level's credit: a pct of the fees, the amount, and the arithmetic in words."""

    pct: Decimal
    amount: Decimal
    how: str


@dataclass(frozen=True)
class Tier:
    """One row of a tier table: the actual value's band and its credit pct; None is an open end."""

    low: Decimal | None
    high: Decimal | None
    pct: Decimal
    low_inclusive: bool = True
    high_inclusive: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "low", optional(self.low, "a tier's from"))
        object.__setattr__(self, "high", optional(self.high, "a tier's to"))
        object.__setattr__(self, "pct", exact(self.pct, "a tier's pct"))
        if self.low is not None and self.high is not None and self.low > self.high:
            raise SlaInputError(
                _("a tier's from ({low}) is above its to ({high})").format(low=shown(self.low), high=shown(self.high))
            )

    def holds(self, value: Decimal) -> bool:
        above = self.low is None or value > self.low or (self.low_inclusive and value == self.low)
        below = self.high is None or value < self.high or (self.high_inclusive and value == self.high)
        return above and below

    def band(self, unit: str) -> str:
        """'from 75% (inclusive) to 80% (exclusive)'."""
        low = None if self.low is None else quantity(self.low, unit)
        high = None if self.high is None else quantity(self.high, unit)
        if low is not None and high is not None:
            texts = {
                (True, True): _("from {low} (inclusive) to {high} (inclusive)"),
                (True, False): _("from {low} (inclusive) to {high} (exclusive)"),
                (False, True): _("from {low} (exclusive) to {high} (inclusive)"),
                (False, False): _("from {low} (exclusive) to {high} (exclusive)"),
            }
            return texts[(self.low_inclusive, self.high_inclusive)].format(low=low, high=high)
        if low is not None:
            text = _("from {low} (inclusive)") if self.low_inclusive else _("from {low} (exclusive)")
            return text.format(low=low)
        if high is not None:
            text = _("up to {high} (inclusive)") if self.high_inclusive else _("up to {high} (exclusive)")
            return text.format(high=high)
        return _("any value")


def overlap(a: Tier, b: Tier) -> bool:
    """Whether some value lies in both tiers (None is an open end; an equal bound is shared only if both include it)."""
    lows = [(t.low, t.low_inclusive) for t in (a, b) if t.low is not None]
    highs = [(t.high, t.high_inclusive) for t in (a, b) if t.high is not None]
    if not lows or not highs:
        return True  # both open below (or above): they share the values past the nearer end
    low = max(v for v, _ in lows)
    high = min(v for v, _ in highs)
    if low != high:
        return low < high
    return all(inc for v, inc in lows if v == low) and all(inc for v, inc in highs if v == high)


@dataclass(frozen=True)
class Tiers:
    """A tier table on the actual value: the one tier holding it gives the credit pct of the fees."""

    tiers: tuple[Tier, ...]
    source: Source

    def __post_init__(self) -> None:
        if not self.tiers:
            raise SlaInputError(_("a tier table needs at least one tier"))
        for i, a in enumerate(self.tiers):
            for b in self.tiers[i + 1 :]:
                if overlap(a, b):
                    raise SlaInputError(_("tiers overlap: {a} and {b}").format(a=a.band(""), b=b.band("")))

    def credit(self, level: ServiceLevel, actual: Decimal, fees: Decimal, currency: str) -> Credit:
        found = [t for t in self.tiers if t.holds(actual)]
        if not found:
            return Credit(Decimal(0), Decimal(0), _("in no tier of the table, no credit"))
        tier = found[0]
        how = _("tier {band} = {pct}").format(band=tier.band(level.unit), pct=pct(tier.pct))
        return Credit(tier.pct, fees * tier.pct / HUNDRED, how)


@dataclass(frozen=True)
class PerPoint:
    """A pct of the fees per point on the wrong side of the target: full points only, or partial ones too.

    A point is a percentage point for a level in %, else one of its unit (a minute, an hour).
    """

    pct_per_point: Decimal
    source: Source
    partial: bool = False
    max_pct: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "pct_per_point", exact(self.pct_per_point, "pct per point"))
        object.__setattr__(self, "max_pct", optional(self.max_pct, "a per-point rule's maximum"))

    def credit(self, level: ServiceLevel, actual: Decimal, fees: Decimal, currency: str) -> Credit:
        assert level.target is not None
        gap = shortfall(level.comparison, actual, level.target)
        points = gap if self.partial else gap.to_integral_value(rounding=ROUND_DOWN)
        below = level.comparison in (">=", ">")
        value = points * self.pct_per_point
        count, rate, total = shown(points), pct(self.pct_per_point), pct(value)
        if level.unit and level.unit != "%":  # points of the contract's own unit ("3 full hours above")
            name = level.unit[:-1] if points == 1 and level.unit.endswith("s") else level.unit
            texts = {
                (False, True): _("{count} full {unit} below x {rate} = {total}"),
                (False, False): _("{count} full {unit} above x {rate} = {total}"),
                (True, True): _("{count} partial {unit} below x {rate} = {total}"),
                (True, False): _("{count} partial {unit} above x {rate} = {total}"),
            }
            how = texts[(self.partial, below)].format(count=count, unit=name, rate=rate, total=total)
        elif points == 1:
            texts = {
                (False, True): _("{count} full point below x {rate} = {total}"),
                (False, False): _("{count} full point above x {rate} = {total}"),
                (True, True): _("{count} partial point below x {rate} = {total}"),
                (True, False): _("{count} partial point above x {rate} = {total}"),
            }
            how = texts[(self.partial, below)].format(count=count, rate=rate, total=total)
        else:
            texts = {
                (False, True): _("{count} full points below x {rate} = {total}"),
                (False, False): _("{count} full points above x {rate} = {total}"),
                (True, True): _("{count} partial points below x {rate} = {total}"),
                (True, False): _("{count} partial points above x {rate} = {total}"),
            }
            how = texts[(self.partial, below)].format(count=count, rate=rate, total=total)
        if self.max_pct is not None and value > self.max_pct:
            value = self.max_pct
            how = _("{working}, at most {pct}").format(working=how, pct=pct(value))
        return Credit(value, fees * value / HUNDRED, how)


@dataclass(frozen=True)
class Fixed:
    """An amount per breach, in the computation's currency."""

    amount: Decimal
    currency: str
    source: Source

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", exact(self.amount, "a fixed credit's amount"))
        object.__setattr__(self, "currency", currency_code(self.currency))

    def credit(self, level: ServiceLevel, actual: Decimal, fees: Decimal, currency: str) -> Credit:
        if self.currency != currency:
            raise SlaInputError(
                _("{metric}: a fixed credit in {currency} cannot be added to {fees_currency} fees").format(
                    metric=level.metric, currency=self.currency, fees_currency=currency
                )
            )
        share = (self.amount * HUNDRED / fees).quantize(DERIVED, rounding=ROUND_HALF_UP) if fees else Decimal(0)
        how = _("fixed credit of {amount} per breach = {pct}").format(
            amount=money(self.amount, currency), pct=pct(share)
        )
        return Credit(share, self.amount, how)


@dataclass(frozen=True)
class Pool:
    """An at-risk pool's allocation: pool allocation x the level's allocation x the at-risk pct of the fees.

    A contract with no pool allocation (credit = at-risk amount x the level's weighting) has pool_pct 100.
    """

    pool_pct: Decimal
    level_pct: Decimal
    at_risk_pct: Decimal
    source: Source
    at_risk_source: Source | None = None

    def __post_init__(self) -> None:
        for name in ("pool_pct", "level_pct", "at_risk_pct"):
            object.__setattr__(self, name, exact(getattr(self, name), name.replace("_", " ")))

    def credit(self, level: ServiceLevel, actual: Decimal, fees: Decimal, currency: str) -> Credit:
        value = self.pool_pct * self.level_pct * self.at_risk_pct / HUNDRED / HUNDRED
        at_risk = fees * self.at_risk_pct / HUNDRED
        how = _(
            "{pool} pool allocation x {level} level allocation x at-risk amount {at_risk_pct} of {fees} "
            "({at_risk}) = {amount} = {pct}"
        ).format(
            pool=pct(self.pool_pct),
            level=pct(self.level_pct),
            at_risk_pct=pct(self.at_risk_pct),
            fees=money(fees, currency),
            at_risk=money(at_risk, currency),
            amount=money(fees * value / HUNDRED, currency),
            pct=pct(value),
        )
        return Credit(value, fees * value / HUNDRED, how)
