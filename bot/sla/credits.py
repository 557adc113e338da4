"""A period's service credits, exact, with the working shown: pure functions over dataclasses.

Rules this module keeps (the tests hold it to them):

- Only approved service levels count: a draft or rejected one is left out and `CreditResult.left_out` says so.
- The version in force in a period is the one in force on the period's *first day*: the latest
  `effective_from` on or before it (None: from the start). A version that starts mid-period applies from
  the next period, as amendments usually say ("the amended targets apply from the Measurement Period
  beginning 1 September"). Of two approved versions with the same effective date the higher `version`
  wins; the same date and version twice is refused.
- A tier's bounds are stated on each tier (`low_inclusive`, `high_inclusive`); by default a tier is
  [from, to): a value on a boundary belongs to the tier that starts there. Overlapping tiers are refused.
- Met: `>=`, `<=`, `>`, `<` as written; `within` is a duration at most the target (actual <= target).
- A missed level's credit is a pct of the period's fees (tiers, per point, pool) or an amount (fixed).
  The lines are summed, then the cap applies (a pct of the fees or an amount), then the total is rounded
  half up to the currency's minor unit (`rounding` changes the mode where a contract says so).
- A level with no measurement is listed with `actual` None (null in JSON), `met` False and no credit:
  it was not assessed. A key measurement (`kind="report"`) is listed, never credited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Literal

from bot.sla.money import HUNDRED, SlaInputError, currency_code, exact, money, number, optional, pct, plain, rounded

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
    for s in dict.fromkeys(s for s in sources if s is not None):
        same = s.document == last_document and s.section
        parts.append(s.label[len(s.document) + 1 :] if same else s.label)
        last_document = s.document
    return f" ({', '.join(parts)})" if parts else ""


@dataclass(frozen=True)
class Period:
    """A calendar month, the measurement window of this first piece ('2026-10')."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        try:
            year, month = (int(p) for p in text.strip().split("-"))
            date(year, month, 1)
        except ValueError as e:
            raise SlaInputError(f"a period is YYYY-MM, not {text!r}") from e
        return cls(year, month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def following(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


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
    """'76.4%', '3 hours'."""
    return pct(value) if unit == "%" else f"{plain(value)} {unit}".rstrip()


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
            raise SlaInputError(f"a tier's from ({plain(self.low)}) is above its to ({plain(self.high)})")

    def holds(self, value: Decimal) -> bool:
        above = self.low is None or value > self.low or (self.low_inclusive and value == self.low)
        below = self.high is None or value < self.high or (self.high_inclusive and value == self.high)
        return above and below

    def band(self, unit: str) -> str:
        """'from 75% (inclusive) to 80% (exclusive)'."""
        parts = []
        if self.low is not None:
            parts.append(f"from {quantity(self.low, unit)} ({'inclusive' if self.low_inclusive else 'exclusive'})")
        if self.high is not None:
            lead = "to" if parts else "up to"
            parts.append(f"{lead} {quantity(self.high, unit)} ({'inclusive' if self.high_inclusive else 'exclusive'})")
        return " ".join(parts) or "any value"


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
            raise SlaInputError("a tier table needs at least one tier")
        for i, a in enumerate(self.tiers):
            for b in self.tiers[i + 1 :]:
                if overlap(a, b):
                    raise SlaInputError(f"tiers overlap: {a.band('')} and {b.band('')}")

    def credit(self, level: ServiceLevel, actual: Decimal, fees: Decimal, currency: str) -> Credit:
        found = [t for t in self.tiers if t.holds(actual)]
        if not found:
            return Credit(Decimal(0), Decimal(0), "in no tier of the table, no credit")
        tier = found[0]
        return Credit(tier.pct, fees * tier.pct / HUNDRED, f"tier {tier.band(level.unit)} = {pct(tier.pct)}")


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
        side = "below" if level.comparison in (">=", ">") else "above"
        name = "points" if level.unit == "%" else level.unit or "points"
        if points == 1 and name.endswith("s"):
            name = name[:-1]  # "1 full point below"
        value = points * self.pct_per_point
        how = f"{plain(points)} {'partial' if self.partial else 'full'} {name} {side} x {pct(self.pct_per_point)}"
        how += f" = {pct(value)}"
        if self.max_pct is not None and value > self.max_pct:
            value = self.max_pct
            how += f", at most {pct(value)}"
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
            raise SlaInputError(f"{level.metric}: a fixed credit in {self.currency} cannot be added to {currency} fees")
        share = (self.amount * HUNDRED / fees).quantize(DERIVED, rounding=ROUND_HALF_UP) if fees else Decimal(0)
        return Credit(share, self.amount, f"fixed credit of {money(self.amount, currency)} per breach = {pct(share)}")


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
        how = (
            f"{pct(self.pool_pct)} pool allocation x {pct(self.level_pct)} level allocation x at-risk amount "
            f"{pct(self.at_risk_pct)} of {money(fees, currency)} ({money(at_risk, currency)})"
            f" = {money(fees * value / HUNDRED, currency)} = {pct(value)}"
        )
        return Credit(value, fees * value / HUNDRED, how)


CreditRule = Tiers | PerPoint | Fixed | Pool


@dataclass(frozen=True)
class ServiceLevel:
    """One version of a service level: what is measured, its target, its credit rule and where they are written.

    `level` is the register's id of the service level, shared by all its versions.
    """

    level: int
    metric: str
    comparison: str
    target: Decimal | None
    unit: str
    source: Source
    kind: Literal["credit", "report"] = "credit"
    rule: CreditRule | None = None
    scope: str | None = None
    effective_from: date | None = None
    version: int = 1
    status: Literal["draft", "approved", "rejected"] = "draft"

    def __post_init__(self) -> None:
        if self.comparison not in COMPARISONS:
            raise SlaInputError(
                f"{self.metric}: unknown comparison {self.comparison!r}, one of {', '.join(COMPARISONS)}"
            )
        object.__setattr__(self, "target", optional(self.target, f"{self.metric}: target"))
        if self.kind not in ("credit", "report"):
            raise SlaInputError(f"{self.metric}: kind is 'credit' or 'report', not {self.kind!r}")

    @property
    def name(self) -> str:
        return f"{self.metric} ({self.scope})" if self.scope else self.metric


def in_force(versions: Iterable[ServiceLevel], period: Period) -> ServiceLevel | None:
    """The version in force on the period's first day: the latest effective_from on or before it, else None."""
    started = [v for v in versions if v.effective_from is None or v.effective_from <= period.first_day]
    chosen = max(started, key=lambda v: (v.effective_from or date.min, v.version), default=None)
    twins = [v for v in started if chosen and (v.effective_from, v.version) == (chosen.effective_from, chosen.version)]
    if len(twins) > 1:
        raise SlaInputError(f"{twins[0].name}: two versions {twins[0].version} in force from the same date")
    return chosen


@dataclass(frozen=True)
class Cap:
    """The most the credits of one period may total: a pct of the fees, or an amount."""

    source: Source
    pct: Decimal | None = None
    amount: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "pct", optional(self.pct, "the cap's pct"))
        object.__setattr__(self, "amount", optional(self.amount, "the cap's amount"))
        if (self.pct is None) == (self.amount is None):
            raise SlaInputError("a cap is either a pct of the fees or an amount, exactly one of them")


@dataclass(frozen=True)
class CreditLine:
    """One approved level in the period: its measurement, met or not, its credit and the working."""

    level: ServiceLevel
    actual: Decimal | None
    met: bool
    credit_pct: Decimal
    credit_amount: Decimal
    working: str

    def as_dict(self) -> dict[str, Any]:
        s = self.level.source
        return {
            "level": self.level.level,
            "metric": self.level.metric,
            "target": None if self.level.target is None else number(self.level.target),
            "actual": None if self.actual is None else number(self.actual),
            "met": self.met,
            "credit_pct": number(self.credit_pct),
            "working": self.working,
            "document": s.document,
            "section": s.section,
            "quote": s.quote,
        }


@dataclass(frozen=True)
class CreditResult:
    """A period's credits: the lines, the total before and after the cap, the amount, and every source used.

    `as_dict()` is the JSON of `liaison sla credits`. Its numbers are JSON numbers made by `money.number`:
    an int when whole, else the float whose shortest repr is the exact Decimal (76.4 -> 76.4), so nothing a
    user sees is lost. A pct derived from an amount (a fixed credit, an amount cap) is exact to 4 places;
    `total_amount` is rounded to the currency's minor unit; the exact amounts stay on the object.
    """

    period: Period
    fees: Decimal
    currency: str
    lines: tuple[CreditLine, ...]
    total_pct_before_cap: Decimal
    total_amount_before_cap: Decimal
    cap: Cap | None
    cap_pct: Decimal | None
    cap_amount: Decimal | None
    total_pct: Decimal
    total_amount: Decimal
    capped: bool
    total_working: str
    left_out: tuple[str, ...] = ()
    sources: tuple[Source, ...] = field(default=())

    @property
    def working(self) -> list[str]:
        """The lines' working, then the total's."""
        return [line.working for line in self.lines] + [self.total_working]

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": str(self.period),
            "fees": number(self.fees),
            "currency": self.currency,
            "lines": [line.as_dict() for line in self.lines],
            "total_pct_before_cap": number(self.total_pct_before_cap),
            "cap_pct": None if self.cap_pct is None else number(self.cap_pct),
            "total_pct": number(self.total_pct),
            "total_amount": number(self.total_amount),
            "capped": self.capped,
        }


