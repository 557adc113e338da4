"""The direct answer line: the sentence or table row of the lead clause that holds what was asked.

The lead citation's quote is cut into sentences and table rows (`knowledge.quotes.sentences_and_rows`);
each is scored by whether it holds a value of a kind the question asks for (`knowledge.asking`,
`knowledge.values`) and by how many of the question's content words (stemmed) it shares. The best one is
the line, quoted verbatim, with the value inside it to be emphasised (`Direct`). When no line holds a value of
the kind asked, or the question asks what a thing is or covers, the line holding most of the question (its rare
words weighing more) is the answer, the whole line its value (kind "line"). No line carries the answer -> None:
better no line than a wrong one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from knowledge.asking import (
    ACCEPTS,
    asked_kinds,
    asks_for_a_length,
    asks_for_a_line,
    matches,
    matches_any,
    question_terms,
)
from knowledge.lexical import text_language
from knowledge.placeholders import inside_any, placeholders_in, readable
from knowledge.quotes import sentences_and_rows, table_header
from knowledge.ranges import bands, measured
from knowledge.tables import cells as row_cells
from knowledge.tables import row_at
from knowledge.text import tokenize
from knowledge.values import PATTERNS, QUALIFIED, STRENGTH, defined_spans, values_in

MIN_COVERAGE = 0.2  # share of the question's content words a line must hold
YES_NO_COVERAGE = 0.34  # a line answering only "can/may/is ...?" must hold more: cues are in every clause
LINE_COVERAGE = 0.4  # a line holding no value of the kind asked must hold this much of the question (and 2 words)
LINE_LEAD = 0.4  # ... and it beats a line holding a value only when it holds that much more of the question,
WEAK_COVERAGE = 0.35  # and that line holds less than this of it (a web address in a line about something else)
TITLE_WEIGHT = 0.3  # a question word that names the document ("in the common paper sla") says little of the line
RELATIVE_PENALTY = 0.3  # a duration counted from an event ("60 days in advance of"), asked how long a term lasts
# what makes a duration a time before an event rather than a length: "(15) days before the end" ("a warranty of 90
# days after delivery" is a length)
_RELATIVE = re.compile(r"\s*(?:\w+\s+)?(?:before|prior\s+to|in\s+advance)\b", re.I)
DEFINITION_WEIGHT = 0.5  # a line defining the term the question names answers it, after a value of the asked kind


@dataclass(frozen=True)
class Direct:
    """The line that answers: `text == extracted_text[start:end]` of `document`; the value is a span inside it."""

    text: str
    document: str
    start: int
    end: int
    value_start: int
    value_end: int
    kind: str
    title: str = ""
    section: str | None = None
    page: int | None = None
    header: str | None = None  # a table row's header row, verbatim
    header_start: int | None = None
    placeholders: tuple[tuple[int, int], ...] = ()  # template slots in the line and header (document offsets)

    @property
    def value(self) -> str:
        return self.text[self.value_start - self.start : self.value_end - self.start]

    def parts(self) -> tuple[str, str, str]:
        """(before, value, after): the line around its emphasised value."""
        a, b = self.value_start - self.start, self.value_end - self.start
        return self.text[:a], self.text[a:b], self.text[b:]

    def shifted(self, by: int) -> Direct:
        """The same line with its offsets moved by `by` (found in a quote, placed in its document)."""
        header_start = self.header_start + by if self.header_start is not None else None
        return replace(
            self,
            start=self.start + by,
            end=self.end + by,
            value_start=self.value_start + by,
            value_end=self.value_end + by,
            header_start=header_start,
            placeholders=tuple((a + by, b + by) for a, b in self.placeholders),
        )

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "document": self.document,
            "start": self.start,
            "end": self.end,
            "value": {"start": self.value_start, "end": self.value_end, "text": self.value, "kind": self.kind},
            "title": self.title,
            "section": self.section,
            "page": self.page,
        }
        if self.header is not None and self.header_start is not None:
            d["header"] = {"text": self.header, "start": self.header_start, "end": self.header_start + len(self.header)}
        if self.placeholders:
            d["placeholders"] = [[a, b] for a, b in self.placeholders]
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Direct | None:
        """A direct line as `as_dict` recorded it, or None (also for one whose value falls outside it)."""
        if not isinstance(data, dict):
            return None
        try:
            text, start, end = str(data["text"]), int(data["start"]), int(data["end"])
            value = data.get("value") or {}
            v_start, v_end = int(value.get("start", start)), int(value.get("end", start))
        except (KeyError, TypeError, ValueError):
            return None
        if not (start <= v_start <= v_end <= end) or end - start != len(text):
            return None
        header = data.get("header") if isinstance(data.get("header"), dict) else None
        slots = tuple(
            (int(p[0]), int(p[1]))
            for p in data.get("placeholders") or []
            if isinstance(p, list | tuple) and len(p) == 2 and all(isinstance(v, int) for v in p)
        )
        return cls(
            text=text,
            document=str(data.get("document", "")),
            start=start,
            end=end,
            value_start=v_start,
            value_end=v_end,
            kind=str(value.get("kind", "")),
            title=str(data.get("title") or ""),
            section=data.get("section"),
            page=data.get("page"),
            header=str(header["text"]) if header else None,
            header_start=int(header["start"]) if header else None,
            placeholders=slots,
        )


_LEADING_MARKER = re.compile(r"[\"\u201c]?(?:\(?[0-9]{1,2}(?:\.[0-9]{1,3})*\.?\)?|\([a-z]{1,4}\)|[A-Z]\.)[ \t]+(?=\S)")


# -- choosing the line ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Candidate:
    score: float
    start: int
    end: int
    value: tuple[int, int]
    kind: str
    header: tuple[int, int] | None
    coverage: float


def direct_for(
    question: str,
    text: str,
    *,
    document: str,
    start: int,
    end: int,
    title: str = "",
    section: str | None = None,
    page: int | None = None,
    section_at: Callable[[int], str | None] | None = None,
    around: tuple[int, int] | None = None,
) -> Direct | None:
    """The direct line of the quote text[start:end] of a document, or None when no line carries the answer.

    section_at, when given, labels the line itself (a quote of 5.1 and 5.2 whose line is in 5.2). With
    around, only lines of text[start:end] that overlap it count (a model's quote is a fragment of a clause:
    its line is the whole sentence the fragment is in).
    """
    found = find_direct(question, text, start, end, around, title)
    if found is None or found.kind == "line":  # a cell of the column the question names says more than its row
        found = row_cell(question, text, start, end) or found
    if found is None:
        return None
    header = text[found.header[0] : found.header[1]] if found.header else None
    slots = placeholders_in(text, found.start, found.end)
    if found.header:
        slots = placeholders_in(text, *found.header) + slots
    return Direct(
        text=text[found.start : found.end],
        document=document,
        start=found.start,
        end=found.end,
        value_start=found.value[0],
        value_end=found.value[1],
        kind=found.kind,
        title=title,
        section=(section_at(found.start) if section_at else None) or section,
        page=page,
        header=header,
        header_start=found.header[0] if found.header else None,
        placeholders=tuple(slots),
    )


def find_direct(
    question: str, text: str, start: int, end: int, around: tuple[int, int] | None = None, title: str = ""
) -> _Candidate | None:
    """The sentence or table row of text[start:end] (overlapping around) holding the asked value, or None."""
    kinds = asked_kinds(question)
    terms = question_terms(question, text_language(text[start:end]))
    named = set(tokenize(title))
    if named and any(t not in named for t in terms):
        terms = {t: w * TITLE_WEIGHT if t in named else w for t, w in terms.items()}
    line_allowed = asks_for_a_line(question, kinds)
    if not (kinds or line_allowed) or not terms:
        return None
    wanted: dict[str, float] = {}  # value kind -> how much it is wanted
    for rank, kind in enumerate(kinds):
        for place, value_kind in enumerate(ACCEPTS[kind]):
            weight = (1.0 if rank == 0 else 0.7) * (1.0 if place == 0 else 0.6)
            wanted[value_kind] = max(wanted.get(value_kind, 0.0), weight * STRENGTH.get(value_kind, 1.0))
    if kinds and "yesno" not in kinds:
        wanted.setdefault("defines", DEFINITION_WEIGHT)  # "whats the general cap": the line defining it
    total = sum(terms.values())
    lines: list[tuple[int, int, int, set[str]]] = []  # (index, start, end, the words of the heading above it)
    heading: set[str] = set()  # the words of the heading the line is under ("6.1 Fees.")
    for index, (a, b) in enumerate(sentences_and_rows(text, start, end)):
        a = _without_marker(text, a, b)
        if text.startswith("#", a) and (cut := text.find("\n", a, b)) > 0 and text[cut:b].strip():
            heading = set(tokenize(text[a:cut]))  # "## Service Credits Redemption\nIf GitHub does not ...": the
            a = cut + 1 + len(text[cut + 1 : b]) - len(text[cut + 1 : b].lstrip())  # heading, then its sentence
        if _is_heading(text[a:b]):
            heading = set(tokenize(text[a:b]))
            continue  # a heading names a topic, it answers nothing
        if b - a < 8 or (around is not None and not (a < around[1] and around[0] < b)):
            continue
        lines.append((index, a, b, heading))
    rare = _rarity(text, lines, terms)
    bound = not asks_for_a_length(question)  # "within", "at least" qualify a deadline, not how long a term lasts
    best: _Candidate | None = None
    line: _Candidate | None = None  # the line holding most of the question, should none hold a value asked
    for index, a, b, above in lines:
        candidate = _score(text, a, b, index, terms, total, wanted, above, rare, bound) if wanted else None
        if candidate is not None and (best is None or candidate.score > best.score):
            best = candidate
        if line_allowed:
            said = _said(text, a, b, index, terms, total, above, rare)
            if said is not None and (line is None or said.score > line.score):
                line = said
    if (
        best is not None
        and line is not None
        and (best.coverage >= WEAK_COVERAGE or line.coverage < best.coverage + LINE_LEAD)
    ):
        return best
    return line or best


def _rarity(text: str, lines: list[tuple[int, int, int, set[str]]], terms: dict[str, float]) -> dict[str, float]:
    """How much each question word tells the lines of a quote apart: a word every line holds (the party's name
    in a preamble) tells little, a word one line holds ("expired") much (1 + log(lines / lines holding it))."""
    held = [set(tokenize(text[a:b])) for _, a, b, _ in lines]
    rare = {}
    for t in terms:
        count = sum(1 for tokens in held if matches(t, tokens))
        rare[t] = 1.0 + math.log(len(held) / count) if count else 1.0
    return rare


def _ranked(terms: dict[str, float], rare: dict[str, float], matched: set[str], in_context: set[str]) -> float:
    """The share of the question a line holds, each word weighed by its rarity among the quote's lines."""
    whole = sum(w * rare[t] for t, w in terms.items())
    held = sum(terms[t] * rare[t] for t in matched) + 0.5 * sum(terms[t] * rare[t] for t in in_context)
    return held / whole if whole else 0.0


