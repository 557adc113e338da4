"""Page furniture: page numbers, filing labels and running headers, and the blocks left without them.

Text converted from SEC filings and PDFs keeps each page's number ("2", "-3-", "Page 4 of 60"), filing
labels ("Exhibit 10.17") and lines repeated on every page (a running header such as "eGAIN COMMUNICATIONS
CORPORATION"). `content_blocks` is `blocks` with that furniture left out, each block marked with whether
furniture lay just before it, so no chunk spans a page break's furniture and no merge reaches over it.
"""

from __future__ import annotations

import re

from knowledge.paragraphs import blocks
from knowledge.sections import find_marker

# Page furniture in text converted from SEC filings and PDFs: page numbers ("2", "-3-", "Page 4 of 60") and
# lines repeated on every page (a running header such as "eGAIN COMMUNICATIONS CORPORATION" or "Confidential
# Materials omitted and filed separately ..."). It stays in the extracted text; no chunk spans it.
_PAGE_NUMBER = re.compile(
    r"(?i)(?:page[ \t]+)?[-\u2013\u2014(\[]?[ \t]*[0-9]{1,4}[ \t]*[-\u2013\u2014)\]]?(?:[ \t]+of[ \t]+[0-9]{1,4})?"
    r"|[-\u2013\u2014][ \t]*[0-9]{1,4}[ \t]*[-\u2013\u2014](?:[ \t]+[0-9]{1,4})?"
)
_FILING_LABEL = re.compile(r"(?i)(?:exhibit|ex-)[ \t]*[0-9]{1,3}\.[0-9A-Z()]{1,8}")  # "Exhibit 10.17", not "Exhibit A"
_GLUED_PAGE = re.compile(r"([0-9]{1,3})[ \t]+(?=[0-9]{1,2}(?:\.[0-9]{1,3})*\.(?:[ \t]|$))")  # "3 8.  LIABILITY"
# reStructuredText markup that is no clause text: a directive (".. toctree::", ".. |STYLE0| image:: ..."), a link
# target (".. _h6e77...:"), a comment, a substitution standing alone ("\\ |STYLE0|\\ ") or an adornment line.
_RST_MARKUP = re.compile(
    r"\.\.(?:[ \t]+(?:_[^\n]*:|\|[^|\n]+\|[ \t]+[\w-]+::.*|[\w:-]+::.*|[^\n]*)|)(?:\n[ \t]+:[\w-]+:[^\n]*)*"
    r"|(?:\\?[ \t]*\|[A-Za-z0-9_ -]{1,40}\|[ \t]*\\?[ \t]*)+"
    r"|:[a-z-]{2,20}:(?:[ \t]+[^\n]{0,80})?"  # a directive's option, cut from it at its indentation
    r"""|([=\-~^*#"'`+_])\1{2,}"""
)
_REPEATS = 4
_HEADER_CHARS = 100  # a running header's line is short ...
_FIRST_PAGE_BLOCKS = 6  # ... and the first page's, with no page mark before it, stands among the first blocks
_STAMP = re.compile(r"[0-9]{1,4}(?:[/.\-][0-9]{1,4}){2}")  # a date stamped on every page: "03/01/05"
_BARE_NUMBER = re.compile(r"[0-9]{1,4}")
_FURNITURE_CHARS = 160


def _furniture_key(text: str) -> str:
    return re.sub(r"[0-9]+", "#", " ".join(text.split()).casefold())


def content_blocks(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, bool]]:
    """`blocks`, without page furniture; each with whether furniture lay just before it.

    Repetition is counted over the whole text; page numbers are followed from `start` on.
    """
    repeated = _repeated_lines(text)
    out: list[tuple[int, int, bool]] = []
    gap = False
    page = 0  # the last page number seen: a bare number is one only if it comes next ("7" after "6", not a "1" cell)
    for a, b in blocks(text, start, end):
        piece = text[a:b]
        if _BARE_NUMBER.fullmatch(piece):
            number = int(piece)
            if not page < number <= page + 3:
                out.append((a, b, gap))
                gap = False
                continue
            page = number
        if _is_page_mark(piece) or (b - a <= _FURNITURE_CHARS and _furniture_key(piece) in repeated):
            gap = True
            continue
        if piece[:1] in ".\\|:=-~^*#\"'`+_" and _RST_MARKUP.fullmatch(piece):
            gap = True  # reST markup between paragraphs: no clause holds it, none reaches over it
            continue
        if gap and (glued := _GLUED_PAGE.match(piece)):
            a += glued.end()  # the next page's number, glued to the clause number that opens it
        out.append((a, b, gap))
        gap = False
    return out


