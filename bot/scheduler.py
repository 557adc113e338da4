"""The background jobs of `liaison serve` and `liaison run`: mediation reminders and the weekly digest.

APScheduler runs two interval jobs in the bot's process. Neither keeps state of its own: each run asks the
database what is due now (a mediation quiet for too long or near its deadline; an engagement whose digest
time has passed this week) and claims it there before posting. So every replica may run the scheduler,
a restart catches up with what it missed, and nothing is posted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.deps import Deps
from bot.records import utcnow

log = logging.getLogger(__name__)
DIGEST_CHECK_MINUTES = 5.0  # how often to look for a digest that has come due


def remind(deps: Deps, client: WebClient, now: datetime | None = None) -> int:
    """One reminders run: how many reminders were posted."""
    from bot.reminders import send_reminders

    return send_reminders(deps, client, now=now or utcnow())


def post_digests(deps: Deps, client: WebClient, now: datetime | None = None) -> int:
    """One digest run: how many digests were posted."""
    from bot.digest import post_due_digests

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
    """The scheduler with its two jobs (not started)."""
    settings = deps.settings
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    jobs: dict[str, tuple[Callable[[], int], float]] = {
        "mediation-reminders": (lambda: remind(deps, client), settings.reminder_interval_minutes),
        "weekly-digest": (lambda: post_digests(deps, client), DIGEST_CHECK_MINUTES),
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


def describe(scheduler: BackgroundScheduler) -> list[dict[str, Any]]:
    """The jobs and when they next run (for logs and tests)."""
    return [{"id": job.id, "next_run_time": job.next_run_time} for job in scheduler.get_jobs()]
