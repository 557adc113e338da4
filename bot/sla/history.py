"""What the contract's rules over a series of months make of the register up to a month: the chronic failures
it completes and the earn-backs it completes, each citing its clause.

The terms are the ones extracted with each approved level (`details["chronic"]`, `details["earn_back"]`, as
`knowledge.sla_series` read them, or as a reviewer edited them); a level whose contract states none has none. An
amendment's version that restates a target only keeps the clauses of the version it amends.
Each month is computed with `measures.credits_for`: on its kept statement's fees where there is one, else on
the fees given. An earn-back is reported in the month that completes it and is not subtracted from that month's
credits: it reduces what was owed for the failure's month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from bot.errors import NotFound
from bot.i18n import _
from bot.records import sla as records
from bot.records.sla import ServiceLevelRecord
from bot.sla import register
from bot.sla.credits import CreditResult
from bot.sla.measures import credits_for
from bot.sla.money import SlaInputError, money, number, rounded
from bot.sla.series import chronic_failures, earn_backs
from bot.sla.terms import Period, Source, cited, window_of
from bot.sla.versions import in_force_rows

MAX_WINDOW = 36  # months looked back, whatever a clause says


def clause_of(row: ServiceLevelRecord, span: Mapping[str, Any] | None) -> Source | None:
    if not span or not span.get("quote"):
        return None
    return Source(row.document, span.get("section"), span["quote"], span["start"], span["end"])


def months_to(last: Period, count: int) -> list[Period]:
    return [last.shifted(-i) for i in range(min(count, MAX_WINDOW) - 1, -1, -1)]


class Months:
    """One engagement's monthly credits, each month computed once (on its kept statement's fees, else the fees
    given): the chronic tests and the earn-backs of every level read the same months."""

    def __init__(self, session: Session, *, engagement: str, fees: object = Decimal(0), currency: str = "USD"):
        self.session, self.engagement, self.fees, self.currency = session, engagement, fees, currency
        self.done: dict[Period, CreditResult | None] = {}

    def results(self, months: list[Period]) -> list[CreditResult]:
        """The months' credits, oldest first; a month that cannot compute (no approved level in force) is left out."""
        for month in months:
            if month not in self.done:
                self.done[month] = self._compute(month)
        return [r for m in months if (r := self.done[m]) is not None]

    def _compute(self, month: Period) -> CreditResult | None:
        kept = records.statement_of(self.session, engagement=self.engagement, period=str(month))
        fees, code = (Decimal(kept.fees), kept.currency) if kept is not None else (self.fees, self.currency)
        try:
            return credits_for(self.session, engagement=self.engagement, period=str(month), fees=fees, currency=code)
        except (NotFound, SlaInputError):
            return None


def _in_force(session: Session, engagement: str, month: Period, key: str) -> dict[int, ServiceLevelRecord]:
    """Each family's approved version in force stating the clause `key`; a version that does not (an amendment
    restating a target only) keeps the clause of the latest earlier version that does."""
    approved = [r for r in register.levels(session, engagement=engagement) if r.status == "approved"]
    out: dict[int, ServiceLevelRecord] = {}
    for family, row in in_force_rows(approved, month).items():
        stating = [
            r
            for r in approved
            if (r.family or r.id) == family
            and (r.effective_from is None or r.effective_from <= month.first_day)
            and (r.details or {}).get(key)
        ]
        if (row.details or {}).get(key):
            out[family] = row
        elif stating:
            out[family] = max(stating, key=lambda r: (r.effective_from or date.min, r.version))
    return out


