"""The weekly digest's Slack wiring: posting each engagement's exactly once per channel and week.

This is transport, not a workflow: `client` is a slack_sdk `WebClient` (chat_postMessage, conversations_history,
files_upload_v2) handed in by the scheduler or the CLI, and the message is rendered by `bot.slack.digest_blocks`.
What the digest says is built by `bot.digest_sections` (no Slack there); when it goes out, `bot.digest_schedule`
(re-exported here).

Exactly once, with several replicas and restarts: a (engagement, channel, week) row is claimed and committed
before posting (`bot.digests.claim_post`); the message carries metadata {"event_type": "liaison_digest",
"event_payload": {"engagement", "week"}}. A claim never marked posted after `STALE_AFTER` (the process died
mid-post) is taken over, and the taker first looks for that message in the channel's history, posting only if
it is absent. A post Slack refused (nothing in the channel) is kept with its error and retried later.

Time zones: an engagement's schedule uses its own time zone (set with `liaison digest --schedule`), else
LIAISON_TIMEZONE; the scheduler fills that in with the workspace's (its primary owner's) when it is unset; else UTC.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import digests
from bot.db import session
from bot.digest_schedule import DAY_NAMES as DAY_NAMES
from bot.digest_schedule import Schedule as Schedule
from bot.digest_schedule import ScheduleError as ScheduleError
from bot.digest_schedule import default_schedule as default_schedule
from bot.digest_schedule import parse_schedule as parse_schedule
from bot.digest_schedule import schedule_of as schedule_of
from bot.digest_schedule import set_schedule as set_schedule
from bot.digest_sections import (
    Digest,
    WeekPoint,
    Window,
    build_digest,
    build_managers_digest,
    weekly_points,
    window_ending,
)
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)  # a claim older than this, never posted: its process died mid-post
EVENT_TYPE = "liaison_digest"
HISTORY_PAGES = 5


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


def chart_points(*, session: Session, digest: Digest) -> list[WeekPoint]:
    """The chart's numbers: the last weeks' issues opened and resolved, and SLA attainment."""
    if digest.engagement == digests.ALL_ENGAGEMENTS:
        engagements = sorted(digests.bindings_by_engagement(session=session))
    else:
        engagements = [digest.engagement]
    return weekly_points(session=session, engagements=engagements, window=digest.window)


def chart(digest: Digest, points: list[WeekPoint]) -> bytes:
    """The digest's chart as PNG bytes (drawn outside any database transaction: it takes a moment)."""
    from bot.digest_chart import chart_png  # matplotlib: only when a chart is drawn

    return chart_png(
        title=f"{digest.title.removeprefix('Weekly digest: ')}: issues and SLA attainment, last {len(points)} weeks",
        labels=[p.label for p in points],
        opened=[p.opened for p in points],
        resolved=[p.resolved for p in points],
        attainment=[p.attainment for p in points],
    )


# Posting


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


def _metadata(engagement: str, week_start: date) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"engagement": engagement, "week": week_start.isoformat()}}


def find_posted(client: Any, *, channel_id: str, engagement: str, week_start: date, since: datetime) -> str | None:
    """The ts of our digest message for this engagement and week in the channel since `since`, if there is one."""
    wanted = _metadata(engagement, week_start)
    oldest = f"{(since - STALE_AFTER).timestamp():.6f}"  # some slack for clocks that disagree
    cursor = None
    for _ in range(HISTORY_PAGES):
        page = client.conversations_history(
            channel=channel_id, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
        )
        for message in page.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == EVENT_TYPE and metadata.get("event_payload") == wanted["event_payload"]:
                return str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None


def _message(digest: Digest) -> dict[str, Any]:
    # Block Kit is the transport's (pure builders, no client); imported here so dry runs never load it
    from bot.slack.digest_blocks import digest_message

    return digest_message(digest)


def _refused(error: Exception) -> str | None:
    """Slack's error code if Slack answered and refused (so nothing was posted); None if we cannot know."""
    response = getattr(error, "response", None)
    try:
        if response is not None and response.get("ok") is False:
            return str(response.get("error") or "refused")
    except AttributeError:
        return None
    return None


def _upload_chart(engine: Engine, client: Any, *, digest: Digest, post_id: int, channel_id: str, ts: str) -> None:
    """The chart in the digest's thread; a failure costs the chart, not the digest."""
    try:
        with session(engine) as s:
            points = chart_points(session=s, digest=digest)
        png = chart(digest, points)
        name = "all" if digest.engagement == digests.ALL_ENGAGEMENTS else digest.engagement
        uploaded = client.files_upload_v2(
            channel=channel_id,
            file=png,
            filename=f"liaison-digest-{name}-{digest.window.week_start.isoformat()}.png",
            title=f"{digest.title}: issues and SLA attainment",
            initial_comment=f"Issues opened and resolved per week, and SLA attainment: {digest.title}",
            thread_ts=ts,
        )
        file_id = (uploaded.get("file") or {}).get("id")
        if file_id:
            with session(engine) as s:
                digests.set_chart(session=s, post_id=post_id, file_id=str(file_id))
    except Exception:
        log.exception("could not upload the digest chart to %s", channel_id)


