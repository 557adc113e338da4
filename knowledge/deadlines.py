"""Deadline extraction: the dated obligations a contract states, drafted by rule, offline and deterministic.

The face of extraction (`extract_obligations` and the drafts it returns, `ObligationDraft` and `Duration`);
the reading is in `deadline_terms` (the effective date, the initial term and its end, the renewal mechanism),
`deadline_rules` (non-renewal and termination notice, cure periods, credit-claim windows, report due dates,
exit assistance) and `deadline_values` (periods in words and figures, calendar dates written any way).

Every value keeps the span it came from: `draft.values[name].text == text[start:end]`, and the quote is the
sentence (or table row) holding the rule, read from the text's content blocks, so it never runs into page
furniture. What a document says is data: nothing in it is followed, only matched.
Bounded work: only the first `MAX_TEXT` characters are read and sentences over 3,000 characters are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from knowledge.deadline_drafts import Anchor, Direction, Duration, Kind, ObligationDraft, Renewal, Unit
from knowledge.deadline_rules import obligation_in
from knowledge.deadline_terms import Sentences, effective, renewal, term_end
from knowledge.furniture import content_blocks
from knowledge.sections import sentence_spans
from knowledge.tables import table_at

__all__ = [
    "Anchor",
    "Direction",
    "Duration",
    "Kind",
    "ObligationDraft",
    "Renewal",
    "Unit",
    "extract_obligations",
    "sentence_spans_of",
]

MAX_TEXT = 2_000_000
MAX_OBLIGATIONS = 200
_HEADING = re.compile(r"#{1,6}[ \t]")


def extract_obligations(text: str, *, labels: Callable[[int], str | None] | None = None) -> list[ObligationDraft]:
    """Every dated obligation a document's extracted text states, each value a verbatim span, in document order
    (the effective date, the term's end and the renewal first); [] for a document that states none."""
    t = text[:MAX_TEXT]
    sentences = Sentences(sentence_spans_of(t))
    life = [d for d in (effective(t, sentences), term_end(t, sentences), renewal(t, sentences)) if d is not None]
    periodic: list[ObligationDraft] = []
    seen: set[tuple[str, int]] = set()
    for a, b in sentences.spans:
        if b - a > 3000:
            continue
        found = obligation_in(t, a, b)
        if found is not None and (found.kind, found.rule.start) not in seen:
            seen.add((found.kind, found.rule.start))
            periodic.append(found)
    out = [*life, *periodic][:MAX_OBLIGATIONS]
    if labels is not None:
        out = [replace(d, section=labels(d.quote.start)) for d in out]
    return out


def sentence_spans_of(text: str) -> list[tuple[int, int]]:
    """The sentences of a text's content blocks (page furniture left out), each table row as one, no headings."""
    out: list[tuple[int, int]] = []
    for a, b, _ in content_blocks(text):
        if _HEADING.match(text, a):
            continue
        if table_at(text, a) is not None:
            pos = a
            for line in text[a:b].split("\n"):
                if line.strip() and not re.fullmatch(r"[\s|:+=-]*", line):
                    lead = len(line) - len(line.lstrip())
                    out.append((pos + lead, pos + len(line.rstrip())))
                pos += len(line) + 1
            continue
        out.extend(sentence_spans(text, a, b))
    return out