def series_of(
    months: Months, row: ServiceLevelRecord, last: Period, count: int
) -> tuple[list[CreditResult], Period] | None:
    """The results a level's series rules read, and what `last` is for it: the months up to it, or for a level
    measured per calendar quarter the quarters up to the one `last` ends (None in a quarter's other months)."""
    if window_of(row.window) != "quarter":
        return months.results(months_to(last, count)), last
    quarter = last.quarter()
    if quarter.last_month != last:
        return None
    ends = [quarter.shifted(-i).last_month for i in range(min(count, MAX_WINDOW // 3) - 1, -1, -1)]
    return [replace(r, period=r.period.quarter()) for r in months.results(ends)], quarter


def chronic_through(session: Session, *, engagement: str, period: str, months: Months | None = None) -> list[str]:
    """The approved levels whose chronic-failure test (their contract's) the month `period` completes, as
    sentences citing the clause. A month with no approved level in force or no measurement is not a miss."""
    months = months or Months(session, engagement=engagement)
    last = Period.parse(period)
    rows = _in_force(session, engagement, last, "chronic")
    if not rows:
        return []
    out: list[str] = []
    for family, row in sorted(rows.items()):
        tests = row.details["chronic"].get("tests") or []
        longest = max((t.get("within") or t.get("run") or 1 for t in tests), default=1)
        read = series_of(months, row, last, longest)
        if read is None:
            continue
        results, current = read
        for test in tests:
            run, within = int(test.get("run") or 0), test.get("within")
            if run < 1:
                continue
            found = [
                f
                for f in chronic_failures(results, run=run, within=int(within) if within else None)
                if f.level == family and f.periods[-1] == current
            ]
            if found:
                chronic = row.details["chronic"]
                sources = [clause_of(row, chronic.get("source")), clause_of(row, chronic.get("remedy"))]
                out.append(found[0].working + cited(sources))
                break
    return out


def earn_backs_through(
    session: Session, *, engagement: str, period: str, fees: object, currency: str, months: Months | None = None
) -> list[dict[str, Any]]:
    """The earn-backs the month `period` completes: for each approved level with an earn-back clause, a failure
    `periods` months earlier met in each month since, as a line with the working and the clause."""
    months = months or Months(session, engagement=engagement, fees=fees, currency=currency)
    last = Period.parse(period)
    rows = _in_force(session, engagement, last, "earn_back")
    out: list[dict[str, Any]] = []
    for family, row in sorted(rows.items()):
        terms = row.details["earn_back"]
        following = int(terms.get("periods") or 0)
        if following < 1:
            continue
        chronic_rows = _in_force(session, engagement, last, "chronic") if terms.get("not_in_chronic") else {}
        tests = (chronic_rows.get(family) or row).details.get("chronic") or {}
        window = max((t.get("within") or t.get("run") or 1 for t in tests.get("tests") or []), default=1)
        read = series_of(months, row, last, following + window)
        if read is None:
            continue
        results, current = read
        failure = current.shifted(-following)
        chronic: set[tuple[int, Period]] = set()
        for test in (tests.get("tests") or []) if terms.get("not_in_chronic") else []:
            within = test.get("within")
            found = chronic_failures(results, run=int(test["run"]), within=int(within) if within else None)
            chronic |= {(c.level, p) for c in found for p in c.periods}
        for back in earn_backs(
            results, following=following, share=Decimal(terms.get("pct") or 100), chronic_periods=chronic
        ):
            if back.level != family or back.failure != failure:
                continue
            code = next((r.currency for r in results if r.period == failure), currency)
            source = clause_of(row, terms.get("source"))
            if current.is_quarter:
                said = _(
                    "{working}, earned back from {failure}'s credit: it reduces what was owed for {failure}, "
                    "not this quarter's credits{cited}"
                )
            else:
                said = _(
                    "{working}, earned back from {failure}'s credit: it reduces what was owed for {failure}, "
                    "not this month's credits{cited}"
                )
            working = said.format(working=back.working, failure=failure, cited=cited([source]))
            out.append(
                {
                    "level": family,
                    "metric": back.metric,
                    "failure_period": str(failure),
                    "credited": number(rounded(back.credited, code)),
                    "amount": number(back.amount),
                    "currency": code,
                    "working": working,
                    "document": row.document,
                    "section": source.section if source else None,
                    "quote": source.quote if source else None,
                    "amount_text": money(back.amount, code),
                }
            )
    return out
