"""What the SLA register says in a digest: each approved level in the last closed period, breaches against the
period before, the period's credits and whether they were claimed, and claim windows closing soon.

No Slack imports. The register's `standings` and `statements` (`bot.sla.measures`) filter by side: the digest
passes its channel's side, so a level from a one-sided document never reaches the other side's digest. A
period is a calendar month; the last closed one is the month before the digest's local date. Nothing here is
estimated: a level not measured says so, and an engagement with no approved level gets `NO_LEVELS`. A closed
month with no statement at all because no fees are set for it (`bot.sla.fees`) says that, and how to set them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from bot.digest.model import Fact, Trend, Window, against_period
from bot.i18n import N_, _, ngettext
from bot.records import sla as sla_records
from bot.sla.money import money, pct
from bot.sla.standing import LevelPeriod, LevelStanding, Statement, standings, statements
from bot.sla.terms import Period, quantity

CHART_PERIODS = 6  # the chart's months of attainment per level
CLAIM_SOON_DAYS = 14  # a claim window closing within this many days is named
LEVELS_NAMED = 10
NO_LEVELS = N_("No approved service levels yet: `liaison sla extract`, then approve them.")  # through _() where used


@dataclass(frozen=True)
class Cell:
    """One level in one month, for the chart: met, missed, unmeasured or uncompared, and the value measured."""

    state: str
    text: str = ""
    disputed: bool = False


@dataclass(frozen=True)
class LevelRow:
    """One level's row of the chart: its name and target, and a cell per period, oldest first."""

    name: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Register:
    """The register as one side sees it at the digest's date: levels over the closed periods, oldest first."""

    today: date
    periods: tuple[Period, ...]  # the last closed period last
    levels: tuple[LevelStanding, ...]
    statements: tuple[Statement, ...]  # newest first
    unpriced: bool = False  # the last closed period has no statement (for any side) and no fees are set for it

    @property
    def period(self) -> Period:
        return self.periods[-1]


def closed_periods(today: date, count: int) -> tuple[Period, ...]:
    """The `count` months before `today`'s month, oldest first."""
    out: list[Period] = []
    first = today.replace(day=1)
    for _unused in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(Period(first.year, first.month))
    return tuple(reversed(out))


def register_of(session: Session, *, engagement: str, side: str, today: date, periods: int = CHART_PERIODS) -> Register:
    """The engagement's approved levels over the last `periods` closed months, and its credit statements."""
    asked = closed_periods(today, max(periods, 2))
    levels = standings(session, engagement=engagement, side=side, periods=asked)
    kept = statements(session, engagement=engagement, side=side) if levels else []
    last = str(asked[-1])
    unpriced = bool(levels) and sla_records.statement_of(session, engagement=engagement, period=last) is None
    unpriced = unpriced and sla_records.fees_for(session, engagement=engagement, period=last) is None
    return Register(today, asked, tuple(levels), tuple(kept), unpriced)


def register_for(session: Session, window: Window) -> Register:
    today = window.end.astimezone(window.zone).date()
    return register_of(session, engagement=window.engagement, side=window.side, today=today)


def _point(level: LevelStanding, period: Period) -> LevelPeriod:
    return next(p for p in level.periods if p.period == str(period))


def _missed(register: Register, period: Period) -> int:
    return sum(1 for level in register.levels if _point(level, period).met is False)


def level_line(level: LevelStanding, point: LevelPeriod) -> str:
    """'Call answer rate: 76.4% vs >= 80%: missed (disputed) · Schedule 2 §4.1'."""
    if level.target is not None:
        target = f"{level.comparison} {quantity(level.target, level.unit)}"
    else:
        target = _("{comparison} no target").format(comparison=level.comparison)
    if point.actual is None:
        result = _("not measured vs {target}").format(target=target)
    else:
        verdicts = {
            (True, False): _("{actual} vs {target}: met"),
            (False, False): _("{actual} vs {target}: missed"),
            (None, False): _("{actual} vs {target}: not compared"),
            (True, True): _("{actual} vs {target}: met (disputed)"),
            (False, True): _("{actual} vs {target}: missed (disputed)"),
            (None, True): _("{actual} vs {target}: not compared (disputed)"),
        }
        verdict = verdicts[(point.met, point.status == "disputed")]
        result = verdict.format(actual=quantity(point.actual, level.unit), target=target)
    where = f"{level.document} §{level.section.lstrip('§')}" if level.section else level.document
    name = f"{level.metric} ({level.scope})" if level.scope else level.metric
    return f"{name}: {result} · {where}"


