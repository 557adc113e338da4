"""`/liaison language [LANG|default]`: which language Liaison speaks here, and the channel's own setting.

Without a language it says, privately and in the asker's language, what this channel's posts are in, where
that comes from, and how replies and questions choose theirs (`bot.slack.language`). With one, a person who may
bind the engagement's channels (`set-language`) sets the channel's own language (`default` forgets it, so the
engagement's applies), and the channel is told, in its new language. The engagement is the channel's binding's,
read now.
"""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import languages
from bot.deps import Deps
from bot.errors import LiaisonError
from bot.i18n import _, speaking
from bot.languages import Defaults, name_of
from bot.slack.blocks import answers as blocks
from bot.slack.blocks.kit import Block, context, section, wire
from bot.slack.blocks.text_fit import escape
from bot.slack.facts import workspace_admin
from bot.slack.language import spoken, user_locale
from bot.slack.payloads import Command, Handler
from knowledge.i18n import COMPLETE

FOLLOW_ENGAGEMENT = ("default", "clear", "reset", "none")  # forget the channel's own language


def register(app: App) -> None:
    """The verb is routed by `listeners.commands` (VERBS); nothing else to listen to."""


def _named(code: str) -> str:
    return f"{name_of(code)} (`{code}`)"


def _where_from(settings: Defaults) -> str:
    if settings.channel is not None:
        return _("this channel's own setting")
    if settings.engagement is not None:
        return _("the setting of `{engagement}`").format(engagement=escape(settings.engagement_name or ""))
    return _("Liaison's default")


def _shown(settings: Defaults, locale: str | None) -> list[Block]:
    posts = spoken(settings.setting or settings.default)
    short = spoken(settings.setting or locale or settings.default)  # the order of bot.slack.language.for_question
    lines = [
        _("*Languages here*"),
        _("• Posts that answer no one here (the digest, reminders) are in {language}, from {source}.").format(
            language=_named(posts), source=_where_from(settings)
        ),
        _(
            '• Questions are answered in the language they are asked in; short or mixed ones ("sla P1?") in {language}.'
        ).format(language=_named(short)),
    ]
    if locale is None:
        lines.append(
            _("• Everything else Liaison tells you is in {language}: Slack did not say which language you use.").format(
                language=_named(posts)
            )
        )
    elif spoken(locale) == locale:
        lines.append(
            _("• Everything else Liaison tells you is in your Slack language, {language}.").format(
                language=_named(locale)
            )
        )
    else:
        lines.append(
            _(
                "• Everything else Liaison tells you is in {language}: it does not speak your Slack language yet."
            ).format(language=_named(spoken(locale)))
        )
    return [
        section("\n".join(lines)),
        context(
            _(
                "Change this channel's language: `/liaison language LANG` (one of {languages}); `/liaison language "
                "default` follows the engagement's again. Admins of the engagement and workspace admins can."
            ).format(languages=", ".join(f"`{code}`" for code in COMPLETE))
        ),
    ]


def _changed(settings: Defaults, user_id: str) -> str:
    now = spoken(settings.setting or settings.default)
    if settings.channel is not None:
        return _("<@{user}> set this channel's language to {language}.").format(user=user_id, language=_named(now))
    return _("<@{user}> cleared this channel's own language: it follows {source}, {language}.").format(
        user=user_id, source=_where_from(settings), language=_named(now)
    )


def language(deps: Deps, rest: str, ack: Ack, command: Command, respond: Respond, client: WebClient) -> None:
    """Show the languages here, or set the channel's own."""
    ack()
    wanted = rest.strip()
    channel, user = command["channel_id"], command["user_id"]
    if not wanted:
        settings = languages.defaults_for(deps, channel_id=channel)
        shown = _shown(settings, user_locale(client, user))
        respond(response_type="ephemeral", text=_("Languages here"), blocks=wire(shown))
        return
    try:
        settings = languages.set_channel_language(
            deps,
            channel_id=channel,
            user_id=user,
            language=None if wanted.lower() in FOLLOW_ENGAGEMENT else wanted,
            is_workspace_admin=workspace_admin(client),
        )
    except LiaisonError as err:
        respond(response_type="ephemeral", text=str(err), blocks=wire(blocks.refusal_blocks(str(err))))
        return
    with speaking(spoken(settings.setting or settings.default)):  # the channel is told in its new language
        said = _changed(settings, user)
        respond(response_type="in_channel", text=said, blocks=wire([section(said)]))


VERBS: dict[str, Handler] = {"language": language}
