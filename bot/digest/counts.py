"""Counting issues over time for the digest: opened, resolved, open or ageing at a moment.

No Slack imports. The section builders (`bot.digest.sections`) and the chart's week-by-week series
(`weekly_points`, drawn by `bot.digest.chart`) count the same way, so the chart agrees with the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.digest.model import Window, weeks_before
from bot.i18n import current
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


# The chart's numbers


@dataclass(frozen=True)
class WeekPoint:
    label: str  # the week's first day, e.g. "16 Nov"
    opened: int
    resolved: int


def week_label(day: datetime) -> str:
    """'16 Nov', '2 Nov' ('16 nov' in Italian)."""
    lang = current()
    if lang == "en":
        return day.strftime("%d %b").lstrip("0")
    from babel.dates import format_date  # imported when first needed

    return format_date(day.date(), "d MMM", locale=lang)


def weekly_points(
    *, session: Session, engagements: Sequence[str], window: Window, weeks: int = CHART_WEEKS
) -> list[WeekPoint]:
    """Issues opened and resolved for each of the `weeks` weeks ending with `window`."""
    zone, first = window.zone, weeks_before(window.end, window.zone, weeks)
    issues = digests.issues_between(session=session, engagements=engagements, start=first, end=window.end)
    points = []
    for back in range(weeks - 1, -1, -1):
        end = weeks_before(window.end, zone, back)
        start = weeks_before(end, zone, 1)
        label = week_label(start.astimezone(zone))
        points.append(
            WeekPoint(
                label,
                len(opened_in(issues, start, end)),
                len(resolved_in(issues, start, end)),
            )
        )
    return points
