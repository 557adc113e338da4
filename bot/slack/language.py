"""Which language to speak to a Slack request or in a post, derived at the moment of use (never read from a
payload Liaison wrote), and the plumbing that makes every listener speak it.

The order, first that says wins:

- a **question**: the language it is written in (`knowledge.languages.detect`); when it is too short or mixed
  to tell ("sla P1?"), the channel's setting, then its engagement's, then the asker's Slack locale, then
  LIAISON_LANGUAGE (a mention's, a DM's or a thread follow-up's decided by the question listener, a
  `/liaison ask`'s by the middleware);
- anything else **answering a person** (a command, a button, a modal, App Home): the person's Slack locale
  (`users.info` with `include_locale`, kept an hour per person), then the channel's setting, then its
  engagement's, then LIAISON_LANGUAGE;
- a **post that answers no one** (the digest, reminders, the SLA period-close summary): the channel's setting,
  then its engagement's, then LIAISON_LANGUAGE.

A language without a complete catalogue is spoken in English (`Choice.detected` keeps what a question was
written in). The settings are `bot.languages`'.

Plumbing: `with_language`, a global Bolt middleware, resolves the request's language and sets it
(`knowledge.i18n.use`). Bolt runs listeners in a thread pool, where context variables do not follow by
themselves, so the app's `listener_executor` is a `ContextExecutor`: each listener runs in a copy of the context
that submitted it; and the app dispatches each request in a fresh copy of the caller's context
(`LiaisonApp.dispatch`), so no request's language outlives it on the thread that served it.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext
from slack_bolt.response import BoltResponse

from bot import languages
from bot.deps import Deps
from bot.digest.posts import Records
from knowledge.i18n import COMPLETE, DEFAULT, normalise, use
from knowledge.languages import detect

log = logging.getLogger(__name__)

LOCALE_SECONDS = 3600.0  # a person's Slack locale is asked again after an hour
LOCALE_ENTRIES = 4096  # ... and at most this many people are remembered (the oldest forgotten first)
_lock = threading.Lock()
_locales: OrderedDict[tuple[str, str], tuple[float, str | None]] = OrderedDict()


def spoken(code: str | None) -> str:
    """The language to speak for `code`: itself if its catalogue is complete, else English."""
    return code if code in COMPLETE else DEFAULT


def _workspace(client: Any) -> str:
    return f"{getattr(client, 'base_url', '')}|{(getattr(client, 'token', '') or '')[-12:]}"


def user_locale(client: Any, user_id: str | None) -> str | None:
    """The person's Slack language ('it' for "it-IT"), kept an hour; None when Slack does not say or fails."""
    if not user_id:
        return None
    key = (_workspace(client), user_id)
    with _lock:
        cached = _locales.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    try:
        user = client.users_info(user=user_id, include_locale=True)["user"]
        locale = normalise(user.get("locale"))
    except Exception as error:  # Slack refused, timed out or answered oddly: no locale, and ask again next time
        log.info("users.info (locale) failed for %s: %s", user_id, error)
        return None
    with _lock:
        _locales[key] = (time.monotonic() + LOCALE_SECONDS, locale)
        _locales.move_to_end(key)
        while len(_locales) > LOCALE_ENTRIES:
            _locales.popitem(last=False)
    return locale


def forget_locales() -> None:
    """Ask Slack again for everyone (tests; a workspace whose people changed their language)."""
    with _lock:
        _locales.clear()


@dataclass(frozen=True)
class Choice:
    """The language to speak, and the one a question was written in (None when too short or mixed to tell)."""

    speak: str
    detected: str | None = None


def for_question(deps: Deps, client: Any, *, text: str, channel_id: str | None, user_id: str | None) -> Choice:
    """A question's language: as written; else the channel's, its engagement's, the asker's locale, the default."""
    detected = detect(text)
    if detected is not None:
        return Choice(spoken(detected), detected)
    settings = languages.defaults_for(deps, channel_id=channel_id)
    if settings.setting is not None:
        return Choice(spoken(settings.setting))
    return Choice(spoken(user_locale(client, user_id) or settings.default))


def for_person(deps: Deps, client: Any, *, user_id: str | None, channel_id: str | None) -> str:
    """The language to answer a person in: their locale; else the channel's, its engagement's, the default."""
    locale = user_locale(client, user_id)
    if locale is not None:
        return spoken(locale)
    settings = languages.defaults_for(deps, channel_id=channel_id)
    return spoken(settings.setting or settings.default)


def for_post(deps: Deps, *, channel_id: str, engagement: str | None = None) -> str:
    """The language of a post that answers no one: the channel's, its engagement's (`engagement`, the post's,
    else the channel's binding's), the default."""
    return post_language(deps.engine, default=deps.settings.language, channel_id=channel_id, engagement=engagement)


def post_language(engine: Records, *, default: str, channel_id: str, engagement: str | None = None) -> str:
    """`for_post` with the records engine and LIAISON_LANGUAGE (the digest's posting has no Deps)."""
    settings = languages.defaults_in(engine, default=default, channel_id=channel_id, engagement=engagement)
    return spoken(settings.setting or settings.default)


def _asker(body: dict[str, Any], context: BoltContext) -> str | None:
    """Who the request answers, if anyone: the person who typed, clicked or opened (not a bot's own message)."""
    event = body.get("event")
    if isinstance(event, dict) and (event.get("bot_id") or event.get("subtype") == "bot_message"):
        return None
    user = context.user_id
    return user if user and user != context.bot_user_id else None


def _asked(body: dict[str, Any]) -> str | None:
    """The question of a `/liaison ask QUESTION` command (a mention's or a DM's is decided by its listener)."""
    if body.get("command") != "/liaison":
        return None
    verb, _sep, rest = str(body.get("text") or "").strip().partition(" ")
    return (rest.strip() or None) if verb.lower() == "ask" else None


def with_language(deps: Deps) -> Callable[..., BoltResponse]:
    """The global middleware that sets each request's language before its listeners run (always afresh)."""

    def middleware(
        client: Any,
        context: BoltContext,
        body: dict[str, Any],
        next: Callable[[], BoltResponse],  # noqa: A002
    ) -> BoltResponse:
        channel = context.channel_id
        try:
            user = _asker(body, context)
            question = _asked(body)
            if question is not None:
                lang = for_question(deps, client, text=question, channel_id=channel, user_id=user).speak
            elif user is not None:
                lang = for_person(deps, client, user_id=user, channel_id=channel)
            else:
                lang = for_post(deps, channel_id=channel) if channel else spoken(deps.settings.language)
        except Exception:  # the records unreachable: answer in the default rather than not at all
            log.exception("could not choose the language of a request")
            lang = spoken(deps.settings.language)
        context["language"] = use(lang)
        return next()

    return middleware


class ContextExecutor(Executor):
    """Bolt's listener executor running each listener in a copy of the context that submitted it, so a listener
    speaks its request's language (and a language it sets stays in its own copy)."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self.inner.submit(contextvars.copy_context().run, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)
