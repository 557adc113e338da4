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

Messages are remembered per channel: those posted with ``chat.postMessage`` (edited by ``chat.update``, removed
by ``chat.delete``) and those a test seeds with :meth:`SlackAPI.add_message`. ``conversations.history`` and
``conversations.replies`` answer from them, with ``latest``, ``oldest``, ``inclusive`` and ``limit`` as Slack
reads them; for a channel with no messages at all they keep answering a bare ``{"ok": true}``.

The module also builds signed inbound requests for a Bolt app: :func:`sign`, :func:`event_body`,
:func:`command_body` and :func:`action_body`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

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

AUTH_TEST: dict[str, Any] = {
    "ok": True,
    "user_id": "UBOT",
    "bot_id": "BBOT",
    "team_id": "T1",
    "user": "liaison",
    "team": "Acme",
    "url": "https://acme.slack.com/",
}
"""What ``auth.test`` answers (Bolt calls it once when an ``App`` is built with a token)."""

PERMALINK = "https://acme.slack.com/archives/C/p123"
"""What ``chat.getPermalink`` answers."""

_TS_BASE_MICROS = 1_700_000_000_000_000  # "1700000000.000000"; each message adds 100 µs
# free-text form fields never decoded from JSON, even when they look like it
_JSON_DECODE_SKIP = frozenset({"text", "initial_comment", "title", "filename", "alt_txt", "query", "name"})


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

    Attributes tests may fill or read:
        users: ``user_id -> fields`` merged over the default ``users.info`` user (not admin, not owner).
        channels: ``channel_id -> fields`` merged over the default ``conversations.info`` channel.
        uploads: ``file_id -> bytes`` posted to upload URLs issued by ``files.getUploadURLExternal``.
    """

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._calls: list[Call] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._overrides: dict[str, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}/"
        """Base URL ending with "/": pass it as ``WebClient(base_url=api.url)``."""
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
        """Forget calls, pending failures, response overrides, uploads and the users/channels tables."""
        with self._lock:
            self._calls.clear()
            self._failures.clear()
            self._overrides.clear()
            self._files.clear()
            self._messages.clear()
            self.uploads.clear()
            self.users.clear()
            self.channels.clear()

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
    ) -> dict[str, Any]:
        """Seed a message as if ``user`` had written it (a reply when ``thread_ts`` is given); returns a copy.

        ``ts`` defaults to the next one this server hands out; ``fields`` are merged into the message.
        """
        with self._lock:
            message: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts or self._next_ts()}
            if thread_ts is not None:
                message["thread_ts"] = thread_ts
            message.update(fields)
            self._messages.setdefault(channel, []).append(message)
            return dict(message)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The messages the stand-in holds for ``channel`` (seeded and posted), oldest first."""
        with self._lock:
            return [dict(m) for m in sorted(self._messages.get(channel, []), key=lambda m: _ts_key(m["ts"]))]

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
        parts = urlsplit(path)
        route = parts.path.strip("/")
        if route.startswith("api/"):  # tolerate base_url="http://host:port/api/"
            route = route[len("api/") :]
        params: dict[str, Any] = _decode_form(parts.query) if parts.query else {}

        if route.startswith("upload/"):
            method = "upload"
            file_id = route[len("upload/") :]
            params.update({"file_id": file_id, "content": raw})
        elif route.startswith("download/"):
            method = "download"
            params["file_id"] = route[len("download/") :]
        elif route.startswith("response/"):
            method = "response_url"
            params.update(_parse_body(raw, headers.get("content-type", "")))
        else:
            method = route
            params.update(_parse_body(raw, headers.get("content-type", "")))

        with self._lock:
            pending = self._failures.get(method)
            failure = pending.popleft() if pending else None
            if failure is not None:
                reply = _Reply(status=failure.status, body={"ok": False, "error": failure.error})
                if failure.retry_after is not None:
                    reply.headers["Retry-After"] = str(failure.retry_after)
            elif method == "download":
                content = self.uploads.get(str(params["file_id"]))
                reply = _Reply(status=200 if content is not None else 404, body=content if content is not None else "")
            elif method in self._overrides:
                reply = _Reply(body=json.loads(json.dumps(self._overrides[method])))
            else:
                reply = _Reply(body=self._answer(method, params))
            self._calls.append(Call(method=method, params=params, headers=headers, status=reply.status, path=path))
            self._lock.notify_all()
        return reply

    def _next_ts(self) -> str:
        micros = _TS_BASE_MICROS + 100 * next(self._ts)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _answer(self, method: str, p: dict[str, Any]) -> dict[str, Any] | str:
        """The canned reply to ``method`` (called with the lock held)."""
        if method == "auth.test":
            return dict(AUTH_TEST)
        if method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            ts = str(p["ts"]) if method == "chat.update" and p.get("ts") else self._next_ts()
            message: dict[str, Any] = {"type": "message", "text": p.get("text"), "ts": ts}
            message.update(user=AUTH_TEST["user_id"], bot_id=AUTH_TEST["bot_id"])
            for key in ("blocks", "attachments", "thread_ts", "metadata"):
                if p.get(key) is not None:
                    message[key] = p[key]
            reply: dict[str, Any] = {"ok": True, "channel": p.get("channel"), "ts": ts, "message": message}
            if method == "chat.postEphemeral":
                reply["message_ts"] = ts
            else:
                self._remember(method, str(p.get("channel")), message)
            return reply
        if method == "chat.delete":
            kept = [m for m in self._messages.get(str(p.get("channel")), []) if m["ts"] != str(p.get("ts"))]
            self._messages[str(p.get("channel"))] = kept
            return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts")}
        if method in ("conversations.history", "conversations.replies") and self._messages.get(str(p.get("channel"))):
            return self._conversation(method, str(p["channel"]), p)
        if method == "chat.getPermalink":
            return {"ok": True, "channel": p.get("channel"), "permalink": PERMALINK}
        if method == "users.info":
            user_id = str(p.get("user", ""))
            user: dict[str, Any] = {
                "id": user_id,
                "team_id": "T1",
                "name": user_id.lower(),
                "real_name": f"User {user_id}",
                "tz": "America/New_York",
                "is_admin": False,
                "is_owner": False,
                "is_bot": False,
                "deleted": False,
            }
            user.update(self.users.get(user_id, {}))
            user.setdefault("profile", {"real_name": user["real_name"], "display_name": user["name"]})
            return {"ok": True, "user": user}
        if method == "conversations.info":
            channel_id = str(p.get("channel", ""))
            channel: dict[str, Any] = {
                "id": channel_id,
                "name": channel_id.lower(),
                "is_channel": channel_id.startswith("C"),
                "is_private": channel_id.startswith("G"),
                "is_im": channel_id.startswith("D"),
                "is_mpim": False,
                "is_shared": False,
                "is_ext_shared": False,
                "is_org_shared": False,
                "is_member": True,
            }
            channel.update(self.channels.get(channel_id, {}))
            return {"ok": True, "channel": channel}
        if method in ("views.open", "views.update", "views.publish", "views.push"):
            view = p.get("view")
            view = dict(view) if isinstance(view, dict) else {}
            return {"ok": True, "view": {"id": p.get("view_id") or "V123", **view}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):08d}"
            self._files[file_id] = {"id": file_id, "name": p.get("filename"), "title": p.get("filename")}
            return {"ok": True, "upload_url": f"{self.url}upload/{file_id}", "file_id": file_id}
        if method == "upload":
            file_id = str(p["file_id"])
            if file_id not in self._files:
                return "Not Found"  # still 200: tests assert on the recorded call instead
            self.uploads[file_id] = bytes(p["content"])
            return f"OK - {len(p['content'])}"
        if method == "files.completeUploadExternal":
            items = p.get("files") or []
            channel_id = p.get("channel_id") or p.get("channels")
            done = []
            for item in items if isinstance(items, list) else []:
                record = self._file(str(item.get("id")))
                if item.get("title"):
                    record["title"] = item["title"]
                if channel_id:
                    record["channels"] = [channel_id] if isinstance(channel_id, str) else list(channel_id)
                done.append(dict(record))
            return {"ok": True, "files": done}
        if method == "files.info":
            return {"ok": True, "file": dict(self._file(str(p.get("file", ""))))}
        if method == "response_url":
            return "ok"
        return {"ok": True}

    def _remember(self, method: str, channel: str, message: dict[str, Any]) -> None:
        """Keep a posted message, or apply an edit to the one it updates (called with the lock held)."""
        stored = self._messages.setdefault(channel, [])
        if method == "chat.postMessage":
            stored.append(dict(message))
            return
        for old in stored:
            if old["ts"] == message["ts"]:
                old.update({k: v for k, v in message.items() if k not in ("user", "bot_id", "thread_ts")})

    def _conversation(self, method: str, channel: str, p: dict[str, Any]) -> dict[str, Any]:
        """``conversations.history`` (top-level messages, newest first) or ``conversations.replies`` (a thread,
        found by its parent's or any reply's ts: the parent always first, then the replies in range, oldest first),
        from the remembered messages."""
        stored = sorted(self._messages[channel], key=lambda m: _ts_key(m["ts"]))
        limit = max(1, int(p.get("limit") or (1000 if method == "conversations.replies" else 100)))
        inclusive = str(p.get("inclusive", "")).lower() in ("1", "true")

        def in_range(ts: str) -> bool:
            key = _ts_key(ts)
            oldest, latest = p.get("oldest"), p.get("latest")
            after_oldest = not oldest or key > _ts_key(str(oldest)) or (inclusive and key == _ts_key(str(oldest)))
            before_latest = not latest or key < _ts_key(str(latest)) or (inclusive and key == _ts_key(str(latest)))
            return after_oldest and before_latest

        if method == "conversations.history":
            top = [m for m in stored if m.get("thread_ts") in (None, m["ts"]) and in_range(m["ts"])][::-1]
            return {
                "ok": True,
                "messages": [self._with_replies(m, stored) for m in top[:limit]],
                "has_more": len(top) > limit,
            }
        target = next((m for m in stored if m["ts"] == str(p.get("ts"))), None)
        if target is None:
            return {"ok": False, "error": "thread_not_found"}
        root_ts = target.get("thread_ts") or target["ts"]
        root = next((m for m in stored if m["ts"] == root_ts), target)
        replies = [m for m in stored if m.get("thread_ts") == root_ts and m["ts"] != root_ts and in_range(m["ts"])]
        thread = [self._with_replies(root, stored), *(dict(m) for m in replies)]
        return {"ok": True, "messages": thread[:limit], "has_more": len(thread) > limit}

    @staticmethod
    def _with_replies(message: dict[str, Any], stored: list[dict[str, Any]]) -> dict[str, Any]:
        """A copy of a message with Slack's thread fields when it has replies."""
        out = dict(message)
        replies = [m for m in stored if m.get("thread_ts") == message["ts"] and m["ts"] != message["ts"]]
        if replies:
            out.update(
                thread_ts=message["ts"],
                reply_count=len(replies),
                reply_users=sorted({str(m.get("user")) for m in replies if m.get("user")}),
                latest_reply=replies[-1]["ts"],
            )
        return out

    def add_file(self, name: str, content: bytes, *, file_id: str | None = None) -> dict[str, Any]:
        """A file as if someone shared it: its Slack file object, downloadable from ``url_private_download``."""
        file_id = file_id or f"F{len(self.uploads) + 1:08d}"
        with self._lock:
            self.uploads[file_id] = content
            record = self._files.setdefault(file_id, {"id": file_id})
            record.update(
                {
                    "name": name,
                    "title": name,
                    "size": len(content),
                    "url_private_download": f"{self.url}download/{file_id}",
                }
            )
            return dict(record)

    def _file(self, file_id: str) -> dict[str, Any]:
        record = self._files.setdefault(file_id, {"id": file_id, "name": None, "title": None})
        record["size"] = len(self.uploads.get(file_id, b""))
        record.setdefault("permalink", f"https://acme.slack.com/files/UBOT/{file_id}")
        return record


