"""knowledge.bm25 scores exactly as bm25s's default BM25 (the Lucene variant) did before it replaced it."""

from __future__ import annotations

import random

import bm25s
import numpy as np

from knowledge.bm25 import BM25


def _corpus(rnd: random.Random, words: list[str]) -> list[list[str]]:
    return [
        [rnd.choice(words[: rnd.randint(3, len(words))]) for _ in range(rnd.randint(1, 90))]
        for _ in range(rnd.randint(1, 40))
    ]


def test_scores_are_bm25s_scores_bit_for_bit() -> None:
    rnd = random.Random(7)
    words = [f"w{i}" for i in range(200)]
    compared = 0
    for _ in range(60):
        texts = _corpus(rnd, words)
        theirs = bm25s.BM25(k1=1.5, b=0.75)
        theirs.index(texts, show_progress=False)
        ours = BM25(k1=1.5, b=0.75)
        ours.index(texts)
        for _ in range(4):
            # repeated terms count again, a term no text holds counts nothing
            query = [rnd.choice([*words, "absent"]) for _ in range(rnd.randint(1, 7))]
            if not any(t in theirs.vocab_dict for t in query):
                continue  # bm25s refuses a query of unknown terms only; ours gives zeros (below)
            expected, got = theirs.get_scores(query), ours.get_scores(query)
            assert got.dtype == np.float32
            assert np.array_equal(expected, got)
            compared += 1
    assert compared > 150


def test_a_text_holding_the_rarer_term_ranks_first_and_unknown_terms_score_zero() -> None:
    ours = BM25()
    ours.index([["credit", "cap", "fee"], ["fee", "fee", "invoice"], ["term", "renewal"], ["fee", "term"]])
    scores = ours.get_scores(["credit", "fee"])
    assert int(np.argmax(scores)) == 0
    assert scores[2] == 0.0
    assert not ours.get_scores(["nowhere"]).any()
    assert not ours.get_scores([]).any()
    empty = BM25()
    empty.index([])
    assert empty.get_scores(["fee"]).shape == (0,)
