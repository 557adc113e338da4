"""Clause-aware chunking: chunks follow a contract's structure, and every chunk is an exact span.

A contract is read as a sequence of blocks (paragraphs, table rows, headings; `paragraphs`) with page
furniture left out (`furniture`). A block that starts with a clause marker ("ARTICLE 5", "4.2", "4.2(b)",
"(c)", "B.", "## Service Credits", "SCHEDULE B") opens a new clause; the section label is built from the
markers above it ("4.2(b)"; `outline`). Clauses are then sized: tiny ones merge with their heading or next
sibling, long ones split at sentence boundaries with one sentence of overlap (`splitting`). A table's data
rows are chunks of their own, carrying the table's header row as context (`tables`, `_rows`).
`text[chunk.start:chunk.end]` is always the chunk's text, and no chunk is longer than
`Limits.max_chunk_chars`; a document of more than `Limits.max_chunks` chunks is refused.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from knowledge.documents import ExtractedDocument
from knowledge.formats.text import FRONT_MATTER
from knowledge.furniture import content_blocks
from knowledge.limits import DEFAULT_LIMITS, Limits, too_large
from knowledge.outline import Contents, Outline, numbers_clauses, read_block, section_at
from knowledge.paragraphs import blocks
from knowledge.sections import Marker, inline_openings
from knowledge.splitting import TARGET_CHARS, sentence_windows
from knowledge.tables import flat, table_at, tables_in, trim

__all__ = [
    "MAX_CHARS",
    "MIN_CHARS",
    "TARGET_CHARS",
    "Chunk",
    "blocks",
    "chunk_document",
    "content_blocks",
    "section_at",
]

MAX_CHARS = DEFAULT_LIMITS.max_chunk_chars  # 1100: longer clauses are split, and no chunk is longer
MIN_CHARS = 200
CONTEXT_CHARS = 160  # how much of a chunk's context the embedder reads (`indexing.embedding_text`)
# Table rows up to this long together are one chunk; 0: every row a chunk of its own (on the dev set, rows grouped
# up to 160 characters led 0.862 of table questions against 0.897 for rows alone).
ROW_GROUP_CHARS = 0
# Rows shorter than this ("| | row 7 |") pack with their tiny neighbours up to TARGET_CHARS: a 40 KB table of 400
# such rows is 8 chunks to embed, not 400.
TINY_ROW_CHARS = 30
_ROW_START = re.compile(r"[^\S\n]*\|")
_SENTENCE_AFTER = re.compile(r"[a-z][.;:][ \t]+[A-Z\"\u201c(]")


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
    row: bool = False  # a table row: a unit of its own (or grouped with tiny rows of its table), never packed with text
    tiny: bool = False  # a chunk of table rows each shorter than TINY_ROW_CHARS: the next tiny row joins it
    contents: bool = False  # a table of contents: a unit of its own, never packed with the text after it
    outline: Outline | None = None  # the outline where the clause opens, to label a window deep inside it


def _clauses(doc_text: str) -> list[_Clause]:
    """Marker-opened spans: a clause runs from its marker to the next one (tables stay whole)."""
    start = _front_matter_end(doc_text)
    outline = Outline(numbers_clauses(doc_text, start))
    clauses: list[_Clause] = []
    is_row = _RowFinder(doc_text)
    contents = Contents()
    in_contents: _Clause | None = None
    for a, b, gap in content_blocks(doc_text, start):
        if contents.take(doc_text, a, b):  # a table of contents cut into blocks: one clause, no numbering
            if in_contents is not None and clauses and clauses[-1] is in_contents:
                in_contents.end = b
            else:
                label, heading, crumb = outline.label(), outline.heading(), outline.breadcrumb()
                in_contents = _Clause(
                    a, b, None, label, heading, crumb, len(outline.stack), after_gap=gap, contents=True
                )
                clauses.append(in_contents)
            continue
        if table_at(doc_text, a) is not None:  # no clause opens inside a table: its rows keep the table's label
            if clauses and not gap:
                clauses[-1].end = b  # cut into rows by _rows
                continue
            label, heading, crumb = outline.label(), outline.heading(), outline.breadcrumb()
            clauses.append(_Clause(a, b, None, label, heading, crumb, len(outline.stack), after_gap=gap))
            continue
        marker, term = read_block(outline, doc_text, a, b, gap)
        at_start = outline.copy()  # where the block starts: a window deep inside it replays from here
        outline.follow(doc_text, a, b)  # clause numbers inside a block that lost its paragraph breaks
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
        bare = (
            marker is not None
            and marker.rank <= 10
            and b - a <= 150
            and "\n" not in doc_text[a:b]
            and not _SENTENCE_AFTER.search(doc_text, a, b)  # "1. Services. FASC agrees ...": a clause, not a heading
        )
        clauses.append(
            _Clause(
                a,
                b,
                marker,
                at_start.label(),
                at_start.heading(),
                at_start.breadcrumb(),
                len(at_start.stack),
                bare and not term,
                gap,
                bool(term),
                outline=at_start,
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


def _rows(text: str, clauses: list[_Clause]) -> list[_Clause]:
    """Clauses holding a table cut at its rows: each data row a clause of its own, whose context (embedded,
    never quoted) and heading (searched) carry the table's header row; the header row stays with the text
    that introduces the table, or with the first row when nothing does."""
    tables = tables_in(text)
    if not tables:
        return clauses
    out: list[_Clause] = []
    for c in clauses:
        inside = [t for t in tables if t.start < c.end and c.start < t.end]
        if not inside:
            out.append(c)
            continue
        pos, first = c.start, True
        for t in inside:
            header = t.header if t.header and c.start <= t.header[0] and t.header[1] <= c.end else None
            intro = trim(text, pos, max(pos, t.start))
            glue: int | None = None  # where the first row's clause starts when it takes the header
            if intro[1] > intro[0]:
                out.append(_part(c, intro[0], header[1] if header else intro[1], first))
                first = False
            elif header:
                glue = max(t.start, c.start)
            head = flat(text, t.header) if t.header else ""
            for a, b in (r for r in t.rows if c.start <= r[0] and r[1] <= c.end):
                row = _part(c, glue if glue is not None else a, b, first, head)
                out.append(row)
                glue, first = None, False
            pos = max(pos, min(t.end, c.end))
        rest = trim(text, pos, c.end)
        if rest[1] > rest[0]:
            out.append(_part(c, rest[0], rest[1], first))
    return out


def _part(c: _Clause, a: int, b: int, first: bool, header: str | None = None) -> _Clause:
    """A piece of clause c; a table row (header given, maybe empty) is marked as one."""
    row = header is not None
    heading, context = c.heading, c.context
    if header:
        heading = f"{c.heading} \u2014 {header}" if c.heading else header  # searched words: the columns too
        room = CONTEXT_CHARS - len(header) - 3  # the embedder reads the last CONTEXT_CHARS: keep both parts
        context = f"{c.context[-room:].lstrip()} > {header}" if c.context and room > 0 else header
    return _Clause(
        a,
        b,
        c.marker if first else None,
        c.section,
        heading,
        context,
        c.depth,
        c.heading_only and first and not row,
        c.after_gap and first,
        c.definition and not row,
        row,
    )


def _opens_part(c: _Clause) -> bool:
    """Articles, schedules, headings and top-level numbered sections start a new chunk."""
    return c.marker is not None and c.marker.rank <= 10


def _pieces(text: str, clauses: list[_Clause], max_chars: int) -> list[_Clause]:
    """Clauses over max_chars split into overlapping windows of whole sentences."""
    out: list[_Clause] = []
    for c in clauses:
        windows = sentence_windows(text, c.start, c.end, max_chars)
        for i, (a, b) in enumerate(windows):
            out.append(
                _Clause(
                    a,
                    b,
                    c.marker if i == 0 else None,
                    c.section if i == 0 else _window_label(text, c, a),
                    c.heading,
                    c.context,
                    c.depth,
                    c.heading_only and len(windows) == 1,
                    c.after_gap and i == 0,
                    c.definition,
                    c.row,
                    contents=c.contents,
                )
            )
    return out


def _window_label(text: str, c: _Clause, at: int) -> str | None:
    """The label at `at` inside clause c: c's, unless a clause number (or the recitals, the signatures) opens
    between c's start and `at` in text that lost its paragraph breaks."""
    if c.outline is None or not any(f.at <= at for f in inline_openings(text, c.start, min(c.end, at + 40))):
        return c.section
    outline = c.outline.copy()
    outline.follow(text, c.start, c.end, until=at)
    return outline.label()


