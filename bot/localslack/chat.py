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

import json
import logging
import secrets
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from contextlib import contextmanager
from typing import IO, Any, TypedDict  # a call's params are its Web API method's own JSON (see api.py)

from slack_bolt import App, BoltRequest
from slack_bolt.logger import get_bolt_logger
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.response import BoltResponse

from bot.localslack.api import Call, SlackAPI
from bot.localslack.bodies import action_body, event_body, sign
from bot.localslack.chat_render import render_blocks, slack_text, text_of
from bot.settings import Settings
from bot.slack.blocks.kit import escape

__all__ = ["LOCAL_CHANNEL", "LOCAL_USER", "REPLY_TIMEOUT", "render_blocks", "run_chat"]

LOCAL_CHANNEL = "C-LOCAL"
LOCAL_USER = "ULOCAL"  # the person typing; an admin of the local workspace, so `/liaison bind` works
LOCAL_TEAM = "T1"  # the team the stand-in's auth.test and signed requests agree on
LOCAL_TOKEN = "xoxb-local-chat"
REPLY_TIMEOUT = 60.0  # seconds to wait for the app to finish handling one line
REPLY_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"})
QUIT = frozenset({"quit", "exit", ":q"})
BUTTON_COMMANDS = {  # typed command -> the action_id of the button it clicks on the last message that has it
    "/up": "feedback_up",
    "/down": "feedback_down",
    "/share": "share_answer",
    "/owner": "ask_owner",
}
INDENT = "  "


# -- waiting for the app -------------------------------------------------------------------------
class _TrackingExecutor(Executor):
    """The app's listener executor (handed to Bolt's `App(listener_executor=...)`), remembering what it runs so the
    chat can wait until the app is idle."""

    def __init__(self, inner: Executor) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self._pending: set[Future[Any]] = set()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = self._inner.submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every listener started so far (and any they started) has finished: False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            wait_futures(pending, timeout=remaining)


class _Shown(TypedDict, total=False):
    """Where the app showed a message with buttons: its ts and thread, or that only the person sees it."""

    ts: str
    thread_ts: str | None
    ephemeral: bool


class _Button(TypedDict):
    """A button on the latest message that has it: what a click sends back, and from where."""

    value: str
    container: _Shown


