"""A table row named by its key: "p1 initial response gov.uk pay" asks for the P1 row.

The rows of one table read alike (the same header, the same kinds of value), so meaning and BM25 often put the
wrong row first: "P3 | Significant | Paying users ... | 1 working day" for a P1 question (it shares "pay").
A row's first cell is its key ("P1", "Critical", "Credit Tier 4", "Medium"). When the first hit is a row whose
key the question does not name, and a row of the same table a little further down has a key the question names
in full (every word of it, as typed or as an abbreviation expands: "sev1" names "Severity 1"; a question in another
language by its words' English gloss too: "priorità alta" names "High"), that row leads.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.stored import StoredChunk
from knowledge.text import STOPWORDS, TOKEN
from knowledge.vocabulary import expand_query

WINDOW = 8  # how far down the ranking a named row is looked for


def _is_row(chunk: StoredChunk) -> bool:
    return chunk.text.lstrip().startswith("|")


def row_key(text: str) -> list[str]:
    """The words of a row's first cell that are not stop words ('|# P1 | Critical |' -> ['p1'])."""
    line = text.lstrip().split("\n", 1)[0]
    for cell in line.strip().strip("|").split("|"):
        words = [w for w in TOKEN.findall(cell.lower()) if w not in STOPWORDS]
        if words:
            return words
    return []


def named_row(question: str, chunks: Sequence[StoredChunk], glossed: str = "") -> int | None:
    """The position (in `chunks`, best first) of the row that should lead, or None to keep the order. `glossed`:
    the English gloss of a question in another language (`knowledge.glossary.gloss`)."""
    if not chunks or not _is_row(chunks[0]):
        return None
    asked = set(TOKEN.findall(f"{expand_query(question)} {glossed}".lower()))
    lead = chunks[0]
    key = row_key(lead.text)
    if not key or set(key) & asked:
        return None
    for i, chunk in enumerate(chunks[1:WINDOW], 1):
        if chunk.document != lead.document or chunk.heading != lead.heading or not _is_row(chunk):
            continue
        words = row_key(chunk.text)
        if words and set(words) <= asked:
            return i
    return None
