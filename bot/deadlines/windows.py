"""Credit-claim windows read from the contract's text ("request ... within thirty (30) days after the end of
the month in which the Service Level Failure occurred"), dated from the SLA register: the window of the latest
closed period in which a measurement missed its approved level (the version in force in that period).

A period whose credit statement has its own claim window (`bot.deadlines.claims`) is that row's: the rule
read from the text never dates it twice. Data functions taking the caller's session; they never read the clock.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session

from bot.deadlines.dates import shift
from bot.deadlines.due import Calendar, Terms
from bot.i18n import N_, _
from bot.records import sla as sla_records
from bot.sla.terms import Period, is_met
from bot.sla.versions import in_force_rows

# why a window has no date, in the reader's language (through _() where used)
NO_MISS = N_("no missed service level recorded")
ALL_STATED = N_("no missed service level recorded outside the credit statements' own claim windows")
NOT_CLOSED = N_("no period with a missed service level has closed yet")


@dataclass(frozen=True)
class Window:
    """A text rule's claim window: its date (None: no period to count from) and why not, or the period."""

    date: date | None
    period: str | None = None
    reason: str | None = None


def period_end(period: Period) -> date:
    """A period's last day (a month's, a quarter's)."""
    return period.following().first_day - timedelta(days=1)


def missed_periods(session: Session, *, engagement: str) -> list[Period]:
    """The periods in which a measurement missed its approved level, oldest first."""
    levels = sla_records.levels_of(session, engagement=engagement)
    out: set[Period] = set()
    for m in sla_records.measurements_of(session, engagement=engagement):
        try:
            period = Period.parse(m.period)
        except ValueError:
            continue
        level = in_force_rows((r for r in levels if (r.family or r.id) == m.family), period).get(m.family)
        if level is None or level.target is None:
            continue
        if not is_met(level.comparison, Decimal(m.value), Decimal(level.target)):
            out.add(period)
    return sorted(out, key=period_end)


def claim_window(
    terms: Terms,
    missed: list[Period],
    *,
    stated: Collection[str],
    as_of: date,
    after: date | None,
    calendar: Calendar,
) -> Window:
    """The window of the latest closed missed period (ended before `as_of`) that no credit statement's row
    covers (`stated`: their periods) and whose window ends after `after` (the last occurrence closed)."""
    if terms.duration is None or terms.direction is None:
        return Window(None, reason=_("the rule states no number of days to count"))
    if not missed:
        return Window(None, reason=_(NO_MISS))
    closed = [p for p in missed if period_end(p) < as_of]
    if not closed:
        return Window(None, reason=_(NOT_CLOSED))
    open_ = [p for p in closed if str(p) not in stated]
    if not open_:
        return Window(None, reason=_(ALL_STATED))
    latest = open_[-1]
    found = shift(
        period_end(latest), *terms.duration, terms.direction, country=calendar.country, subdivision=calendar.subdivision
    )
    if after is not None and found <= after:
        return Window(
            None,
            reason=_("the claim window of {period} is closed; no later missed service level recorded").format(
                period=latest
            ),
        )
    return Window(found, str(latest))
