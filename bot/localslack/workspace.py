"""The workspace the Slack Web API stand-in pretends to be, and the canned reply to each Web API method.

:class:`Workspace` holds the users and channels tables, the messages (a
:class:`~bot.localslack.messages.MessageStore`) and the files, and answers ``auth.test``, ``chat.*``,
``users.info``, ``conversations.*``, ``views.*`` and the ``files.getUploadURLExternal`` -> upload ->
``files.completeUploadExternal`` flow from them. :class:`bot.localslack.api.SlackAPI` serves it over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypedDict

from bot.localslack.messages import MessageStore, StoredMessage
from bot.slack.payloads import File

# A method's params and its reply stay `dict[str, Any]`: each of the Web API's methods takes and answers its own
# JSON, and the stand-in answers any method. The workspace's own records are typed below.


class AuthTest(TypedDict):
    """What ``auth.test`` answers."""

    ok: bool
    user_id: str
    bot_id: str
    team_id: str
    user: str
    team: str
    url: str


class Profile(TypedDict, total=False):
    real_name: str
    display_name: str


class SlackUser(TypedDict, total=False):
    """A ``users.info`` user (a test's ``users`` entry holds any of these fields)."""

    id: str
    team_id: str
    name: str
    real_name: str
    tz: str
    locale: str  # sent only when asked (`include_locale`), as Slack does
    is_admin: bool
    is_owner: bool
    is_bot: bool
    deleted: bool
    profile: Profile


class SlackChannel(TypedDict, total=False):
    """A ``conversations.info`` channel (a test's ``channels`` entry holds any of these fields)."""

    id: str
    name: str
    is_channel: bool
    is_private: bool
    is_im: bool
    is_mpim: bool
    is_shared: bool
    is_ext_shared: bool
    is_org_shared: bool
    is_member: bool


AUTH_TEST: AuthTest = {
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


class Workspace:
    """Users, channels, messages and files of the stand-in workspace, and what each method answers from them.

    Not thread-safe: :class:`~bot.localslack.api.SlackAPI` calls it with its lock held.

    Attributes:
        users: ``user_id -> fields`` merged over the default ``users.info`` user (not admin, not owner).
        channels: ``channel_id -> fields`` merged over the default ``conversations.info`` channel.
        uploads: ``file_id -> bytes`` posted to upload URLs issued by ``files.getUploadURLExternal``.
        messages: each channel's messages.
    """

    def __init__(self, url: str, ids: Iterator[int]) -> None:
        """``url`` is the server's base URL (for upload and download URLs); ``ids`` numbers the new file ids."""
        self.url = url
        self._ids = ids
        self._files: dict[str, File] = {}
        self.messages = MessageStore()
        self.users: dict[str, SlackUser] = {}
        self.channels: dict[str, SlackChannel] = {}
        self.uploads: dict[str, bytes] = {}

    def reset(self) -> None:
        """Forget files, uploads, messages and the users/channels tables."""
        self._files.clear()
        self.messages.clear()
        self.uploads.clear()
        self.users.clear()
        self.channels.clear()

    def add_file(self, name: str, content: bytes, *, file_id: str | None = None) -> File:
        """A file as if someone shared it: its Slack file object, downloadable from ``url_private_download``."""
        file_id = file_id or f"F{len(self.uploads) + 1:08d}"
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
        return record.copy()

    def download(self, file_id: str) -> bytes | None:
        """The bytes of an uploaded or added file (``None`` when there is no such file)."""
        return self.uploads.get(file_id)

    def answer(self, method: str, p: dict[str, Any]) -> dict[str, Any] | str:
        """The canned reply to ``method`` called with params ``p`` (``{"ok": true}`` for methods not listed)."""
        if method == "auth.test":
            return dict(AUTH_TEST)
        if method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            return self._post(method, p)
        if method == "chat.delete":
            self.messages.delete(str(p.get("channel")), str(p.get("ts")))
            return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts")}
        if method in ("conversations.history", "conversations.replies") and self.messages.has_any(
            str(p.get("channel"))
        ):
            return self.messages.conversation(method, str(p["channel"]), p)
        if method == "chat.getPermalink":
            return {"ok": True, "channel": p.get("channel"), "permalink": PERMALINK}
        if method == "users.info":
            user = self._user(str(p.get("user", "")))
            if str(p.get("include_locale", "")).lower() in ("1", "true"):
                user.setdefault("locale", "en-US")
            else:
                user.pop("locale", None)
            return {"ok": True, "user": user}
        if method == "conversations.info":
            return {"ok": True, "channel": self._channel(str(p.get("channel", "")))}
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
            return {"ok": True, "files": self._complete_upload(p)}
        if method == "files.info":
            return {"ok": True, "file": self._file(str(p.get("file", ""))).copy()}
        if method == "response_url":
            return "ok"
        return {"ok": True}

    def _post(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        """``chat.postMessage``, ``chat.postEphemeral`` or ``chat.update``: the bot's message, remembered unless
        ephemeral."""
        ts = str(p["ts"]) if method == "chat.update" and p.get("ts") else self.messages.next_ts()
        message: StoredMessage = {"type": "message", "text": p.get("text"), "ts": ts}
        message["user"], message["bot_id"] = AUTH_TEST["user_id"], AUTH_TEST["bot_id"]
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if p.get(key) is not None:
                message[key] = p[key]
        reply: dict[str, Any] = {"ok": True, "channel": p.get("channel"), "ts": ts, "message": message}
        if method == "chat.postEphemeral":
            reply["message_ts"] = ts
        else:
            self.messages.remember(method, str(p.get("channel")), message)
        return reply

    def _user(self, user_id: str) -> SlackUser:
        user: SlackUser = {
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
        return user

    def _channel(self, channel_id: str) -> SlackChannel:
        channel: SlackChannel = {
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
        return channel

    def _complete_upload(self, p: dict[str, Any]) -> list[File]:
        """The file objects ``files.completeUploadExternal`` answers, titled and shared as asked."""
        items = p.get("files") or []
        channel_id = p.get("channel_id") or p.get("channels")
        done = []
        for item in items if isinstance(items, list) else []:
            record = self._file(str(item.get("id")))
            if item.get("title"):
                record["title"] = item["title"]
            if channel_id:
                record["channels"] = [channel_id] if isinstance(channel_id, str) else list(channel_id)
            done.append(record.copy())
        return done

    def _file(self, file_id: str) -> File:
        record = self._files.setdefault(file_id, {"id": file_id, "name": None, "title": None})
        record["size"] = len(self.uploads.get(file_id, b""))
        record.setdefault("permalink", f"https://acme.slack.com/files/UBOT/{file_id}")
        return record
