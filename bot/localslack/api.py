"""A real local HTTP server standing in for the Slack Web API: for tests, `liaison chat` and load benchmarks.

The real ``slack_sdk.WebClient(base_url=api.url)`` (and so a real Bolt ``App(client=...)``) talks to it over
loopback, in the style of bolt-python's ``tests/mock_web_api_server``::

    with SlackAPI() as api:
        client = WebClient(base_url=api.url, token="xoxb-test")
        client.chat_postMessage(channel="C1", text="hi")
        assert api.texts() == ["hi"]

Every request is recorded as a :class:`Call` (``method`` is the Web API method, e.g. ``"chat.postMessage"``;
uploads to a ``files.getUploadURLExternal`` URL are recorded as ``"upload"``, posts to a ``response_url``
minted by :meth:`SlackAPI.response_url` as ``"response_url"``) and answered with canned JSON.
Bolt acknowledges first and works in a background thread, so tests should use :meth:`SlackAPI.wait_for`.

The canned replies come from a :class:`~bot.localslack.workspace.Workspace` (users, channels, files, and
the messages of :mod:`bot.localslack.messages`: posted, seeded with :meth:`SlackAPI.add_message`, read back
by ``conversations.history`` and ``conversations.replies``). Building signed inbound requests for a Bolt app
(:func:`sign`, :func:`event_body`, :func:`command_body`, :func:`action_body`) lives in
:mod:`bot.localslack.bodies`; those names, :data:`AUTH_TEST` and :data:`PERMALINK` are re-exported here.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any  # a call's params and a reply are each Web API method's own JSON: open (workspace.py)
from urllib.parse import urlsplit

from bot.localslack.bodies import action_body, command_body, decode_form, event_body, parse_body, sign
from bot.localslack.messages import StoredMessage
from bot.localslack.workspace import AUTH_TEST, PERMALINK, SlackChannel, SlackUser, Workspace
from bot.slack.payloads import File

__all__ = [
    "AUTH_TEST",
    "PERMALINK",
    "Call",
    "SlackAPI",
    "action_body",
    "command_body",
    "event_body",
    "sign",
]


@dataclass(frozen=True)
class Call:
    """One request the stand-in received.

    ``params`` holds the decoded body (JSON, form or multipart; JSON-looking form values such as ``blocks``
    are decoded to Python objects, uploaded bytes stay ``bytes``) merged over the query string.
    ``headers`` has lower-cased names (e.g. ``"authorization"``). ``status`` is the HTTP status answered and
    ``path`` the raw request path (useful for ``/response/<id>`` and ``/upload/<id>``).
    """

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    path: str = ""


@dataclass
class _Failure:
    error: str
    status: int
    retry_after: int | None


@dataclass
class _Reply:
    status: int = 200
    body: dict[str, Any] | str | bytes = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: SlackAPI


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self._handle()

    def do_GET(self) -> None:  # noqa: N802
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep test output quiet."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.api._handle(self.command, self.path, headers, raw)
        if isinstance(reply.body, bytes):
            payload, content_type = reply.body, "application/octet-stream"
        elif isinstance(reply.body, str):
            payload, content_type = reply.body.encode("utf-8"), "text/plain; charset=utf-8"
        else:
            payload, content_type = json.dumps(reply.body).encode("utf-8"), "application/json; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class SlackAPI:
    """A Slack Web API stand-in on ``127.0.0.1:<free port>``, served from a daemon thread.

    Attributes tests may fill or read (the :class:`~bot.localslack.workspace.Workspace`'s tables):
        users: ``user_id -> fields`` merged over the default ``users.info`` user (not admin, not owner).
        channels: ``channel_id -> fields`` merged over the default ``conversations.info`` channel.
        uploads: ``file_id -> bytes`` posted to upload URLs issued by ``files.getUploadURLExternal``.
    """

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._calls: list[Call] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._overrides: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self
        self.url = f"http://127.0.0.1:{self._server.server_port}/"
        """Base URL ending with "/": pass it as ``WebClient(base_url=api.url)``."""
        self._workspace = Workspace(self.url, self._ids)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="slack-api", daemon=True
        )
        self._thread.start()

    # ------------------------------------------------------------------ lifecycle

    def stop(self) -> None:
        """Shut the server down and release its port (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> SlackAPI:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget calls, pending failures, response overrides, files, messages and the users/channels tables."""
        with self._lock:
            self._calls.clear()
            self._failures.clear()
            self._overrides.clear()
            self._workspace.reset()

    # ------------------------------------------------------------------ the workspace's tables

    @property
    def users(self) -> dict[str, SlackUser]:
        """``user_id -> fields`` merged over the default ``users.info`` user."""
        return self._workspace.users

    @users.setter
    def users(self, value: dict[str, SlackUser]) -> None:
        self._workspace.users = value

    @property
    def channels(self) -> dict[str, SlackChannel]:
        """``channel_id -> fields`` merged over the default ``conversations.info`` channel."""
        return self._workspace.channels

    @channels.setter
    def channels(self, value: dict[str, SlackChannel]) -> None:
        self._workspace.channels = value

    @property
    def uploads(self) -> dict[str, bytes]:
        """``file_id -> bytes`` uploaded (or added with :meth:`add_file`)."""
        return self._workspace.uploads

    @uploads.setter
    def uploads(self, value: dict[str, bytes]) -> None:
        self._workspace.uploads = value

    # ------------------------------------------------------------------ configuring answers

    def fail(
        self,
        method: str,
        error: str = "ratelimited",
        times: int = 1,
        status: int = 429,
        retry_after: int = 1,
    ) -> None:
        """Make the next ``times`` calls to ``method`` answer ``{"ok": false, "error": error}`` with ``status``.

        A 429 also carries ``Retry-After: retry_after`` (seconds; 0 keeps retry tests fast — slack_sdk's
        ``RateLimitErrorRetryHandler`` then waits under a second). Use ``status=200`` for a plain API error such
        as ``channel_not_found``. Failures queue up in the order they were added.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        failure = _Failure(error=error, status=status, retry_after=retry_after if status == 429 else None)
        with self._lock:
            self._failures.setdefault(method, deque()).extend([failure] * times)

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str = "U1",
        ts: str | None = None,
        thread_ts: str | None = None,
        **fields: Any,
    ) -> StoredMessage:
        """Seed a message as if ``user`` had written it (a reply when ``thread_ts`` is given); returns a copy.

        ``ts`` defaults to the next one this server hands out; ``fields`` are merged into the message.
        """
        with self._lock:
            return self._workspace.messages.add(channel, text, user=user, ts=ts, thread_ts=thread_ts, **fields)

    def messages(self, channel: str) -> list[StoredMessage]:
        """The messages the stand-in holds for ``channel`` (seeded and posted), oldest first."""
        with self._lock:
            return self._workspace.messages.in_channel(channel)

    def add_file(self, name: str, content: bytes, *, file_id: str | None = None) -> File:
        """A file as if someone shared it: its Slack file object, downloadable from ``url_private_download``."""
        with self._lock:
            return self._workspace.add_file(name, content, file_id=file_id)

    def respond_with(self, method: str, body: dict[str, Any]) -> None:
        """Answer every later call to ``method`` with ``body`` instead of the canned reply (until :meth:`reset`)."""
        with self._lock:
            self._overrides[method] = body

    # ------------------------------------------------------------------ inspecting calls

    @property
    def calls(self) -> list[Call]:
        """A snapshot of every call received so far, in arrival order."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """The calls received for one method (e.g. ``"chat.postMessage"``), in arrival order."""
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def texts(self, method: str = "chat.postMessage") -> list[Any]:
        """The ``text`` param of each call to ``method`` (``None`` where it had none)."""
        return [c.params.get("text") for c in self.calls_to(method)]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until at least ``count`` calls to ``method`` arrived and return them all.

        Raises ``AssertionError`` (listing what did arrive) after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self._calls if c.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self._calls]
                    raise AssertionError(
                        f"expected {count} call(s) to {method} within {timeout}s, got {len(found)}; calls: {seen}"
                    )
                self._lock.wait(remaining)

    # ------------------------------------------------------------------ minting inbound-request helpers

    def response_url(self) -> str:
        """A fresh ``response_url`` on this server; posts to it are recorded as method ``"response_url"``."""
        return f"{self.url}response/{next(self._ids)}"

    def command_body(
        self,
        command: str = "/liaison",
        text: str = "ask what is the notice period?",
        user: str = "U1",
        channel: str = "C1",
        team: str = "T1",
    ) -> str:
        """:func:`command_body` with its ``response_url`` pointing at this server."""
        return command_body(command, text, user, channel, team=team, response_url=self.response_url())

    # ------------------------------------------------------------------ request handling

    def _handle(self, verb: str, path: str, headers: dict[str, str], raw: bytes) -> _Reply:
        method, params = _route(path, headers, raw)
        with self._lock:
            pending = self._failures.get(method)
            failure = pending.popleft() if pending else None
            if failure is not None:
                reply = _Reply(status=failure.status, body={"ok": False, "error": failure.error})
                if failure.retry_after is not None:
                    reply.headers["Retry-After"] = str(failure.retry_after)
            elif method == "download":
                content = self._workspace.download(str(params["file_id"]))
                reply = _Reply(status=200 if content is not None else 404, body=content if content is not None else "")
            elif method in self._overrides:
                reply = _Reply(body=json.loads(json.dumps(self._overrides[method])))
            else:
                reply = _Reply(body=self._workspace.answer(method, params))
            self._calls.append(Call(method=method, params=params, headers=headers, status=reply.status, path=path))
            self._lock.notify_all()
        return reply


def _route(path: str, headers: dict[str, str], raw: bytes) -> tuple[str, dict[str, Any]]:
    """The method a request is recorded as, and its params (body merged over the query string)."""
    parts = urlsplit(path)
    route = parts.path.strip("/")
    if route.startswith("api/"):  # tolerate base_url="http://host:port/api/"
        route = route[len("api/") :]
    params: dict[str, Any] = decode_form(parts.query) if parts.query else {}

    if route.startswith("upload/"):
        method = "upload"
        file_id = route[len("upload/") :]
        params.update({"file_id": file_id, "content": raw})
    elif route.startswith("download/"):
        method = "download"
        params["file_id"] = route[len("download/") :]
    elif route.startswith("response/"):
        method = "response_url"
        params.update(parse_body(raw, headers.get("content-type", "")))
    else:
        method = route
        params.update(parse_body(raw, headers.get("content-type", "")))
    return method, params
