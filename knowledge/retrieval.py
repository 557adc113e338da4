"""Hybrid retrieval: dense (Chroma) and lexical (BM25) over the same chunks, fused by score.

Contracts are full of defined terms and numbers where the exact word matters, and of paraphrase
where it does not; each signal catches what the other misses. When a question names a document
("in the SOW with Meridian ...", "In the Hosting Agreement between A and B: ..."), the search is
narrowed to that document (and the engagement's amendments) first.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.chunking import section_at
from knowledge.definitions import definitions_in
from knowledge.embeddings import Embedder, identity, multilingual
from knowledge.glossary import english_reading, gloss
from knowledge.indexing import HEADER_CHARS
from knowledge.languages import detect
from knowledge.lexical import ChunkIndex, DocumentIndex, near
from knowledge.openings import OPENING_WINDOW, SIGNING, naming_the_parties, past_the_opening, signed_by
from knowledge.ranking import CANDIDATES, Candidate, Documents, Ranker, family_versions, features, load_ranker
from knowledge.routing import (
    document_names,
    name_route,
    own_amendments,
    short_name_route,
    without_names,
    without_short_name,
)
from knowledge.row_keys import WINDOW, named_row
from knowledge.signals import IDENTITY, answer_kinds, is_amendment, without_document_reference
from knowledge.store import Store, included, visible_to
from knowledge.stored import StoredChunk, StoredDocument
from knowledge.text import STOPWORDS, TOKEN, stem, tokenize
from knowledge.vocabulary import CHAT_WORDS, expand_query, has_expansion, lexical_query

log = logging.getLogger(__name__)

DENSE_SHARE = 0.35  # weight of (min-max normalised) cosine similarity; BM25 gets the rest
# ... for a question in another language than English, read by a multilingual embedder: its own words mostly miss
# English clauses, so BM25 reads it with its contract terms glossed in English (`knowledge.glossary`) and weighs
# a little less. Chosen on the Italian development set (benchmarks/languages.py), Italian questions on English
# documents, hit@1: 0.32 unchanged, 0.43 at 0.85 without the gloss, 0.53 at 0.5 with it; English questions keep
# DENSE_SHARE.
OTHER_LANGUAGE_DENSE_SHARE = 0.5
# ... and its query vector leans this much towards the vector of its contract terms' English gloss ("credito di
# servizio" -> "credit service"): on the Italian development set, lead 0.565 -> 0.578, it->it hit@4 0.869 -> 0.902,
# false not-found 0.013 -> 0.006 at 0.2 and 0.3 alike; 0.5 lost (lead 0.552). English questions are unchanged.
GLOSS_SHARE = 0.2
# ... and an English clause is compared with a vector leaning this much further towards the question's English
# reading (`knowledge.glossary.english_reading`: "se common paper ci sospende l'account" -> "common paper suspend
# account"), the question's own vector kept for the clauses in its language. Italian questions on English documents:
# lead 0.559 -> 0.647 on 40 held-out questions (benchmarks/data/sla_it_heldout.jsonl), the development set's 0.705
# unchanged, its Italian-on-Italian 0.672 unchanged (at 0.2 and 0.5 alike; one vector for all lost it 0.033).
# BM25 asks the English clauses in that reading too, expanded by the vocabulary, instead of the gloss: held-out lead
# 0.647 -> 0.735 (its unread half 7 -> 10 of 14), the dev set's Italian questions 0.675 either way (it->en hit@8
# 0.951 -> 0.902, mixed it->en 0.714 -> 0.857); with the gloss kept beside the reading, it->it lost 0.066.
READING_SHARE = 0.35
# A pool of several languages: each language's best cosine is lifted to the best one's, by at most this much. On
# a mixed pool (the Italian dev set's sla-terms and sla-it questions over sla/docs and sla-it/docs together,
# benchmarks/languages.py): English questions on Italian clauses lead 0.37 -> 0.47, Italian on English hit@8
# 0.45 -> 0.50, Italian on Italian 0.67 either way (against no lift and BM25 rescaled per language).
DENSE_LIFT = 0.1
DENSE_POOL = 60
LEXICAL_POOL = 60
EXPANDED_SHARE = 0.5  # of the query vector, the expanded question's (the rest: the question as asked)
OPENING_BONUS = 1.9  # "who are the parties?": a document's opening leads ...
OPENING_STEP = 0.38  # ... in reading order
KIND_BONUS = 0.24  # a clause holding the kind of value asked for (a date, a duration, an amount)
CONTENTS_PENALTY = 0.3  # a table of contents names every topic and answers none
TITLE_BONUS = 0.3  # chunks of the document(s) whose title words the question uses
ROUTE_MIN_SCORE = 6.0  # BM25 over document headers: a question must name a document clearly ...
ROUTE_MAX_RATIO = 0.6  # ... and name it much more than any other to narrow the search to it


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the two signals behind it."""

    chunk: StoredChunk
    score: float
    similarity: float  # cosine similarity of the question to the chunk (0 when not in the dense pool)
    lexical: float  # BM25 score (0 when no term matched)


