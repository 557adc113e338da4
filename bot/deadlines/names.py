"""How people call the deadlines register's kinds of obligation, and an obligation's title: shared by the
reminders, the digest, the App Home and the Slack blocks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any  # the register's JSON of an obligation

KIND_NAMES = {
    "effective": "Effective date",
    "term-end": "End of the term",
    "renewal": "Renewal",
    "non-renewal-notice": "Notice of non-renewal",
    "termination-notice": "Notice of termination",
    "cure": "Cure period",
    "credit-claim": "Service-credit claim",
    "report": "Report due",
    "exit": "Exit assistance",
    "other": "Deadline",
}


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, "Deadline")


def where(document: str, section: str | None) -> str:
    """'msa.md §5.2' (the document alone when no clause label is known)."""
    return f"{document} §{section.lstrip('§')}" if section else document


def title_of(shown: Mapping[str, Any]) -> str:
    """'Notice of non-renewal (msa.md §5.2)'."""
    return f"{kind_name(str(shown['kind']))} ({where(str(shown['document']), shown.get('section'))})"
