"""One `liaison chat` conversation: what a typed line sends to the app as a signed Slack request, and how
the calls the app made to the local Web API stand-in are printed back as text."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from typing import IO, Any, TypedDict  # a call's params are its Web API method's own JSON (see api.py)

from slack_bolt import App, BoltRequest
from slack_bolt.response import BoltResponse

from bot.localslack.api import Call, SlackAPI
from bot.localslack.bodies import action_body, event_body, sign
from bot.localslack.chat_render import render_blocks, slack_text, text_of
from bot.localslack.idle_tracking import TrackingExecutor
from bot.slack.blocks.text_fit import escape

LOCAL_USER = "ULOCAL"  # the person typing; an admin of the local workspace, so `/liaison bind` works
LOCAL_TEAM = "T1"  # the team the stand-in's auth.test and signed requests agree on
REPLY_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"})
BUTTON_COMMANDS = {  # typed command -> the action_id of the button it clicks on the last message that has it
    "/up": "feedback_up",
    "/down": "feedback_down",
    "/share": "share_answer",
    "/owner": "ask_owner",
}
INDENT = "  "


class _Shown(TypedDict, total=False):
    """Where the app showed a message with buttons: its ts and thread, or that only the person sees it."""

    ts: str
    thread_ts: str | None
    ephemeral: bool


class _Button(TypedDict):
    """A button on the latest message that has it: what a click sends back, and from where."""

    value: str
    container: _Shown


class ChatSession:
    """One terminal conversation with the app: sends signed requests, prints what the app sent back."""

    def __init__(
        self,
        app: App,
        api: SlackAPI,
        secret: str,
        channel: str,
        output: IO[str],
        timeout: float,
        tracker: TrackingExecutor | None = None,
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