def credit_line(level: ServiceLevel, actual: Decimal | None, fees: Decimal, currency: str) -> CreditLine:
    """One approved level's line: met or missed against its target, and the credit its rule gives."""
    if level.target is None:
        raise SlaInputError(f"{level.name} (level {level.level}) has no target: edit it before computing credits")
    head = f"{level.name} {'not measured' if actual is None else quantity(actual, level.unit)}"
    head += f" vs {level.comparison} {quantity(level.target, level.unit)}"
    zero = Decimal(0)
    if actual is None:
        return CreditLine(level, None, False, zero, zero, f"{head}: no credit{cited([level.source])}")
    met = is_met(level.comparison, actual, level.target)
    if met:
        return CreditLine(level, actual, True, zero, zero, f"{head}: met, no credit{cited([level.source])}")
    if level.kind == "report" or level.rule is None:
        why = "a key measurement, reported only" if level.kind == "report" else "no credit rule"
        return CreditLine(level, actual, False, zero, zero, f"{head}: missed, {why}, no credit{cited([level.source])}")
    c = level.rule.credit(level, actual, fees, currency)
    return CreditLine(level, actual, False, c.pct, c.amount, f"{head}: {c.how}{cited([level.rule.source])}")


def compute_credits(
    levels: Iterable[ServiceLevel],
    measurements: Mapping[int, object],
    *,
    period: Period | str,
    fees: object,
    currency: str = "USD",
    cap: Cap | None = None,
    fees_source: Source | None = None,
    rounding: str = ROUND_HALF_UP,
) -> CreditResult:
    """The credits of one period: each approved level's version in force, summed, capped, then rounded.

    `measurements` maps a level's id to its value in the period (a Decimal or an int; absent or None:
    not measured). Drafts and rejected versions are left out, each named in `left_out`.
    """
    when = period if isinstance(period, Period) else Period.parse(period)
    base = exact(fees, "fees")
    code = currency_code(currency)
    left_out: list[str] = []
    approved: dict[int, list[ServiceLevel]] = {}
    for v in levels:
        if v.status == "approved":
            approved.setdefault(v.level, []).append(v)
        else:
            left_out.append(f"{v.name} (level {v.level}, version {v.version}) is {v.status}, not approved: left out")
    lines: list[CreditLine] = []
    for level_id in sorted(approved):
        chosen = in_force(approved[level_id], when)
        if chosen is None:
            left_out.append(f"level {level_id}: no approved version in force on {when.first_day.isoformat()}")
            continue
        value = measurements.get(level_id)
        actual = None if value is None else exact(value, f"{chosen.name}: measurement")
        lines.append(credit_line(chosen, actual, base, code))
    for level_id in sorted(set(measurements) - set(approved), key=str):
        left_out.append(f"a measurement for level {level_id}, which has no approved version: left out")
    return totals(when, base, code, lines, cap, fees_source, rounding, left_out)


