"""manifest.yml (what a workspace installs) asks for every event, shortcut and scope the listeners need."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.slack.blocks import issues as issue_blocks

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
LISTENERS = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "bot/slack/listeners").glob("*.py"))


def test_every_event_a_listener_handles_is_subscribed() -> None:
    handled = set(re.findall(r'app\.event\("([a-z_]+)"\)', LISTENERS))  # registered by register(app)
    subscribed = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert handled == {
        "app_mention",
        "message",
        "app_home_opened",
        "reaction_added",
        "channel_shared",
        "channel_unshared",
    }
    assert {"app_mention", "app_home_opened", "reaction_added", "channel_shared", "channel_unshared"} <= subscribed
    assert {"message.channels", "message.groups", "message.im"} <= subscribed


def test_every_shortcut_is_declared_and_the_home_tab_is_on() -> None:
    declared = {s["callback_id"] for s in MANIFEST["features"]["shortcuts"]}
    assert declared == {"add_to_contracts", issue_blocks.SHORTCUT_ID}
    assert 'app.shortcut("add_to_contracts")' in LISTENERS and "app.shortcut(ib.SHORTCUT_ID)" in LISTENERS
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["command"] == "/liaison" and "mediate" in command["usage_hint"]


def test_the_scopes_cover_what_the_app_calls() -> None:
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    needed = {
        "chat:write",  # answers, cards, headers, digests
        "commands",
        "users:read",  # users.info: admins, time zones, another organisation's people
        "channels:read",  # conversations.info: Slack Connect
        "groups:read",
        "reactions:read",  # 📌 evidence
        "reactions:write",  # 👀 while looking
        "channels:history",  # thread follow-ups, the pinned message, a digest's recovery
        "groups:history",
        "files:read",  # Add to contracts
        "files:write",  # the digest's chart
        "app_mentions:read",
    }
    assert needed <= scopes
