"""How people call the deadlines register's kinds of obligation, its statuses, and an obligation's title: shared
by the reminders, the digest, the App Home, the Slack blocks and the timeline. The names are in the reader's
language (`bot.i18n`); the kinds and statuses themselves are stored values and stay as they are."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any  # the register's JSON of an obligation

from bot.i18n import N_, _

KIND_NAMES = {
    "effective": N_("Effective date"),
    "term-end": N_("End of the term"),
    "renewal": N_("Renewal"),
    "non-renewal-notice": N_("Notice of non-renewal"),
    "termination-notice": N_("Notice of termination"),
    "cure": N_("Cure period"),
    "credit-claim": N_("Service-credit claim"),
    "report": N_("Report due"),
    "exit": N_("Exit assistance"),
    "other": N_("Deadline"),
}


STATUS_NAMES = {"draft": N_("draft"), "approved": N_("approved"), "done": N_("done"), "waived": N_("waived")}


def status_name(status: str) -> str:
    """An obligation's status ("waived") as people read it (the stored values are the English words)."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def kind_name(kind: str) -> str:
    return _(KIND_NAMES.get(kind, KIND_NAMES["other"]))


def where(document: str, section: str | None) -> str:
    """'msa.md §5.2' (the document alone when no clause label is known)."""
    return f"{document} §{section.lstrip('§')}" if section else document


def title_of(shown: Mapping[str, Any]) -> str:
    """'Notice of non-renewal (msa.md §5.2)'."""
    return f"{kind_name(str(shown['kind']))} ({where(str(shown['document']), shown.get('section'))})"
