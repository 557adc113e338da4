"""What SLA extraction drafts: a service level (`LevelDraft`), its credit rule (`CreditDraft`, `TierDraft`),
and the verbatim pieces of the document every value came from (`Span`). `knowledge.slas` is their face."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # defined beside the rules that read them; they hold Spans of this module
    from knowledge.sla_hours import HoursDraft
    from knowledge.sla_remedy import RemedyDraft

Comparison = Literal[">=", "<=", ">", "<", "within"]
Model = Literal["tiers", "per-point", "fixed", "pool"]
Kind = Literal["credit", "report"]


@dataclass(frozen=True)
class Span:
    """A verbatim piece of the document: text == document_text[start:end]."""

    text: str
    start: int
    end: int

    @staticmethod
    def of(document: str, start: int, end: int) -> Span:
        return Span(document[start:end], start, end)


@dataclass(frozen=True)
class TierDraft:
    """One row of a tier table: a measured value in [low, high] earns `pct` of the base."""

    low: Decimal | None  # "from" (None: open end)
    high: Decimal | None  # "to"
    pct: Decimal  # credit pct of the base
    low_inclusive: bool | None  # None where the text does not say
    high_inclusive: bool | None


@dataclass(frozen=True)
class CreditDraft:
    """A credit rule as the contract writes it."""

    model: Model
    source: Span  # the clause or table the rule is written in
    tiers: tuple[TierDraft, ...] = ()
    pct_per_point: Decimal | None = None
    partial: bool = False  # per-point: partial points count too
    base: str | None = None  # "Monthly Fees", "monthly fees due for the affected Cloud Service", "At-Risk Amount"
    amount: Decimal | None = None  # fixed: the amount per breach
    currency: str | None = None  # ISO code of `amount`
    pool_pct: Decimal | None = None  # pool: the pool allocation (100 when the contract has none)
    level_pct: Decimal | None = None  # pool: the level's allocation / weighting ("Credit Weighting 20%")
    at_risk_pct: Decimal | None = None  # pool: the at-risk amount as a pct of the fees ("10% of the Monthly Fees")


@dataclass(frozen=True)
class LevelDraft:
    """A service level as a document states it, every value tied to the characters it came from."""

    metric: str  # "Average Speed of Answer (voice)", "Monthly Uptime Percentage"
    scope: str | None  # "Severity 1", "Packages: Transfers", "English and Spanish" ...
    comparison: Comparison
    target: Decimal | None  # None when the text gives no number (an Order Form / Cover Page variable)
    target_text: str  # the words stating the target, verbatim
    unit: str  # "%", "minutes", "hours", "business days", "days", ... ("" when unknown)
    window: str | None  # "calendar month", "calendar quarter", "Measurement Period" ...
    kind: Kind
    credit: CreditDraft | None
    cap_pct: Decimal | None
    section: str | None  # the clause label as citations show it ("3.1", "5.2(a)")
    quote: Span  # the sentence or table row that states the level
    values: dict[str, Span] = field(default_factory=dict)  # where each value came from ("target", "unit", ...)
    cap: Span | None = None  # the cap's sentence
    effective_from: date | None = None  # an amendment's effective date (its own words), else None
    claim: Span | None = None  # the claim-window sentence ("request ... within 30 days after month end")
    claim_days: int | None = None
    claim_business_days: bool = False
    exclusions: tuple[Span, ...] = ()  # scheduled maintenance, force majeure, client-caused ...
    earn_back: EarnBackDraft | None = None  # the document's earn-back clause, where it applies to this level
    chronic: ChronicDraft | None = None  # the document's chronic-failure clause, where it applies to this level
    hours: HoursDraft | None = None  # the hours it counts (every hour, or a calendar the document defines)
    remedy: RemedyDraft | None = None  # whether credits are the sole remedy (credit levels)


@dataclass(frozen=True)
class EarnBackDraft:
    """An earn-back clause: meeting the level in each of `periods` periods after a failure recovers `pct`% of
    that failure's credit (100 where the clause waives or reverses the credit without a share)."""

    periods: int
    pct: Decimal
    source: Span  # the sentence stating it
    values: dict[str, Span] = field(default_factory=dict)  # "periods", "pct" (absent when the share is implied)
    excludes: tuple[str, ...] = ()  # level references it is not available for ("SL8")
    not_in_chronic: bool = False  # not for a failure that is part of a chronic failure


@dataclass(frozen=True)
class ChronicTest:
    """`run` failures of the same level in any `within` consecutive periods (None: `run` consecutive periods)."""

    run: int
    within: int | None = None


@dataclass(frozen=True)
class ChronicDraft:
    """A chronic (or "multiple") failure clause: the tests it states, alternatives in order, and its remedy."""

    tests: tuple[ChronicTest, ...]
    source: Span  # the sentence stating the tests
    remedy: Span | None = None  # the sentence giving the right it triggers (termination, ...)
    values: dict[str, Span] = field(default_factory=dict)  # "run", "within" of the first test

    @property
    def run(self) -> int:
        return self.tests[0].run

    @property
    def within(self) -> int | None:
        return self.tests[0].within