@dataclass(frozen=True, eq=False)
class _View:
    """What one side may read of an engagement, with every statistic computed over exactly that.

    BM25 weights, the document headers a question is routed by and the title words it is matched
    against all depend on the whole corpus they are computed over; computing them over another
    side's documents too would let those documents shift this side's ranking (a weak oracle on
    hidden titles and terms). So each visibility view has indexes of its own.
    """

    docs: list[StoredDocument]
    chunks: ChunkIndex
    documents: DocumentIndex
    headers: list[str]

    @functools.cached_property
    def versions(self) -> dict[str, int]:
        """+1 for the newest document of a family of versions, -1 for older ones (see ranking.family_versions)."""
        return family_versions([(d.id, d.title, d.name, h) for d, h in zip(self.docs, self.headers, strict=True)])

    @functools.cached_property
    def lengths(self) -> dict[str, int]:
        """Characters of each document, as far as its chunks reach."""
        out: dict[str, int] = {}
        for c in self.chunks.chunks:
            out[c.doc_id] = max(out.get(c.doc_id, 0), c.end)
        return out

    @functools.cached_property
    def names(self) -> dict[str, frozenset[str]]:
        """The names (parties, products) the documents use, and which documents each names (see routing.name_route)."""
        texts: dict[str, list[str]] = {}
        for c in self.chunks.chunks:
            texts.setdefault(c.doc_id, []).append(c.text)
        return document_names(self.docs, self.headers, texts)

    @functools.cached_property
    def definitions(self) -> dict[str, list[tuple[StoredChunk, str]]]:
        """Each defined term (lower case) with the chunks defining it, in reading order, and the term as written."""
        out: dict[str, list[tuple[StoredChunk, str]]] = {}
        for c in self.chunks.chunks:
            for d in definitions_in(c.text):
                out.setdefault(d.term.lower(), []).append((c, d.term))
        return out

    @functools.cached_property
    def amendments(self) -> frozenset[str]:
        return (
            frozenset(d.id for d in self.docs if is_amendment(d.title, d.name)) if len(self.docs) > 1 else frozenset()
        )

    @functools.cached_property
    def title_words(self) -> list[dict[str, float]]:
        """Per document, the distinctive words of its title and file name with their weight (IDF): names (see
        `names`) and numbers ('2020', 'No. 1'), not the common words a title may hold."""
        words = [set(tokenize(f"{d.title} {d.name.rsplit('.', 1)[0]}")) for d in self.docs]
        n = len(self.docs)
        df: dict[str, int] = {}
        for ws in words:
            for w in ws:
                df[w] = df.get(w, 0) + 1
        named = [
            {w for w in ws if w in self.names or not w.isalpha()} for ws in words
        ]  # 'get' of 'Get support' is none
        return [{w: math.log(1 + n / df[w]) for w in ws if df[w] <= max(1, n // 2)} for ws in named]


@dataclass(frozen=True)
class Stage:
    """What the first stage hands the second: the expanded query, its vector, the candidates in order."""

    query: str
    query_vector: np.ndarray
    candidates: list[Candidate]  # the best CANDIDATES, best first
    rest: list[Candidate]  # the others, in the first stage's order (kept after the re-scored ones)
    documents: Documents
    glossed: str = ""  # a question in another language: its contract terms' English (`knowledge.glossary.gloss`)


def _key(docs: list[StoredDocument]) -> frozenset[tuple[str, str]]:
    return frozenset((d.id, d.content_hash + d.visibility + d.pipeline) for d in docs)  # re-embedded: new chunks


@dataclass(frozen=True)
class Scope:
    """One engagement as one side may read it, resolved once per question: the side's view, and the records of
    every document of the engagement as read then (a dense hit is kept only if its document's record lets the
    side read it)."""

    engagement: str
    side: str
    view: _View
    records: dict[str, StoredDocument]


class Retriever:
    """Searches one engagement at a time, within what the asking side may see."""

    def __init__(self, store: Store, embeddings: Embedder, *, ranker: Ranker | None | str = "shipped") -> None:
        """`ranker`: the second stage's model; "shipped" loads knowledge/data/ranker.json; None: first stage only."""
        self.store = store
        self.embeddings = embeddings
        self.ranker = load_ranker(embeddings) if ranker == "shipped" else ranker if isinstance(ranker, Ranker) else None
        self._views: dict[tuple[str, tuple[str, ...]], tuple[frozenset[tuple[str, str]], _View]] = {}
        self._chunks: dict[str, tuple[frozenset[tuple[str, str]], list[StoredChunk]]] = {}  # all visibilities
        self._headers: dict[tuple[str, str], str] = {}  # (doc_id, content hash) -> header text
        self._texts: dict[str, str] = {}  # doc_id -> current extracted text
        self._lock = threading.Lock()
        self._warned: set[str] = set()  # engagements whose stale vectors were reported

    def scope(self, engagement: str, side: str) -> Scope:
        """The engagement as the side may read it now, for one question: one read of its documents' records."""
        docs = self.store.list_documents(engagement)
        return Scope(engagement, side, self._view_of(engagement, side, docs), {d.id: d for d in docs})

    def _view(self, engagement: str, side: str) -> _View:
        return self.scope(engagement, side).view

    def _view_of(self, engagement: str, side: str, docs: list[StoredDocument]) -> _View:
        """The side's view of the engagement, built on first use and rebuilt when one of its documents changed.

        Only a change to a document the side may read rebuilds its view (here or in another process):
        indexing a client-only document leaves the vendor's and the shared view as they were.
        """
        allowed = tuple(visible_to(side))
        mine = [d for d in docs if d.visibility in allowed]
        key = _key(mine)
        with self._lock:
            cached = self._views.get((engagement, allowed))
            if cached is None or cached[0] != key:
                ids = {d.id for d in mine}
                chunks = [c for c in self._engagement_chunks(engagement, docs) if c.doc_id in ids]
                # a chunk is read only if both it and its document say this side may (they may disagree
                # for a moment while visibility changes)
                chunks = [c for c in chunks if c.visibility in allowed]
                headers = [self._header(d) for d in mine]
                view = _View(mine, ChunkIndex(chunks), DocumentIndex(mine, headers), headers)
                cached = self._views[(engagement, allowed)] = (key, view)
        return cached[1]

    def _engagement_chunks(self, engagement: str, docs: list[StoredDocument]) -> list[StoredChunk]:
        """Every current chunk of the engagement, read once per change of any of its documents."""
        key = _key(docs)
        cached = self._chunks.get(engagement)
        if cached is None or cached[0] != key:
            cached = self._chunks[engagement] = (key, self.store.scope_chunks(engagement))
            ids, current = {d.id for d in docs}, {(d.id, d.content_hash) for d in docs}
            self._headers = {k: v for k, v in self._headers.items() if k[0] not in ids or k in current}
        return cached[1]

    def _header(self, doc: StoredDocument) -> str:
        cached = self._headers.get((doc.id, doc.content_hash))
        if cached is None:
            text = self.store.document_text(doc.engagement, doc.name)
            self._texts[doc.id] = text
            cached = f"{doc.title}\n{doc.name.rsplit('.', 1)[0]}\n{text[:HEADER_CHARS]}"
            self._headers[(doc.id, doc.content_hash)] = cached
        return cached

    # -- search ----------------------------------------------------------------------------------
    def search(
        self,
        question: str,
        *,
        engagement: str,
        side: str = "shared",
        k: int = 8,
        documents: list[str] | None = None,
        route: bool = True,
        scope: Scope | None = None,
    ) -> list[Hit]:
        """The k best chunks for a question, scoped to an engagement and the side's visibility (`scope`: resolved
        already for this question)."""
        return self.routed_search(
            question, engagement=engagement, side=side, k=k, documents=documents, route=route, scope=scope
        )[0]

    def routed_search(
        self,
        question: str,
        *,
        engagement: str,
        side: str = "shared",
        k: int = 8,
        documents: list[str] | None = None,
        route: bool = True,
        scope: Scope | None = None,
    ) -> tuple[list[Hit], frozenset[str]]:
        """`search`, and the ids of the documents the question named and was kept to (empty when it named none)."""
        stage = self.candidates(
            question, engagement=engagement, side=side, documents=documents, route=route, scope=scope
        )
        if stage is None:
            return [], frozenset()
        order = [c for c in stage.candidates]
        # the second stage was fitted on English questions (CUAD): its word features misread another language's,
        # and it loses Italian questions their clause (Italian dev set hit@1 0.51 -> 0.53 on English documents,
        # 0.67 -> 0.71 on Italian ones without it); English questions keep it
        english = not multilingual(self.embeddings) or detect(question) in (None, "en")
        if self.ranker is not None and len(order) > 1 and english:
            x = features(stage.query, stage.query_vector, order, stage.documents)
            model = self.ranker.scores(x)
            order = [order[i] for i in np.argsort(-model, kind="stable")]
        order += stage.rest
        # what the fitted order cannot know: "p1 ..." names the P1 row, the opening answers only who and when
        top = [c.chunk for c in order[: max(WINDOW, OPENING_WINDOW)]]
        at = named_row(question, top[:WINDOW], stage.glossed)
        if at is None:
            at = past_the_opening(question, top[:OPENING_WINDOW])
        if at is None:
            at = naming_the_parties(question, top[:OPENING_WINDOW])
        if at is None:
            at = signed_by(question, top[:WINDOW])
        if at is not None:
            order.insert(0, order.pop(at))
        chunks = [c.chunk for c in order]
        picked = _diverse(list(range(len(order))), chunks, k)
        hits = [Hit(order[i].chunk, order[i].score, order[i].similarity or 0.0, order[i].lexical) for i in picked]
        return hits, stage.documents.routed

    def candidates(
        self,
        question: str,
        *,
        engagement: str,
        side: str = "shared",
        documents: list[str] | None = None,
        route: bool = True,
        scope: Scope | None = None,
    ) -> Stage | None:
        """The first stage: its best CANDIDATES for the second stage to re-score, and the rest in order."""
        allowed = visible_to(side)
        scope = scope or self.scope(engagement, side)
        view = scope.view
        index = view.chunks
        if not index.chunks:
            return None
        plain = question  # what is embedded: the question as asked, without the words that routed it
        query = expand_query(question)  # what BM25 and the second stage read: with its abbreviations expanded
        routed: list[str] = []
        if documents is None and route:
            routed = self._route(query, view)
            if routed:
                query = without_document_reference(query)  # it did its job: naming the document
                plain = without_document_reference(plain)
            else:
                short = short_name_route(question, view.docs)
                by_name = name_route(question, view.docs, view.names)
                if short and not _named_elsewhere(by_name, short, view):
                    routed, plain = short, without_short_name(question, view.docs)
                    query = expand_query(plain)
                elif by_name:
                    routed, plain = by_name, without_names(question, view.names, by_name, view.docs)
                    query = expand_query(plain)
            routed = own_amendments(routed, view.docs, view.names)
            documents = routed or None
        eligible = np.array([documents is None or c.document in documents for c in index.chunks])
        if not eligible.any():
            return None
        asked = detect(question) if multilingual(self.embeddings) else None
        other = asked not in (None, "en")
        # The expansions are words to match ("P1" -> "Severity 1 Priority 1") more than meaning: embedded alone, they
        # pull the vector towards any clause with a "1" in it ("1 working day"); left out, CUAD's hit@1 loses a
        # point. Half the question as asked, half expanded: dev set lead 0.697 -> 0.704, Italian set 0.584 -> 0.610,
        # CUAD scoped hit@1 0.670 -> 0.669 (BENCHMARKS.md, 2026-12-07), measured with e5. An English-only embedder
        # keeps the expanded question alone: MiniLM's cosines are lower and its covered / not-covered model,
        # fitted on them, refused "how fast must a P1 incident be resolved?" at the blend's 0.35 (0.36 expanded).
        if query == plain or not multilingual(self.embeddings):
            query_vector = self.embeddings.embed_query(query)
        else:
            query_vector = _blend(
                self.embeddings.embed_query(plain), self.embeddings.embed_query(query), EXPANDED_SHARE
            )
        glossed = gloss(question, asked) if other else ""
        if glossed:  # a question in another language: its meaning, and a little of its contract terms' English
            query_vector = _blend(query_vector, self.embeddings.embed_query(glossed), GLOSS_SHARE)
        embedded = self._same_model(view, engagement, documents)

        def nearest(vector: list[float]) -> list[tuple[str, float]]:
            if not (embedded is None or embedded):
                return []
            return self.store.dense_query(
                vector,
                engagement=engagement,
                visibilities=allowed,
                n=min(DENSE_POOL, int(eligible.sum())),
                documents=embedded,
                records=scope.records,
            )

        dense = nearest(query_vector)
        similarity = {index.position[cid]: sim for cid, sim in dense if cid in index.position}
        reading = english_reading(question, asked) if glossed and "en" in index.languages else ""
        if reading:  # an English clause is compared with the question read word by word in English, names kept
            leaning = _blend(query_vector, self.embeddings.embed_query(reading), READING_SHARE)
            english = {index.position[cid]: sim for cid, sim in nearest(leaning) if cid in index.position}
            similarity = {p: v for p, v in similarity.items() if index.languages[p] != "en"}
            similarity |= {p: v for p, v in english.items() if index.languages[p] == "en"}
        similarity = {pos: sim for pos, sim in similarity.items() if eligible[pos]}  # drops stale versions
        similarity = _lift_languages(similarity, index.languages)
        # a question in another language also asks BM25 in English words: its contract terms glossed
        words = f"{query} {glossed}" if other else query
        # ... and the English clauses in its English reading, with the vocabulary's expansions
        instead = {"en": lexical_query(f"{query} {expand_query(reading)}")} if reading else None
        bm25 = np.where(eligible, index.scores(lexical_query(words), instead), 0.0)
        lexical_pool = [int(i) for i in np.argsort(-bm25)[:LEXICAL_POOL] if bm25[i] > 0]
        scores = _fuse(similarity, bm25, lexical_pool, OTHER_LANGUAGE_DENSE_SHARE if other else DENSE_SHARE)
        # an identity question as asked: "when is it effective" became "... (commence)" by expansion, and a notice
        # clause's question is no question about the agreement's start
        openings = self._adjust(scores, index, query, eligible, identity=bool(IDENTITY.search(plain)))
        named = self._title_weights(view, query) if documents is None else {}
        for pos in scores:
            if index.chunks[pos].doc_id in named:
                scores[pos] += TITLE_BONUS
        ranked = [
            Candidate(index.chunks[p], scores[p], similarity.get(p), float(bm25[p]), openings.get(p))
            for p in sorted(scores, key=lambda p: -scores[p])
        ]
        ids = {d.name: d.id for d in view.docs}
        info = Documents(
            named={i: w for i, w in named.items() if i not in view.amendments},
            routed=frozenset(ids[n] for n in routed if n in ids),
            amendments=view.amendments,
            versions=view.versions,
            lengths=view.lengths,
        )
        vector = np.asarray(query_vector, dtype=np.float32)
        return Stage(query, vector, ranked[:CANDIDATES], ranked[CANDIDATES:], info, glossed)

    def _same_model(self, view: _View, engagement: str, documents: list[str] | None) -> list[str] | None:
        """The documents whose vectors this embedder made (None: all of them, or all of `documents`).

        A document indexed by another embedder (the default changed, LIAISON_EMBEDDER was switched) keeps
        its old vectors until `liaison index` runs again: comparing them with this model's query vector
        would rank by noise, so until then such a document is found by its words (BM25) alone.
        """
        current = identity(self.embeddings)
        stale = {d.name for d in view.docs if d.pipeline and d.pipeline.partition(":")[2] != current}
        if not stale:
            return documents
        if engagement not in self._warned:
            self._warned.add(engagement)
            log.warning(
                "%d document(s) of %s were embedded by another model than %s: searched by their words only "
                "until `liaison index` re-embeds them",
                len(stale),
                engagement,
                current,
            )
        names = documents if documents is not None else [d.name for d in view.docs]
        return [n for n in names if n not in stale]

    def _adjust(
        self, scores: dict[int, float], index: ChunkIndex, query: str, eligible: np.ndarray, *, identity: bool
    ) -> dict[int, int]:
        """Cues beyond similarity: openings for identity questions, the kind of value asked for.

        Returns the opening chunks of identity questions with their order (the second stage reads it).
        """
        openings: dict[int, int] = {}
        if identity:
            for pos, order in index.openings(eligible):
                scores[pos] = scores.get(pos, 0.0) + OPENING_BONUS - OPENING_STEP * order
                openings[pos] = order
        if SIGNING.search(query):  # "who signed for bankers bank?": the signatures, at the end
            for signed in np.flatnonzero(index.signatures & eligible).tolist():
                scores[signed] = scores.get(signed, 0.0) + OPENING_BONUS
        kinds = answer_kinds(query)
        for pos in scores:
            scores[pos] += KIND_BONUS * sum(bool(index.holds[kind][pos]) for kind in kinds)
            if index.contents[pos]:
                scores[pos] *= CONTENTS_PENALTY
        return openings

    def _title_weights(self, view: _View, query: str) -> dict[str, float]:
        """'the uptime in the Bonterms SLA': the documents whose title the question uses, and the amendments.

        Document id -> the share of the best title-word weight (amendments 1.0 when any title is used).
        """
        asked = set(tokenize(query))
        weights = [sum(w for word, w in words.items() if word in asked) for words in view.title_words]
        best = max(weights, default=0.0)
        if best <= 0:
            return {}
        named = {d.id: 1.0 for d, w in zip(view.docs, weights, strict=True) if w == best}
        named |= {d.id: 1.0 for d in view.docs if is_amendment(d.title, d.name)}
        return named

    def _route(self, query: str, view: _View) -> list[str]:
        """The document a question names (with the view's amendments), or [] if it names none."""
        docs = view.docs
        if len(docs) < 2:
            return []
        scores = view.documents.scores(query)
        order = np.argsort(-scores, kind="stable")
        best, second = float(scores[order[0]]), float(scores[order[1]])
        if best < ROUTE_MIN_SCORE or second > ROUTE_MAX_RATIO * best:
            return []
        named = docs[int(order[0])]
        amendments = [d.name for d in docs if d is not named and is_amendment(d.title, d.name)]
        return [named.name, *amendments]

    # -- what answers need -------------------------------------------------------------------------
    def document_text(self, chunk: StoredChunk) -> str:
        """The extracted text a chunk's span points into."""
        text = self._texts.get(chunk.doc_id)
        if text is None or text[chunk.start : chunk.end] != chunk.text:
            got = self.store.documents.get(ids=[chunk.doc_id], include=["documents"])
            text = self._texts[chunk.doc_id] = included(got["documents"], "documents")[0]
        return text

    def section_at(self, chunk: StoredChunk, offset: int) -> str | None:
        """The section label in force at an offset inside a chunk (a trimmed quote may start deeper)."""
        if offset == chunk.start:
            return chunk.section
        label, _ = section_at(self.document_text(chunk), offset)
        return label or chunk.section

    def place_at(self, chunk: StoredChunk, offset: int) -> tuple[str | None, str | None]:
        """(section label, heading) in force at an offset inside a chunk; the heading only for a clause without a
        number, which it places instead (a chunk may hold several headed parts: the one the quote starts in)."""
        if chunk.section and offset == chunk.start:
            return chunk.section, None
        label, heading = section_at(self.document_text(chunk), offset)
        label = label or chunk.section
        return label, None if label else heading or chunk.heading or None

    def definition(
        self,
        term: str,
        *,
        engagement: str,
        side: str,
        scope: Scope | None = None,
        within: Sequence[str] | None = None,
    ) -> Hit | None:
        """The chunk that defines a term ('"Service Credit" means ...', '**Outage:** means ...'), if the side may
        see one: the first in reading order, or in the first of `within` (document names) that defines it."""
        view = scope.view if scope is not None else self._view(engagement, side)
        found = [c for c, _ in view.definitions.get(term.lower(), [])]
        if within is not None:
            found = [c for name in within for c in found if c.document == name]
        return Hit(found[0], 0.0, 0.0, 0.0) if found else None

    def defined_terms(self, *, engagement: str, side: str, scope: Scope | None = None) -> list[str]:
        """Every term the side's documents define, as they write it."""
        view = scope.view if scope is not None else self._view(engagement, side)
        return [found[0][1] for found in view.definitions.values()]

    def vocabulary(self, *, engagement: str, side: str, scope: Scope | None = None) -> frozenset[str]:
        """Every (stemmed) token of the chunks the side may read in the engagement."""
        return (scope.view if scope is not None else self._view(engagement, side)).chunks.vocabulary()

    def texts(
        self, *, engagement: str, side: str, scope: Scope | None = None, documents: frozenset[str] = frozenset()
    ) -> Iterator[str]:
        """The text (heading and body) of each chunk the side may read in the engagement; of these documents
        (ids) only, when given."""
        for chunk in (scope.view if scope is not None else self._view(engagement, side)).chunks.chunks:
            if not documents or chunk.doc_id in documents:
                yield f"{chunk.heading or ''}\n{chunk.text}"

    def unknown_terms(self, question: str, *, engagement: str, side: str) -> list[str]:
        """Words of the question that no document the side may see contains, even misspelt by one letter."""
        vocabulary = self._view(engagement, side).chunks.vocabulary()
        unknown = []
        for word in TOKEN.findall(question.lower()):
            if len(word) < 4 or not word.isalpha() or word in STOPWORDS or word in CHAT_WORDS or has_expansion(word):
                continue
            stemmed = stem(word)
            if stemmed not in vocabulary and word not in vocabulary and not near(stemmed, vocabulary):
                unknown.append(word)
        return unknown


def _blend(a: list[float], b: list[float], share: float) -> list[float]:
    """(1 - share) a + share b, normalised: a query vector leaning a little towards another."""
    v = (1.0 - share) * np.asarray(a, dtype=np.float64) + share * np.asarray(b, dtype=np.float64)
    norm = float(np.linalg.norm(v))
    return (v / norm).tolist() if norm else list(a)


def _named_elsewhere(named: list[str], routed: list[str], view: _View) -> bool:
    """Whether the documents a party's or product's name routes to (`named`) are none of those a title word routed
    to: "the records of the services it does for dgt" names DGT's agreement, not every "Services Agreement"."""
    amendments = {d.name for d in view.docs if d.id in view.amendments}  # they come with any route
    main = set(named) - amendments
    return bool(main) and not main & set(routed)


def _lift_languages(similarity: dict[int, float], languages: list[str]) -> dict[int, float]:
    """Cosines in a pool of several languages, each language's lifted to the best language's (by at most
    DENSE_LIFT): a question is nearer in meaning to clauses in its own language than to the same words in another,
    so without this an Italian question's Italian clauses push the English one that answers it out of the pool's
    top. One language: as they are."""
    best: dict[str, float] = {}
    for pos, sim in similarity.items():
        lang = languages[pos]
        best[lang] = max(best.get(lang, sim), sim)
    if len(best) < 2:
        return similarity
    top = max(best.values())
    return {pos: sim + min(DENSE_LIFT, top - best[languages[pos]]) for pos, sim in similarity.items()}


def _fuse(
    similarity: dict[int, float], bm25: np.ndarray, lexical_pool: list[int], dense_share: float = DENSE_SHARE
) -> dict[int, float]:
    """Min-max normalised cosine and BM25, mixed: each signal in [0, 1], summing to at most 1."""
    candidates = set(similarity) | set(lexical_pool)
    if not candidates:
        return {}
    sims = np.array(list(similarity.values()) or [0.0])
    lo, hi = float(sims.min()), float(sims.max())
    top = float(bm25.max()) or 1.0
    return {
        pos: dense_share * (similarity.get(pos, lo) - lo) / ((hi - lo) or 1.0)
        + (1 - dense_share) * float(bm25[pos]) / top
        for pos in candidates
    }


def _diverse(order: list[int], chunks: list[StoredChunk], k: int) -> list[int]:
    """The top k, passing over a window that mostly repeats one already taken (split clauses overlap)."""
    taken: list[int] = []
    for pos in order:
        c = chunks[pos]
        if any(
            chunks[t].doc_id == c.doc_id
            and min(c.end, chunks[t].end) - max(c.start, chunks[t].start) > 0.5 * (c.end - c.start)
            for t in taken
        ):
            continue
        taken.append(pos)
        if len(taken) == k:
            break
    return taken
