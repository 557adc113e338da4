"""Okapi BM25 (the Lucene variant) over tokenised texts, in numpy: what retrieval scores words with.

It scores exactly as bm25s 0.3's default `BM25(method="lucene")` does, bit for bit (tested against it): idf =
ln(1 + (N - df + 0.5) / (df + 0.5)) and tf / (tf + k1 (1 - b + b |d| / avg |d|)), each term's score kept in float32,
a question's terms summed in float32 in the question's order, a term repeated in the question counted again, a term
no text holds counting nothing. Our own because importing bm25s loads scipy (~0.2 s of every `liaison ask`) for a
sparse matrix that a few numpy arrays per term replace; the indexes here are one side's chunks, built per question.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

K1 = 1.5
B = 0.75


class BM25:
    """One index: `index(texts)` once, then `get_scores(terms)` per question (a float32 score per text)."""

    def __init__(self, k1: float = K1, b: float = B) -> None:
        self.k1, self.b = k1, b
        self._count = 0
        self._terms: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # term -> (text positions, float32 scores)

    def index(self, texts: list[list[str]]) -> None:
        self._count = len(texts)
        if not texts:
            self._terms = {}
            return
        avg = np.array([len(t) for t in texts]).mean()  # a numpy float64, as bm25s computes it
        counts = [Counter(t) for t in texts]
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        n = len(texts)
        idf = {term: np.float32(math.log(1 + (n - d + 0.5) / (d + 0.5))) for term, d in df.items()}
        rows: dict[str, list[int]] = {}
        values: dict[str, list[np.floating]] = {}
        for pos, (text, c) in enumerate(zip(texts, counts, strict=True)):
            terms = list(c)
            tf = np.array([c[t] for t in terms], dtype=np.float32)
            norm = self.k1 * ((1 - self.b) + self.b * len(text) / avg)
            scores = (np.array([idf[t] for t in terms], dtype=np.float32) * (tf / (norm + tf))).astype(np.float32)
            for term, score in zip(terms, scores, strict=True):
                rows.setdefault(term, []).append(pos)
                values.setdefault(term, []).append(score)
        self._terms = {
            term: (np.array(rows[term], dtype=np.int64), np.array(values[term], dtype=np.float32)) for term in rows
        }

    def get_scores(self, terms: list[str]) -> np.ndarray:
        out = np.zeros(self._count, dtype=np.float32)
        for term in terms:
            hit = self._terms.get(term)
            if hit is not None:
                out[hit[0]] += hit[1]  # one entry per text: no position repeats within a term
        return out
