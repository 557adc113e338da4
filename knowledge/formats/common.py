"""What the format readers share: their result shape, the empty-text check and short error reasons."""

from __future__ import annotations

from knowledge.errors import EmptyDocumentError

Extracted = tuple[str | None, str, list[int]]  # (title if found, text, page_starts)


def require_text(text: str, name: str, reason: str) -> None:
    """Raise EmptyDocumentError(name, reason) when the text is only whitespace (a BOM counts as none)."""
    if not text.replace("\ufeff", "").strip():
        raise EmptyDocumentError(name, reason)


def collapse(text: str) -> str:
    """Runs of whitespace as single spaces, trimmed."""
    return " ".join(text.split())


def short(exc: BaseException, limit: int = 160) -> str:
    """The first line of an exception's message (or its class name), cut to `limit` characters."""
    text = (str(exc).strip().splitlines() or [""])[0] or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
