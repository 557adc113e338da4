"""The weekly digest's data: the week it covers (`Window`), and what it says (`Digest` of `Section`s of `Fact`s).

No Slack imports, no queries. Week arithmetic keeps the digest's local weekday and hour across DST changes.
`SIDES_SEEN` says which channels' records each side may see. The builders that fill these types are in
`bot.digest.sections`, the counts they use in `bot.digest.counts`, the plain text in `bot.digest.text`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import _
from bot.records import digests

WEEK_BEFORE = "the week before"  # a Trend's default `against` (kept in English: it is the digest's data)
SIDES_SEEN = {"client": ("client", "shared"), "vendor": ("vendor", "shared"), "shared": ("shared",)}
ADD_DOCUMENT_ACTION = "digest_add_document"  # the knowledge gaps section's button, handled by the transport
HEADLINE = (  # the facts of the managers' digest and of the notification text
    "issues.new",
    "issues.resolved",
    "issues.open",
    "sla.breaches",
    "sla.met",
    "mediations.open",
    "deadlines.due",
    "questions.unanswered",
)


@dataclass(frozen=True)
class Window:
    """One week of one engagement, seen from one side: [start, end), `end` being the digest's moment."""

    engagement: str
    side: str  # the channel's side; the managers' channel counts as shared
    week_start: date  # the Monday of the week the digest is sent in
    start: datetime
    end: datetime
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sides(self) -> tuple[str, ...]:
        return SIDES_SEEN[self.side]

    @property
    def previous(self) -> Window:
        return replace(self, start=weeks_before(self.start, self.zone, 1), end=self.start)


def weeks_before(moment: datetime, zone: ZoneInfo, weeks: int) -> datetime:
    """The same local weekday and time `weeks` earlier (so DST changes keep the digest's hour), in UTC."""
    return (moment.astimezone(zone) - timedelta(weeks=weeks)).astimezone(UTC)


def window_ending(
    *, engagement: str, side: str, week_start: date, moment: datetime, timezone: str, now: datetime | None = None
) -> Window:
    """The week up to `moment` (the digest's scheduled time), or only up to `now` if that is earlier."""
    start = weeks_before(moment, ZoneInfo(timezone), 1)
    end = moment if now is None else max(start, min(moment, now))
    return Window(engagement, side, week_start, start, end.astimezone(UTC), timezone)


@dataclass(frozen=True)
class Trend:
    """This week's number against the week before's (or this period's against `against`: "in 2026-09", made by
    `against_period`). `against` is data, in English; `text()` says it in the reader's language."""

    current: int
    previous: int
    unit: str = ""  # "%" for percentages: the change is then in points
    against: str = WEEK_BEFORE

    def text(self) -> str:
        delta = self.current - self.previous
        period = self.against.removeprefix("in ") if self.against != WEEK_BEFORE else None
        if delta == 0:
            if period is None:
                return _("= same as the week before")
            return _("= same as in {period}").format(period=period)
        arrow = "▲" if delta > 0 else "▼"
        before = f"{self.previous}{self.unit}"
        if self.unit == "%":
            if period is None:
                return _("{arrow}{delta} pts vs {before} the week before").format(
                    arrow=arrow, delta=abs(delta), before=before
                )
            return _("{arrow}{delta} pts vs {before} in {period}").format(
                arrow=arrow, delta=abs(delta), before=before, period=period
            )
        if period is None:
            return _("{arrow}{delta} vs {before} the week before").format(arrow=arrow, delta=abs(delta), before=before)
        return _("{arrow}{delta} vs {before} in {period}").format(
            arrow=arrow, delta=abs(delta), before=before, period=period
        )


def against_period(period: object) -> str:
    """A Trend's `against` for a period ("in 2026-09")."""
    return f"in {period}"


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    value: str
    trend: Trend | None = None
    detail: str = ""


@dataclass(frozen=True)
class Action:
    label: str
    action_id: str
    value: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    facts: tuple[Fact, ...] = ()
    items: tuple[str, ...] = ()  # plain text, user text included: escape when rendering
    empty: str = ""  # said when there are no items
    note: str = ""
    action: Action | None = None


@dataclass(frozen=True)
class Digest:
    engagement: str  # digests.ALL_ENGAGEMENTS for the managers' digest
    side: str
    window: Window
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        """The engagement's name, or "all engagements" for the managers' digest (in the reader's language)."""
        return _("all engagements") if self.engagement == digests.ALL_ENGAGEMENTS else self.engagement

    @property
    def title(self) -> str:
        return _("Weekly digest: {name}").format(name=self.name)

    def fact(self, key: str) -> Fact | None:
        return next((f for s in self.sections for f in s.facts if f.key == key), None)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["window"] = {k: str(v) for k, v in data["window"].items()}
        return data
