"""The background jobs of `liaison serve` and `liaison run`: mediation reminders, the weekly digest and the SLA
register's period close.

APScheduler runs three interval jobs in the bot's process (the reminders' run also forgets old delivery claims).
Neither keeps state of its own: each run asks the database what is due now (a mediation quiet for too long or
near its deadline; an engagement whose digest time has passed this week) and claims it there before posting.
So every replica may run the scheduler, a restart catches up with what it missed, and nothing is posted twice.
Digests go by LIAISON_TIMEZONE, else by the workspace's time zone (its primary owner's, read once from Slack),
else by UTC. The reminders are built by `bot.mediation.reminders` and worded and posted here; so are the SLA
register's period-close summaries, built (and the month's credits computed, once) by `bot.sla.closing`. Each
post is in its channel's language (`bot.slack.language.for_post`: the channel's setting, its engagement's,
LIAISON_LANGUAGE).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TypedDict
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot import questions
from bot.deps import Deps
from bot.i18n import speaking
from bot.mediation import reminders
from bot.records.tables import utcnow
from bot.sla import closing
from bot.slack.blocks import mediation as mb
from bot.slack.blocks import sla_fees as fb
from bot.slack.blocks.kit import wire
from bot.slack.deadline_posting import send_deadline_reminders
from bot.slack.facts import SlackProbe
from bot.slack.language import for_post

log = logging.getLogger(__name__)
DIGEST_CHECK_MINUTES = 5.0  # how often to look for a digest that has come due
SLA_CLOSE_CHECK_MINUTES = 30.0  # how often to look for a month whose close has come


def remind(deps: Deps, client: WebClient, now: datetime | None = None) -> int:
    """One reminders run: how many reminders were posted, the mediations' and the deadlines'
    (`bot.slack.deadline_posting`). It first forgets the Slack deliveries claimed more than a day ago
    (`bot.questions.forget_claims`), so the table of claims stays small."""
    now = now or utcnow()
    forgotten = questions.forget_claims(deps, now=now)
    if forgotten:
        log.info("forgot %d old delivery claims", forgotten)
    return send_reminders(deps, client, now=now) + send_deadline_reminders(deps, client, now=now)


def send_reminders(deps: Deps, client: WebClient, *, now: datetime) -> int:
    """Post the reminders due at `now` in their mediations' threads, one message per mediation: how many were
    posted. A post Slack refuses gives its claims back (the next run tries again); the others go on."""
    sent = 0
    for reminder in reminders.due_reminders(deps, now=now, probe=SlackProbe(client)):
        case = reminder.case
        try:
            with speaking(for_post(deps, channel_id=case["channel_id"], engagement=case["engagement"])):
                text = mb.reminder_text(
                    case, kinds=reminder.kinds, today=reminder.today, side=reminder.side, idle_hours=reminder.idle_hours
                )
                blocks = wire(mb.reminder_blocks(text))
            client.chat_postMessage(channel=case["channel_id"], thread_ts=case["header_ts"], text=text, blocks=blocks)
        except Exception as err:  # any failure: the next run tries again; the other mediations go on
            log.warning("could not remind mediation #%s (%s): %s", case["id"], ", ".join(reminder.keys), err)
            reminders.release(deps, reminder)
            continue
        sent += 1
    return sent


def close_sla_periods(deps: Deps, client: WebClient, now: datetime | None = None) -> int:
    """One period-close run: each engagement's last closed month computed (once) and its summary posted to the
    channels that may read it, once each: how many were posted. A post Slack refuses gives its claim back."""
    sent = 0
    for notice in closing.due_closes(deps, now=now or utcnow(), probe=SlackProbe(client)):
        try:
            with speaking(for_post(deps, channel_id=notice.channel_id, engagement=notice.engagement)):
                text, blocks = fb.close_text(notice), wire(fb.close_blocks(notice))
            client.chat_postMessage(channel=notice.channel_id, text=text, blocks=blocks, unfurl_links=False)
        except Exception as err:  # any failure: the next run tries again; the other channels go on
            log.warning(
                "could not post the %s close of %s to %s: %s", notice.period, notice.engagement, notice.channel_id, err
            )
            closing.release(deps, notice)
            continue
        sent += 1
    return sent


def workspace_timezone(client: WebClient) -> str | None:
    """The workspace's time zone as Slack users know it: its primary owner's (Slack has no workspace setting)."""
    cursor = None
    for _ in range(50):  # 50 pages of 200 people
        page = client.users_list(limit=200, cursor=cursor) if cursor else client.users_list(limit=200)
        for member in page.get("members") or []:
            if member.get("is_primary_owner") and member.get("tz"):
                return str(member["tz"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None


def with_workspace_timezone(deps: Deps, client: WebClient) -> Deps:
    """`deps` whose settings carry the workspace's time zone when LIAISON_TIMEZONE does not set one."""
    if deps.settings.timezone:
        return deps
    try:
        zone = workspace_timezone(client)
        ZoneInfo(zone or "UTC")
    except Exception as err:  # Slack unreachable, or a name this machine does not know: UTC, as documented
        log.info("no workspace time zone (%s): digests go by UTC", err)
        return deps
    if zone is None:
        return deps
    log.info("digests go by the workspace's time zone, %s (set LIAISON_TIMEZONE to choose another)", zone)
    return replace(deps, settings=deps.settings.model_copy(update={"timezone": zone}))