def _said(
    text: str,
    a: int,
    b: int,
    index: int,
    terms: dict[str, float],
    total: float,
    heading: set[str],
    rare: dict[str, float],
) -> _Candidate | None:
    """The line text[a:b] as the answer when it holds most of the question's words but no value of a kind asked
    ("what internet connection does i-on provide" -> "connectivity to the Internet via a T1 ..."): the whole line
    is what it says, its value."""
    header = table_header(text, a)
    tokens = set(tokenize(readable(text, a, b)))
    matched = {t for t in terms if matches(t, tokens)}
    context = set(tokenize(text[header[0] : header[1]])) if header else heading
    in_context = {t for t in terms if t not in matched and matches(t, context)}
    coverage = (sum(terms[t] for t in matched) + 0.5 * sum(terms[t] for t in in_context)) / total
    if coverage < LINE_COVERAGE or len(matched | in_context) < 2 or not matched:
        return None
    if len(tokens) < 4 or not tokens - {t for t in tokens if matches_any(t, terms)}:
        return None  # "Performance attribution.": a line that says no more than the question
    slots = placeholders_in(text, a, b)
    if not any(ch.isalnum() for i, ch in enumerate(text[a:b], a) if not inside_any(slots, i, i + 1)):
        return None
    score = _ranked(terms, rare, matched, in_context) - 0.01 * index - 0.0002 * (b - a)
    return _Candidate(score, a, b, (a, b), "line", header, coverage)


