"""Who may manage an engagement from Slack: workspace admins and owners, and its engagement admins."""

from __future__ import annotations

from slack_sdk import WebClient

from bot import records
from bot.db import session
from bot.deps import Deps


def may_manage(deps: Deps, client: WebClient, user: str, engagement: str) -> bool:
    with session(deps.engine) as s:
        if records.has_role(session=s, engagement=engagement, user_id=user, roles=["admin"]):
            return True
    info = client.users_info(user=user)["user"]
    return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))
