"""What the format readers share: their result shape, the empty-text check and short error reasons."""

from __future__ import annotations

import bisect
import re

from knowledge.errors import EmptyDocumentError

Extracted = tuple[str | None, str, list[int]]  # (title if found, text, page_starts)

# Characters that change how text looks without being seen: bidi overrides, embeddings, isolates and
# marks (a reversed "12%" reads as "%21"), zero-width spaces and joiners (they split a word so a search
# misses it), soft hyphens, invisible operators, tag characters and variation selectors (which smuggle
# text past a reader to an LLM), and control characters other than whitespace (terminal escapes).
INVISIBLE = re.compile(
    "[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufe00-\ufe0f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)


def require_text(text: str, name: str, reason: str) -> None:
    """Raise EmptyDocumentError(name, reason) when the text is only whitespace (a BOM counts as none)."""
    if not text.replace("\ufeff", "").strip():
        raise EmptyDocumentError(name, reason)


def strip_invisible(text: str, page_starts: list[int] | tuple[int, ...] = ()) -> tuple[str, list[int]]:
    """The text without INVISIBLE characters (a leading BOM is kept), and page starts moved to match."""
    removed = [m.start() for m in INVISIBLE.finditer(text, 1 if text.startswith("\ufeff") else 0)]
    if not removed:
        return text, list(page_starts)
    pieces, pos = [], 0
    for at in removed:
        pieces.append(text[pos:at])
        pos = at + 1
    pieces.append(text[pos:])
    return "".join(pieces), [start - bisect.bisect_left(removed, start) for start in page_starts]


def clean_inline(text: str | None) -> str | None:
    """A title or label without INVISIBLE characters, whitespace collapsed; None when nothing is left."""
    return collapse(INVISIBLE.sub("", text)) or None if text else None


def pipe_table(rows: list[list[str]]) -> str:
    """Rows of cells as a Markdown pipe table, one line per row: the first row is the header (a `|---|` line
    under it) when there are more, so `knowledge.tables` reads each row with its header."""
    lines = [f"| {' | '.join(cells)} |" for cells in rows if any(cells)]
    if len(lines) > 1:
        width = len(next(cells for cells in rows if any(cells)))
        lines.insert(1, "|" + "---|" * max(width, 1))
    return "\n".join(lines)


def collapse(text: str) -> str:
    """Runs of whitespace as single spaces, trimmed."""
    return " ".join(text.split())


def short(exc: BaseException, limit: int = 160) -> str:
    """The first line of an exception's message (or its class name), cut to `limit` characters."""
    text = (str(exc).strip().splitlines() or [""])[0] or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
