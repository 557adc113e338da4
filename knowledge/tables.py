"""Tables in a document's text: where each table, its header row and its data rows lie.

Read, never rewritten: every span is an exact, whitespace-trimmed offset into the extracted text, so a row
is quoted verbatim and its header row is quoted beside it as a span of its own. Kinds:

- pipe: Markdown tables, with or without outer pipes; the line above a `|---|` line is the header. A run of
  lines that all start with `|` is a table even without one (then it has no header). The HTML and Word
  readers write their tables this way.
- asciidoc: `|===` blocks, cells opening with `|`; `cols` (or the cells of the first line) says how many
  cells make a row; the first row is the header with `options="header"`, `%header`, or when it fills the
  first line alone, followed by a blank line.
- grid: reStructuredText `+---+` tables; the rows above a `+===+` border are the header.
- simple: reStructuredText `===  ===` tables; a header sits between the first two rules when there are three.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

Span = tuple[int, int]

_SEPARATOR = re.compile(r"[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*")
_LEADING_PIPE = re.compile(r"[ \t]*\|")
_ADOC_FENCE = re.compile(r"\|={3,}[ \t]*")
_ADOC_ATTRS = re.compile(r"\[[^\]\n]*\][ \t]*")
_ADOC_CELL = re.compile(r"(?:^|(?<=[ \t]))(?<!\\)\|", re.MULTILINE)
_GRID_BORDER = re.compile(r"[ \t]*\+(?:[-=]+\+)+[ \t]*")
_GRID_LINE = re.compile(r"[ \t]*[|+]")
_SIMPLE_RULE = re.compile(r"[ \t]*=+(?:[ \t]+=+)+[ \t]*")
_SIMPLE_LINES = 400  # a simple table's rules are looked for this many lines down at most


@dataclass(frozen=True)
class Table:
    """One table: its whole span, its header row (if it has one) and its data rows, in order."""

    start: int
    end: int
    header: Span | None
    rows: tuple[Span, ...]
    kind: str  # pipe | asciidoc | grid | simple

    def row_at(self, pos: int) -> Span | None:
        """The data row holding offset pos, if any."""
        at = bisect.bisect_right([a for a, _ in self.rows], pos) - 1
        if at >= 0 and self.rows[at][0] <= pos < self.rows[at][1]:
            return self.rows[at]
        return None

    def units(self) -> list[Span]:
        """The header row and data rows, in document order."""
        return [*([self.header] if self.header else []), *self.rows]


def tables_in(text: str) -> tuple[Table, ...]:
    """Every table of the text, in order (computed once per text and kept for the last few texts)."""
    return _tables(text)


def table_at(text: str, pos: int) -> Table | None:
    """The table whose span holds offset pos."""
    tables = tables_in(text)
    at = bisect.bisect_right([t.start for t in tables], pos) - 1
    return tables[at] if at >= 0 and pos < tables[at].end else None


def row_at(text: str, pos: int) -> tuple[Table, Span] | None:
    """The table and the row (header row or data row) that hold offset pos."""
    table = table_at(text, pos)
    if table is None:
        return None
    if table.header and table.header[0] <= pos < table.header[1]:
        return table, table.header
    row = table.row_at(pos)
    return (table, row) if row else None


def header_of(text: str, pos: int) -> Span | None:
    """The header row of the table whose data row holds pos (None on a header row or outside a table)."""
    table = table_at(text, pos)
    return table.header if table is not None and table.row_at(pos) else None


def cells(text: str, span: Span) -> list[Span]:
    """The cells of a row, empty ones included (as empty spans) so columns line up with the header's.

    Pipe and AsciiDoc rows split at `|` (nothing after a closing `|`); simple RST rows at runs of 2+ spaces.
    """
    a, b = span
    row = text[a:b]
    if "|" not in row:
        return [(a + m.start(), a + m.end()) for m in re.finditer(r"\S+(?: \S+)*", row)]
    stripped = row.lstrip()
    out: list[Span] = []
    pos = a + len(row) - len(stripped) + 1 if stripped.startswith("|") else a
    while pos <= b:
        bar = text.find("|", pos, b)
        stop = bar if bar >= 0 else b
        piece = text[pos:stop]
        if bar < 0 and not piece.strip() and out:
            break  # after the closing bar
        lead = len(piece) - len(piece.lstrip())
        out.append((pos + lead, pos + len(piece.rstrip())) if piece.strip() else (pos, pos))
        if bar < 0:
            break
        pos = bar + 1
    return out


def flat(text: str, span: Span, limit: int = 100) -> str:
    """A row's cells on one line joined by ' | ', each cut to its share of limit (for context, never quoted)."""
    words = [" ".join(text[a:b].replace("|", " ").split()) for a, b in cells(text, span)]
    words = [w for w in words if any(ch.isalnum() for ch in w)]
    share = max(12, limit // max(len(words), 1) - 3)
    return " | ".join(w if len(w) <= share else w[: share - 1].rstrip() + "\u2026" for w in words)


# -- finding tables --------------------------------------------------------------------------------
def trim(text: str, a: int, b: int) -> Span:
    """text[a:b] without the whitespace at its ends, as a span."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _lines(text: str) -> list[Span]:
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    ends = [s - 1 for s in starts[1:]] + [len(text)]
    return list(zip(starts, ends, strict=True))


@lru_cache(maxsize=16)
def _tables(text: str) -> tuple[Table, ...]:
    if "|" not in text and "==" not in text:
        return ()
    lines = _lines(text)
    found: list[Table] = []
    i = 0
    while i < len(lines):
        table, i_next = None, i + 1
        for reader in (_asciidoc, _grid, _simple, _pipe):
            result = reader(text, lines, i)
            if result is not None:
                table, i_next = result
                break
        if table is not None and table.rows:
            found.append(table)
        i = max(i_next, i + 1)
    return tuple(found)


def _blank(text: str, line: Span) -> bool:
    return not text[line[0] : line[1]].strip()


def _pipe(text: str, lines: list[Span], i: int) -> tuple[Table, int] | None:
    def has_pipe(k: int) -> bool:
        return k < len(lines) and "|" in text[lines[k][0] : lines[k][1]]

    if not has_pipe(i):
        return None
    j = i
    while has_pipe(j):
        j += 1
    run = lines[i:j]
    separators = [k for k, (a, b) in enumerate(run) if _SEPARATOR.fullmatch(text, a, b)]
    if not separators and (len(run) < 2 or not all(_LEADING_PIPE.match(text, a, b) for a, b in run)):
        return None
    header_at = separators[0] - 1 if separators and separators[0] > 0 else None
    header = trim(text, *run[header_at]) if header_at is not None else None
    rows = tuple(trim(text, a, b) for k, (a, b) in enumerate(run) if k not in separators and k != header_at)
    start, end = trim(text, run[0][0], run[-1][1])
    return Table(start, end, header, rows, "pipe"), j


def _asciidoc(text: str, lines: list[Span], i: int) -> tuple[Table, int] | None:
    a, b = lines[i]
    attrs = ""
    fence = i
    if _ADOC_ATTRS.fullmatch(text, a, b) and i + 1 < len(lines) and _ADOC_FENCE.fullmatch(text, *lines[i + 1]):
        attrs, fence = text[a:b], i + 1
    elif not _ADOC_FENCE.fullmatch(text, a, b):
        return None
    close = next((k for k in range(fence + 1, len(lines)) if _ADOC_FENCE.fullmatch(text, *lines[k])), None)
    if close is None:
        return None
    body_start, body_end = lines[fence][1] + 1, lines[close][0]
    starts = [body_start + m.start() for m in _ADOC_CELL.finditer(text[body_start:body_end])]
    if not starts:
        return None
    first_line = next(k for k in range(fence + 1, close) if not _blank(text, lines[k]))
    on_first = sum(1 for s in starts if lines[first_line][0] <= s <= lines[first_line][1])
    columns = _columns(attrs) or max(on_first, 1)
    rows: list[Span] = []
    for k in range(0, len(starts), columns):
        group = starts[k : k + columns]
        stop = starts[k + columns] if k + columns < len(starts) else body_end
        rows.append(trim(text, group[0], stop))
    implicit = (
        on_first == columns
        and first_line + 1 < close
        and _blank(text, lines[first_line + 1])
        and "noheader" not in attrs
    )
    header = rows.pop(0) if rows and ("header" in attrs and "noheader" not in attrs or implicit) else None
    start, end = trim(text, a, lines[close][1])
    return Table(start, end, header, tuple(rows), "asciidoc"), close + 1


def _columns(attrs: str) -> int:
    m = re.search(r"cols\s*=\s*\"?([^\",\]]+(?:,[^\",\]]+)*)\"?", attrs)
    if not m:
        return 0
    spec = m.group(1).strip()
    if re.fullmatch(r"[0-9]+\*.*", spec):
        return int(spec.split("*")[0])
    return len(spec.split(","))


def _grid(text: str, lines: list[Span], i: int) -> tuple[Table, int] | None:
    if not _GRID_BORDER.fullmatch(text, *lines[i]):
        return None
    j = i + 1
    while j < len(lines) and _GRID_LINE.match(text, *lines[j]) and not _blank(text, lines[j]):
        j += 1
    while j > i + 1 and not _GRID_BORDER.fullmatch(text, *lines[j - 1]):
        j -= 1  # the table ends at its last border
    if j <= i + 1:
        return None
    groups: list[tuple[Span, bool]] = []  # (rows between two borders, whether '=' closes them)
    begin = None
    for k in range(i, j):
        a, b = lines[k]
        if _GRID_BORDER.fullmatch(text, a, b):
            if begin is not None:
                groups.append((trim(text, lines[begin][0], lines[k - 1][1]), "=" in text[a:b]))
            begin = None
        elif begin is None:
            begin = k
    header_at = next((n for n, (_, head) in enumerate(groups) if head), None)
    header = None
    if header_at is not None:
        header = (groups[0][0][0], groups[header_at][0][1])
    rows = tuple(g for n, (g, _) in enumerate(groups) if header_at is None or n > header_at)
    start, end = trim(text, lines[i][0], lines[j - 1][1])
    return Table(start, end, header, rows, "grid"), j


def _simple(text: str, lines: list[Span], i: int) -> tuple[Table, int] | None:
    if not _SIMPLE_RULE.fullmatch(text, *lines[i]):
        return None
    rules = [i]
    k = i + 1
    while k < min(len(lines), i + _SIMPLE_LINES) and len(rules) < 3:
        if _SIMPLE_RULE.fullmatch(text, *lines[k]):
            rules.append(k)
        elif _blank(text, lines[k]) and len(rules) == 2:
            break  # a blank line after the second rule: a table without a header ends there
        k += 1
    if len(rules) < 2:
        return None
    first_column = len(text[lines[i][0] : lines[i][1]]) - len(text[lines[i][0] : lines[i][1]].lstrip())

    def rows_between(top: int, bottom: int) -> list[Span]:
        out: list[Span] = []
        for n in range(top + 1, bottom):
            a, b = lines[n]
            if _blank(text, (a, b)):
                continue
            line = text[a:b]
            continuation = len(line) - len(line.lstrip()) > first_column
            if continuation and out:
                out[-1] = (out[-1][0], trim(text, a, b)[1])
            else:
                out.append(trim(text, a, b))
        return out

    if len(rules) == 3:
        heads = rows_between(rules[0], rules[1])
        header = (heads[0][0], heads[-1][1]) if heads else None
        rows = rows_between(rules[1], rules[2])
    else:
        header, rows = None, rows_between(rules[0], rules[1])
    last = rules[-1]
    start, end = trim(text, lines[i][0], lines[last][1])
    return Table(start, end, header, tuple(rows), "simple"), last + 1
