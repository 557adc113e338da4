"""The language settings: an engagement's default language and a channel's own, shown to anyone and changed by
the people who may bind the engagement's channels (`set-language` in `bot.authorize`).

Only languages whose catalogue is complete (`knowledge.i18n.COMPLETE`) may be set. What a transport needs to
choose a language now is `defaults_for(deps, channel_id=...)`: one read of the channel's binding and of both
settings; the order they are tried in is the transport's (`bot.slack.language`). No Slack imports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import records
from bot.authorize import Actor, actor_in, authorize, nobody
from bot.db import session
from bot.deps import Deps
from bot.errors import Conflict, LiaisonError, NotFound
from bot.i18n import _
from bot.records import languages as rows
from knowledge.i18n import COMPLETE, NAMES, normalise


class UnsupportedLanguage(LiaisonError, ValueError):
    """A language Liaison has no complete catalogue for (the message names the ones it has)."""


def name_of(code: str) -> str:
    """A language's own name ("Italiano"), or its code when Liaison does not know it."""
    return NAMES.get(code, code)


def offered() -> str:
    """The languages that may be set, for a message: "en (English), it (Italiano)"."""
    return ", ".join(f"{code} ({name_of(code)})" for code in COMPLETE)


def checked(tag: str) -> str:
    """The code of a language that may be set ('it', 'it-IT', 'it_IT' -> 'it'), or `UnsupportedLanguage`."""
    code = normalise(tag)
    if code not in COMPLETE:
        raise UnsupportedLanguage(
            _("Liaison can speak {languages}; it has no complete translation for `{language}` yet.").format(
                languages=offered(), language=tag.strip()
            )
        )
    return code


@dataclass(frozen=True)
class Defaults:
    """What the settings say for one channel, read now: its own language, its engagement's, the process's."""

    default: str  # LIAISON_LANGUAGE
    channel: str | None = None
    engagement: str | None = None
    engagement_name: str | None = None  # the engagement the channel is bound to (or the one asked about)

    @property
    def setting(self) -> str | None:
        """The channel's language if it has one, else its engagement's (None: neither is set)."""
        return self.channel or self.engagement


def _code(row: rows.EngagementLanguage | rows.ChannelLanguage | None) -> str | None:
    return row.language if row is not None and row.language in COMPLETE else None


def defaults_for(deps: Deps, *, channel_id: str | None, engagement: str | None = None) -> Defaults:
    """The channel's and its engagement's language settings (the channel's binding's engagement unless one is
    named, as a post for one engagement names it), in one read."""
    return defaults_in(deps.engine, default=deps.settings.language, channel_id=channel_id, engagement=engagement)


def defaults_in(engine: Engine, *, default: str, channel_id: str | None, engagement: str | None = None) -> Defaults:
    """`defaults_for` with the records engine and LIAISON_LANGUAGE (for the digest's posting, which has no Deps)."""
    with session(engine) as s:
        if engagement is None and channel_id:
            binding = records.binding_for(session=s, channel_id=channel_id)
            engagement = binding.engagement if binding is not None else None
        own = rows.channel_language(s, channel_id=channel_id) if channel_id else None
        theirs = rows.engagement_language(s, engagement=engagement) if engagement else None
        return Defaults(default, _code(own), _code(theirs), engagement)


def _row_json(row: rows.ChannelLanguage | rows.EngagementLanguage) -> dict[str, Any]:
    return {"language": row.language, "set_by": row.set_by, "set_at": row.set_at.isoformat()}


def show(deps: Deps, *, engagement: str | None = None) -> dict[str, Any]:
    """The language settings: the process default, what may be set, and each engagement's language and channels'
    (only `engagement`'s when one is named, shown even when nothing is set for it)."""
    with session(deps.engine) as s:
        engagements = {r.engagement: r for r in rows.engagement_languages(s)}
        channels = rows.channel_languages(s, engagement=engagement)
        names = [engagement] if engagement else sorted({*engagements, *(c.engagement for c in channels)})
        shown = []
        for name in names:
            own = engagements.get(name)
            shown.append(
                {
                    "engagement": name,
                    "language": own.language if own else None,
                    **({"set_by": own.set_by, "set_at": own.set_at.isoformat()} if own else {}),
                    "channels": [
                        {"channel_id": c.channel_id, **_row_json(c)} for c in channels if c.engagement == name
                    ],
                }
            )
        return {"default": deps.settings.language, "languages": list(COMPLETE), "engagements": shown}


def _check_channel(s: Session, channel_id: str, engagement: str) -> None:
    binding = records.binding_for(session=s, channel_id=channel_id)
    if binding is not None and binding.engagement != engagement:
        raise Conflict(
            _("Channel {channel} is bound to `{bound}`, not `{engagement}`: set its language for `{bound}`.").format(
                channel=channel_id, bound=binding.engagement, engagement=engagement
            )
        )


def set_language(
    deps: Deps, *, engagement: str, language: str, who: Actor, channel_id: str | None = None
) -> dict[str, Any]:
    """Set the engagement's language, or (with `channel_id`) one of its channels' own: the settings after."""
    code = checked(language)
    with session(deps.engine) as s:
        authorize(who, "set-language", engagement)
        if channel_id:
            _check_channel(s, channel_id, engagement)
            rows.put_channel_language(s, channel_id=channel_id, engagement=engagement, language=code, actor=who.user_id)
        else:
            rows.put_engagement_language(s, engagement=engagement, language=code, actor=who.user_id)
    return show(deps, engagement=engagement)


def clear_language(deps: Deps, *, engagement: str, who: Actor, channel_id: str | None = None) -> dict[str, Any]:
    """Forget the engagement's language, or (with `channel_id`) a channel's own: the settings after."""
    with session(deps.engine) as s:
        authorize(who, "set-language", engagement)
        if channel_id:
            _check_channel(s, channel_id, engagement)
            rows.clear_channel_language(s, channel_id=channel_id)
        else:
            rows.clear_engagement_language(s, engagement=engagement)
    return show(deps, engagement=engagement)


def _bound(s: Session, channel_id: str) -> str:
    binding = records.binding_for(session=s, channel_id=channel_id)
    if binding is None:
        raise NotFound(
            _(
                "This channel is not linked to an engagement yet, so it has no language of its own: bind it first "
                "with `/liaison bind ENGAGEMENT client|vendor|shared`."
            )
        )
    return binding.engagement


def set_channel_language(
    deps: Deps,
    *,
    channel_id: str,
    user_id: str,
    language: str | None,
    is_workspace_admin: Callable[[str], bool] = nobody,
) -> Defaults:
    """From a channel (`/liaison language it`): set its own language, or forget it with None, by a person who may
    bind its engagement's channels. The channel's settings after."""
    code = checked(language) if language is not None else None
    with session(deps.engine) as s:
        engagement = _bound(s, channel_id)
        authorize(actor_in(s, user_id, engagement, is_workspace_admin), "set-language", engagement)
        if code is None:
            rows.clear_channel_language(s, channel_id=channel_id)
        else:
            rows.put_channel_language(s, channel_id=channel_id, engagement=engagement, language=code, actor=user_id)
    return defaults_for(deps, channel_id=channel_id)
