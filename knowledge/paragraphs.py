"""Paragraphs: where a contract's text breaks into blocks (paragraphs, table rows, headings).

A block ends at a blank line, at a run of 3+ spaces (text converted from EDGAR filings) that is not
padding inside a wrapped sentence, or at a line break before something that opens a clause or a table
row. A block longer than `_LONG_BLOCK` (some SEC filings are one line of 30,000 characters) is also cut
before a clause number that follows a sentence's end. Spans are whitespace-trimmed offsets into the text.
"""

from __future__ import annotations

import re

from knowledge.sections import is_padding_break, trimmed

# Paragraph breaks: a blank line, a run of 3+ spaces (text converted from EDGAR filings), or a line
# break before something that opens a clause or a table row.
# A line of '#' alone underlines a reStructuredText title: it stays with the title.
_BREAK = re.compile(
    r"\n[ \t\r\f\v]*\n\s*|[ \t]{3,}|\n(?=[ \t]*(?:[|>]|#(?!#*[ \t\r]*(?:\n|\Z))|\(?[0-9a-zA-Z]{1,4}[.)]|[A-Z]{4,}))"
)

# A clause number inside a paragraph, after a sentence's end: "... agree as follows: 1. Products and Payments
# A. Product. Shi Farms agrees ...". Some SEC filings are one line of 30,000 characters; only paragraphs
# longer than a chunk are cut there, so an ordinary paragraph that cites "Section 5." stays whole.
_INLINE_MARKER = re.compile(
    r"(?<=[.;:!?\"\u201d)])[ \t]+(?=(?:[0-9]{1,2}(?:\.[0-9]{1,3}){1,3}\.?|[0-9]{1,2}\.|[A-Z]\."
    r"|(?:Section|SECTION|Article|ARTICLE)[ \t]+[0-9IVX]{1,4}(?:\.[0-9]{1,3})*\.?)[ \t]+[A-Z\"\u201c(])"
)
_LONG_BLOCK = 2000


def blocks(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Non-empty paragraph spans, whitespace-trimmed, between start and end."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _BREAK.finditer(text, start, end):
        if text[m.start()] in " \t" and not is_padding_break(text, m.start(), m.end(), pos):
            continue  # padding inside a wrapped sentence, or after a clause number standing alone
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, end))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if b - a <= _LONG_BLOCK:
            out.append((a, b))
            continue
        for m in _INLINE_MARKER.finditer(text, a, b):
            out.append((a, m.start()))
            a = m.end()
        out.append((a, b))
    return trimmed(text, out)
