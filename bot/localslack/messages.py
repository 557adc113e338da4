"""The messages the Slack Web API stand-in remembers per channel, and how it reads them back.

:class:`MessageStore` keeps messages posted with ``chat.postMessage`` (edited by ``chat.update``, removed by
``chat.delete``) and those a test seeds, and answers ``conversations.history`` and ``conversations.replies``
from them with ``latest``, ``oldest``, ``inclusive`` and ``limit`` as Slack reads them.
"""

from __future__ import annotations

import itertools
from typing import Any, TypedDict

_TS_BASE_MICROS = 1_700_000_000_000_000  # "1700000000.000000"; each message adds 100 µs


def _ts_key(ts: str) -> tuple[int, int]:
    """A Slack ts ("1700000000.000100") as a sortable (seconds, microseconds) pair."""
    seconds, _, fraction = str(ts).partition(".")
    try:
        return int(seconds or 0), int((fraction + "000000")[:6])
    except ValueError:
        return 0, 0


class StoredMessage(TypedDict, total=False):
    """A message as the stand-in keeps it and answers it back; a test may seed it with more of Slack's fields."""

    type: str
    ts: str
    thread_ts: str
    user: str
    bot_id: str
    text: str | None
    blocks: list[dict[str, Any]]  # as the app posted them: Slack's JSON, read back by tests and the chat
    attachments: list[dict[str, Any]]
    metadata: dict[str, Any]
    files: list[dict[str, Any]]
    reply_count: int
    reply_users: list[str]
    latest_reply: str


class MessageStore:
    """Each channel's messages, with the ts values to hand out; not thread-safe (callers hold the server's lock)."""

    def __init__(self) -> None:
        self._ts = itertools.count(1)
        self._by_channel: dict[str, list[StoredMessage]] = {}

    def clear(self) -> None:
        """Forget every message (ts values keep increasing)."""
        self._by_channel.clear()

    def next_ts(self) -> str:
        """A fresh ts, later than every one handed out before."""
        micros = _TS_BASE_MICROS + 100 * next(self._ts)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def add(
        self,
        channel: str,
        text: str,
        *,
        user: str = "U1",
        ts: str | None = None,
        thread_ts: str | None = None,
        **fields: Any,
    ) -> StoredMessage:
        """Seed a message as if ``user`` had written it (see :meth:`bot.localslack.api.SlackAPI.add_message`)."""
        message: StoredMessage = {"type": "message", "user": user, "text": text, "ts": ts or self.next_ts()}
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
        message.update(fields)  # type: ignore[typeddict-item]  # any of Slack's fields, as the test gives them
        self._by_channel.setdefault(channel, []).append(message)
        return message.copy()

    def in_channel(self, channel: str) -> list[StoredMessage]:
        """Copies of ``channel``'s messages, oldest first."""
        return [m.copy() for m in sorted(self._by_channel.get(channel, []), key=lambda m: _ts_key(m["ts"]))]

    def has_any(self, channel: str) -> bool:
        """Whether ``channel`` holds at least one message."""
        return bool(self._by_channel.get(channel))

    def remember(self, method: str, channel: str, message: StoredMessage) -> None:
        """Keep a posted message, or apply an edit to the one it updates."""
        stored = self._by_channel.setdefault(channel, [])
        if method == "chat.postMessage":
            stored.append(message.copy())
            return
        edit = message.copy()  # an edit changes the text and blocks, not who posted it or where
        edit.pop("user", None)
        edit.pop("bot_id", None)
        edit.pop("thread_ts", None)
        for old in stored:
            if old["ts"] == message["ts"]:
                old.update(edit)

    def delete(self, channel: str, ts: str) -> None:
        """Remove the message ``ts`` from ``channel``."""
        self._by_channel[channel] = [m for m in self._by_channel.get(channel, []) if m["ts"] != ts]

    def conversation(self, method: str, channel: str, p: dict[str, Any]) -> dict[str, Any]:
        """``conversations.history`` (top-level messages, newest first) or ``conversations.replies`` (a thread,
        found by its parent's or any reply's ts: the parent always first, then the replies in range, oldest first),
        from the remembered messages."""
        stored = sorted(self._by_channel[channel], key=lambda m: _ts_key(m["ts"]))
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
                "messages": [_with_replies(m, stored) for m in top[:limit]],
                "has_more": len(top) > limit,
            }
        target = next((m for m in stored if m["ts"] == str(p.get("ts"))), None)
        if target is None:
            return {"ok": False, "error": "thread_not_found"}
        root_ts = target.get("thread_ts") or target["ts"]
        root = next((m for m in stored if m["ts"] == root_ts), target)
        replies = [m for m in stored if m.get("thread_ts") == root_ts and m["ts"] != root_ts and in_range(m["ts"])]
        thread = [_with_replies(root, stored), *(m.copy() for m in replies)]
        return {"ok": True, "messages": thread[:limit], "has_more": len(thread) > limit}


def _with_replies(message: StoredMessage, stored: list[StoredMessage]) -> StoredMessage:
    """A copy of a message with Slack's thread fields when it has replies."""
    out = message.copy()
    replies = [m for m in stored if m.get("thread_ts") == message["ts"] and m["ts"] != message["ts"]]
    if replies:
        out["thread_ts"] = message["ts"]
        out["reply_count"] = len(replies)
        out["reply_users"] = sorted({str(m.get("user")) for m in replies if m.get("user")})
        out["latest_reply"] = replies[-1]["ts"]
    return out
