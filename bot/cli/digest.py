"""`liaison digest`: preview the weekly digest, post it now (once per channel and week), set its schedule.

`--dry-run` needs no Slack token and prints plain text; `--post` talks to the Slack Web API at SLACK_API_URL
with SLACK_BOT_TOKEN. The records database (LIAISON_DATA_DIR's SQLite file, or DATABASE_URL) is migrated first.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from bot.cli.options import Context, engagement_option, json_option, pass_context
from bot.cli.translated import Choice, command, option
from bot.i18n import N_, _, current
from knowledge.visibility import SIDES  # the channel sides of bot.records, without loading SQLModel

if TYPE_CHECKING:
    from bot.digest.posts import Outcome
    from bot.records.tables import ChannelBinding
    from bot.settings import Settings

OUTCOME_TEXT = {  # translated where shown
    "posted": N_("posted"),
    "recovered": N_("already in the channel (a post interrupted earlier), now recorded: nothing posted"),
    "already-posted": N_("already posted this week: nothing posted"),
    "in-progress": N_("another Liaison process is posting it: nothing posted"),
    "failed": N_("NOT posted"),
}


def _week(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_("use YYYY-MM-DD, any day of the week, e.g. 2026-11-23")) from None
    return day - timedelta(days=day.weekday())


@command(
    help=N_(
        "The weekly digest of an engagement: issues, mediations, SLA breaches, questions and feedback, "
        "with trends.\n\n"
        "Liaison posts it by itself (LIAISON_DIGEST_DAY / LIAISON_DIGEST_TIME in LIAISON_TIMEZONE, or the "
        "engagement's own --schedule) in each bound channel, as that channel's side may see it."
    )
)
@engagement_option
@option("--dry-run", "mode", flag_value="dry-run", help=N_("Print this week's digest; post nothing."))
@option("--post", "mode", flag_value="post", help=N_("Post the digest now to the engagement's channels (once a week)."))
@option(
    "--week",
    callback=_week,
    help=N_(
        "Another week: any day in it, YYYY-MM-DD (default: this week; next week with --dry-run previews it so far)."
    ),
)
@option(
    "--side",
    type=Choice(SIDES),
    default="shared",
    show_default=True,
    help=N_("With --dry-run: the digest as a client, vendor or shared channel sees it."),
)
@option(
    "--schedule",
    "schedule_text",
    metavar='"DAY HH:MM [TZ]"',
    help=N_("Set when the engagement's digest goes out, e.g. \"mon 08:00 Europe/Paris\"; 'default' for the settings'."),
)
@json_option
@pass_context
def digest(
    ctx: Context,
    engagement: str,
    mode: str | None,
    week: date | None,
    side: str,
    schedule_text: str | None,
    as_json: bool,
) -> None:
    from bot.db import records_session
    from bot.digest import posts
    from bot.digest import schedule as schedules
    from bot.records import digests

    settings = ctx.settings
    if mode == "post" and not settings.slack_bot_token:
        raise click.ClickException(_("--post needs SLACK_BOT_TOKEN (the bot's xoxb- token); --dry-run needs none"))
    now = datetime.now(UTC)
    with records_session(settings.resolved_database_url) as s:
        if schedule_text is not None:
            try:
                schedule = schedules.set_schedule(
                    session=s, settings=settings, engagement=engagement, text=schedule_text, updated_by="cli"
                )
            except schedules.ScheduleError as error:
                raise click.BadParameter(str(error), param_hint="--schedule") from None
        schedule = schedules.schedule_of(session=s, settings=settings, engagement=engagement)
        known = digests.is_known(session=s, engagement=engagement)
        channels = digests.bindings_by_engagement(session=s, engagement=engagement).get(engagement, [])
        this_week = schedule.week_of(now)
        week_start = week or this_week
        if week_start > this_week + timedelta(weeks=1 if mode == "dry-run" else 0):
            raise click.BadParameter(
                _("the week of {week} has not started (next week's digest so far: --dry-run --week)").format(
                    week=week_start
                ),
                param_hint="--week",
            )
        next_post = schedule.moment(this_week if now < schedule.moment(this_week) else this_week + timedelta(weeks=1))
        if mode is None:
            said = (
                _("{engagement}: weekly digest on {when} (its own schedule)")
                if schedule.own
                else _("{engagement}: weekly digest on {when} (the default schedule)")
            )
            click.echo(said.format(engagement=engagement, when=schedule.text()))
            click.echo(
                _("next: {when}; channels: {channels}").format(
                    when=_moment(next_post.astimezone(schedule.zone)), channels=_channels(channels)
                )
            )
            if schedule_text is None:
                click.echo(_("use --dry-run to preview it, --post to post it now"), err=True)
            return
        unknown = not known and engagement not in ctx.kb.engagements()  # contracts indexed, nothing happened yet
        if unknown and mode == "post":
            raise click.ClickException(
                _(
                    "unknown engagement {engagement!r}: no contracts, channel, issue, mediation or question for it"
                ).format(engagement=engagement)
            )
        if mode == "dry-run":
            if unknown:  # an empty digest, as it would read; the note catches a misspelt name
                click.echo(
                    _(
                        "note: nothing is recorded for {engagement!r} yet (no contracts, channel, issue, mediation or "
                        "question): check the name with `liaison engagements`"
                    ).format(engagement=engagement),
                    err=True,
                )
            built = posts.build(
                session=s,
                engagement=engagement,
                side=side,
                week_start=week_start,
                schedule=schedule,
                now=now,
                live=True,
            )
            if as_json:
                click.echo(json.dumps(built.as_dict(), ensure_ascii=False))
            else:
                from bot.digest.text import digest_text

                click.echo(digest_text(built), nl=False)
            if not channels:
                click.echo(
                    _("note: {engagement} has no bound channel, so nothing would be posted").format(
                        engagement=engagement
                    ),
                    err=True,
                )
            return
        if not channels:
            raise click.ClickException(
                _(
                    "{engagement} has no bound channel to post to: bind one in Slack with /liaison bind {engagement} "
                    "client|vendor|shared"
                ).format(engagement=engagement)
            )
    _post(settings, engagement=engagement, week_start=week_start, now=now, as_json=as_json)


def _channels(bindings: list[ChannelBinding]) -> str:
    return ", ".join(f"{b.channel_id} ({b.side})" for b in bindings) or _("none bound")


def _moment(when: datetime) -> str:
    """A day and time as the reader writes it: 'Mon 30 Nov 2026 08:00 CET', 'lun 30 nov 2026 08:00 CET'."""
    lang = current()
    if lang == "en":
        return f"{when:%a %d %b %Y %H:%M %Z}"
    from babel.dates import format_datetime

    return f"{format_datetime(when, 'EEE d MMM y HH:mm', locale=lang)} {when:%Z}"


def _post(settings: Settings, *, engagement: str, week_start: date, now: datetime, as_json: bool) -> None:
    from bot.app import make_slack_client
    from bot.db import make_engine, upgrade
    from bot.slack import posting

    client = make_slack_client(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
        outcomes = posting.post_engagement_digests(
            engine, settings, client, engagement=engagement, now=now, week_start=week_start
        )
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps({"outcomes": [_as_dict(o) for o in outcomes]}))
    else:
        for o in outcomes:
            where = f"{o.channel_id} ({o.side})"
            extra = f" ts {o.ts}" if o.ts else ""
            extra += f" ({o.detail})" if o.detail else ""
            click.echo(f"{where}: {_(OUTCOME_TEXT[o.status])}{extra}")
        if not any(o.status in ("posted", "failed") for o in outcomes):
            click.echo(
                _("nothing posted: the digest for the week of {week} is already in every channel").format(
                    week=week_start
                )
            )
    if any(o.status == "failed" for o in outcomes):
        raise SystemExit(1)


def _as_dict(outcome: Outcome) -> dict[str, Any]:
    return {
        "engagement": outcome.engagement,
        "channel": outcome.channel_id,
        "side": outcome.side,
        "week": outcome.week_start.isoformat(),
        "status": outcome.status,
        "ts": outcome.ts,
        "detail": outcome.detail,
    }


COMMANDS: tuple[click.Command, ...] = (digest,)
