"""The bot's own words (Slack, App Home, modals, digests, reminders, the CLI) in the reader's language.

`from bot.i18n import _, ngettext, N_`; the language is set per request or post with
`knowledge.i18n.speaking` / `use` (re-exported here as `speaking`). The catalogue is
`bot/i18n/locale/<lang>/LC_MESSAGES/*.po`; `python scripts/i18n.py check` lists what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from knowledge.i18n import N_, Messages, current, speaking, use

__all__ = ["N_", "_", "current", "messages", "ngettext", "speaking", "use"]

messages = Messages(Path(__file__).parent / "locale")
_: Callable[[str], str] = messages.gettext
ngettext: Callable[[str, str, int], str] = messages.ngettext
