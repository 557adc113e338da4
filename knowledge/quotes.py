"""Choosing what to quote: whole paragraphs, rows or sentences of a clause, never a cut mid-word."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from knowledge.chunking import blocks
from knowledge.definitions import definitions_in
from knowledge.sections import TITLE_WORD, sentence_spans
from knowledge.signals import HOLDS, answer_kinds
from knowledge.tables import header_of, row_at, table_at, tables_in
from knowledge.text import tokenize

QUOTE_CHARS = 700  # the most we quote from one clause

_DEFINED = re.compile(r"[\"\u201c]([A-Z][A-Za-z0-9\- ]{2,40})[\"\u201d]|\b((?:[A-Z][a-z]+ ){1,3}[A-Z][a-z]+)\b")


def _units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Paragraphs and table rows; a paragraph too long to quote whole is cut into sentences."""
    return _split(text, start, end, whole_up_to=QUOTE_CHARS) or [(start, end)]


def _is_row(text: str, span: tuple[int, int]) -> bool:
    return row_at(text, span[0]) is not None or text.startswith("|", span[0])


def _rows_and_rest(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """text[start:end] as table rows (header and data rows, whole: an AsciiDoc row spans lines) and the
    stretches between them; a table's borders and `|---|` lines are neither."""
    out: list[tuple[int, int, bool]] = []
    pos = start
    for table in tables_in(text):
        if table.end <= start or table.start >= end:
            continue
        for a, b in table.units():
            if b <= start or a >= end:
                continue
            if a > pos and table.start > pos:
                out.append((pos, min(a, table.start, end), False))
            out.append((max(a, start), min(b, end), True))
            pos = max(pos, b)
        pos = max(pos, min(table.end, end))
    if pos < end:
        out.append((pos, end, False))
    return out


def sentences_and_rows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences, list items and table rows of text[start:end]; a row is never cut at a full stop."""
    return _split(text, start, end, whole_up_to=0)


def _split(text: str, start: int, end: int, *, whole_up_to: int) -> list[tuple[int, int]]:
    """Table rows whole, and each other block whole when a row or at most `whole_up_to` characters long,
    else cut into sentences."""
    units: list[tuple[int, int]] = []
    for a, b, row in _rows_and_rest(text, start, end):
        if row:
            units.append((a, b))
            continue
        for p, q in blocks(text, a, b):
            whole = q - p <= whole_up_to or _is_row(text, (p, q))
            units.extend([(p, q)] if whole else sentence_spans(text, p, q))
    return units


_ROW_LINE = re.compile(r"[ \t]*\|[^\n]*")
_SEPARATOR = re.compile(r"[ \t]*\|(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*")


def table_header(text: str, row_start: int) -> tuple[int, int] | None:
    """The header row of the table whose data row holds row_start (see `knowledge.tables`), if any."""
    if table_at(text, row_start) is not None:
        return header_of(text, row_start)
    return _pipe_header(text, row_start)


def _pipe_header(text: str, row_start: int) -> tuple[int, int] | None:
    """The row above a `|---|` line over the row at row_start (a table that starts inside a quote's text)."""
    if not text.startswith("|", row_start):
        return None
    lines: list[tuple[int, int]] = []  # the table's lines above the row, nearest first
    pos = text.rfind("\n", 0, row_start)
    while pos > 0:
        begin = text.rfind("\n", 0, pos) + 1
        if not _ROW_LINE.fullmatch(text, begin, pos):
            break
        lines.append((begin, pos))
        pos = begin - 1
    for i, (a, b) in enumerate(lines):
        if _SEPARATOR.fullmatch(text, a, b) and i + 1 < len(lines):
            head_a, head_b = lines[i + 1]
            return head_a + len(text[head_a:head_b]) - len(text[head_a:head_b].lstrip()), head_b
    return None


SEMANTIC_WEIGHT = 2.0  # what the sentence closest in meaning to the question adds to its unit's score
SEMANTIC_BAND = 0.03  # sentences within this cosine of the closest share the bonus, linearly
MEANING_SHARE = 0.5  # what each close sentence but the closest adds to a run of several
KIND_WEIGHT = 1.0  # what stating the kind of value asked for ("how long": a duration) adds to a unit's score


HEADING_CHARS = 80  # a unit this short, with no sentence's end, only heads what follows


def best_passage(
    text: str, start: int, end: int, question: str, closeness: Sequence[tuple[int, int, float]] = ()
) -> tuple[int, int]:
    """The span to quote from text[start:end]: the run of whole units that best covers the question.

    A unit's score is the question's words it holds (weighted by how few units hold them) plus, when the
    chunk's sentence vectors are given as `closeness` ((start, end, cosine to the question) per sentence), a
    bonus for holding the sentence closest in meaning: "can they close our ticket if we dont reply" shares no
    word with "multiple attempts to contact you have gone unanswered", but means it. A table row brings its
    table's header; a sub-clause brings the line that introduces it when there is room.
    """
    units = _units(text, start, end)
    terms = set(tokenize(question))
    unit_terms = [terms & set(tokenize(text[a:b])) for a, b in units]
    df = {t: sum(t in u for u in unit_terms) for t in terms}
    # a term found in every unit of the clause tells them apart less than one found in a single unit
    scores = [sum(math.log(1 + len(units) / df[t]) for t in u) for u in unit_terms]
    kinds = [HOLDS[k] for k in answer_kinds(question) if k in HOLDS]
    if kinds and len(units) > 1:  # "how long is the non-compete": the unit stating a duration
        for k, (a, b) in enumerate(units):
            if any(pattern.search(text, a, b) for pattern in kinds):
                scores[k] += KIND_WEIGHT
    meaning = [0.0] * len(units)  # a run is credited once for the sentence closest in meaning it holds
    if closeness and len(units) > 1:
        top = max(c for _a, _b, c in closeness)
        for k, (a, b) in enumerate(units):
            near = max((c for p, q, c in closeness if p < b and a < q), default=None)
            if near is not None and near > top - SEMANTIC_BAND:
                meaning[k] = SEMANTIC_WEIGHT * (near - (top - SEMANTIC_BAND)) / SEMANTIC_BAND
    if max(scores, default=0) == 0 and max(meaning, default=0) == 0:
        return units[0][0], min(end, _fit(units, 0))
    best, best_value = (0, 0), -1.0
    for i in range(len(units)):
        total, closest, close = 0.0, 0.0, 0.0
        for j in range(i, len(units)):
            if units[j][1] - units[i][0] > QUOTE_CHARS and j > i:
                break
            total += scores[j]
            closest, close = max(closest, meaning[j]), close + meaning[j]
            # the closest sentence in full, the other close ones at MEANING_SHARE: a long run of sentences near in
            # meaning must not outweigh the one stating what was asked
            value = total + closest + MEANING_SHARE * (close - closest) - 0.3 * (j - i)  # the tightest run on ties
            if value > best_value:
                best, best_value = (i, j), value
    i, j = best
    while j + 1 < len(units) and _is_heading(text, units[j]) and units[j + 1][1] - units[i][0] <= QUOTE_CHARS:
        j += 1  # a heading is no answer alone: "14.5  Severability" brings its clause
    if j + 1 < len(units) and _is_heading(text, units[j]):
        i = j = j + 1  # its clause is too long to quote with it: the clause, whose label the citation carries
    i = _with_context(text, units, i, j)
    return units[i][0], units[j][1]


# "7.2 Governing Law." run into its clause's text, as SEC exhibits print numbered clauses: a title, not a sentence
_NUMBERED_TITLE = re.compile(
    rf"(?:(?:Section|Article|Clause|\u00a7)\s*)?\d+(?:\.\d+)*\.?(?:\([a-z0-9]+\))*\s+[A-Z][\w'\u2019&/-]*(?:\s+{TITLE_WORD}){{0,8}}\."
)


def _is_heading(text: str, unit: tuple[int, int]) -> bool:
    """A unit that only heads what follows: a short line without a sentence's end, not a table row; a numbered
    title ending in a full stop ("7.2 Governing Law."); a short label introducing what follows ("Blocking Bug:")."""
    piece = text[unit[0] : unit[1]].strip()
    if len(piece) > HEADING_CHARS or "\n" in piece or piece.endswith("|"):
        return False
    if piece.endswith(":") or _NUMBERED_TITLE.fullmatch(piece):
        return True
    return not piece.endswith((".", ";", "!", "?"))


def _fit(units: list[tuple[int, int]], i: int) -> int:
    j = i
    while j + 1 < len(units) and units[j + 1][1] - units[i][0] <= QUOTE_CHARS:
        j += 1
    return units[j][1]


def _with_context(text: str, units: list[tuple[int, int]], i: int, j: int) -> int:
    """Move the start back to a table's header row just above, then to a line introducing what follows (':')."""

    def fits(start: int) -> bool:
        return units[j][1] - units[start][0] <= QUOTE_CHARS

    if _is_row(text, units[i]):
        header = table_header(text, units[i][0])
        if header is None:  # a table the tables reader does not know: walk back to its header rows
            while i > 0 and _is_row(text, units[i - 1]) and fits(i - 1):
                i -= 1
        elif i > 0 and units[i - 1] == header and fits(i - 1):
            i -= 1  # the first row under its header; other rows are cited with their header beside them
    if i > 0 and text[units[i - 1][0] : units[i - 1][1]].rstrip().endswith(":") and fits(i - 1):
        i -= 1
    return i


def definition_span(text: str, start: int, end: int, term: str) -> tuple[int, int]:
    """The paragraph (or, in a long one, the sentence) of text[start:end] where term is defined."""
    at = next((start + d.at for d in definitions_in(text[start:end]) if d.term.lower() == term.lower()), None)
    for a, b in _units(text, start, end):
        if at is not None and a <= at < b:
            return a, b
        if at is None and term.lower() in text[a:b].lower() and re.search(r"\bmean", text[a:b]):
            return a, b
    return start, end


def defined_terms(quote: str) -> list[str]:
    """Capitalised multi-word terms a clause relies on ("Service Credit", "Measurement Period")."""
    seen: list[str] = []
    for m in _DEFINED.finditer(quote):
        term = (m.group(1) or m.group(2)).strip()
        if term not in seen and len(term.split()) <= 4:
            seen.append(term)
    return seen
