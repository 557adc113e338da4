"""The sentences deadline extraction reads: those of a text's content blocks (page furniture left out, so a quote
never runs into a running header), each table row as one, no headings; and the one holding an offset."""

from __future__ import annotations

import re
from bisect import bisect_right

from knowledge.furniture import content_blocks
from knowledge.sections import sentence_spans
from knowledge.tables import table_at

_HEADING = re.compile(r"#{1,6}[ \t]")


class Sentences:
    """A document's sentence spans, and the one holding an offset."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self._starts = [a for a, _ in spans]

    def at(self, offset: int) -> tuple[int, int] | None:
        i = bisect_right(self._starts, offset) - 1
        if i >= 0 and self.spans[i][0] <= offset < self.spans[i][1]:
            return self.spans[i]
        return None


def content_sentences(text: str) -> list[tuple[int, int]]:
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
