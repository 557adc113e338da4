"""What Slack says about a channel (shared with another organisation?) and a person (of another one?).

`SlackProbe` answers `bot.access.Probe` from `conversations.info`, `users.info` and `auth.test`, each answer
kept a short while (a minute for channels, five for people) so that a busy channel does not cost a call per
message; a `channel_shared` event forgets the channel at once. When Slack cannot answer, it says None and the
caller narrows the scope.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

CHANNEL_SECONDS = 60.0
USER_SECONDS = 300.0
_lock = threading.Lock()
_channels: dict[tuple[str, str], tuple[float, bool]] = {}
_users: dict[tuple[str, str], tuple[float, bool]] = {}
_teams: dict[str, str] = {}


def _workspace(client: Any) -> str:
    return f"{getattr(client, 'base_url', '')}|{(getattr(client, 'token', '') or '')[-12:]}"


def forget_channel(client: Any, channel_id: str) -> None:
    """Ask Slack again next time (the channel was just shared or unshared)."""
    with _lock:
        _channels.pop((_workspace(client), channel_id), None)


class SlackProbe:
    """`bot.access.Probe` through a slack_sdk WebClient."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.workspace = _workspace(client)

    def channel_is_shared(self, channel_id: str) -> bool | None:
        def ask() -> bool:
            info = self.client.conversations_info(channel=channel_id)["channel"]
            return bool(info.get("is_ext_shared") or info.get("is_shared") or info.get("is_pending_ext_shared"))

        return self._cached(_channels, channel_id, CHANNEL_SECONDS, ask, "conversations.info (reading shared only)")

    def user_is_foreign(self, user_id: str) -> bool | None:
        def ask() -> bool:
            team = self._team()
            user = self.client.users_info(user=user_id)["user"]
            return bool(user.get("is_stranger")) or bool(user.get("team_id") and team and user["team_id"] != team)

        return self._cached(_users, user_id, USER_SECONDS, ask, "users.info (treated as of another organisation)")

    def _cached(
        self, table: dict[tuple[str, str], tuple[float, bool]], key: str, seconds: float, ask: Any, what: str
    ) -> bool | None:
        """Slack's answer for `key`, kept `seconds`; None (never kept) when Slack cannot answer."""
        entry = (self.workspace, key)
        with _lock:
            cached = table.get(entry)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            answer = bool(ask())
        except (SlackApiError, KeyError, TypeError) as error:
            log.warning("%s failed for %s: %s", what, key, error)
            return None
        with _lock:
            table[entry] = (time.monotonic() + seconds, answer)
        return answer

    def _team(self) -> str:
        with _lock:
            team = _teams.get(self.workspace)
        if team is None:
            team = str(self.client.auth_test().get("team_id") or "")
            with _lock:
                _teams[self.workspace] = team
        return team


def workspace_admin(client: Any) -> Callable[[str], bool]:
    """The workspace-admin check the workflows are given: is the person a workspace admin or owner (asked of
    `users.info` each time, as a role may change at any moment)."""

    def is_admin(user_id: str) -> bool:
        info = client.users_info(user=user_id)["user"]
        return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))

    return is_admin
