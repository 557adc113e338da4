"""`liaison language`: which language Liaison speaks where no one asked in one (issue 14).

    liaison language show [-e E] [--json]                  the default, and each engagement's and channel's
    liaison language set LANG -e E [--channel C] [--json]  the engagement's language, or one of its channels'
    liaison language clear -e E [--channel C] [--json]     forget it (the channel follows its engagement's again)

Only languages with a complete catalogue can be set (`knowledge.i18n.COMPLETE`). The CLI's operator is trusted
(`bot.sla.workflows.operator`). JSON goes to stdout; a refusal or bad input is one line on stderr, exit code 2.
"""

from __future__ import annotations

from typing import Any

import click

from bot.cli.options import Context, engagement_name, engagement_option, json_option, pass_context
from bot.cli.sla import deps_of, dump, run
from bot.cli.translated import argument, group, option
from bot.i18n import N_, _


def _named(code: str | None) -> str:
    from bot.languages import name_of

    return f"{code} ({name_of(code)})" if code else _("not set")


def _echo(shown: dict[str, Any]) -> None:
    click.echo(
        _("Default (LIAISON_LANGUAGE): {language}; languages that can be set: {languages}").format(
            language=_named(shown["default"]), languages=", ".join(shown["languages"])
        )
    )
    if not shown["engagements"]:
        click.echo(_("No engagement or channel has a language of its own."))
    for e in shown["engagements"]:
        if e["language"]:
            line = _("{engagement}: {language}, set by {who} at {when}").format(
                engagement=e["engagement"], language=_named(e["language"]), who=e["set_by"], when=e["set_at"]
            )
        else:
            line = _("{engagement}: no language of its own (the default applies)").format(engagement=e["engagement"])
        click.echo(line)
        for c in e["channels"]:
            click.echo(
                _("  channel {channel}: {language}, set by {who} at {when}").format(
                    channel=c["channel_id"], language=_named(c["language"]), who=c["set_by"], when=c["set_at"]
                )
            )


@group(
    help=N_(
        "Which language Liaison speaks where no one asked in one: an engagement's posts (digests, reminders) and "
        "short questions. A channel's own language overrides its engagement's."
    )
)
def language() -> None:
    pass


@language.command(help=N_("Show the default language, and each engagement's and channel's own."))
@option("--engagement", "-e", callback=engagement_name, help=N_("Only this engagement (shown even if unset)."))
@json_option
@pass_context
def show(ctx: Context, engagement: str | None, as_json: bool) -> None:
    from bot import languages

    shown = run(lambda: languages.show(deps_of(ctx), engagement=engagement))
    if as_json:
        dump(shown)
    else:
        _echo(shown)


channel_option = option(
    "--channel", "channel_id", metavar="CHANNEL_ID", help=N_("A channel of the engagement (its Slack id, e.g. C0123).")
)


@language.command(
    name="set", help=N_("Set the engagement's language (LANG: en, it), or with --channel one of its channels' own.")
)
@argument("lang", metavar="LANG")
@engagement_option
@channel_option
@json_option
@pass_context
def set_(ctx: Context, lang: str, engagement: str, channel_id: str | None, as_json: bool) -> None:
    from bot import languages
    from bot.sla.workflows import operator

    shown = run(
        lambda: languages.set_language(
            deps_of(ctx), engagement=engagement, language=lang, who=operator(), channel_id=channel_id
        )
    )
    if as_json:
        dump(shown)
    else:
        _echo(shown)


@language.command(
    help=N_("Forget the engagement's language, or with --channel a channel's own (it follows the engagement's again).")
)
@engagement_option
@channel_option
@json_option
@pass_context
def clear(ctx: Context, engagement: str, channel_id: str | None, as_json: bool) -> None:
    from bot import languages
    from bot.sla.workflows import operator

    shown = run(
        lambda: languages.clear_language(deps_of(ctx), engagement=engagement, who=operator(), channel_id=channel_id)
    )
    if as_json:
        dump(shown)
    else:
        _echo(shown)


COMMANDS = (language,)
