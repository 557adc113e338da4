"""`liaison chat`: try Liaison in a terminal, without a Slack workspace, through the real Slack app.

Each line typed becomes a signed Slack request to the real Bolt app (the same listeners `liaison serve`
runs): a question is an ``app_mention`` in a local channel, ``> ...`` a follow-up message in the thread of
the last question, ``/liaison ...`` a slash command, ``/up`` and ``/down`` clicks on the last answer's
feedback buttons. The app answers through a real ``WebClient`` pointed at :class:`SlackAPI`, a local stand-in
for the Slack Web API; what it records is rendered back as text by :func:`bot.localslack.chat_render.render_blocks`.

Questions, answers, feedback and channel bindings are recorded in the configured records database, exactly
as they are for Slack.
"""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import IO

from slack_bolt import App
from slack_bolt.logger import get_bolt_logger
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

from bot.localslack.api import SlackAPI
from bot.localslack.chat_session import INDENT, LOCAL_TEAM, LOCAL_USER, ChatSession
from bot.localslack.idle_tracking import TrackingExecutor
from bot.settings import Settings
from knowledge.i18n import current

__all__ = ["LOCAL_CHANNEL", "REPLY_TIMEOUT", "run_chat"]

LOCAL_CHANNEL = "C-LOCAL"
LOCAL_TOKEN = "xoxb-local-chat"
REPLY_TIMEOUT = 60.0  # seconds to wait for the app to finish handling one line
QUIT = frozenset({"quit", "exit", ":q"})


def _banner(chat: ChatSession, binding: tuple[str, str] | None) -> None:
    say = chat.say
    say("Liaison local chat: no Slack workspace, the real Slack app, a local stand-in for Slack's Web API.")
    if binding:
        say(f"Engagement: {binding[0]}   side: {binding[1]}   channel: {chat.channel}")
    else:
        say(f"Channel {chat.channel} is not bound to an engagement: Liaison will say how to bind it.")
        say(f"{INDENT}Start with --engagement E [--side client|vendor|shared], or type /liaison bind E SIDE.")
    say("Type a question and press Enter: it is sent as an @mention of Liaison in the channel.")
    say(f"{INDENT}> QUESTION      follow up in the thread of your last question")
    say(f"{INDENT}/liaison ...    a slash command, e.g. /liaison help, /liaison ask QUESTION")
    say(f"{INDENT}/up, /down      feedback on the last answer (/share, /owner click those buttons)")
    say(f"{INDENT}quit or exit    leave (or Ctrl-D)")
    say()


def run_chat(
    settings: Settings,
    *,
    engagement: str | None,
    side: str = "shared",
    channel: str = LOCAL_CHANNEL,
    input: IO[str] = sys.stdin,  # noqa: A002 (the name the CLI and tests use)
    output: IO[str] = sys.stdout,
    reply_timeout: float = REPLY_TIMEOUT,
) -> None:
    """Chat with the real Slack app in a terminal until `quit`, `exit` or end of input.

    With `engagement`, the local `channel` is first bound to it from `side` (recorded like `/liaison bind`);
    without, the channel keeps whatever binding it has in the records database, or none.
    """
    from bot import channels
    from bot.app import build_deps, make_slack_client
    from bot.slack.app import create_app

    api = SlackAPI()
    app: App | None = None
    deps = None
    tracker = TrackingExecutor(ThreadPoolExecutor(max_workers=10))  # Bolt's default pool, watched
    try:
        # the person at the terminal reads the CLI's language (`liaison --lang it chat`): their Slack locale here
        api.users[LOCAL_USER] = {"is_admin": True, "real_name": "You", "name": "you", "locale": current()}
        secret = secrets.token_hex(16)
        local = settings.model_copy(
            update={"slack_api_url": api.url, "slack_bot_token": LOCAL_TOKEN, "slack_signing_secret": secret}
        )
        deps = build_deps(local)
        if engagement:
            binding = channels.Binding(channel, LOCAL_TEAM, engagement, side, LOCAL_USER)
            channels.record_binding(deps, binding)
        with _quiet_token_warning():  # the local client carries the token: Bolt's note about it is noise here
            client = make_slack_client(local)  # the local stand-in's URL and token
            app = create_app(local, deps, client=client, listener_executor=tracker)
        chat = ChatSession(app, api, secret, channel, output, reply_timeout, tracker)
        _banner(chat, channels.binding_of(deps, channel))
        interactive = _isatty(input)
        while True:
            if interactive:
                output.write("you> ")
                output.flush()
            try:
                raw = input.readline()
            except KeyboardInterrupt:
                chat.say()
                break
            if not raw:
                if interactive:
                    chat.say()
                break
            line = raw.strip()
            if not interactive and line:
                chat.say(f"you> {line}")
            if line.lower() in QUIT:
                break
            if line:
                try:
                    chat.handle(line)
                except KeyboardInterrupt:
                    chat.say("(interrupted)")
                    break
                chat.say()
    finally:
        if app is not None:
            tracker.wait_idle(5.0)
        tracker.shutdown(wait=False, cancel_futures=True)
        api.stop()
        if deps is not None:
            deps.engine.dispose()


@contextmanager
def _quiet_token_warning() -> Iterator[None]:
    note = warning_client_prioritized_and_token_skipped()
    bolt_logger = get_bolt_logger(App)

    def keep(record: logging.LogRecord) -> bool:
        return record.getMessage() != note

    bolt_logger.addFilter(keep)
    try:
        yield
    finally:
        bolt_logger.removeFilter(keep)


def _isatty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
