"""Mediation threads in Slack (being written)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.deps import Deps


def register(app: App, deps: Deps) -> None:
    """Add the mediation listeners (buttons, modals, 📌 reactions)."""


def handle_mediation_command(
    deps: Deps, verb: str, rest: str, ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient
) -> bool:
    """`/liaison mediate TITLE`: True if `verb` was one of ours (and was handled)."""
    return False
