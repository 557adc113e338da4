"""The weekly digest's Slack wiring: posting each engagement's exactly once per channel and week.

Transport, not a workflow: `client` is a slack_sdk `WebClient` (chat_postMessage, conversations_history,
files_upload_v2) handed in by the scheduler or the CLI. What to post, the claim and the record of each post are
`bot.digest.posts`'s; what the digest says is built by `bot.digest.sections`, and rendered by
`bot.slack.blocks.digest`. The message carries metadata {"event_type": "liaison_digest", "event_payload":
{"engagement", "week"}}, by which a post interrupted mid-way is found again. Each channel's digest is in the
channel's language (`bot.slack.language.post_language`: its own setting, its engagement's, LIAISON_LANGUAGE).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.digest import posts
from bot.digest.posts import Outcome, Records, Target
from bot.digest.sections import Digest
from bot.i18n import _, speaking
from bot.records.digests import ALL_ENGAGEMENTS, Claim
from bot.settings import Settings
from bot.slack.blocks.digest import digest_message
from bot.slack.facts import SlackProbe
from bot.slack.language import post_language

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)

HISTORY_PAGES = 5


def find_posted(client: Any, *, channel_id: str, engagement: str, week_start: date, since: datetime) -> str | None:
    """The ts of our digest message for this engagement and week in the channel since `since`, if there is one."""
    wanted = posts.metadata(engagement, week_start)
    oldest = f"{(since - posts.STALE_AFTER).timestamp():.6f}"  # some slack for clocks that disagree
    cursor = None
    for _page in range(HISTORY_PAGES):
        page = client.conversations_history(
            channel=channel_id, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
        )
        for message in page.get("messages") or []:
            found = message.get("metadata") or {}
            if found.get("event_type") == posts.EVENT_TYPE and found.get("event_payload") == wanted["event_payload"]:
                return str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None


def _refused(error: Exception) -> str | None:
    """Slack's error code if Slack answered and refused (so nothing was posted); None if we cannot know."""
    response = getattr(error, "response", None)
    try:
        if response is not None and response.get("ok") is False:
            return str(response.get("error") or "refused")
    except AttributeError:
        return None
    return None


def _upload_chart(engine: Records, client: Any, *, digest: Digest, claimed: Claim, channel_id: str, ts: str) -> None:
    """The chart in the digest's thread; a failure costs the chart, not the digest."""
    try:
        png = posts.digest_chart(engine, digest)
        name = "all" if digest.engagement == ALL_ENGAGEMENTS else digest.engagement
        uploaded = client.files_upload_v2(
            channel=channel_id,
            file=png,
            filename=f"liaison-digest-{name}-{digest.window.week_start.isoformat()}.png",
            title=_("{title}: issues and service levels").format(title=digest.title),
            initial_comment=_(
                "Issues opened and resolved per week, and each service level met or missed per month: {title}"
            ).format(title=digest.title),
            thread_ts=ts,
        )
        file_id = (uploaded.get("file") or {}).get("id")
        if file_id:
            posts.mark_chart(engine, claimed, file_id=str(file_id))
    except Exception:
        log.exception("could not upload the digest chart to %s", channel_id)


def post_digest(
    engine: Records,
    client: Any,
    target: Target,
    *,
    now: datetime,
    retry_failed: bool = False,
    live: bool = False,
    default_language: str = "en",
) -> Outcome:
    """Post one channel's digest for the week, unless it is already there (here, or claimed by another process),
    in the channel's language (`default_language`, LIAISON_LANGUAGE, when neither it nor its engagement sets one).

    A channel bound to one side that Slack reports shared with another organisation (or cannot say) gets the
    digest as a shared channel sees it."""
    engagement = None if target.engagement == ALL_ENGAGEMENTS else target.engagement
    language = post_language(engine, default=default_language, channel_id=target.channel_id, engagement=engagement)
    with speaking(language):
        return _post_digest(engine, client, target, now=now, retry_failed=retry_failed, live=live)


def _post_digest(
    engine: Records, client: Any, target: Target, *, now: datetime, retry_failed: bool, live: bool
) -> Outcome:
    if target.side != "shared" and SlackProbe(client).channel_is_shared(target.channel_id) is not False:
        target = replace(target, side="shared")
    claimed = posts.claim(engine, target, now=now, retry_failed=retry_failed)
    if isinstance(claimed, Outcome):
        return claimed
    outcome = Outcome(target.engagement, target.channel_id, target.side, target.week_start, "posted")
    digest = posts.digest_for(engine, target, now=now, live=live)  # the claim is committed: others leave it be
    channel_id = target.channel_id
    step = "conversations.history"
    try:
        if claimed.retaken and claimed.previous_claimed_at is not None:
            found = find_posted(
                client,
                channel_id=channel_id,
                engagement=target.engagement,
                week_start=target.week_start,
                since=claimed.previous_claimed_at,
            )
            if found is not None:
                posts.mark_posted(engine, claimed, ts=found, now=now)
                # the earlier attempt died before marking it posted, so before its chart too
                _upload_chart(engine, client, digest=digest, claimed=claimed, channel_id=channel_id, ts=found)
                return replace(outcome, status="recovered", ts=found, detail="found in the channel's history")
        if not posts.still_held(engine, claimed):  # stalled past STALE_AFTER, and another process took over
            return replace(outcome, status="in-progress", detail="taken over by another process")
        step = "chat.postMessage"
        response = client.chat_postMessage(
            channel=channel_id,
            metadata=posts.metadata(target.engagement, target.week_start),
            unfurl_links=False,
            **digest_message(digest),
        )
    except Exception as error:
        refused = _refused(error)
        if refused is not None:  # Slack answered and refused: nothing was posted; say why, and retry later
            posts.mark_refused(engine, claimed, error=f"{step}: {refused}")
        log.warning("digest for %s in %s not posted (%s): %s", target.engagement, channel_id, step, refused or error)
        return replace(outcome, status="failed", detail=f"{step}: {refused or error}")
    ts = str(response["ts"])
    posts.mark_posted(engine, claimed, ts=ts, now=now)
    _upload_chart(engine, client, digest=digest, claimed=claimed, channel_id=channel_id, ts=ts)
    return replace(outcome, ts=ts)


def post_engagement_digests(
    engine: Records, settings: Settings, client: Any, *, engagement: str, now: datetime, week_start: date | None = None
) -> list[Outcome]:
    """Post the engagement's digest for the week (this week by default) to each of its channels, once each: by
    hand, so this week's covers the seven days up to `now`."""
    targets = posts.engagement_targets(engine, settings, engagement=engagement, now=now, week_start=week_start)
    return [
        post_digest(engine, client, t, now=now, retry_failed=True, live=True, default_language=settings.language)
        for t in targets
    ]


def post_due_digests(deps: Deps, client: Any, *, now: datetime) -> list[Outcome]:
    """For the scheduler: post every digest whose moment this week has passed, once per channel and week.

    Returns the digests this run put in a channel ("posted") or found already there after an interrupted post
    ("recovered"); failures are logged and retried by a later run.
    """
    done = []
    for target in posts.due(deps.engine, deps.settings, now=now):
        try:
            outcome = post_digest(deps.engine, client, target, now=now, default_language=deps.settings.language)
        except Exception:  # one engagement's trouble (a database hiccup) must not stop the others' digests
            log.exception("digest for %s in %s failed", target.engagement, target.channel_id)
            continue
        if outcome.status in ("posted", "recovered"):
            done.append(outcome)
    return done
