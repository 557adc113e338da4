"""Rules over a series of periods: chronic failure (the same level missed N periods running) and earn-back.

Both read the `CreditResult`s of consecutive calendar months. A month with no result, or a level with no
measurement in it, breaks a run: what was not assessed is neither a miss nor a meet. A chronic test is either a
run (`run` months running) or a count in a rolling window (`run` misses in any `within` consecutive months).
The terms come from the contract (`knowledge.sla_series`); where it states none, `bot.sla.measures` applies none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.i18n import _
from bot.sla.credits import CreditLine, CreditResult
from bot.sla.money import HUNDRED, SlaInputError, exact, money, pct, rounded
from bot.sla.terms import Period


@dataclass(frozen=True)
class ChronicFailure:
    """A level missed in each of `periods`, consecutive months, at least the run a contract names."""

    level: int
    metric: str
    periods: tuple[Period, ...]
    within: int | None = None  # the rolling window the misses fall in (None: a run of consecutive months)

    @property
    def working(self) -> str:
        first, last = self.periods[0], self.periods[-1]
        count = len(self.periods)
        if self.within is None:
            if last.is_quarter:
                text = _("{metric} missed {count} quarters running ({first} to {last}): chronic failure")
            else:
                text = _("{metric} missed {count} months running ({first} to {last}): chronic failure")
            return text.format(metric=self.metric, count=count, first=first, last=last)
        start = last.shifted(1 - self.within)
        listed = ", ".join(str(p) for p in self.periods)
        if last.is_quarter:
            text = _(
                "{metric} missed in {count} of the {within} quarters {start} to {last} ({listed}): chronic failure"
            )
        else:
            text = _("{metric} missed in {count} of the {within} months {start} to {last} ({listed}): chronic failure")
        return text.format(metric=self.metric, count=count, within=self.within, start=start, last=last, listed=listed)


@dataclass(frozen=True)
class EarnBack:
    """Part of a failure's credit recovered by meeting the level in the periods right after it."""

    level: int
    metric: str
    failure: Period
    credited: Decimal
    amount: Decimal
    working: str


def by_period(results: Iterable[CreditResult]) -> dict[Period, CreditResult]:
    """The results keyed by period, refusing two for one month."""
    found: dict[Period, CreditResult] = {}
    for r in results:
        if r.period in found:
            raise SlaInputError(f"two credit results for {r.period}")
        found[r.period] = r
    return found


def line_of(result: CreditResult | None, level: int) -> CreditLine | None:
    if result is None:
        return None
    return next((line for line in result.lines if line.level.level == level), None)


def missed(line: CreditLine | None) -> bool:
    return line is not None and line.actual is not None and not line.met


def chronic_failures(
    results: Iterable[CreditResult], *, run: int = 3, within: int | None = None
) -> list[ChronicFailure]:
    """Every maximal run of at least `run` consecutive months in which the same level was missed; with `within`,
    every month completing `run` misses of the same level in the `within` months ending with it."""
    if run < 1:
        raise SlaInputError("a chronic failure needs a run of at least one period")
    if within is not None:
        return rolling_failures(results, run=run, within=within)
    periods = by_period(results)
    found: list[ChronicFailure] = []
    levels = sorted({line.level.level for r in periods.values() for line in r.lines})
    for level in levels:
        streak: list[tuple[Period, CreditLine]] = []
        for period in sorted(periods, key=lambda p: (p.year, p.month)):
            line = line_of(periods[period], level)
            if missed(line) and (not streak or streak[-1][0].following() == period):
                assert line is not None
                streak.append((period, line))
                continue
            if len(streak) >= run:
                found.append(failure(level, streak))
            streak = [(period, line)] if missed(line) and line is not None else []
        if len(streak) >= run:
            found.append(failure(level, streak))
    return found


def rolling_failures(results: Iterable[CreditResult], *, run: int, within: int) -> list[ChronicFailure]:
    """Each missed month that makes at least `run` misses of its level in the `within` months ending with it."""
    if within < run:
        raise SlaInputError(f"{run} failures cannot fall in a window of {within} periods")
    periods = by_period(results)
    found: list[ChronicFailure] = []
    levels = sorted({line.level.level for r in periods.values() for line in r.lines})
    for level in levels:
        for period in sorted(periods, key=lambda p: (p.year, p.month)):
            line = line_of(periods[period], level)
            if not missed(line) or line is None:
                continue
            window = [period.shifted(-i) for i in range(within - 1, -1, -1)]
            misses = tuple(p for p in window if missed(line_of(periods.get(p), level)))
            if len(misses) >= run:
                found.append(ChronicFailure(level, line.level.name, misses, within))
    return found


def failure(level: int, streak: list[tuple[Period, CreditLine]]) -> ChronicFailure:
    return ChronicFailure(level, streak[-1][1].level.name, tuple(p for p, _ in streak))


def earn_backs(
    results: Iterable[CreditResult],
    *,
    following: int = 3,
    share: object = Decimal(50),
    excluded: Iterable[int] = (),
    chronic_run: int | None = 3,
    chronic_periods: Iterable[tuple[int, Period]] | None = None,
) -> list[EarnBack]:
    """Earn-back: `share`% of a failure's credit, when the level is met in each of the `following` months.

    The credit earned back is what was credited for that level: its line's amount, scaled down in
    proportion when the period's total was capped, so no more is recovered than was credited. Levels in
    `excluded` and failures inside a chronic run (of `chronic_run` months; None: no such rule) earn nothing;
    `chronic_periods`, when given, are the (level, month) failures that are part of a chronic failure instead.
    """
    part = exact(share, "earn-back share")
    periods = by_period(results)
    listed = list(periods.values())
    if chronic_periods is not None:
        chronic = set(chronic_periods)
    else:
        runs = chronic_failures(listed, run=chronic_run) if chronic_run else []
        chronic = {(c.level, p) for c in runs for p in c.periods}
    skip = set(excluded)
    found: list[EarnBack] = []
    for period, result in sorted(periods.items(), key=lambda kv: (kv[0].year, kv[0].month)):
        for line in result.lines:
            level = line.level.level
            if not line.credit_amount or level in skip or (level, period) in chronic:
                continue
            after, met_all = period, True
            for _unused in range(following):
                after = after.following()
                later = line_of(periods.get(after), level)
                met_all = met_all and later is not None and later.actual is not None and later.met
            if not met_all:
                continue
            credited = line.credit_amount
            if result.capped and result.total_amount_before_cap:
                credited = credited * result.total_amount / result.total_amount_before_cap
            amount = rounded(credited * part / HUNDRED, result.currency, ROUND_HALF_UP)
            if period.is_quarter:
                said = _("{name} met in the {following} quarters after {period}: {pct} of {credited} = {amount}")
            else:
                said = _("{name} met in the {following} months after {period}: {pct} of {credited} = {amount}")
            text = said.format(
                name=line.level.name,
                following=following,
                period=period,
                pct=pct(part),
                credited=money(rounded(credited, result.currency), result.currency),
                amount=money(amount, result.currency),
            )
            found.append(EarnBack(level, line.level.name, period, credited, amount, text))
    return found
