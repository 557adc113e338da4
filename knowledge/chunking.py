"""Clause-aware chunking: chunks follow a contract's structure, and every chunk is an exact span.

A contract is read as a sequence of blocks (paragraphs, table rows, headings). A block that starts
with a clause marker ("ARTICLE 5", "4.2", "4.2(b)", "(c)", "B.", "## Service Credits", "SCHEDULE B")
opens a new clause; the section label is built from the markers above it ("4.2(b)"). Clauses are
then sized: tiny ones merge with their heading or next sibling, long ones split at sentence
boundaries with one sentence of overlap; a sentence longer than a chunk may be (a 20 MB line) is cut
at whitespace, else anywhere. `text[chunk.start:chunk.end]` is always the chunk's text, and no chunk is
longer than `Limits.max_chunk_chars`; a document of more than `Limits.max_chunks` chunks is refused.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from knowledge.documents import ExtractedDocument
from knowledge.limits import DEFAULT_LIMITS, Limits, too_large
from knowledge.sections import (
    Marker,
    compose_label,
    defined_term,
    find_marker,
    is_padding_break,
    sentence_spans,
    trimmed,
)

TARGET_CHARS = 700
MAX_CHARS = DEFAULT_LIMITS.max_chunk_chars  # 1100: longer clauses are split, and no chunk is longer
MIN_CHARS = 200
_SPACE = re.compile(r"\s+")
_ROW_START = re.compile(r"[^\S\n]*\|")

# Paragraph breaks: a blank line, a run of 3+ spaces (text converted from EDGAR filings), or a line
# break before something that opens a clause or a table row.
_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*|[ \t]{3,}|\n(?=[ \t]*(?:[|#>]|\(?[0-9a-zA-Z]{1,4}[.)]|[A-Z]{4,}))")


@dataclass(frozen=True)
class Chunk:
    """A span of a document's extracted text with where it sits in the contract."""

    start: int
    end: int
    section: str | None
    heading: str | None
    context: str  # breadcrumb of headings above the chunk, used to embed it, never quoted

    def text_of(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass
class _Clause:
    start: int
    end: int
    marker: Marker | None
    section: str | None
    heading: str | None
    context: str
    depth: int
    heading_only: bool = False  # a bare heading line: it adopts the label of the clause it is merged with
    after_gap: bool = False  # page furniture (a page header, footer or number) lies just before it: never merged over
    definition: bool = False  # one defined term ("1.12 'Downtime'"): a unit of its own, never packed with another


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


@dataclass
class _Open:
    marker: Marker
    indent: int | None  # the marker's column when it opens its line, else None
    family: str  # "list" (1. 2. 3.), "dotted" (4.2), "item" ((a), b), iii.) or "" (headings, articles)
    nested: bool = False  # a list item with list items indented under it (Markdown "1. Uptime" / "    1. Target")


def _family(marker: Marker) -> str:
    if marker.kind == "decimal":
        return "list" if marker.number and marker.number.isdigit() else "dotted"
    return "item" if marker.kind in {"paren", "letter", "item"} else ""


class _Outline:
    """The stack of open markers, from which a block's section label and breadcrumb are read.

    Markers nest by rank ("4" > "4.2" > "(b)"), and list items also by indentation: a "1." indented under
    "3. Remedies" is 3.1 (Markdown ordered lists), and an item at the indentation of an open one of its
    family closes it. Text without indentation (SEC filings) nests by rank alone.
    """

    def __init__(self) -> None:
        self.open: list[_Open] = []

    @property
    def stack(self) -> list[Marker]:
        return [o.marker for o in self.open]

    def push(self, marker: Marker, indent: int | None = None) -> None:
        while self.open and self.open[-1].marker.kind == "definition":
            self.open.pop()  # a definition runs to the next marker of any kind
        family = _family(marker)
        if indent is not None and family:
            while self.open and (top := self.open[-1]).indent is not None and top.family:
                if top.indent > indent or (top.indent == indent and top.family == family):
                    self.open.pop()
                else:
                    break
            parent = self.open[-1] if self.open else None
            if (
                family == "list"
                and parent is not None
                and parent.indent is not None
                and parent.indent < indent
                and parent.family in {"list", "dotted"}
                and (marker.number == "1" or parent.nested)
            ):
                parent.nested = True
                number = f"{parent.marker.number}.{marker.number}"
                self.open.append(_Open(replace(marker, number=number, rank=parent.marker.rank + 1), indent, "list"))
                return
        while self.open and self.open[-1].marker.rank >= marker.rank:
            self.open.pop()
        self.open.append(_Open(marker, indent, family))

    def label(self) -> str | None:
        return compose_label(self.stack)

    def heading(self) -> str | None:
        return next((o.marker.heading for o in reversed(self.open) if o.marker.heading), None)

    def breadcrumb(self) -> str:
        return " > ".join(o.marker.display for o in self.open if o.marker.display)


def _indent(text: str, at: int) -> int | None:
    """The column of `at` when only spaces and tabs precede it on its line (a tab counts 4), else None."""
    line_start = text.rfind("\n", max(0, at - 200), at) + 1
    if line_start == 0 and at > 200:
        return None  # a block deep inside a long line (bounded look-back: long lines stay linear)
    lead = text[line_start:at]
    if lead.strip(" \t"):
        return None
    return len(lead.expandtabs(4))


# Page furniture in text converted from SEC filings and PDFs: page numbers ("2", "-3-", "Page 4 of 60") and
# lines repeated on every page (a running header such as "eGAIN COMMUNICATIONS CORPORATION" or "Confidential
# Materials omitted and filed separately ..."). It stays in the extracted text; no chunk spans it.
_PAGE_NUMBER = re.compile(
    r"(?i)(?:page[ \t]+)?[-\u2013\u2014(\[]?[ \t]*[0-9]{1,4}[ \t]*[-\u2013\u2014)\]]?(?:[ \t]+of[ \t]+[0-9]{1,4})?"
    r"|[-\u2013\u2014][ \t]*[0-9]{1,4}[ \t]*[-\u2013\u2014](?:[ \t]+[0-9]{1,4})?"
)
_FILING_LABEL = re.compile(r"(?i)(?:exhibit|ex-)[ \t]*[0-9]{1,3}\.[0-9A-Z()]{1,8}")  # "Exhibit 10.17", not "Exhibit A"
_GLUED_PAGE = re.compile(r"([0-9]{1,3})[ \t]+(?=[0-9]{1,2}(?:\.[0-9]{1,3})*\.(?:[ \t]|$))")  # "3 8.  LIABILITY"
_REPEATS = 4
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
    spans = blocks(text)
    for i, (a, b) in enumerate(spans):
        piece = text[a:b]
        if b - a > _FURNITURE_CHARS or text[a] in "|#>-*+!" or "---" in piece or not any(c.isalpha() for c in piece):
            continue
        if piece.rstrip().endswith(":"):
            continue
        marker = find_marker(text, a, b)
        if marker is not None and marker.number is not None:
            continue
        key = _furniture_key(text[a:b])
        counts[key] = counts.get(key, 0) + 1
        letters = [c for c in piece if c.isalpha()]
        if sum(c.isupper() for c in letters) >= 0.8 * len(letters):
            capitals.add(key)  # "eGAIN COMMUNICATIONS CORPORATION" three times is a running header
        if any(0 <= j < len(spans) and _is_page_mark(text[spans[j][0] : spans[j][1]]) for j in (i - 1, i + 1)):
            by_page_mark.add(key)
    found = frozenset(
        k
        for k, n in counts.items()
        if n >= _REPEATS or (n >= 2 and k in by_page_mark) or (n == _REPEATS - 1 and k in capitals)
    )
    if len(_REPEATED_CACHE) > 8:
        _REPEATED_CACHE.clear()
    _REPEATED_CACHE[id(text)] = (text, found)
    return found


def _clauses(doc_text: str) -> list[_Clause]:
    """Marker-opened spans: a clause runs from its marker to the next one (tables stay whole)."""
    outline = _Outline()
    clauses: list[_Clause] = []
    is_row = _RowFinder(doc_text)
    for a, b, gap in content_blocks(doc_text, _front_matter_end(doc_text)):
        marker = find_marker(doc_text, a, b)
        if marker is not None:
            outline.push(marker, _indent(doc_text, a))
        term = _push_definition(outline, doc_text, a, b, marker)
        if term:
            marker = marker or outline.stack[-1]
        if marker is not None and marker.kind == "item" and clauses and not gap and not is_row(a):
            clauses[
                -1
            ].end = b  # "a)", "b." items: labelled (a citation inside reads 6.1(a)), chunked with their clause
            continue
        if marker is None and clauses and not gap and is_row(a) == is_row(clauses[-1].end - 1):
            clauses[-1].end = b  # a continuation paragraph (or the next row) of the open clause
            continue
        bare = marker is not None and marker.rank <= 10 and b - a <= 150 and "\n" not in doc_text[a:b]
        clauses.append(
            _Clause(
                a,
                b,
                marker,
                outline.label(),
                outline.heading(),
                outline.breadcrumb(),
                len(outline.stack),
                bare and not term,
                gap,
                bool(term),
            )
        )
    return clauses


_NUMBER_PREFIX = re.compile(r"[ \t]*(?:[0-9]{1,2}(?:\.[0-9]{1,3})*\.?|\(?[a-z0-9]{1,4}\)|[a-z]\.)[ \t]+")


def _push_definition(outline: _Outline, text: str, a: int, b: int, marker: Marker | None) -> str | None:
    """Open a definition on the outline when the block defines a term (after its clause number, if any)."""
    if marker is not None and marker.kind not in {"decimal", "paren", "item", "letter"}:
        return None
    at = a
    if marker is not None and (m := _NUMBER_PREFIX.match(text, a, b)):
        at = m.end()
    term = defined_term(text, at, b)
    if term:
        outline.push(Marker("definition", f"'{term}'", term, 40))
    return term


class _RowFinder:
    """Whether an offset lies on a table row ('| a | b |'), in constant time however long the line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def __call__(self, pos: int) -> bool:
        at = bisect.bisect_left(self.newlines, pos)
        line_start = self.newlines[at - 1] + 1 if at else 0
        m = _ROW_START.match(self.text, line_start)
        return m is not None and m.end() <= pos + 1


def _opens_part(c: _Clause) -> bool:
    """Articles, schedules, headings and top-level numbered sections start a new chunk."""
    return c.marker is not None and c.marker.rank <= 10


def _pieces(text: str, clauses: list[_Clause], max_chars: int) -> list[_Clause]:
    """Clauses over max_chars split into overlapping windows of whole sentences."""
    out: list[_Clause] = []
    for c in clauses:
        windows = _split_long(text, c, max_chars)
        for i, (a, b) in enumerate(windows):
            out.append(
                _Clause(
                    a,
                    b,
                    c.marker if i == 0 else None,
                    c.section,
                    c.heading,
                    c.context,
                    c.depth,
                    c.heading_only and len(windows) == 1,
                    c.after_gap and i == 0,
                    c.definition,
                )
            )
    return out


def _pack(pieces: list[_Clause], max_chars: int) -> list[_Clause]:
    """Merge heading-only and small neighbours up to TARGET_CHARS (never past max_chars), within a part."""
    out: list[_Clause] = []
    for c in pieces:
        if out and not c.after_gap and not (c.definition and not out[-1].heading_only) and not out[-1].definition:
            prev = out[-1]
            size, combined = prev.end - prev.start, c.end - prev.start
            if size < MIN_CHARS and combined <= max_chars:
                if prev.section is None or prev.heading_only:
                    prev.section, prev.heading, prev.context = (
                        c.section,
                        c.heading,
                        c.context,
                    )  # a heading adopts its first clause
                prev.end, prev.heading_only = c.end, prev.heading_only and c.heading_only
                continue
            if combined <= min(TARGET_CHARS, max_chars) and not _opens_part(c) and c.end - c.start < MIN_CHARS * 2:
                prev.end, prev.heading_only = c.end, False
                continue
        out.append(
            _Clause(
                c.start,
                c.end,
                c.marker,
                c.section,
                c.heading,
                c.context,
                c.depth,
                c.heading_only,
                c.after_gap,
                c.definition,
            )
        )
    return out


def _split_long(text: str, c: _Clause, max_chars: int) -> list[tuple[int, int]]:
    """Windows of whole sentences of about TARGET_CHARS, overlapping by one sentence."""
    if c.end - c.start <= max_chars:
        return [(c.start, c.end)]
    target = min(TARGET_CHARS, max_chars)
    sentences = [piece for a, b in sentence_spans(text, c.start, c.end) for piece in _cut(text, a, b, max_chars)]
    windows: list[tuple[int, int]] = []
    i = 0
    while i < len(sentences):
        j = i
        while j + 1 < len(sentences) and sentences[j + 1][1] - sentences[i][0] <= target:
            j += 1
        windows.append((sentences[i][0], sentences[j][1]))
        if j + 1 >= len(sentences):
            break
        i = j if j > i else j + 1  # overlap one sentence unless a single sentence fills the window
    return windows


def _cut(text: str, a: int, b: int, max_chars: int) -> list[tuple[int, int]]:
    """text[a:b] as itself if short enough, else pieces of at most TARGET_CHARS cut at whitespace, else anywhere."""
    if b - a <= max_chars:
        return [(a, b)]
    target = min(TARGET_CHARS, max_chars)
    pieces: list[tuple[int, int]] = []
    while b - a > max_chars:
        cut = None
        for m in _SPACE.finditer(text, a + target // 2, a + target):
            cut = m  # the last whitespace in the second half of the window
        end, a_next = (cut.start(), cut.end()) if cut else (a + target, a + target)
        pieces.append((a, end))
        a = a_next
    pieces.append((a, b))
    return trimmed(text, pieces)


def chunk_document(doc: ExtractedDocument, *, limits: Limits = DEFAULT_LIMITS) -> list[Chunk]:
    """Split a document into clause-aligned chunks with exact spans, none longer than limits.max_chunk_chars.

    Raises DocumentTooLargeError when there are more than limits.max_chunks, before anything is embedded.
    """
    text, max_chars = doc.text, limits.max_chunk_chars
    packed = _pack(_pieces(text, _clauses(text), max_chars), max_chars)
    if len(packed) > limits.max_chunks:
        what, limit = f"{len(packed):,} chunks", f"{limits.max_chunks:,} chunk"
        raise too_large(doc.name, what, limit, "LIAISON_MAX_CHUNKS")
    return [Chunk(c.start, c.end, c.section, c.heading, c.context) for c in packed]


_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def _front_matter_end(text: str) -> int:
    """Where a Markdown file's YAML front matter (metadata, not contract text) ends, or 0."""
    m = _FRONT_MATTER.match(text)
    return m.end() if m and m.end() < 4000 else 0


def section_at(text: str, offset: int) -> tuple[str | None, str | None]:
    """The section label and heading in force at `offset` (for citing a trimmed quote)."""
    outline = _Outline()
    for a, b, _ in content_blocks(text, 0, min(len(text), offset + 400)):
        if a > offset:
            break
        marker = find_marker(text, a, b)
        if marker is not None:
            outline.push(marker, _indent(text, a))
        _push_definition(outline, text, a, b, marker)
    return outline.label(), outline.heading()
