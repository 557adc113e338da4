"""The lexical side of retrieval: tokens, BM25 over chunks and over document headers, vocabulary."""

from __future__ import annotations

import functools

import numpy as np

from knowledge.bm25 import BM25
from knowledge.languages import FUNCTION_WORDS, words_of
from knowledge.openings import is_signature
from knowledge.routing import file_name_names
from knowledge.signals import HOLDS, PREAMBLE, looks_like_contents
from knowledge.stored import StoredChunk, StoredDocument
from knowledge.text import SNOWBALL, tokenize
from knowledge.vocabulary import translations

BM25_K1 = 1.5
BM25_B = 0.75
OPENING_CHARS = 1500  # chunks starting this early make up a document's opening


def text_language(text: str) -> str | None:
    """The language a chunk's words are in, by its function words (no model: a chunk is long enough), or None when
    they do not say clearly (a table row, a heading, a list of names)."""
    scores = dict.fromkeys(FUNCTION_WORDS, 0.0)
    for word in words_of(text):
        owners = [lang for lang, vocab in FUNCTION_WORDS.items() if word.lower() in vocab]
        for lang in owners:
            scores[lang] += 1 / len(owners)
    (best, lang), (second, _other) = sorted(((v, k) for k, v in scores.items()), reverse=True)[:2]
    return lang if best >= 3 and best >= 2 * second and lang in SNOWBALL else None


def chunk_languages(chunks: list[StoredChunk]) -> list[str]:
    """Each chunk's language: its own words' when they say clearly, else its document's (the language most of its
    chunks' text is in), else English."""
    own = [text_language(c.text) for c in chunks]
    weight: dict[str, dict[str, int]] = {}
    for c, lang in zip(chunks, own, strict=True):
        if lang is not None:
            weight.setdefault(c.doc_id, {}).setdefault(lang, 0)
            weight[c.doc_id][lang] += len(c.text)
    document = {doc: max(w, key=lambda k: w[k]) for doc, w in weight.items()}
    return [lang or document.get(c.doc_id, "en") for c, lang in zip(chunks, own, strict=True)]


