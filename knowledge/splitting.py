"""Splitting: cutting text longer than a chunk may be into windows of whole sentences.

A long span is split at sentence boundaries into windows of about `TARGET_CHARS`, overlapping by one
sentence; a sentence longer than a chunk may be (a 20 MB line) is first cut at whitespace, else anywhere.
Every window is an exact, whitespace-trimmed span of the text, never longer than `max_chars`.
"""

from __future__ import annotations

import re

from knowledge.sections import sentence_spans, trimmed

TARGET_CHARS = 700
_SPACE = re.compile(r"\s+")


def sentence_windows(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Windows of whole sentences of about TARGET_CHARS, overlapping by one sentence."""
    if end - start <= max_chars:
        return [(start, end)]
    target = min(TARGET_CHARS, max_chars)
    sentences = [piece for a, b in sentence_spans(text, start, end) for piece in _cut(text, a, b, max_chars)]
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