def post_digest(
    engine: Engine,
    client: Any,
    *,
    engagement: str,
    channel_id: str,
    side: str,
    week_start: date,
    schedule: Schedule,
    now: datetime,
    retry_failed: bool = False,
    live: bool = False,
) -> Outcome:
    """Post one channel's digest for the week, unless it is already there (here, or claimed by another process).

    A channel bound to one side that Slack reports shared with another organisation (or cannot say) gets the
    digest as a shared channel sees it."""
    from bot.slack.facts import SlackProbe  # what Slack says of the channel now

    if side != "shared" and SlackProbe(client).channel_is_shared(channel_id) is not False:
        side = "shared"
    outcome = Outcome(engagement, channel_id, side, week_start, "posted")
    with session(engine) as s:
        claim = digests.claim_post(
            session=s,
            engagement=engagement,
            channel_id=channel_id,
            week_start=week_start,
            side=side,
            now=now,
            stale_after=STALE_AFTER,
            retry_failed=retry_failed,
        )
        if claim is None:
            row = digests.get_post(session=s, engagement=engagement, channel_id=channel_id, week_start=week_start)
            assert row is not None
            if row.posted_at is not None:
                return replace(
                    outcome, status="already-posted", ts=row.ts, detail=f"posted {row.posted_at:%Y-%m-%d %H:%M} UTC"
                )
            detail = f"claimed {row.claimed_at:%Y-%m-%d %H:%M} UTC" + (
                f"; last error: {row.last_error}" if row.last_error else ""
            )
            return replace(outcome, status="in-progress", detail=detail)
    with session(engine) as s:  # the claim is committed: other replicas now leave this digest alone
        digest = build(
            session=s, engagement=engagement, side=side, week_start=week_start, schedule=schedule, now=now, live=live
        )
    step = "conversations.history"
    try:
        if claim.retaken and claim.previous_claimed_at is not None:
            found = find_posted(
                client,
                channel_id=channel_id,
                engagement=engagement,
                week_start=week_start,
                since=claim.previous_claimed_at,
            )
            if found is not None:
                with session(engine) as s:
                    digests.mark_posted(session=s, post_id=claim.post_id, ts=found, now=now)
                # the earlier attempt died before marking it posted, so before its chart too
                _upload_chart(engine, client, digest=digest, post_id=claim.post_id, channel_id=channel_id, ts=found)
                return replace(outcome, status="recovered", ts=found, detail="found in the channel's history")
        with session(engine) as s:  # stalled past STALE_AFTER, and another process took over? then leave it be
            if not digests.holds_claim(session=s, post_id=claim.post_id, token=claim.token):
                return replace(outcome, status="in-progress", detail="taken over by another process")
        step = "chat.postMessage"
        response = client.chat_postMessage(
            channel=channel_id, metadata=_metadata(engagement, week_start), unfurl_links=False, **_message(digest)
        )
    except Exception as error:
        refused = _refused(error)
        if refused is not None:  # Slack answered and refused: nothing was posted; say why, and retry later
            with session(engine) as s:
                digests.mark_failed(session=s, post_id=claim.post_id, error=f"{step}: {refused}")
        log.warning("digest for %s in %s not posted (%s): %s", engagement, channel_id, step, refused or error)
        return replace(outcome, status="failed", detail=f"{step}: {refused or error}")
    ts = str(response["ts"])
    with session(engine) as s:
        digests.mark_posted(session=s, post_id=claim.post_id, ts=ts, now=now)
    _upload_chart(engine, client, digest=digest, post_id=claim.post_id, channel_id=channel_id, ts=ts)
    return replace(outcome, ts=ts)


def post_engagement_digests(
    engine: Engine, settings: Settings, client: Any, *, engagement: str, now: datetime, week_start: date | None = None
) -> list[Outcome]:
    """Post the engagement's digest for the week (this week by default) to each of its channels, once each: by
    hand, so this week's covers the seven days up to `now`."""
    with session(engine) as s:
        schedule = schedule_of(session=s, settings=settings, engagement=engagement)
        bindings = digests.bindings_by_engagement(session=s, engagement=engagement).get(engagement, [])
    week = week_start or schedule.week_of(now)
    return [
        post_digest(
            engine,
            client,
            engagement=engagement,
            channel_id=b.channel_id,
            side=b.side,
            week_start=week,
            schedule=schedule,
            now=now,
            retry_failed=True,
            live=True,
        )
        for b in bindings
    ]


CATCH_UP = timedelta(hours=24)  # a bot down at its digest time posts it when back, within this long


def due(engine: Engine, settings: Settings, *, now: datetime) -> list[tuple[str, str, str, date, Schedule]]:
    """(engagement, channel, side, week, schedule) of every digest past its moment this week and not yet posted."""
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
                out.append((engagement, channel_id, side, week, schedule))
    return out


def post_due_digests(deps: Deps, client: Any, *, now: datetime) -> list[Outcome]:
    """For the scheduler: post every digest whose moment this week has passed, once per channel and week.

    Each engagement's channels get its digest (as their side sees it) and the managers' channel, if set, the
    cross-engagement one. Returns the digests this run put in a channel ("posted") or found already there after
    an interrupted post ("recovered"); failures are logged and retried by a later run.
    """
    done = []
    for engagement, channel_id, side, week, schedule in due(deps.engine, deps.settings, now=now):
        try:
            outcome = post_digest(
                deps.engine,
                client,
                engagement=engagement,
                channel_id=channel_id,
                side=side,
                week_start=week,
                schedule=schedule,
                now=now,
            )
        except Exception:  # one engagement's trouble (a database hiccup) must not stop the others' digests
            log.exception("digest for %s in %s failed", engagement, channel_id)
            continue
        if outcome.status in ("posted", "recovered"):
            done.append(outcome)
    return done
