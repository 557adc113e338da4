"""The extracted form of a source document, shared by loaders, chunking and the store."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExtractedDocument:
    """A document's text as we index it; every span and citation is an offset into `text`.

    `page_starts[i]` is the offset where page i+1 begins (PDF only; empty for other formats).
    """

    name: str
    title: str
    text: str
    kind: str
    content_hash: str
    page_starts: tuple[int, ...] = field(default=())
    title_manual: bool = False  # set by hand (`liaison index FILE --title T`): kept when the file is re-indexed

    def page_at(self, offset: int) -> int | None:
        """1-based page number containing `offset`, or None for formats without pages."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))
