"""Counting issues over time for the digest: opened, resolved, open or ageing at a moment, SLA attainment.

No Slack imports. The section builders (`bot.digest.sections`) and the chart's week-by-week series
(`weekly_points`, drawn by `bot.digest.chart`) count the same way, so the chart agrees with the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.digest.model import Window, weeks_before
from bot.records import digests
from bot.records.cases import IssueRecord

AGEING_DAYS = 7  # an issue open longer than this is ageing
CHART_WEEKS = 10


def opened_in(issues: Iterable[IssueRecord], start: datetime, end: datetime) -> list[IssueRecord]:
    return [i for i in issues if start <= i.created_at < end]


def resolved_in(issues: Iterable[IssueRecord], start: datetime, end: datetime) -> list[IssueRecord]:
    return [i for i in issues if i.resolved_at is not None and start <= i.resolved_at < end]


def open_at(issues: Iterable[IssueRecord], moment: datetime) -> list[IssueRecord]:
    return [i for i in issues if i.created_at < moment and (i.resolved_at is None or i.resolved_at >= moment)]


def ageing_at(issues: Iterable[IssueRecord], moment: datetime) -> list[IssueRecord]:
    return [i for i in open_at(issues, moment) if moment - i.created_at > timedelta(days=AGEING_DAYS)]


def sla_attainment(issues: Iterable[IssueRecord], start: datetime, end: datetime, zone: ZoneInfo) -> int:
    """Percent of the window's days (24 h slices from `start`, local time) with no sla-breach issue open."""
    breaches = [i for i in issues if i.category == "sla-breach"]
    local = start.astimezone(zone)
    days, clear = 0, 0
    while (day_start := (local + timedelta(days=days)).astimezone(UTC)) < end:
        day_end = min((local + timedelta(days=days + 1)).astimezone(UTC), end)
        days += 1
        if not any(i.created_at < day_end and (i.resolved_at is None or i.resolved_at > day_start) for i in breaches):
            clear += 1
    return round(100 * clear / days) if days else 100


# The chart's numbers


@dataclass(frozen=True)
class WeekPoint:
    label: str  # the week's first day, e.g. "16 Nov"
    opened: int
    resolved: int
    attainment: int  # percent


def weekly_points(
    *, session: Session, engagements: Sequence[str], window: Window, weeks: int = CHART_WEEKS
) -> list[WeekPoint]:
    """Issues opened and resolved, and SLA attainment, for each of the `weeks` weeks ending with `window`."""
    zone, first = window.zone, weeks_before(window.end, window.zone, weeks)
    issues = digests.issues_between(session=session, engagements=engagements, start=first, end=window.end)
    points = []
    for back in range(weeks - 1, -1, -1):
        end = weeks_before(window.end, zone, back)
        start = weeks_before(end, zone, 1)
        label = start.astimezone(zone).strftime("%d %b").lstrip("0")
        points.append(
            WeekPoint(
                label,
                len(opened_in(issues, start, end)),
                len(resolved_in(issues, start, end)),
                sla_attainment(issues, start, end, zone),
            )
        )
    return points