def _statement(register: Register, period: Period) -> Statement | None:
    return next((s for s in register.statements if s.period == str(period)), None)


def _credits_fact(register: Register) -> Fact:
    period = register.period
    label = _("Credits for {period}").format(period=period)
    found = _statement(register, period)
    if found is None and register.unpriced:
        how = _("set the fees: `/liaison sla fees 200000 USD from {period}`").format(period=period)
        return Fact("sla.credits", label, _("not computed: no fees set"), detail=how)
    if found is None:
        how = f"`liaison sla credits --period {period} --fees N`"
        return Fact("sla.credits", label, _("not computed"), detail=how)
    amount, share = money(found.total_amount, found.currency), pct(found.total_pct)
    if found.capped:
        value = _("{amount} ({share} of fees, capped)").format(amount=amount, share=share)
    else:
        value = _("{amount} ({share} of fees)").format(amount=amount, share=share)
    if found.claimed:
        detail = _("claimed")
    elif not found.total_amount:
        detail = _("nothing owed")
    elif found.claim_deadline:
        detail = _("not claimed, claim by {date}").format(date=found.claim_deadline.isoformat())
    else:
        detail = _("not claimed")
    return Fact("sla.credits", label, value, detail=detail)


def register_facts(register: Register) -> tuple[Fact, ...]:
    """Levels met and missed in the last closed period (against the period before), and its credits."""
    period, before = register.periods[-1], register.periods[-2]
    points = [_point(level, period) for level in register.levels]
    met = sum(1 for p in points if p.met is True)
    measured = sum(1 for p in points if p.met is not None)
    missed, missed_before = _missed(register, period), _missed(register, before)
    unmeasured = len(points) - measured
    detail = _("{count} not measured").format(count=unmeasured) if unmeasured else ""
    return (
        Fact(
            "sla.met",
            _("Service levels met in {period}").format(period=period),
            _("{met} of {count}").format(met=met, count=len(points)),
            detail=detail,
        ),
        Fact(
            "sla.missed",
            _("Missed in {period}").format(period=period),
            str(missed),
            Trend(missed, missed_before, against=against_period(before)),
        ),
        _credits_fact(register),
    )


def closing_claims(register: Register) -> list[str]:
    """Unclaimed credits whose claim window closes within CLAIM_SOON_DAYS, soonest first."""
    last = register.today + timedelta(days=CLAIM_SOON_DAYS)
    soon = [
        s
        for s in register.statements
        if not s.claimed and s.total_amount and s.claim_deadline and register.today <= s.claim_deadline <= last
    ]
    lines = []
    for s in sorted(soon, key=lambda s: (s.claim_deadline or date.max, s.period)):
        assert s.claim_deadline is not None
        left = (s.claim_deadline - register.today).days
        days = _("today") if left == 0 else ngettext("{n} day left", "{n} days left", left).format(n=left)
        lines.append(
            _("Claim window closing: {amount} for {period}, by {date} ({left})").format(
                amount=money(s.total_amount, s.currency),
                period=s.period,
                date=s.claim_deadline.isoformat(),
                left=days,
            )
        )
    return lines


def register_items(register: Register) -> list[str]:
    """Claim windows closing soon, then each level in the last closed period: missed first, then the rest."""
    period = register.period
    order = sorted(register.levels, key=lambda lv: {False: 0, None: 1, True: 2}[_point(lv, period).met])
    lines = [level_line(level, _point(level, period)) for level in order]
    shown = lines[:LEVELS_NAMED]
    if len(lines) > LEVELS_NAMED:
        more = len(lines) - LEVELS_NAMED
        shown.append(ngettext("… and {n} more service level", "… and {n} more service levels", more).format(n=more))
    return closing_claims(register) + shown


def _cell(level: LevelStanding, point: LevelPeriod) -> Cell:
    if point.actual is None:
        return Cell("unmeasured")
    state = {True: "met", False: "missed", None: "uncompared"}[point.met]
    return Cell(state, quantity(point.actual, level.unit), point.status == "disputed")


def chart_rows(register: Register, prefix: str = "") -> list[LevelRow]:
    """A row per level over the register's periods, named with its target ("Call answer rate (>= 80%)")."""
    rows = []
    for level in register.levels:
        name = f"{level.metric} ({level.scope})" if level.scope else level.metric
        target = f" ({level.comparison} {quantity(level.target, level.unit)})" if level.target is not None else ""
        rows.append(LevelRow(f"{prefix}{name}{target}", tuple(_cell(level, p) for p in level.periods)))
    return rows