def post_digests(deps: Deps, client: WebClient, now: datetime | None = None) -> int:
    """One digest run: how many digests were posted."""
    from bot.slack.posting import post_due_digests

    return len(post_due_digests(deps, client, now=now or utcnow()))


def _logged(name: str, job: Callable[[], int]) -> Callable[[], None]:
    def run() -> None:
        try:
            done = job()
        except Exception:  # a failed run is retried at the next interval; the bot keeps serving
            log.exception("%s failed", name)
            return
        if done:
            log.info("%s: %d posted", name, done)

    return run


def make_scheduler(deps: Deps, client: WebClient) -> BackgroundScheduler:
    """The scheduler with its three jobs (not started)."""
    settings = deps.settings
    digest_deps: list[Deps] = []  # the workspace's time zone, looked up at the first digest run

    def digests() -> int:
        if not digest_deps:
            digest_deps.append(with_workspace_timezone(deps, client))
        return post_digests(digest_deps[0], client)

    def closes() -> int:  # the same time zone as the digests'
        if not digest_deps:
            digest_deps.append(with_workspace_timezone(deps, client))
        return close_sla_periods(digest_deps[0], client)

    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    jobs: dict[str, tuple[Callable[[], int], float]] = {
        "mediation-reminders": (lambda: remind(deps, client), settings.reminder_interval_minutes),
        "weekly-digest": (digests, DIGEST_CHECK_MINUTES),
        "sla-period-close": (closes, SLA_CLOSE_CHECK_MINUTES),
    }
    for name, (job, minutes) in jobs.items():
        scheduler.add_job(
            _logged(name, job),
            "interval",
            id=name,
            name=name,
            minutes=minutes,
            next_run_time=utcnow(),  # catch up at start-up
            misfire_grace_time=int(minutes * 60),
        )
    return scheduler


def start_scheduler(deps: Deps, client: WebClient) -> BackgroundScheduler | None:
    """Start the jobs in the background, unless LIAISON_SCHEDULER=false (e.g. on web-only replicas)."""
    if not deps.settings.scheduler:
        log.info("scheduler off (LIAISON_SCHEDULER=false)")
        return None
    scheduler = make_scheduler(deps, client)
    scheduler.start()
    return scheduler


class JobInfo(TypedDict):
    id: str
    next_run_time: datetime | None


def describe(scheduler: BackgroundScheduler) -> list[JobInfo]:
    """The jobs and when they next run (for logs and tests)."""
    return [{"id": job.id, "next_run_time": job.next_run_time} for job in scheduler.get_jobs()]