def _pack(pieces: list[_Clause], max_chars: int) -> list[_Clause]:
    """Merge heading-only and small neighbours up to TARGET_CHARS (never past max_chars), within a part."""
    out: list[_Clause] = []
    for c in pieces:
        if out and (c.contents or out[-1].contents):
            out.append(c)
            continue
        if out and (c.row or out[-1].row):
            prev = out[-1]
            combined = c.end - prev.start
            tiny = c.end - c.start < TINY_ROW_CHARS and prev.tiny and combined <= min(TARGET_CHARS, max_chars)
            if c.row and prev.row and not c.after_gap and (combined <= ROW_GROUP_CHARS or tiny):
                prev.end = c.end  # rows too small to say anything alone (and to be worth a vector each)
                continue
            out.append(replace(c, tiny=c.row and c.end - c.start < TINY_ROW_CHARS))
            continue
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
                c.row,
                contents=c.contents,
            )
        )
    return out


def chunk_document(doc: ExtractedDocument, *, limits: Limits = DEFAULT_LIMITS) -> list[Chunk]:
    """Split a document into clause-aligned chunks with exact spans, none longer than limits.max_chunk_chars.

    Raises DocumentTooLargeError when there are more than limits.max_chunks, before anything is embedded.
    """
    text, max_chars = doc.text, limits.max_chunk_chars
    packed = _pack(_pieces(text, _rows(text, _clauses(text)), max_chars), max_chars)
    if len(packed) > limits.max_chunks:
        what, limit = f"{len(packed):,} chunks", f"{limits.max_chunks:,} chunk"
        raise too_large(doc.name, what, limit, "LIAISON_MAX_CHUNKS")
    return [Chunk(c.start, c.end, c.section, c.heading, c.context) for c in packed]


def _front_matter_end(text: str) -> int:
    """Where a Markdown file's YAML front matter (metadata, not contract text) ends, or 0."""
    m = FRONT_MATTER.match(text)
    return m.end() if m and m.end() < 4000 else 0
