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
- The working is in the reader's language (`bot.i18n`); what is kept in the database is computed in English
  (`bot.sla.measures.save_statement`), with the total's parts (`bot.sla.totals.Total`) so that a post says the
  total again in its own language (`total_working_of`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from bot.i18n import _
from bot.sla.money import HUNDRED, SlaInputError, currency_code, exact, number, optional, rounded
from bot.sla.terms import (
    COMPARISONS,
    DERIVED,
    Fixed,
    Period,
    PerPoint,
    Pool,
    Source,
    Tiers,
    cited,
    is_met,
    quantity,
)
from bot.sla.totals import Total

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
            raise SlaInputError(_("a cap is either a pct of the fees or an amount, exactly one of them"))


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
            "version": self.level.version,
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
    total: Total | None = None  # the total's parts, to say `total_working` again in another language

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
        raise SlaInputError(
            _("{name} (level {level}) has no target: edit it before computing credits").format(
                name=level.name, level=level.level
            )
        )
    target = f"{level.comparison} {quantity(level.target, level.unit)}"
    zero = Decimal(0)
    if actual is None:
        working = _("{name} not measured vs {target}: no credit{cited}").format(
            name=level.name, target=target, cited=cited([level.source])
        )
        return CreditLine(level, None, False, zero, zero, working)
    fields = {"name": level.name, "actual": quantity(actual, level.unit), "target": target}
    met = is_met(level.comparison, actual, level.target)
    if met:
        working = _("{name} {actual} vs {target}: met, no credit{cited}").format(**fields, cited=cited([level.source]))
        return CreditLine(level, actual, True, zero, zero, working)
    if level.kind == "report" or level.rule is None:
        if level.kind == "report":
            why = _("{name} {actual} vs {target}: missed, a key measurement, reported only, no credit{cited}")
        else:
            why = _("{name} {actual} vs {target}: missed, no credit rule, no credit{cited}")
        return CreditLine(level, actual, False, zero, zero, why.format(**fields, cited=cited([level.source])))
    c = level.rule.credit(level, actual, fees, currency)
    used = [level.source, level.rule.source, getattr(level.rule, "at_risk_source", None)]  # target, rule, at-risk
    working = _("{name} {actual} vs {target}: {how}{cited}").format(**fields, how=c.how, cited=cited(used))
    return CreditLine(level, actual, False, c.pct, c.amount, working)


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
            left_out.append(
                _("{name} (level {level}, version {version}) is {status}, not approved: left out").format(
                    name=v.name, level=v.level, version=v.version, status=v.status
                )
            )
    lines: list[CreditLine] = []
    for level_id in sorted(approved):
        chosen = in_force(approved[level_id], when)
        if chosen is None:
            left_out.append(
                _("level {level}: no approved version in force on {date}").format(
                    level=level_id, date=when.first_day.isoformat()
                )
            )
            continue
        value = measurements.get(level_id)
        actual = None if value is None else exact(value, f"{chosen.name}: measurement")
        lines.append(credit_line(chosen, actual, base, code))
    for level_id in sorted(set(measurements) - set(approved), key=str):
        left_out.append(
            _("a measurement for level {level}, which has no approved version: left out").format(level=level_id)
        )
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
    final = rounded(amount, currency, rounding)
    rule_sources = [line.level.rule.source for line in lines if line.level.rule is not None and line.credit_amount]
    total = Total(
        pct=before_pct,
        fees=fees,
        amount=final,
        currency=currency,
        cap_pct=None if cap is None else cap.pct,
        cap_amount=cap_amount,
        capped=capped,
        cited=cited([*rule_sources, cap.source if cap else None]),
    )
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
        total_working=total.text(),
        left_out=tuple(left_out),
        sources=tuple(dict.fromkeys(s for s in used if s is not None)),
        total=total,
    )