class _Chat:
    """One terminal conversation with the app: sends signed requests, prints what the app sent back."""

    def __init__(
        self,
        app: App,
        api: SlackAPI,
        secret: str,
        channel: str,
        output: IO[str],
        timeout: float,
        tracker: _TrackingExecutor | None = None,
    ) -> None:
        self.app, self.api, self.secret, self.channel, self.output = app, api, secret, channel, output
        self.timeout = timeout
        self.tracker = tracker
        self.seen = len(api.calls)  # calls already printed (or made while starting up)
        self.thread_ts: str | None = None  # the last top-level question, for `>` follow-ups
        self.buttons: dict[str, _Button] = {}  # action_id -> its value and message, on the latest messages
        self._last_ts = 0.0

    # ---------------------------------------------------------------- output
    def say(self, text: str = "") -> None:
        self.output.write(text + "\n")
        self.output.flush()

    def _message(self, who: str, params: dict[str, Any], container: _Shown) -> None:
        blocks = params.get("blocks")
        body = (
            render_blocks(blocks) if isinstance(blocks, list) and blocks else slack_text(str(params.get("text") or ""))
        )
        self.say(f"{who}:")
        for line in (body or "(empty message)").split("\n"):
            self.say(f"{INDENT}{line}".rstrip())
        found = self._remember_buttons(blocks if isinstance(blocks, list) else [], container)
        hints = [cmd for cmd, action_id in BUTTON_COMMANDS.items() if action_id in found]
        if hints:
            self.say(f"{INDENT}(type {', '.join(hints)} to click)")

    def _remember_buttons(self, blocks: list[Any], container: _Shown) -> set[str]:
        found: set[str] = set()
        for block in blocks:
            if isinstance(block, dict) and block.get("type") == "actions":
                for element in block.get("elements") or []:
                    action_id = element.get("action_id")
                    if element.get("type") == "button" and action_id:
                        self.buttons[action_id] = {"value": element.get("value", ""), "container": container}
                        found.add(action_id)
        return found

    def _print_call(self, call: Call) -> None:
        p = call.params
        if call.method in ("chat.postMessage", "chat.update"):
            where = "" if p.get("channel") in (None, self.channel) else f" in {p.get('channel')}"
            thread = " (in thread)" if p.get("thread_ts") else ""
            edited = " (edited)" if call.method == "chat.update" else ""
            container: _Shown = {"thread_ts": p.get("thread_ts"), "ts": p.get("ts") or p.get("thread_ts") or ""}
            self._message(f"Liaison{where}{thread}{edited}", p, container)
        elif call.method == "chat.postEphemeral":
            self._message("Liaison (only you)", p, {"thread_ts": p.get("thread_ts"), "ephemeral": True})
        elif call.method in ("views.open", "views.push"):
            view = p.get("view") or {}
            title = text_of(view.get("title")) or "a form"
            fields = [text_of(b.get("label")) for b in view.get("blocks") or [] if b.get("type") == "input"]
            self.say(
                f"(Liaison opened the form \u201c{title}\u201d: {', '.join(f for f in fields if f) or 'no fields'}."
                " Forms are filled in Slack, not here; `liaison issues add` logs an issue from a shell.)"
            )
        elif call.method == "response_url":
            if p.get("delete_original") and not (p.get("text") or p.get("blocks")):
                self.say("(Liaison removed its private message)")
                return
            who = "Liaison" if p.get("response_type") == "in_channel" else "Liaison (only you)"
            self._message(who, p, {"ephemeral": who != "Liaison"})

    def _print_ack(self, response: BoltResponse) -> None:
        if response.status != 200:
            self.say(f"(the app answered HTTP {response.status}: {response.body or 'no body'})")
            return
        if not response.body:
            return
        try:
            body = json.loads(response.body)
        except ValueError:
            self.say(f"Liaison (only you):\n{INDENT}{response.body}")
            return
        if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
            self._message("Liaison (only you)", body, {"ephemeral": True})

    def flush(self) -> None:
        """Wait (bounded) until the app has finished with the last input, then print what it sent."""
        # without a view of the listeners, wait for the first reply of any kind
        idle = self.tracker.wait_idle(self.timeout) if self.tracker is not None else self._wait_for_reply()
        calls = self.api.calls
        for call in calls[self.seen :]:
            self._print_call(call)
        self.seen = len(calls)
        if not idle:
            self.say(f"(no complete reply within {self.timeout:g} s; anything later is shown after your next line)")

    def _wait_for_reply(self) -> bool:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if any(c.method in REPLY_METHODS for c in self.api.calls[self.seen :]):
                return True
            time.sleep(0.05)
        return False

    # ---------------------------------------------------------------- input
    def _ts(self) -> str:
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    def _send(self, body: str, content_type: str) -> BoltResponse:
        headers: dict[str, str | Sequence[str]] = {**sign(body, self.secret), "Content-Type": content_type}
        return self.app.dispatch(BoltRequest(body=body, headers=headers))

    def _event(self, event: dict[str, Any]) -> None:
        response = self._send(
            event_body(event, event_id=f"EvLOCAL{uuid.uuid4().hex}", team=LOCAL_TEAM), "application/json"
        )
        if response.status != 200:
            self._print_ack(response)
        self.flush()

    def ask(self, text: str) -> None:
        ts = self._ts()
        self.thread_ts = ts
        self._event(
            {
                "type": "app_mention",
                "user": LOCAL_USER,
                "text": f"<@UBOT> {escape(text)}",
                "channel": self.channel,
                "ts": ts,
                "event_ts": ts,
            }
        )

    def follow_up(self, text: str) -> None:
        if self.thread_ts is None:
            self.say("(nothing to follow up on yet: ask a question first)")
            return
        ts = self._ts()
        self._event(
            {
                "type": "message",
                "channel_type": "channel",
                "user": LOCAL_USER,
                "text": escape(text),
                "channel": self.channel,
                "ts": ts,
                "event_ts": ts,
                "thread_ts": self.thread_ts,
            }
        )

    def command(self, text: str) -> None:
        body = self.api.command_body(command="/liaison", text=escape(text), user=LOCAL_USER, channel=self.channel)
        self._print_ack(self._send(body, "application/x-www-form-urlencoded"))
        self.flush()

    def click(self, action_id: str) -> None:
        button = self.buttons.get(action_id)
        if button is None:
            self.say("(no message with that button yet)")
            return
        container = button["container"]
        ts = container.get("ts") or container.get("thread_ts") or self._ts()
        message = {"ts": ts, "text": "answer"}
        if thread_ts := container.get("thread_ts"):
            message["thread_ts"] = thread_ts
        payload = {
            "type": "block_actions",
            "user": {"id": LOCAL_USER, "username": LOCAL_USER.lower(), "team_id": LOCAL_TEAM},
            "team": {"id": LOCAL_TEAM, "domain": "acme"},
            "api_app_id": "A1",
            "channel": {"id": self.channel, "name": self.channel.lower()},
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": self.channel,
                "is_ephemeral": bool(container.get("ephemeral")),
            },
            "message": message,
            "response_url": self.api.response_url(),
            "trigger_id": f"{time.time_ns()}.1.trigger",
            "actions": [
                {
                    "action_id": action_id,
                    "value": button["value"],
                    "type": "button",
                    "block_id": "local",
                    "action_ts": self._ts(),
                }
            ],
        }
        self._print_ack(self._send(action_body(payload), "application/x-www-form-urlencoded"))
        self.flush()

    def handle(self, line: str) -> None:
        word = line.split(maxsplit=1)[0].lower()
        if word == "/liaison":
            self.command(line[len("/liaison") :].strip())
        elif word in BUTTON_COMMANDS and line.strip().lower() == word:
            self.click(BUTTON_COMMANDS[word])
        elif line.startswith(">"):
            question = line[1:].strip()
            if question:
                self.follow_up(question)
        else:
            self.ask(line)


def _banner(chat: _Chat, binding: tuple[str, str] | None) -> None:
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
    tracker = _TrackingExecutor(ThreadPoolExecutor(max_workers=10))  # Bolt's default pool, watched
    try:
        api.users[LOCAL_USER] = {"is_admin": True, "real_name": "You", "name": "you"}
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
        chat = _Chat(app, api, secret, channel, output, reply_timeout, tracker)
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
