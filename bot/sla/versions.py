"""A register row as the credit arithmetic sees it: its `ServiceLevel`, its credit rule, and which version of
each level is in force in a period (the latest `effective_from` on or before the period's first day)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from bot.i18n import _, current
from bot.records.sla import ServiceLevelRecord, decimal_of
from bot.sla.credits import CreditLine, ServiceLevel
from bot.sla.terms import Fixed, Period, PerPoint, Pool, Source, Tier, Tiers, is_rolling, window_of


def source_of(row: ServiceLevelRecord) -> Source:
    return Source(row.document, row.section, row.quote, row.start, row.end)


def source_at(span: Mapping[str, Any] | None, row: ServiceLevelRecord) -> Source:
    if not span:
        return source_of(row)
    return Source(row.document, span.get("section") or row.section, span["quote"], span["start"], span["end"])


def service_level(row: ServiceLevelRecord) -> ServiceLevel:
    """A register row as the credit arithmetic's `ServiceLevel` (its rule built from the stored credit)."""
    assert row.id is not None
    return ServiceLevel(
        level=row.family or row.id,
        metric=row.metric,
        comparison=row.comparison,
        target=decimal_of(row.target),
        unit=row.unit,
        source=source_of(row),
        kind=row.kind,
        rule=None if row.kind == "report" else rule_of(row),
        scope=row.scope,
        effective_from=row.effective_from,
        version=row.version,
        status=row.status,
    )


def rule_of(row: ServiceLevelRecord) -> Tiers | PerPoint | Fixed | Pool | None:
    credit = row.credit or {}
    model = credit.get("model")
    source = source_at(credit.get("source"), row)
    if model == "tiers":
        return Tiers(tiers_of(credit.get("tiers") or []), source)
    if model == "per-point" and credit.get("pct_per_point"):
        return PerPoint(Decimal(credit["pct_per_point"]), source, partial=bool(credit.get("partial")))
    if model == "fixed" and credit.get("amount") and credit.get("currency"):
        return Fixed(Decimal(credit["amount"]), credit["currency"], source)
    if model == "pool" and credit.get("level_pct") and credit.get("at_risk_pct"):
        at_risk = (row.details.get("values") or {}).get("at_risk_pct")
        return Pool(
            Decimal(credit.get("pool_pct") or 100),
            Decimal(credit["level_pct"]),
            Decimal(credit["at_risk_pct"]),
            source,
            at_risk_source=source_at(at_risk, row) if at_risk else None,
        )
    return None


def tiers_of(stored: Sequence[Mapping[str, Any]]) -> tuple[Tier, ...]:
    """Stored tiers as `Tier`s. A bound the text leaves open is inclusive unless a neighbour starts (or ends) on
    it, where the table reads as [from, to)."""
    lows = [decimal_of(t.get("from")) for t in stored]
    highs = [decimal_of(t.get("to")) for t in stored]
    high_inc: list[bool] = []
    for i, t in enumerate(stored):
        said = t.get("to_inclusive")
        shared = highs[i] is not None and any(low == highs[i] for j, low in enumerate(lows) if j != i)
        high_inc.append(bool(said) if said is not None else not shared)
    tiers = []
    for i, t in enumerate(stored):
        said = t.get("from_inclusive")
        taken = any(high == lows[i] and high_inc[j] for j, high in enumerate(highs) if j != i and high is not None)
        low_inc = bool(said) if said is not None else not taken
        tiers.append(Tier(lows[i], highs[i], Decimal(t["pct"]), low_inc, high_inc[i]))
    return tuple(tiers)


def in_force_rows(rows: Iterable[ServiceLevelRecord], period: Period) -> dict[int, ServiceLevelRecord]:
    """For each family, its approved version in force on the period's first day."""
    chosen: dict[int, ServiceLevelRecord] = {}
    for row in rows:
        if row.status != "approved" or (row.effective_from and row.effective_from > period.first_day):
            continue
        family = row.family or row.id or 0
        best = chosen.get(family)
        if best is None or (row.effective_from or date.min, row.version) > (
            best.effective_from or date.min,
            best.version,
        ):
            chosen[family] = row
    return chosen


def _month(day: date, year: bool) -> str:
    """'July', 'September 2026' in the reader's language ('luglio', 'settembre 2026')."""
    lang = current()
    if lang == "en":
        return f"{day:%B %Y}" if year else f"{day:%B}"
    from babel.dates import format_date  # imported when first needed

    return format_date(day, "LLLL y" if year else "LLLL", locale=lang)


def windowed(line: CreditLine, row: ServiceLevelRecord | None, month: Period) -> CreditLine:
    """A month's line for a level measured over a calendar quarter or a rolling window, saying so in its working."""
    if row is None:
        return line
    if window_of(row.window) == "quarter":
        quarter = month.quarter()
        said = _("{working}; measured over the calendar quarter {quarter} ({first} to {last})").format(
            working=line.working,
            quarter=quarter,
            first=_month(quarter.first_day, False),
            last=_month(month.first_day, True),
        )
        return replace(line, working=said)
    if is_rolling(row.window):
        said = _("{working}; window: {window}, the value reported for {month}").format(
            working=line.working, window=row.window, month=month
        )
        return replace(line, working=said)
    return line
