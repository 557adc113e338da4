"""`liaison` commands for the Slack app and its records: serve, run, chat, db, roles."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from bot.cli.options import (
    Context,
    LazyChoice,
    engagement_name,
    engagement_option,
    json_option,
    pass_context,
    side_option,
    started,
)
from bot.cli.translated import command, group, option
from bot.i18n import N_, _

if TYPE_CHECKING:  # sqlmodel is imported by the commands that use the records, not at start-up
    from contextlib import AbstractContextManager

    from sqlmodel import Session


@command(help=N_("Run the Slack app in HTTP mode (production): events, commands and actions at /slack/events."))
@option("--host", default="0.0.0.0", show_default=True, help=N_("Interface to listen on."))
@option("--port", "-p", type=int, default=3000, show_default=True, help=N_("Port to listen on."))
@pass_context
def serve(ctx: Context, host: str, port: int) -> None:
    from bot.slack.server import serve as serve_http

    settings = ctx.settings
    app = _start_slack_app(ctx)  # refuses to start without the signing secret
    serve_http(
        app,
        host=host,
        port=port,
        signing_secret=settings.slack_signing_secret or "",
        max_body_bytes=settings.max_request_bytes,
    )


@command(help=N_("Run the Slack app over Socket Mode (development; needs SLACK_APP_TOKEN, no public URL)."))
@pass_context
def run(ctx: Context) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if not ctx.settings.slack_app_token:
        raise click.UsageError(_("Socket Mode needs SLACK_APP_TOKEN (an xapp- token with connections:write)"))
    SocketModeHandler(_start_slack_app(ctx), ctx.settings.slack_app_token).start()


def _start_slack_app(ctx: Context) -> Any:
    """The Bolt app for serve and run; Slack refusing the token or out of reach is one line, not a traceback.
    (A records database that is down is said by `bot.cli.main`, for every command.)"""
    import urllib.error

    from slack_bolt.error import BoltError

    from bot.app import build_slack_app
    from knowledge.i18n import set_default

    # The bot's threads speak LIAISON_LANGUAGE where no request or channel says otherwise, not the operator's locale.
    set_default(ctx.settings.language)
    try:
        app = build_slack_app(ctx.settings)
    except BoltError as exc:  # auth.test answered, but not ok
        raise click.ClickException(
            _("Slack refused to start the app: {error}; check SLACK_BOT_TOKEN").format(error=exc)
        ) from None
    except urllib.error.URLError as exc:  # auth.test could not be sent
        raise click.ClickException(
            _("cannot reach Slack at {url}: {reason}; check SLACK_API_URL and the network").format(
                url=ctx.settings.slack_api_url, reason=exc.reason
            )
        ) from None
    started()  # the app runs for days: the collector is on from here
    return app


@command(help=N_("Try the Slack app in the terminal: lines go through the real listeners via a local Slack API."))
@option("--engagement", "-e", callback=engagement_name, help=N_("Bind the local channel to this engagement."))
@side_option
@option("--channel", default="C-LOCAL", show_default=True, help=N_("The local channel's id."))
@pass_context
def chat(ctx: Context, engagement: str | None, side: str, channel: str) -> None:
    from bot.localslack.chat import run_chat

    started()
    run_chat(ctx.settings, engagement=engagement, side=side, channel=channel)


@group(help=N_("The records database (SQLite by default, PostgreSQL with DATABASE_URL)."))
def db() -> None:
    pass


@db.command("upgrade", help=N_("Apply the schema migrations (the Slack app also does this at start-up)."))
@pass_context
def db_upgrade(ctx: Context) -> None:
    from bot.db import current_revision, make_engine, upgrade

    engine = make_engine(ctx.settings.resolved_database_url)
    upgrade(engine)
    click.echo(_("database at revision {revision}").format(revision=current_revision(engine)))


def _records_session(ctx: Context) -> AbstractContextManager[Session]:
    from bot.db import records_session

    return records_session(ctx.settings.resolved_database_url)


@group(help=N_("Who may bind channels (admin) and who owns an engagement (client-owner, vendor-owner, mediator)."))
def roles() -> None:
    pass


def _roles() -> tuple[str, ...]:
    from bot.records.tables import ROLES

    return ROLES


def _role_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = option("--role", required=True, type=LazyChoice(_roles), help=N_("The role."))(f)
    f = option("--user", "user", required=True, help=N_("Slack user id, e.g. U0123ABCD."))(f)
    return engagement_option(f)


@roles.command("grant", help=N_("Give a Slack user a role in an engagement (idempotent)."))
@_role_options
@json_option
@pass_context
def roles_grant(ctx: Context, engagement: str, user: str, role: str, as_json: bool) -> None:
    from bot.records import roles as role_records

    with _records_session(ctx) as s:
        role_records.grant_role(session=s, engagement=engagement, user_id=user, role=role, granted_by="cli")
    click.echo(
        json.dumps({"engagement": engagement, "user": user, "role": role})
        if as_json
        else _("{user} is now {role} of {engagement}").format(user=user, role=role, engagement=engagement)
    )


@roles.command("revoke", help=N_("Take a role away."))
@_role_options
@pass_context
def roles_revoke(ctx: Context, engagement: str, user: str, role: str) -> None:
    from bot.records import roles as role_records

    with _records_session(ctx) as s:
        removed = role_records.revoke_role(session=s, engagement=engagement, user_id=user, role=role)
    said = _("{user} is no longer {role} of {engagement}") if removed else _("{user} was not {role} of {engagement}")
    click.echo(said.format(user=user, role=role, engagement=engagement))


@roles.command("list", help=N_("The people with a role in an engagement."))
@engagement_option
@json_option
@pass_context
def roles_list(ctx: Context, engagement: str, as_json: bool) -> None:
    from sqlmodel import select

    from bot.records.tables import EngagementRole

    with _records_session(ctx) as s:
        rows = s.exec(select(EngagementRole).where(EngagementRole.engagement == engagement)).all()
        items = sorted((r.user_id, r.role) for r in rows)
    if as_json:
        click.echo(json.dumps({"roles": [{"user": u, "role": r} for u, r in items]}))
    for user, role in [] if as_json else items:
        click.echo(f"{user}\t{role}")
