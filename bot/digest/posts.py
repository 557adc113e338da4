"""The weekly digest's posts: which are due, the claim that sends each once per channel and week, the record of it.

No Slack here: the scheduler's Slack wiring (`bot.slack.posting`) asks this module what to post, claims it,
posts it and reports back (posted, refused, the chart's file). Each function opens its own session.

Exactly once, with several replicas and restarts: a (engagement, channel, week) row is claimed and committed
before posting (`bot.records.digests.claim_post`). A claim never marked posted after `STALE_AFTER` (the process
died mid-post) is taken over, and the taker first looks for that message in the channel's history. A post
Slack refused (nothing in the channel) is kept with its error and retried later.

Time zones: an engagement's schedule uses its own time zone (set with `liaison digest --schedule`), else
LIAISON_TIMEZONE; the scheduler fills that in with the workspace's (its primary owner's) when it is unset; else UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TypeAlias, TypedDict

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import session
from bot.digest.counts import WeekPoint, weekly_points
from bot.digest.model import Digest, Window, window_ending
from bot.digest.schedule import Schedule, default_schedule, schedule_of
from bot.digest.sections import build_digest, build_managers_digest
from bot.digest.sla import NO_LEVELS, LevelRow, chart_rows, register_of
from bot.i18n import _, ngettext
from bot.records import digests
from bot.settings import Settings

STALE_AFTER = timedelta(minutes=10)  # a claim older than this, never posted: its process died mid-post
CATCH_UP = timedelta(hours=24)  # a bot down at its digest time posts it when back, within this long
EVENT_TYPE = "liaison_digest"

# The records database as the Slack wiring holds it: passed through to this module's functions, never queried there.
Records: TypeAlias = Engine


class DigestKey(TypedDict):
    engagement: str
    week: str


class DigestMetadata(TypedDict):
    """The metadata a digest message carries, by which an interrupted post is found in the channel's history."""

    event_type: str
    event_payload: DigestKey


def metadata(engagement: str, week_start: date) -> DigestMetadata:
    return {"event_type": EVENT_TYPE, "event_payload": {"engagement": engagement, "week": week_start.isoformat()}}


@dataclass(frozen=True)
class Outcome:
    """What happened to one channel's digest for one week."""

    engagement: str
    channel_id: str
    side: str
    week_start: date
    status: str  # "posted", "recovered" (already in the channel), "already-posted", "in-progress", "failed"
    ts: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class Target:
    """One channel's digest for one week: where it goes, as which side, on which schedule."""

    engagement: str
    channel_id: str
    side: str
    week_start: date
    schedule: Schedule


# Building


def window_for(
    *, engagement: str, side: str, week_start: date, schedule: Schedule, now: datetime, live: bool = False
) -> Window:
    """The week a digest covers: the seven days up to its scheduled moment (only up to `now` if that is earlier).

    `live` (a digest asked for by hand, `liaison digest`): this week's digest covers the seven days up to `now`,
    so what happened since the scheduled moment is in it too.
    """
    moment = schedule.moment(week_start)
    if live and week_start == schedule.week_of(now) and now > moment:
        moment = now
    return window_ending(
        engagement=engagement, side=side, week_start=week_start, moment=moment, timezone=schedule.timezone, now=now
    )


def build(
    *,
    session: Session,
    engagement: str,
    side: str,
    week_start: date,
    schedule: Schedule,
    now: datetime,
    live: bool = False,
) -> Digest:
    """One engagement's digest as a side sees it, or (for `digests.ALL_ENGAGEMENTS`) the managers' digest."""
    window = window_for(engagement=engagement, side=side, week_start=week_start, schedule=schedule, now=now, live=live)
    if engagement != digests.ALL_ENGAGEMENTS:
        return build_digest(session=session, window=window)
    engagements = sorted(digests.bindings_by_engagement(session=session))
    return build_managers_digest(session=session, engagements=engagements, window=window)


@dataclass(frozen=True)
class ChartData:
    """The chart's numbers: issues per week, and each approved level per closed month (oldest first)."""

    weeks: list[WeekPoint]
    periods: tuple[str, ...]
    levels: tuple[LevelRow, ...]


def chart_data(*, session: Session, digest: Digest) -> ChartData:
    """The last weeks' issues opened and resolved, and the register's levels over the last closed months, as the
    digest's side sees them (the managers' digest: each engagement's, as a shared channel sees them)."""
    managers = digest.engagement == digests.ALL_ENGAGEMENTS
    engagements = sorted(digests.bindings_by_engagement(session=session)) if managers else [digest.engagement]
    weeks = weekly_points(session=session, engagements=engagements, window=digest.window)
    today = digest.window.end.astimezone(digest.window.zone).date()
    periods: tuple[str, ...] = ()
    rows: list[LevelRow] = []
    for engagement in engagements:
        register = register_of(session, engagement=engagement, side=digest.side, today=today)
        periods = tuple(str(p) for p in register.periods)
        rows.extend(chart_rows(register, prefix=f"{engagement} · " if managers else ""))
    return ChartData(weeks, periods, tuple(rows))