def totals(
    period: Period,
    fees: Decimal,
    currency: str,
    lines: Sequence[CreditLine],
    cap: Cap | None,
    fees_source: Source | None,
    rounding: str,
    left_out: Sequence[str],
) -> CreditResult:
    """The lines summed, then capped, then rounded, with the sentence that says so."""
    before_pct = sum((line.credit_pct for line in lines), Decimal(0))
    before_amount = sum((line.credit_amount for line in lines), Decimal(0))
    cap_pct = cap_amount = None
    capped = False
    total_pct, amount = before_pct, before_amount
    text = f"Total {pct(before_pct)} of {money(fees, currency)}"
    if cap is not None:
        if cap.pct is not None:
            cap_pct, cap_amount = cap.pct, fees * cap.pct / HUNDRED
        else:
            assert cap.amount is not None
            cap_amount = cap.amount
            cap_pct = (cap.amount * HUNDRED / fees).quantize(DERIVED, rounding=ROUND_HALF_UP) if fees else Decimal(0)
        capped = before_amount > cap_amount
        if capped:
            total_pct, amount = cap_pct, cap_amount
            cap_text = pct(cap.pct) if cap.pct is not None else money(cap_amount, currency)
            text = f"Total {pct(before_pct)}, capped at {cap_text} of {money(fees, currency)}"
    final = rounded(amount, currency, rounding)
    text += f" = {money(final, currency)}"
    if cap is not None and not capped:
        text += f", within the cap of {money(cap_amount or Decimal(0), currency)}"
    rule_sources = [line.level.rule.source for line in lines if line.level.rule is not None and line.credit_amount]
    text += cited([*rule_sources, cap.source if cap else None])
    used: list[Source | None] = [fees_source, cap.source if cap else None]
    for line in lines:
        rule = line.level.rule
        used += [line.level.source, rule.source if rule else None, getattr(rule, "at_risk_source", None)]
    return CreditResult(
        period=period,
        fees=fees,
        currency=currency,
        lines=tuple(lines),
        total_pct_before_cap=before_pct,
        total_amount_before_cap=before_amount,
        cap=cap,
        cap_pct=cap_pct,
        cap_amount=cap_amount,
        total_pct=total_pct,
        total_amount=final,
        capped=capped,
        total_working=text,
        left_out=tuple(left_out),
        sources=tuple(dict.fromkeys(s for s in used if s is not None)),
    )