class ChunkIndex:
    """BM25 over the chunks one side may read, with the per-chunk cues retrieval ranks by.

    Each chunk is tokenised in its own language (stemmer and stop words, `chunk_languages`); a pool of several
    languages has a BM25 index per language, and a question is tokenised for each, with the contract terms it uses
    translated into that language (`vocabulary.translations`): "penale" finds "service credit" in an English clause.
    `groups` says which positions each language holds, `languages` each chunk's.
    """

    def __init__(self, chunks: list[StoredChunk]) -> None:
        self.chunks = chunks
        self.position = {c.id: i for i, c in enumerate(chunks)}
        self.languages = chunk_languages(chunks)
        self.tokens = [
            tokenize(f"{c.heading or ''} {c.text} {c.title}", lang)
            for c, lang in zip(chunks, self.languages, strict=True)
        ]
        self.groups: dict[str, np.ndarray] = {}
        self._bm25: dict[str, BM25] = {}
        for lang in sorted(set(self.languages)):
            positions = np.array([i for i, x in enumerate(self.languages) if x == lang], dtype=np.int64)
            bm25 = BM25(k1=BM25_K1, b=BM25_B)
            bm25.index([self.tokens[i] or ["_"] for i in positions])
            self.groups[lang], self._bm25[lang] = positions, bm25
        self.contents = np.array([looks_like_contents(c.text) for c in chunks], dtype=bool)
        self.holds = {kind: np.array([bool(p.search(c.text)) for c in chunks], dtype=bool) for kind, p in HOLDS.items()}
        self.preamble = np.array([bool(PREAMBLE.search(c.text)) for c in chunks], dtype=bool)
        self.signatures = np.array([is_signature(c) for c in chunks], dtype=bool)

    def scores(self, question: str, instead: dict[str, str] | None = None) -> np.ndarray:
        """BM25 of each chunk for the question, read in the chunk's own language (each language's index its own
        statistics). Scores are not rescaled per language: on a mixed pool (benchmarks/languages.py, English and
        Italian SLAs together) lifting the weaker language's BM25 to the stronger's lost English questions on
        Italian clauses (lead 0.47 -> 0.37) and won nothing back; the dense side is lifted instead
        (`retrieval.DENSE_LIFT`). `instead`: the words the chunks of a language are asked in instead (an Italian
        question read in English, for the English ones)."""
        out = np.zeros(len(self.chunks), dtype=np.float32)
        for lang, positions in self.groups.items():
            tokens = query_tokens((instead or {}).get(lang, question), lang)
            if tokens:
                out[positions] = np.asarray(self._bm25[lang].get_scores(tokens), dtype=np.float32)
        return out

    def openings(self, eligible: np.ndarray) -> list[tuple[int, int]]:
        """(position, order) of each eligible document's opening chunks and its parties clause. A table of contents
        at the front (a cover page, then the contents, then the agreement) is read past: the opening is the cover
        and what follows the contents."""
        front: dict[str, int] = {}  # where a document's contents end, when they come first
        for pos, c in enumerate(self.chunks):
            if self.contents[pos] and c.start < front.get(c.doc_id, 0) + OPENING_CHARS:
                front[c.doc_id] = max(front.get(c.doc_id, 0), c.end)
        by_doc: dict[str, list[int]] = {}
        for pos, c in enumerate(self.chunks):
            opening = c.start < front.get(c.doc_id, 0) + OPENING_CHARS
            if eligible[pos] and not self.contents[pos] and (opening or self.preamble[pos]):
                by_doc.setdefault(c.doc_id, []).append(pos)
        out: list[tuple[int, int]] = []
        for doc, positions in by_doc.items():
            ordered = sorted(positions, key=lambda p: self.chunks[p].start)
            end = front.get(doc, 0)
            cover = [p for p in ordered if self.chunks[p].start < end][:2]
            after = [p for p in ordered if end <= self.chunks[p].start < end + OPENING_CHARS]
            early = cover + after[:3] if end else after[:3]
            parties_after = [p for p in ordered if self.preamble[p] and self.chunks[p].start >= end]
            first_parties = next(iter(parties_after), None) if end else None
            if first_parties is None:
                first_parties = next((p for p in ordered if self.preamble[p]), None)
            parties = [first_parties] if first_parties is not None and first_parties not in early else []
            out.extend((pos, order) for order, pos in enumerate(early + parties))
        return out

    @functools.cached_property
    def _vocabulary(self) -> frozenset[str]:
        words = {t for tokens in self.tokens for t in tokens}
        # what names a document is a word of the documents too: its title, its file name, the company a filer's file
        # name begins with ("elandia" of ELANDIAINTERNATIONALINC), however seldom its text writes them
        for name, title in {(c.document, c.title) for c in self.chunks}:
            words.update(tokenize(f"{title} {name.rsplit('.', 1)[0]} {' '.join(file_name_names(name))}"))
        for c, lang in zip(self.chunks, self.languages, strict=True):
            if lang != "en":  # also as English stems them: a word check stems the way English does
                words.update(tokenize(f"{c.heading or ''} {c.text} {c.title}"))
        return frozenset(words)

    def vocabulary(self) -> frozenset[str]:
        """Every token of the indexed chunks (in their own language's stems, and a chunk in another language than
        English also in English stems, as `coverage` and `unknown_terms` look words up)."""
        return self._vocabulary


class DocumentIndex:
    """BM25 over document headers (title, file name, opening) to tell which document a question names."""

    def __init__(self, docs: list[StoredDocument], headers: list[str]) -> None:
        self.docs = docs
        self.bm25 = BM25()
        if docs:
            self.bm25.index([tokenize(h) or ["_"] for h in headers])

    def scores(self, question: str) -> np.ndarray:
        tokens = tokenize(question)
        if not tokens or not self.docs:
            return np.zeros(len(self.docs), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)


def query_tokens(question: str, language: str) -> list[str]:
    """A question's tokens as BM25 over chunks in `language` reads them: stemmed that language's way, with the
    contract terms it names in other languages translated (an English question keeps its English tokens alone)."""
    tokens = tokenize(question, language)
    seen = set(tokens)
    for token in tokenize(translations(question, language), language):
        if token not in seen:  # each translated term counted once
            seen.add(token)
            tokens.append(token)
    return tokens


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
