"""When an engagement's weekly digest goes out: a weekday, a local time and a time zone.

An engagement's own schedule (set with `liaison digest --schedule "mon 08:00 Europe/Paris"`, stored by
`bot.records.digests`), else the settings' (LIAISON_DIGEST_DAY, LIAISON_DIGEST_TIME, LIAISON_TIMEZONE), else UTC. Weeks
start on Monday in the schedule's time zone; the digest of a week goes out on its day and time in that week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from bot.i18n import N_, _
from bot.records import digests
from bot.settings import WEEKDAYS, Settings

EVERY_DAY = {  # a schedule as people read it, a whole phrase per weekday
    "mon": N_("Mondays at {time} ({zone})"),
    "tue": N_("Tuesdays at {time} ({zone})"),
    "wed": N_("Wednesdays at {time} ({zone})"),
    "thu": N_("Thursdays at {time} ({zone})"),
    "fri": N_("Fridays at {time} ({zone})"),
    "sat": N_("Saturdays at {time} ({zone})"),
    "sun": N_("Sundays at {time} ({zone})"),
}


class ScheduleError(ValueError):
    """A digest schedule that cannot be understood."""


@dataclass(frozen=True)
class Schedule:
    """When a digest goes out: a weekday, a local time and an IANA time zone."""

    day: str  # mon..sun
    time: str  # HH:MM
    timezone: str  # IANA name, "UTC" when nothing is configured
    own: bool = False  # the engagement's own schedule, rather than the settings'

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def week_of(self, moment: datetime) -> date:
        """The Monday of the week `moment` falls in, in the schedule's time zone."""
        local = moment.astimezone(self.zone).date()
        return local - timedelta(days=local.weekday())

    def moment(self, week_start: date) -> datetime:
        """When the digest of the week starting on `week_start` (a Monday) goes out, in UTC."""
        day = week_start + timedelta(days=WEEKDAYS.index(self.day))
        return datetime.combine(day, time.fromisoformat(self.time), tzinfo=self.zone).astimezone(UTC)

    def text(self) -> str:
        return _(EVERY_DAY[self.day]).format(time=self.time, zone=self.timezone)


def parse_schedule(text: str) -> tuple[str, str, str | None]:
    """'mon 08:00 Europe/Paris' (the time zone optional) -> ("mon", "08:00", "Europe/Paris")."""
    parts = text.split()
    if len(parts) not in (2, 3):
        raise ScheduleError(
            _("a schedule is 'DAY HH:MM [TIME_ZONE]', e.g. 'mon 08:00 Europe/Paris', not {text!r}").format(text=text)
        )
    day = parts[0].lower()[:3]
    if day not in WEEKDAYS:
        raise ScheduleError(
            _("the day must be one of {days}, not {day!r}").format(days=", ".join(WEEKDAYS), day=parts[0])
        )
    hours, _colon, minutes = parts[1].partition(":")
    try:
        clock = time(int(hours), int(minutes)).strftime("%H:%M")
    except ValueError:
        raise ScheduleError(_("the time must be HH:MM (24-hour), not {time!r}").format(time=parts[1])) from None
    zone = parts[2] if len(parts) == 3 else None
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ScheduleError(
                _("the time zone must be an IANA name such as Europe/Paris, not {zone!r}").format(zone=zone)
            ) from None
    return day, clock, zone


def default_schedule(settings: Settings) -> Schedule:
    return Schedule(settings.digest_day, settings.digest_time, settings.timezone or "UTC")


def schedule_of(*, session: Session, settings: Settings, engagement: str) -> Schedule:
    """The engagement's own schedule if it has one, else the settings'."""
    row = digests.get_schedule(session=session, engagement=engagement)
    if row is None:
        return default_schedule(settings)
    return Schedule(row.day, row.time, row.timezone or settings.timezone or "UTC", own=True)


def set_schedule(*, session: Session, settings: Settings, engagement: str, text: str, updated_by: str) -> Schedule:
    """Give an engagement its own schedule ('mon 08:00 Europe/Paris'); 'default' goes back to the settings'."""
    if text.strip().lower() == "default":
        digests.clear_schedule(session=session, engagement=engagement)
    else:
        day, clock, zone = parse_schedule(text)
        digests.set_schedule(
            session=session, engagement=engagement, day=day, time=clock, timezone=zone, updated_by=updated_by
        )
    return schedule_of(session=session, settings=settings, engagement=engagement)
