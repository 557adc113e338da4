"""The App Home tab (being written)."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps


def register(app: App, deps: Deps) -> None:
    """Add the app_home_opened listener and the Home tab's buttons."""