def row_cell(question: str, text: str, start: int, end: int) -> _Candidate | None:
    """A quote of one table row whose column the question names ("initial response", "compensation"): that cell.

    The cell that holds a measurement the question states ("uptime was 99.96%") is what the question knows,
    not what it asks; a cell that is only a template placeholder is no answer.
    """
    found = row_at(text, start)
    terms = question_terms(question, text_language(text[start:end]))
    if found is None or not terms:
        return None
    table, row = found
    if table.header is None or row == table.header or end > row[1]:
        return None
    heads = [set(tokenize(readable(text, a, b))) for a, b in row_cells(text, table.header)]
    stated = measured(question)
    spans = row_cells(text, row)
    holds = [any(bd.kind == k and bd.holds(v) for k, v in stated for bd in bands(text[a:b])) for a, b in spans]
    own = [{t for t in terms if matches(t, set(tokenize(readable(text, a, b))))} for a, b in spans]
    best: tuple[float, int, int, int] | None = None
    for column, (a, b) in enumerate(spans):
        if column >= len(heads) or a == b or holds[column]:
            continue  # the cell of a stated measurement is what the question knows, not what it asks
        named = sum(
            w
            for t, w in terms.items()
            if matches(t, heads[column]) and not any(t in o for i, o in enumerate(own) if i != column)
        )
        slots = placeholders_in(text, a, b)
        rest = "".join(ch for i, ch in enumerate(text[a:b], a) if not inside_any(slots, i, i + 1))
        if named and any(ch.isalnum() for ch in rest) and (best is None or named > best[0]):
            best = (named, a, b, column)
    if best is None:
        return None
    others = [i for i in range(len(spans)) if i != best[3]]
    if best[3] != 0 and not any(holds[i] or own[i] for i in others):
        return None  # nothing in the row says it is the row asked about ("cap on compensation": any row)
    coverage = best[0] / sum(terms.values())
    return _Candidate(coverage, row[0], row[1], (best[1], best[2]), "cell", table.header, coverage)


