"""The lexical side of retrieval: tokens, BM25 over chunks and over document headers, vocabulary."""

from __future__ import annotations

import functools
import logging

import bm25s
import numpy as np

from knowledge.signals import HOLDS, PREAMBLE, looks_like_contents
from knowledge.stored import StoredChunk, StoredDocument
from knowledge.text import tokenize

logging.getLogger("bm25s").setLevel(logging.WARNING)

BM25_K1 = 1.5
BM25_B = 0.75
OPENING_CHARS = 1500  # chunks starting this early make up a document's opening


class ChunkIndex:
    """BM25 over the chunks one side may read, with the per-chunk cues retrieval ranks by."""

    def __init__(self, chunks: list[StoredChunk]) -> None:
        self.chunks = chunks
        self.position = {c.id: i for i, c in enumerate(chunks)}
        self.tokens = [tokenize(f"{c.heading or ''} {c.text} {c.title}") for c in chunks]
        self.bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        if chunks:
            self.bm25.index([t or ["_"] for t in self.tokens], show_progress=False)
        self.contents = np.array([looks_like_contents(c.text) for c in chunks], dtype=bool)
        self.holds = {kind: np.array([bool(p.search(c.text)) for c in chunks], dtype=bool) for kind, p in HOLDS.items()}
        self.preamble = np.array([bool(PREAMBLE.search(c.text)) for c in chunks], dtype=bool)

    def scores(self, question: str) -> np.ndarray:
        tokens = tokenize(question)
        if not tokens or not self.chunks:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)

    def openings(self, eligible: np.ndarray) -> list[tuple[int, int]]:
        """(position, order) of each eligible document's opening chunks and its parties clause."""
        by_doc: dict[str, list[int]] = {}
        for pos, c in enumerate(self.chunks):
            if eligible[pos] and not self.contents[pos] and (c.start < OPENING_CHARS or self.preamble[pos]):
                by_doc.setdefault(c.doc_id, []).append(pos)
        out: list[tuple[int, int]] = []
        for positions in by_doc.values():
            ordered = sorted(positions, key=lambda p: self.chunks[p].start)
            early = [p for p in ordered if self.chunks[p].start < OPENING_CHARS][:3]
            first_parties = next((p for p in ordered if self.preamble[p]), None)
            parties = [first_parties] if first_parties is not None and first_parties not in early else []
            out.extend((pos, order) for order, pos in enumerate(early + parties))
        return out

    @functools.cached_property
    def _vocabulary(self) -> frozenset[str]:
        return frozenset(t for tokens in self.tokens for t in tokens)

    def vocabulary(self) -> frozenset[str]:
        """Every token of the indexed chunks."""
        return self._vocabulary


class DocumentIndex:
    """BM25 over document headers (title, file name, opening) to tell which document a question names."""

    def __init__(self, docs: list[StoredDocument], headers: list[str]) -> None:
        self.docs = docs
        self.bm25 = bm25s.BM25()
        if docs:
            self.bm25.index([tokenize(h) or ["_"] for h in headers], show_progress=False)

    def scores(self, question: str) -> np.ndarray:
        tokens = tokenize(question)
        if not tokens or not self.docs:
            return np.zeros(len(self.docs), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)


def near(word: str, vocabulary: frozenset[str]) -> bool:
    """Whether a vocabulary word is one edit (a typo) away from word: 'breech' ~ 'breach'."""
    if len(word) < 5:
        return False
    letters = "abcdefghijklmnopqrstuvwxyz"
    for i in range(len(word) + 1):
        if i < len(word) and word[:i] + word[i + 1 :] in vocabulary:
            return True
        if i + 1 < len(word) and word[:i] + word[i + 1] + word[i] + word[i + 2 :] in vocabulary:
            return True
        for ch in letters:
            if i < len(word) and word[:i] + ch + word[i + 1 :] in vocabulary:
                return True
            if word[:i] + ch + word[i:] in vocabulary:
                return True
    return False
