"""What a side sees of the register over periods: each approved level's measurements against the version in
force in each period (the digest's attainment, App Home's levels at risk), and the kept credit statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from bot.records import sla as records
from bot.records.sla import decimal_of
from bot.sla import register
from bot.sla.terms import Period, is_met
from bot.sla.versions import in_force_rows
from knowledge.visibility import visible_to


@dataclass(frozen=True)
class LevelPeriod:
    period: str
    actual: Decimal | None
    met: bool | None
    status: str | None


@dataclass(frozen=True)
class LevelStanding:
    """One approved service level as a side may see it, over the periods asked (oldest first)."""

    level: int
    metric: str
    scope: str | None
    comparison: str
    target: Decimal | None
    unit: str
    owner: str | None
    document: str
    section: str | None
    periods: tuple[LevelPeriod, ...]
    target_text: str = ""  # the contract's own words for the target, verbatim in the quote

    @property
    def name(self) -> str:
        return f"{self.metric} ({self.scope})" if self.scope else self.metric


@dataclass(frozen=True)
class Statement:
    period: str
    currency: str
    total_amount: Decimal
    total_pct: Decimal
    capped: bool
    claimed: bool
    claim_deadline: date | None
    lines_missed: int


def standings(session: Session, *, engagement: str, side: str, periods: Sequence[Period]) -> list[LevelStanding]:
    """Each approved level a side may see, measured against the version in force in each period."""
    rows = [r for r in register.levels(session, engagement=engagement, side=side) if r.status == "approved"]
    if not rows or not periods:
        return []
    values = {
        (m.family, m.period): m
        for m in records.measurements_of(session, engagement=engagement, periods=[str(p) for p in periods])
    }
    latest = in_force_rows(rows, periods[-1])
    families = sorted({r.family or r.id or 0 for r in rows})
    out = []
    for family in families:
        shown = latest.get(family) or max((r for r in rows if (r.family or r.id) == family), key=lambda r: r.version)
        points = []
        for p in periods:
            version = in_force_rows([r for r in rows if (r.family or r.id) == family], p).get(family)
            m = values.get((family, str(p)))
            actual = decimal_of(m.value) if m else None
            met = None
            if actual is not None and version is not None and version.target is not None:
                met = is_met(version.comparison, actual, Decimal(version.target))
            points.append(LevelPeriod(str(p), actual, met, m.status if m else None))
        out.append(
            LevelStanding(
                level=shown.id or 0,
                metric=shown.metric,
                scope=shown.scope,
                comparison=shown.comparison,
                target=decimal_of(shown.target),
                unit=shown.unit,
                owner=shown.owner,
                document=shown.document,
                section=shown.section,
                periods=tuple(points),
                target_text=shown.target_text,
            )
        )
    return out


def statements(session: Session, *, engagement: str, side: str) -> list[Statement]:
    """The kept credit statements a side may see, newest first."""
    out = []
    for row in records.statements_of(session, engagement=engagement):
        if row.visibility not in visible_to(side):
            continue
        result = row.result
        out.append(
            Statement(
                period=row.period,
                currency=row.currency,
                total_amount=Decimal(str(result.get("total_amount", 0))),
                total_pct=Decimal(str(result.get("total_pct", 0))),
                capped=bool(result.get("capped")),
                claimed=row.claimed_at is not None,
                claim_deadline=row.claim_deadline,
                lines_missed=sum(
                    1 for line in result.get("lines", []) if line.get("actual") is not None and not line.get("met")
                ),
            )
        )
    return out


def _missed(line: dict[str, Any]) -> bool:
    return line.get("actual") is not None and not line.get("met")
