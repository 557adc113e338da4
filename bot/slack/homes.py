"""The App Home as Slack shows it: publishing a person's Home, the workspace's URL for links, a person's date.

Transport helpers that the Home's listeners and the issue listeners (an issue given to someone refreshes their
Home) share; what a Home says is `bot.home`'s, its Block Kit `bot.slack.blocks.home`'s.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import home
from bot.deps import Deps
from bot.i18n import speaking
from bot.slack.blocks import home as hb
from bot.slack.blocks.kit import wire_view
from bot.slack.language import for_person

log = logging.getLogger(__name__)

_URLS: dict[str, str | None] = {}  # team id -> workspace URL, for links to threads


def workspace_url(client: WebClient, context: BoltContext | None = None) -> str | None:
    """The workspace's URL (https://acme.slack.com/): Bolt's authorization result's where it has it (Bolt 1.18+
    with an installation store), else auth.test's, asked once per team (single-workspace authorization keeps
    auth.test's team and bot ids, not its URL)."""
    result = context.authorize_result if context is not None else None
    if result is not None and getattr(result, "url", None):
        return str(result.url)
    team = (context.team_id if context is not None else None) or ""
    if team not in _URLS:
        try:
            _URLS[team] = client.auth_test().get("url")
        except SlackApiError as err:
            log.info("no workspace URL: %s", err.response.get("error"))
            return None
    return _URLS[team]


def refresh_homes(deps: Deps, client: WebClient, users: Iterable[str | None], *, url: str | None) -> None:
    """Publish these people's Home again (an issue was given to them, or changed): best effort, never raises.
    Each Home is in its reader's language (their Slack locale), not in that of the person whose click caused it."""
    for user in dict.fromkeys(u for u in users if u and u.startswith(("U", "W"))):
        try:
            with speaking(for_person(deps, client, user_id=user, channel_id=None)):
                publish_home(deps, client, user, url)
        except Exception as err:  # the Home is a view of records that are already saved
            log.info("could not refresh %s's Home: %s", user, err)


def publish_home(deps: Deps, client: WebClient, user: str, workspace_url: str | None) -> None:
    view = hb.home_view(home.home_of(deps, user_id=user, today=today_for(client, user)), workspace_url=workspace_url)
    client.views_publish(user_id=user, view=wire_view(view))


def today_for(client: WebClient, user: str) -> date:
    """The person's local date (deadlines are days), UTC if Slack does not say their time zone."""
    try:
        tz = client.users_info(user=user)["user"].get("tz")
        return datetime.now(ZoneInfo(tz)).date() if tz else datetime.now(UTC).date()
    except (SlackApiError, ZoneInfoNotFoundError, ValueError, KeyError) as error:
        log.info("no time zone for %s: %s", user, error)
        return datetime.now(UTC).date()
