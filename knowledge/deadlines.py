"""Deadline extraction: the dated obligations a contract states, drafted by rule, offline and deterministic.

The face of extraction (`extract_obligations` and the drafts it returns, `ObligationDraft` and `Duration`);
the reading is in `deadline_effective` (the effective date, the agreement's date), `deadline_terms` (the
initial term and its end, the renewal mechanism), `deadline_rules` (non-renewal and termination notice, cure
periods, credit-claim windows, report due dates, exit assistance), `deadline_values` (periods in words and
figures, calendar dates written any way) and `deadline_sentences` (the sentences read). Italian contracts are read
too ("ha durata quinquennale", "rinnovo tacito salvo disdetta ... almeno 6 (sei) mesi prima della scadenza",
"diffida ad adempiere entro 15 giorni", "entro 20 (venti) giorni solari dalla scadenza di ciascun trimestre");
their wordings are tried only in a document that reads as Italian (`deadline_values.reading`).

Every value keeps the span it came from: `draft.values[name].text == text[start:end]`, and the quote is the
sentence (or table row) holding the rule, read from the text's content blocks, so it never runs into page
furniture. What a document says is data: nothing in it is followed, only matched.
Bounded work: only the first `MAX_TEXT` characters are read and sentences over 3,000 characters are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from knowledge.deadline_drafts import Anchor, Direction, Duration, Kind, ObligationDraft, Renewal, Unit
from knowledge.deadline_effective import effective
from knowledge.deadline_rules import obligation_in
from knowledge.deadline_sentences import Sentences, content_sentences
from knowledge.deadline_terms import renewal, term_end
from knowledge.deadline_values import reading

__all__ = [
    "Anchor",
    "Direction",
    "Duration",
    "Kind",
    "ObligationDraft",
    "Renewal",
    "Unit",
    "extract_obligations",
]

MAX_TEXT = 2_000_000
MAX_OBLIGATIONS = 200


def extract_obligations(text: str, *, labels: Callable[[int], str | None] | None = None) -> list[ObligationDraft]:
    """Every dated obligation a document's extracted text states, each value a verbatim span: the effective date,
    the term's end and the renewal first, then the others in document order; [] for a document that states none.
    `labels(offset)` gives the clause label of the quote starting at that offset."""
    t = text[:MAX_TEXT]
    with reading(t):
        out = _obligations(t)
    if labels is not None:
        out = [replace(d, section=labels(d.quote.start)) for d in out]
    return out


def _obligations(t: str) -> list[ObligationDraft]:
    sentences = Sentences(content_sentences(t))
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
    return [*life, *periodic][:MAX_OBLIGATIONS]