def chart(digest: Digest, data: ChartData) -> bytes:
    """The digest's chart as PNG bytes (drawn outside any database transaction: it takes a moment)."""
    from bot.digest.chart import chart_png  # matplotlib: only when a chart is drawn

    weeks = len(data.weeks)
    if data.levels:
        title = ngettext(
            "{name}: issues over the last {n} week, service levels per month",
            "{name}: issues over the last {n} weeks, service levels per month",
            weeks,
        )
    else:
        title = ngettext("{name}: issues over the last {n} week", "{name}: issues over the last {n} weeks", weeks)
    return chart_png(
        title=title.format(name=digest.name, n=weeks),
        labels=[p.label for p in data.weeks],
        opened=[p.opened for p in data.weeks],
        resolved=[p.resolved for p in data.weeks],
        periods=data.periods,
        levels=data.levels,
        note="" if data.levels else _(NO_LEVELS),
    )


def digest_chart(engine: Engine, digest: Digest) -> bytes:
    with session(engine) as s:
        data = chart_data(session=s, digest=digest)
    return chart(digest, data)


def digest_for(engine: Engine, target: Target, *, now: datetime, live: bool = False) -> Digest:
    with session(engine) as s:
        return build(
            session=s,
            engagement=target.engagement,
            side=target.side,
            week_start=target.week_start,
            schedule=target.schedule,
            now=now,
            live=live,
        )


# Claiming and recording


def claim(engine: Engine, target: Target, *, now: datetime, retry_failed: bool = False) -> digests.Claim | Outcome:
    """The right to post this digest, committed before posting; or, if it is not ours to post, why not."""
    outcome = Outcome(target.engagement, target.channel_id, target.side, target.week_start, "posted")
    with session(engine) as s:
        claimed = digests.claim_post(
            session=s,
            engagement=target.engagement,
            channel_id=target.channel_id,
            week_start=target.week_start,
            side=target.side,
            now=now,
            stale_after=STALE_AFTER,
            retry_failed=retry_failed,
        )
        if claimed is not None:
            return claimed
        row = digests.get_post(
            session=s, engagement=target.engagement, channel_id=target.channel_id, week_start=target.week_start
        )
        assert row is not None
        if row.posted_at is not None:
            return replace(
                outcome, status="already-posted", ts=row.ts, detail=f"posted {row.posted_at:%Y-%m-%d %H:%M} UTC"
            )
        detail = f"claimed {row.claimed_at:%Y-%m-%d %H:%M} UTC" + (
            f"; last error: {row.last_error}" if row.last_error else ""
        )
        return replace(outcome, status="in-progress", detail=detail)


def still_held(engine: Engine, claimed: digests.Claim) -> bool:
    """Whether the claim is still this attempt's: a post stalled past STALE_AFTER may have been taken over."""
    with session(engine) as s:
        return digests.holds_claim(session=s, post_id=claimed.post_id, token=claimed.token)


def mark_posted(engine: Engine, claimed: digests.Claim, *, ts: str, now: datetime) -> None:
    with session(engine) as s:
        digests.mark_posted(session=s, post_id=claimed.post_id, ts=ts, now=now)


def mark_refused(engine: Engine, claimed: digests.Claim, *, error: str) -> None:
    """Slack answered and refused: nothing was posted; the claim keeps why, and a later run retries."""
    with session(engine) as s:
        digests.mark_failed(session=s, post_id=claimed.post_id, error=error)


def mark_chart(engine: Engine, claimed: digests.Claim, *, file_id: str) -> None:
    with session(engine) as s:
        digests.set_chart(session=s, post_id=claimed.post_id, file_id=file_id)


# What to post


def engagement_targets(
    engine: Engine, settings: Settings, *, engagement: str, now: datetime, week_start: date | None = None
) -> list[Target]:
    """The engagement's digest for the week (this week by default) in each of its bound channels."""
    with session(engine) as s:
        schedule = schedule_of(session=s, settings=settings, engagement=engagement)
        bindings = digests.bindings_by_engagement(session=s, engagement=engagement).get(engagement, [])
    week = week_start or schedule.week_of(now)
    return [Target(engagement, b.channel_id, b.side, week, schedule) for b in bindings]


def due(engine: Engine, settings: Settings, *, now: datetime) -> list[Target]:
    """Every digest past its moment this week (within CATCH_UP) and not yet posted.

    Each engagement's channels get its digest (as their side sees it), and the managers' channel, if set, the
    cross-engagement one."""
    out = []
    with session(engine) as s:
        by_engagement = digests.bindings_by_engagement(session=s)
        targets = [
            (engagement, b.channel_id, b.side, schedule_of(session=s, settings=settings, engagement=engagement))
            for engagement, bindings in by_engagement.items()
            for b in bindings
        ]
        if settings.managers_channel and by_engagement:
            targets.append((digests.ALL_ENGAGEMENTS, settings.managers_channel, "shared", default_schedule(settings)))
        for engagement, channel_id, side, schedule in targets:
            week = schedule.week_of(now)
            moment = schedule.moment(week)
            if not moment <= now <= moment + CATCH_UP:
                continue  # not yet, or too late: a digest days late (first start mid-week) waits for next week
            row = digests.get_post(session=s, engagement=engagement, channel_id=channel_id, week_start=week)
            if row is None or row.posted_at is None:
                out.append(Target(engagement, channel_id, side, week, schedule))
    return out
