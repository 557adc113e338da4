"""The contract clauses relevant to an issue or a mediation, as clause references that quote verbatim.

Used to suggest clauses when an issue is logged (the reporter confirms which to attach) and to put the
relevant clauses in a mediation's header. Every quote is an exact span of the indexed document's text:
either an answer's verified citation or the leading sentences of a retrieved chunk.
"""

from __future__ import annotations

import re
from typing import Any

from knowledge.base import KnowledgeBase

QUOTE_CHARS = 400  # a suggestion shows the start of the clause: enough to recognise it
_SENTENCE_END = re.compile(r"(?<=[.;:])\s+")


def _leading(text: str, limit: int = QUOTE_CHARS) -> tuple[int, int]:
    """The span of `text` to quote: whole leading sentences within `limit` characters (at least one cut)."""
    start = len(text) - len(text.lstrip())
    if len(text) - start <= limit:
        return start, len(text.rstrip())
    end = start
    for match in _SENTENCE_END.finditer(text, start):
        if match.start() - start > limit:
            break
        end = match.start()
    if end == start:  # one long sentence: cut at a word boundary
        cut = text.rfind(" ", start, start + limit)
        end = cut if cut > start else start + limit
    return start, end


def relevant_clauses(
    kb: KnowledgeBase, text: str, *, engagement: str, side: str, limit: int = 4, min_similarity: float = 0.3
) -> list[dict[str, Any]]:
    """Up to `limit` clause references {document, title, section, page, quote, start, end} for `text`.

    The answerer's own citations come first (they are the most focused quotes), then retrieved clauses
    that are similar enough, one per (document, section). Nothing is returned for blank text or when the
    engagement has no documents this side may see.
    """
    text = " ".join((text or "").split())
    if not text:
        return []
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str | None]] = set()

    def add(ref: dict[str, Any]) -> None:
        key = (ref["document"], ref["section"])
        if key not in seen and len(out) < limit:
            seen.add(key)
            out.append(ref)

    answer = kb.answer_question(text, engagement=engagement, side=side)
    for c in answer.citations if answer.found else []:
        add(
            {
                "document": c.document,
                "title": c.title,
                "section": c.section,
                "page": c.page,
                "quote": c.quote,
                "start": c.start,
                "end": c.end,
            }
        )
    for hit in kb.search(text, engagement=engagement, side=side, k=limit * 2):
        if hit.similarity < min_similarity:
            continue
        chunk = hit.chunk
        lo, hi = _leading(chunk.text)
        add(
            {
                "document": chunk.document,
                "title": chunk.title,
                "section": chunk.section,
                "page": chunk.page,
                "quote": chunk.text[lo:hi],
                "start": chunk.start + lo,
                "end": chunk.start + hi,
            }
        )
    return out
