"""What the register says to one person or one channel beyond `bot.sla.workflows`: each level's latest
measurement, the levels a person owns that are at risk (for the App Home), and a level named in a channel.

Built on `bot.sla.register` and `bot.sla.standing` only. A level is "at risk" when its latest measured period
missed its target (the version in force then) or its measurement there is disputed. Measurements are looked
for over the last `RECENT_MONTHS` calendar months up to the current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from bot.db import session
from bot.deps import Deps
from bot.sla import register
from bot.sla.standing import standings
from bot.sla.terms import Period

RECENT_MONTHS = 24


@dataclass(frozen=True)
class Latest:
    """A level's latest measured period, as a side may see it, and the clause it is measured against."""

    level: int  # the id of the version shown (in force in the latest period asked)
    family: int
    name: str
    comparison: str
    target: Decimal | None
    unit: str
    owner: str | None
    document: str
    section: str | None
    period: str
    actual: Decimal
    met: bool | None
    status: str | None  # reported, agreed or disputed

    @property
    def at_risk(self) -> bool:
        return self.met is False or self.status == "disputed"


def recent_periods(today: date, months: int = RECENT_MONTHS) -> list[Period]:
    """The `months` calendar months up to today's, oldest first."""
    out = [Period(today.year, today.month)]
    while len(out) < months:
        first = out[0]
        out.insert(0, Period(first.year - (first.month == 1), (first.month - 2) % 12 + 1))
    return out


def latest_in(s: Session, *, engagement: str, side: str, today: date) -> dict[int, Latest]:
    """Each approved level's latest measured period (by the family's id), as `side` may see it."""
    families = {r.id: r.family or r.id for r in register.levels(s, engagement=engagement, side=side)}
    out: dict[int, Latest] = {}
    for standing in standings(s, engagement=engagement, side=side, periods=recent_periods(today)):
        measured = [p for p in standing.periods if p.actual is not None]
        if not measured:
            continue
        point = measured[-1]
        assert point.actual is not None
        family = families.get(standing.level) or standing.level
        out[family] = Latest(
            level=standing.level,
            family=family,
            name=standing.name,
            comparison=standing.comparison,
            target=standing.target,
            unit=standing.unit,
            owner=standing.owner,
            document=standing.document,
            section=standing.section,
            period=point.period,
            actual=point.actual,
            met=point.met,
            status=point.status,
        )
    return out


def latest(deps: Deps, *, engagement: str, side: str, today: date) -> dict[int, Latest]:
    """`latest_in`, in its own session: what `/liaison sla` shows beside each level."""
    with session(deps.engine) as s:
        return latest_in(s, engagement=engagement, side=side, today=today)


def at_risk_in(s: Session, *, engagement: str, side: str, user_id: str, today: date) -> list[Latest]:
    """The levels `user_id` owns that missed their latest measured period or are disputed there, by name."""
    rows = latest_in(s, engagement=engagement, side=side, today=today).values()
    return sorted((r for r in rows if r.owner == user_id and r.at_risk), key=lambda r: (r.name.lower(), r.family))


def level_id_of(deps: Deps, *, engagement: str, ref: str, side: str) -> int:
    """The id of the level `ref` names (an id or a metric's name) among those `side` may see, or NotFound /
    Conflict saying the candidates: so a channel never acts on a level it may not see."""
    with session(deps.engine) as s:
        row = register.find_level(s, engagement=engagement, ref=ref, side=side)
        assert row.id is not None
        return row.id