def _without_marker(text: str, a: int, b: int) -> int:
    m = _LEADING_MARKER.match(text, a, b)
    return m.end() if m and m.end() < b and row_at(text, a) is None else a


def _is_heading(line: str) -> bool:
    """A markdown heading, or a clause's title on its own: "Initial Term.", "Service Credits:"."""
    if line.startswith("#"):
        return True
    words = re.findall(r"[A-Za-z][\w'-]*", line)
    long_words = [w for w in words if len(w) > 3]
    return (
        0 < len(words) <= 8
        and bool(re.fullmatch(r"[^.:;\n]+[.:]?", line))
        and all(w[0].isupper() for w in long_words)
        and not any(p.search(line) for p in PATTERNS.values())
    )


def _score(
    text: str,
    a: int,
    b: int,
    index: int,
    terms: dict[str, float],
    total: float,
    wanted: dict[str, float],
    heading: set[str],
    rare: dict[str, float],
    bound: bool = True,
) -> _Candidate | None:
    header = table_header(text, a)
    line_tokens = set(tokenize(text[a:b]))
    header_tokens = set(tokenize(text[header[0] : header[1]])) if header else heading
    matched = {t for t in terms if matches(t, line_tokens)}
    in_header = {t for t in terms if t not in matched and matches(t, header_tokens)}
    coverage = (sum(terms[t] for t in matched) + 0.5 * sum(terms[t] for t in in_header)) / total
    only_yes_no = set(wanted) <= {"negative", "permission", "obligation"}
    if not matched or coverage < (YES_NO_COVERAGE if only_yes_no else MIN_COVERAGE):
        return None
    value = _best_value(text, a, b, terms, wanted, header, bound)
    if value is None:
        return None
    span, kind, value_score = value
    # what was asked first, then the question's words; the first, tighter line on ties
    score = 2 * value_score + _ranked(terms, rare, matched, in_header) - 0.01 * index - 0.0005 * (b - a)
    return _Candidate(score, a, b, span, kind, header, coverage)


