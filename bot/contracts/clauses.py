"""The contract clauses relevant to an issue or a mediation, as clause references that quote verbatim.

Used to suggest clauses when an issue is logged (the reporter confirms which to attach) and to put the
relevant clauses in a mediation's header. Every quote is an exact span of the indexed document's text:
either an answer's verified citation or the leading sentences of a retrieved chunk (of a long table, the
row the text is about).
"""

from __future__ import annotations

import re

from bot.records.cases import ClauseRef
from knowledge.answers import Citation
from knowledge.base import KnowledgeBase
from knowledge.stored import StoredChunk
from knowledge.text import tokenize

QUOTE_CHARS = 400  # a suggestion shows the start of the clause: enough to recognise it
_SENTENCE_END = re.compile(r"(?<=[.;:])\s+")


_PARAGRAPH = re.compile(r"\S(?:.*\S)?(?:\n[ \t]*\S.*)*")  # lines up to a blank line


def _is_heading(paragraph: str) -> bool:
    """A heading on its own ("## Article 4 - Fees", "ARTICLE 4 FEES"), not a clause."""
    line = paragraph.strip()
    return "\n" not in line and (line.startswith("#") or (line.isupper() and len(line) < 100))


def _best_row(text: str, start: int, end: int, query: str) -> tuple[int, int] | None:
    """In a table, the body row sharing the most words with `query`, its first two cells (what the row is
    about) counting double; None if no row shares any."""
    wanted = set(tokenize(query))
    best: tuple[int, int, int] | None = None
    rows = list(re.finditer(r"[^\n]+", text[start:end]))
    separator = [set(r.group()) <= set("|-: ") for r in rows]
    for n, match in enumerate(rows):
        row = match.group()
        if separator[n] or (n + 1 < len(rows) and separator[n + 1]):  # the separator and the header above it
            continue
        cells = [c for c in row.split("|") if c.strip()]
        label = set(tokenize(" ".join(cells[:2])))  # "SL4 | Chat First Response": what the row is about
        score = 2 * len(wanted & label) + len(wanted & (set(tokenize(row)) - label))
        if score and (best is None or score > best[0]):
            best = (score, start + match.start(), start + match.end())
    return None if best is None else (best[1], best[2])


def _leading(text: str, limit: int = QUOTE_CHARS, query: str = "") -> tuple[int, int]:
    """The span of `text` to quote: its first clause paragraph (after any heading), not the clauses after it,
    shortened to whole sentences (or table rows) within `limit` characters. For a table too long to quote
    whole, the row that shares most words with `query`."""
    paragraphs = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text)]
    if not paragraphs:
        return 0, 0
    first = next((i for i, (a, b) in enumerate(paragraphs) if not _is_heading(text[a:b])), 0)
    start, end = paragraphs[first]
    if text[start:end].endswith(":") and first + 1 < len(paragraphs):  # "... as follows:" goes with what follows
        end = paragraphs[first + 1][1]
    if end - start <= limit:
        return start, end
    if text[start] == "|":  # a table: the row the query is about, or whole rows from the top
        if query and (row := _best_row(text, start, end, query)) is not None:
            return row
        cut = text.rfind("\n", start, start + limit)
        return start, cut if cut > start else start + limit
    cut = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.start() - start > limit:
            break
        cut = match.start()
    if cut == start:  # one long sentence: cut at a word boundary
        space = text.rfind(" ", start, start + limit)
        cut = space if space > start else start + limit
    return start, cut


def relevant_clauses(
    kb: KnowledgeBase, text: str, *, engagement: str, side: str, limit: int = 4, min_similarity: float | None = None
) -> list[ClauseRef]:
    """Up to `limit` clause references {document, title, section, page, quote, start, end} for `text`.

    The answerer's own citations come first (they are the most focused quotes), then retrieved clauses
    that are similar enough, one per (document, section). Nothing is returned for blank text or when the
    engagement has no documents this side may see.
    """
    query = " ".join((text or "").split())
    if not query:
        return []
    out: list[ClauseRef] = []
    seen: set[tuple[str, str | None]] = set()

    def add(where: Citation | StoredChunk, text: str, offset: int) -> None:
        """The clause at `offset` in the document, quoted from `text` (an exact span of it)."""
        key = (where.document, where.section)
        if key in seen or len(out) >= limit:
            return
        seen.add(key)
        lo, hi = _leading(text, query=query)
        out.append(
            ClauseRef(
                document=where.document,
                title=where.title,
                section=where.section,
                page=where.page,
                quote=text[lo:hi],
                start=offset + lo,
                end=offset + hi,
            )
        )

    answer = kb.answer_question(query, engagement=engagement, side=side)
    for c in answer.citations if answer.found else []:
        add(c, c.quote, c.start)
    floor = kb.answerer.similarity_floor if min_similarity is None else min_similarity
    for hit in kb.search(query, engagement=engagement, side=side, k=limit * 2):
        if hit.similarity >= floor:
            add(hit.chunk, hit.chunk.text, hit.chunk.start)
    return out
