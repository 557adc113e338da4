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
from dataclasses import dataclass

from knowledge.documents import ExtractedDocument
from knowledge.limits import DEFAULT_LIMITS, Limits, too_large
from knowledge.sections import Marker, compose_label, find_marker, sentence_spans, trimmed

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


def blocks(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Non-empty paragraph spans, whitespace-trimmed, between start and end."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _BREAK.finditer(text, start, end):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, end))
    return trimmed(text, spans)


class _Outline:
    """The stack of open markers, from which a block's section label and breadcrumb are read."""

    def __init__(self) -> None:
        self.stack: list[Marker] = []

    def push(self, marker: Marker) -> None:
        while self.stack and self.stack[-1].rank >= marker.rank:
            self.stack.pop()
        self.stack.append(marker)

    def label(self) -> str | None:
        return compose_label(self.stack)

    def heading(self) -> str | None:
        return next((m.heading for m in reversed(self.stack) if m.heading), None)

    def breadcrumb(self) -> str:
        return " > ".join(m.display for m in self.stack if m.display)


def _clauses(doc_text: str) -> list[_Clause]:
    """Marker-opened spans: a clause runs from its marker to the next one (tables stay whole)."""
    outline = _Outline()
    clauses: list[_Clause] = []
    is_row = _RowFinder(doc_text)
    for a, b in blocks(doc_text, _front_matter_end(doc_text)):
        marker = find_marker(doc_text, a, b)
        if marker is not None:
            outline.push(marker)
        elif clauses and is_row(a) == is_row(clauses[-1].end - 1):
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
                bare,
            )
        )
    return clauses


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
                )
            )
    return out


def _pack(pieces: list[_Clause], max_chars: int) -> list[_Clause]:
    """Merge heading-only and small neighbours up to TARGET_CHARS (never past max_chars), within a part."""
    out: list[_Clause] = []
    for c in pieces:
        if out:
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
        out.append(_Clause(c.start, c.end, c.marker, c.section, c.heading, c.context, c.depth, c.heading_only))
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
    for a, b in blocks(text, 0, min(len(text), offset + 400)):
        if a > offset:
            break
        marker = find_marker(text, a, b)
        if marker is not None:
            outline.push(marker)
    return outline.label(), outline.heading()