def _best_value(
    text: str,
    a: int,
    b: int,
    terms: dict[str, float],
    wanted: dict[str, float],
    header: tuple[int, int] | None,
    bound: bool = True,
) -> tuple[tuple[int, int], str, float] | None:
    """The value of a wanted kind in text[a:b] nearest the question's words (in a row: in the best cell)."""
    question_words = [
        (m.start(), m.end()) for m in re.finditer(r"[A-Za-z0-9][\w'-]*", text[a:b]) if matches_any(m.group(), terms)
    ]
    cells = _cells(text, a, b, header) if header else None
    slots = placeholders_in(text, a, b)
    best: tuple[tuple[int, int], str, float] | None = None
    for kind, weight in wanted.items():
        if kind in {"definition", "defines"}:
            spans = defined_spans(text, a, b, set(terms), named=kind == "definition")
        else:
            spans = values_in(kind, text, a, b, terms)
        for s, e in spans:
            if inside_any(slots, s, e):
                continue  # a template slot is no value, whatever it reads like
            if cells is not None:
                near = _cell_overlap(cells, s, terms)
            else:
                near = sum(1 / (1 + _distance(s - a, e - a, w) / 25) for w in question_words)
            qualified = 0.1 if bound and QUALIFIED.match(text, s, e) else 0.0  # "within 20 days", "no later than"
            if not bound and kind == "duration" and _RELATIVE.match(text, e, min(b, e + 40)):
                qualified = -RELATIVE_PENALTY  # "how long is the term": "15 days before the end" is a notice, no length
            score = weight + qualified + 0.1 * min(near, 2.0) + (0.2 if matches_any(text[s:e], terms) else 0.0)
            if best is None or score > best[2]:
                best = ((s, e), "definition" if kind == "defines" else kind, score)
    return best


def _distance(s: int, e: int, word: tuple[int, int]) -> int:
    if word[1] <= s:
        return s - word[1]
    if word[0] >= e:
        return word[0] - e
    return 0


def _cells(text: str, a: int, b: int, header: tuple[int, int]) -> list[tuple[int, int, set[str], set[str]]]:
    """A row's cells as (start, end, the cell's words, its column header's words)."""
    heads = [readable(text, s, e) for s, e in row_cells(text, header)]
    out = []
    for column, (s, e) in enumerate(row_cells(text, (a, b))):
        head = heads[column] if column < len(heads) else ""
        out.append((s, e, set(tokenize(text[s:e])), set(tokenize(head))))
    return out


def _cell_overlap(cells: list[tuple[int, int, set[str], set[str]]], position: int, terms: dict[str, float]) -> float:
    """How much the cell at position and its column's header hold of the question; a word another cell of the
    row holds names the row ("support entitlements"), not the column."""
    for index, (s, e, own, head) in enumerate(cells):
        if s <= position < e:
            elsewhere: set[str] = set().union(*(c[2] for i, c in enumerate(cells) if i != index))
            return sum(w for t, w in terms.items() if matches(t, own)) + sum(
                w for t, w in terms.items() if matches(t, head) and not matches(t, elsewhere)
            )
    return 0.0