def _is_page_mark(piece: str) -> bool:
    return bool(_PAGE_NUMBER.fullmatch(piece) or _FILING_LABEL.fullmatch(piece))


_REPEATED_CACHE: dict[int, tuple[str, frozenset[str]]] = {}


def _repeated_lines(text: str) -> frozenset[str]:
    """Short blocks that recur as running page headers: 4+ times, 3 in capitals, or twice beside a page number.

    Numbered clause markers, table rows, Markdown syntax and lead-ins ("Datec will:") never count.
    """
    cached = _REPEATED_CACHE.get(id(text))
    if cached is not None and cached[0] is text:
        return cached[1]
    counts: dict[str, int] = {}
    by_page_mark: set[str] = set()
    capitals: set[str] = set()
    where: dict[str, list[int]] = {}  # each key's blocks, by index
    spans = blocks(text)
    short = [b - a <= _FURNITURE_CHARS for a, b in spans]
    digits = [
        _furniture_key(text[a:b]) if s and _STAMP.fullmatch(text[a:b].strip()) else ""
        for (a, b), s in zip(spans, short, strict=True)
    ]
    for i, (a, b) in enumerate(spans):
        piece = text[a:b]
        if not short[i] or text[a] in "|#>-*+!" or "---" in piece or not any(c.isalpha() for c in piece):
            continue
        if piece.rstrip().endswith(":"):
            continue
        marker = find_marker(text, a, b)
        if marker is not None and marker.number is not None:
            continue
        key = _furniture_key(text[a:b])
        counts[key] = counts.get(key, 0) + 1
        where.setdefault(key, []).append(i)
        letters = [c for c in piece if c.isalpha()]
        if sum(c.isupper() for c in letters) >= 0.8 * len(letters):
            capitals.add(key)  # "eGAIN COMMUNICATIONS CORPORATION" three times is a running header
        if any(0 <= j < len(spans) and _is_page_mark(text[spans[j][0] : spans[j][1]]) for j in (i - 1, i + 1)):
            by_page_mark.add(key)
    found = {
        k
        for k, n in counts.items()
        if n >= _REPEATS or (n >= 2 and k in by_page_mark) or (n == _REPEATS - 1 and k in capitals)
    }
    found |= _running_blocks(text, spans, where, digits)
    if len(_REPEATED_CACHE) > 8:
        _REPEATED_CACHE.clear()
    _REPEATED_CACHE[id(text)] = (text, frozenset(found))
    return frozenset(found)


def _running_blocks(
    text: str, spans: list[tuple[int, int]], where: dict[str, list[int]], digits: list[str]
) -> set[str]:
    """A page header of several lines, each repeated page after page but fewer than four times (a three-page
    letter's "607-1295 Richards Street" and "Vancouver, BC ... deep systems" under its "- 2 -" and "03/01/05"):
    furniture when every occurrence stands in a run of furniture that starts at a page mark (or a date stamped on
    every page), the first page's own header (at the document's start) aside. A sentence is never furniture."""
    seen: dict[str, int] = {}
    for key in digits:
        if key:
            seen[key] = seen.get(key, 0) + 1
    beside = {i for i, (a, b) in enumerate(spans) if _is_page_mark(text[a:b]) or (digits[i] and seen[digits[i]] >= 2)}
    out: set[str] = set()
    changed = True
    while changed:
        changed = False
        for key, at in where.items():
            if key in out or len(at) < 2 or len(key) > _HEADER_CHARS or key.rstrip().endswith((".", ";", ",")):
                continue
            if all(i - 1 in beside or i + 1 in beside or i < _FIRST_PAGE_BLOCKS for i in at) and any(
                i - 1 in beside or i + 1 in beside for i in at
            ):
                out.add(key)
                beside.update(at)
                changed = True
    return out