# ---------------------------------------------------------------------- body parsing


def _ts_key(ts: str) -> tuple[int, int]:
    """A Slack ts ("1700000000.000100") as a sortable (seconds, microseconds) pair."""
    seconds, _, fraction = str(ts).partition(".")
    try:
        return int(seconds or 0), int((fraction + "000000")[:6])
    except ValueError:
        return 0, 0


def _maybe_json(key: str, value: str) -> Any:
    """Decode a form value that looks like JSON (``blocks``, ``files``, ``view`` ...); leave others alone."""
    stripped = value.strip()
    if key in _JSON_DECODE_SKIP or not stripped or stripped[0] not in "[{":
        return value
    try:
        return json.loads(stripped)
    except ValueError:
        return value


def _decode_form(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, values in parse_qs(text, keep_blank_values=True).items():
        decoded = [_maybe_json(key, v) for v in values]
        out[key] = decoded[0] if len(decoded) == 1 else decoded
    return out


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """Parse a JSON, form-encoded or multipart request body into a dict."""
    if not raw:
        return {}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        return _parse_multipart(raw, content_type)
    text = raw.decode("utf-8", errors="replace")
    if kind == "application/json" or text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return {"_raw": text}
        return parsed if isinstance(parsed, dict) else {"_json": parsed}
    return _decode_form(text)


def _parse_multipart(raw: bytes, content_type: str) -> dict[str, Any]:
    head = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    message = BytesParser(_class=EmailMessage, policy=HTTP).parsebytes(head + raw)
    out: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        out[name] = data if part.get_filename() else _maybe_json(name, data.decode("utf-8", errors="replace"))
    return out


# ---------------------------------------------------------------------- inbound requests for a Bolt app


def sign(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request-signing headers for ``body``: ``v0=`` + HMAC-SHA256 of ``f"v0:{ts}:{body}"``."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode("utf-8"), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def event_body(event: dict[str, Any], event_id: str = "Ev1", team: str = "T1") -> str:
    """An Events API ``event_callback`` JSON body wrapping ``event``, authorized for the bot ``UBOT``."""
    return json.dumps(
        {
            "token": "verification-token",
            "team_id": team,
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team,
                    "user_id": AUTH_TEST["user_id"],
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
    )


def command_body(
    command: str = "/liaison",
    text: str = "ask what is the notice period?",
    user: str = "U1",
    channel: str = "C1",
    *,
    team: str = "T1",
    response_url: str = "https://hooks.slack.com/commands/T1/1/x",
) -> str:
    """A slash-command request body, form-encoded as Slack sends it.

    Prefer :meth:`SlackAPI.command_body`, whose ``response_url`` points at the stand-in so posts are recorded.
    """
    return urlencode(
        {
            "token": "verification-token",
            "team_id": team,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": channel.lower(),
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{time.time_ns()}.1.trigger",
        }
    )


def action_body(payload: dict[str, Any]) -> str:
    """An interactivity request body (block actions, view submissions, shortcuts): ``payload=<json>``."""
    return urlencode({"payload": json.dumps(payload)})
