"""Answers grounded in the contracts: quoted clauses with citations, or a plain 'not covered'.

Without an LLM the answer is extractive: the clause that answers, quoted verbatim, then at most a
few supporting clauses (an amendment that changes it, a definition it relies on). With an LLM the
answer is generated from the retrieved clauses, and only citations whose quote appears verbatim in
the source survive; an answer left with no valid citation falls back to the extractive one.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from knowledge.clause_types import absent_clause_type
from knowledge.coverage import Model, absent_figure, asked_thing_missing, decide, features, missing_words, named
from knowledge.coverage import model as coverage_model
from knowledge.definitions import asked_terms, definition_answers
from knowledge.direct import Direct, direct_for
from knowledge.embeddings import identity, multilingual
from knowledge.i18n import _, current, normalise, speaking
from knowledge.language import looks_non_english
from knowledge.languages import detect, document_language
from knowledge.openings import is_opening_part
from knowledge.placeholders import placeholders_in
from knowledge.quotes import best_passage, defined_terms, definition_span
from knowledge.ranges import measured, row_for
from knowledge.retrieval import Hit, Retriever, Scope
from knowledge.signals import HOLDS, answer_kinds, is_amendment
from knowledge.tables import header_of, table_at
from knowledge.text import citation_label, tokenize

_CITATION_FIELDS = ("document", "title", "section", "page", "quote", "start", "end")
MAX_SUPPORTING = 2
RELATED_SHARE = 0.75  # a clause scoring this close to the lead is shown beside it
NEAREST = 3
BANDED_HITS = 4  # a stated measurement looks for its band in the tables of this many top hits


@dataclass(frozen=True)
class Citation:
    """Where a quote comes from: `quote == extracted_text[start:end]` of `document`."""

    document: str
    title: str
    section: str | None
    page: int | None
    quote: str
    start: int
    end: int
    role: str = "answer"  # answer | amendment | definition | related | nearest
    header: str | None = None  # a table row's header row, verbatim: `extracted_text[header_start:...]`
    header_start: int | None = None
    placeholders: tuple[tuple[int, int], ...] = ()  # template slots in the quote and header (document offsets)
    # with an LLM, the quote translated into the asker's language: shown beside the verbatim quote, never for it
    translation: str | None = None
    translation_language: str | None = None
    heading: str | None = None  # the heading of a clause without a number, which places it instead

    def as_dict(self) -> dict[str, object]:
        d: dict[str, object] = {k: v for k, v in asdict(self).items() if k in _CITATION_FIELDS}
        if self.header is not None and self.header_start is not None:
            d["header"] = {"text": self.header, "start": self.header_start, "end": self.header_start + len(self.header)}
        if self.placeholders:  # only where there are any: a citation without them keeps its old shape
            d["placeholders"] = [[a, b] for a, b in self.placeholders]
        if self.heading and not self.section:
            d["heading"] = self.heading
        if self.translation:  # a machine translation of the quote, marked as such; the quote stays verbatim
            d["translation"] = {"text": self.translation, "language": self.translation_language, "machine": True}
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any], role: str = "answer") -> Citation:
        """A citation as `as_dict` recorded it (a header or placeholder list that does not fit is dropped)."""
        header = data.get("header") if isinstance(data.get("header"), dict) else None
        text, start = (str(header.get("text", "")), header.get("start")) if header else (None, None)
        if not isinstance(start, int) or (header and header.get("end") != start + len(text or "")):
            text, start = None, None
        spans = tuple(
            (int(p[0]), int(p[1]))
            for p in data.get("placeholders") or []
            if isinstance(p, list | tuple) and len(p) == 2 and all(isinstance(v, int) for v in p)
        )
        fields = {k: data[k] for k in _CITATION_FIELDS}
        translated = data.get("translation") if isinstance(data.get("translation"), dict) else None
        return cls(
            **fields,
            role=role,
            header=text,
            header_start=start,
            placeholders=spans,
            translation=str(translated["text"]) if translated and translated.get("text") else None,
            translation_language=str(translated.get("language") or "") or None if translated else None,
            heading=str(data["heading"]) if data.get("heading") else None,
        )

    def label(self) -> str:
        """Where the quote is, as people read it: "Master Services Agreement (01-msa.md), §4.2, p. 3"."""
        return citation_label(
            title=self.title, document=self.document, section=self.section, page=self.page, heading=self.heading
        )


@dataclass(frozen=True)
class Answer:
    """What Liaison says to a question, with the clauses it rests on."""

    question: str
    text: str
    found: bool
    citations: list[Citation] = field(default_factory=list)
    nearest: list[Citation] = field(default_factory=list)
    mode: str = "extractive"
    direct: Direct | None = None  # the lead clause's line that answers, verbatim; None when none does
    language: str = "en"  # the language Liaison's own words are in (the asker's); quotes keep the contract's

    @classmethod
    def from_dict(cls, question: str, data: dict[str, Any], *, mode: str = "extractive") -> Answer:
        """An answer as recorded by `as_dict` (citations and the direct line keep their verified spans)."""
        cite = [Citation.from_dict(c) for c in data.get("citations", [])]
        near = [Citation.from_dict(c, role="nearest") for c in data.get("nearest", [])]
        found = bool(data.get("found"))
        if "direct" in data:
            direct = Direct.from_dict(data.get("direct"))
        else:  # a record that kept only the citations: the line is found again in the lead quote
            direct = _direct_in_quote(question, cite[0]) if found and cite else None
        language = normalise(str(data.get("language") or "")) or "en"
        return cls(question, str(data.get("answer", "")), found, cite, near, mode, direct, language)

    def as_dict(self) -> dict[str, object]:
        return {
            "found": self.found,
            "answer": self.text,
            "direct": self.direct.as_dict() if self.direct else None,
            "citations": [c.as_dict() for c in self.citations],
            "nearest": [c.as_dict() for c in self.nearest],
            "language": self.language,
        }


def citation_for(
    hit: Hit, start: int, end: int, doc_text: str, role: str, section: str | None = None, heading: str | None = None
) -> Citation:
    """The quote doc_text[start:end] cited; a table row brings its header row, and template slots are listed.
    A clause without a number is placed by `heading` (by default its chunk's)."""
    chunk = hit.chunk
    header = header_of(doc_text, start)
    if header is not None and start <= header[0] < end:
        header = None  # the quote holds its header already
    slots = placeholders_in(doc_text, start, end)
    if header is not None:
        slots = placeholders_in(doc_text, *header) + slots
    section = section if section is not None else chunk.section
    return Citation(
        document=chunk.document,
        title=chunk.title,
        section=section,
        page=chunk.page,
        quote=doc_text[start:end],
        start=start,
        end=end,
        role=role,
        header=doc_text[header[0] : header[1]] if header else None,
        header_start=header[0] if header else None,
        placeholders=tuple(slots),
        heading=None if section else heading or chunk.heading or None,
    )


class Answerer:
    """Turns retrieval hits into an Answer; the LLM, when given, only rephrases what it can cite."""

    def __init__(
        self,
        retriever: Retriever,
        *,
        min_similarity: float | None = None,
        k: int = 8,
        llm: object | None = None,
        coverage: Model | None = None,
    ) -> None:
        self.retriever = retriever
        self.min_similarity = min_similarity  # None: the similarity bounds fitted with the coverage model
        self.k = k
        self.llm = llm
        # the covered / not-covered model: the one shipped for this embedder unless one is given
        self.coverage = coverage or coverage_model(identity(retriever.embeddings))
        self._languages: dict[tuple[str, int, str], str | None] = {}  # a document's language, by its text
        self._query: tuple[str | None, np.ndarray | None] = (None, None)  # the last question's vector

    def answer_question(
        self, question: str, *, engagement: str, side: str = "shared", language: str | None = None
    ) -> Answer:
        """The answer, Liaison's words in `language`, else the question's own language when it can be told
        (`knowledge.languages.detect`), else the language of the moment (`knowledge.i18n.current`)."""
        question = question.strip()
        asked = detect(question)
        with speaking(normalise(language) or asked or current()) as lang:
            answer = self._answer(question, engagement=engagement, side=side, asked=asked)
            if self.llm is not None and answer.found:
                from knowledge.generation import translate_citations

                answer = translate_citations(answer, lang, self.llm)
            return replace(answer, language=lang)

    def _answer(self, question: str, *, engagement: str, side: str, asked: str | None) -> Answer:
        scope = self.retriever.scope(engagement, side)  # one read of the engagement's records for the question
        hits, routed = (
            self.retriever.routed_search(question, engagement=engagement, side=side, k=self.k, scope=scope)
            if question
            else ([], frozenset[str]())
        )
        if not hits:
            return Answer(
                question,
                _nothing_indexed(engagement, side) if question else _("Ask me a question about the contracts."),
                False,
            )
        vocabulary = self.retriever.vocabulary(engagement=engagement, side=side, scope=scope)
        if self._across_languages(asked, hits) or self._other_language(asked):
            # The covered / not-covered model was fitted on English questions and English clauses: its lexical
            # evidence (the question's words found in the clause, word pairs, values) says little of a question
            # in another language, or of a clause in another language than the question's, and no word is
            # "missing" then. Meaning alone decides, at the embedder's floor. Measured on the Italian
            # development set (BENCHMARKS.md): covered and uncovered questions' similarities overlap there, so
            # no higher bound separates them; answering with the nearest clause costs less than a false
            # "not covered" (the quote shows what it says).
            if max(h.similarity for h in hits[:3]) < self.coverage.similarity_floor:
                return self._not_found(question, hits, engagement, [])
        elif not self._relevant(question, hits, vocabulary) or asked_thing_missing(question, vocabulary):
            return self._not_found(question, hits, engagement, missing_words(question, vocabulary))
        # "is there a force majeure clause in the gridiron agreement?": the document it names has no such clause
        if kind := absent_clause_type(
            question, self.retriever.texts(engagement=engagement, side=side, scope=scope, documents=routed)
        ):
            return self._not_found(question, hits, engagement, [kind])
        # "what's the uptime target in the common paper sla, 99.9?": no figure of the kind near, that one nowhere
        texts = self.retriever.texts(engagement=engagement, side=side, scope=scope, documents=routed)
        if figure := absent_figure(question, texts, [h.chunk.text for h in hits[:3]]):
            return self._not_found(question, hits, engagement, [figure])
        if self.llm is not None:
            from knowledge.generation import generate_answer

            generated = generate_answer(question, hits, self.llm, self._text_of)
            if generated is not None:
                return generated
        return self._extractive(question, hits, scope)

    # -- relevance -------------------------------------------------------------------------------
    def _other_language(self, asked: str | None) -> bool:
        """A question in another language than English, read by a multilingual embedder."""
        return asked not in (None, "en") and multilingual(self.retriever.embeddings)

    def _across_languages(self, asked: str | None, hits: list[Hit]) -> bool:
        """Whether the question is in one language and the lead clause's document in another (a multilingual
        embedder only: an English-only one cannot match across languages at all)."""
        if asked is None or not hits or not multilingual(self.retriever.embeddings):
            return False
        text = self._text_of(hits[0])
        key = (hits[0].chunk.document, len(text), text[:200])
        if key not in self._languages:
            if len(self._languages) > 256:
                self._languages.clear()
            self._languages[key] = document_language(text)
        found = self._languages[key]
        return found is not None and found != asked

    @property
    def similarity_floor(self) -> float:
        """How close a clause must come to a text to be related to it at all (LIAISON_MIN_SIMILARITY, or the
        floor fitted for this embedder): suggestions for an issue use it."""
        return self.min_similarity if self.min_similarity is not None else self.coverage.similarity_floor

    def _relevant(self, question: str, hits: list[Hit], vocabulary: frozenset[str]) -> bool:
        """Covered or not: the fitted decision of `knowledge.coverage`, with min_similarity as its floor."""
        if not tokenize(question):
            return False
        values = features(question, hits, vocabulary, self._text_of)
        return decide(values, min_similarity=self.min_similarity, fitted=self.coverage)

    def _not_found(self, question: str, hits: list[Hit], engagement: str, missing: list[str]) -> Answer:
        nearest = [self._whole_or_passage(question, h, "nearest") for h in hits[:NEAREST]]
        if missing:  # words no visible clause has in any form (stem, longer word, expansion)
            text = _(
                "The indexed contracts for {engagement} do not seem to cover this. None of them mentions {words}. "
                "These are the nearest clauses I found; none of them answers it directly."
            ).format(engagement=engagement, words=named(missing))
        else:
            text = _(
                "The indexed contracts for {engagement} do not seem to cover this. "
                "These are the nearest clauses I found; none of them answers it directly."
            ).format(engagement=engagement)
        if looks_non_english(question) and not multilingual(self.retriever.embeddings):
            text = _(
                "I can only read questions in English with the embedding model in use (LIAISON_EMBEDDER), "
                "and I could not match this one to a clause. Please ask in English."
            )
        return Answer(question, text, False, [], nearest)

    # -- extractive ------------------------------------------------------------------------------
    def _text_of(self, hit: Hit) -> str:
        return self.retriever.document_text(hit.chunk)

    def _closeness(self, question: str, hit: Hit) -> list[tuple[int, int, float]]:
        """Each stored sentence of the hit's chunk with its cosine to the question ([] without vectors)."""
        spans = hit.chunk.sentences.spans
        if not spans:
            return []
        if self._query[0] != question:
            self._query = (question, np.asarray(self.retriever.embeddings.embed_query(question), dtype=np.float32))
        vector = self._query[1]
        matrix = hit.chunk.sentences.matrix()
        if vector is None or matrix.shape[1] != vector.shape[0]:
            return []
        return [(a, b, float(c)) for (a, b), c in zip(spans, matrix @ vector, strict=True)]

    def _whole_or_passage(self, question: str, hit: Hit, role: str) -> Citation:
        text = self._text_of(hit)
        start, end = best_passage(text, hit.chunk.start, hit.chunk.end, question, self._closeness(question, hit))
        section, heading = self.retriever.place_at(hit.chunk, start)
        return citation_for(hit, start, end, text, role, section=section, heading=heading)

    def _extractive(self, question: str, hits: list[Hit], scope: Scope) -> Answer:
        lead_hit = hits[0]
        lead = self._banded_row(question, hits) or self._whole_or_passage(question, lead_hit, "answer")
        citations = [lead]
        amendment = self._amendment_for(question, lead, hits)
        if amendment is not None:
            citations.insert(0, amendment)  # the amended wording is the one in force
        if found := self._definition_for(question, lead, hits, scope):
            definition, answers_better = found
            if amendment is None and answers_better:
                # the definition holds what was asked: it leads, and the clause that uses the term follows
                citations = [replace(definition, role="answer"), replace(lead, role="related")]
            else:
                citations.append(definition)
        for hit in hits[1:4]:
            if len(citations) > MAX_SUPPORTING:
                break
            if hit.score >= RELATED_SHARE * lead_hit.score and not any(_overlaps(hit, c) for c in citations):
                citations.append(self._whole_or_passage(question, hit, "related"))
        citations = citations[: MAX_SUPPORTING + 1]
        direct = self._direct(question, citations[0], hits)
        return Answer(question, _lead_in(citations, amendment is not None), True, citations, direct=direct)

    def _banded_row(self, question: str, hits: list[Hit]) -> Citation | None:
        """The row a stated measurement falls in ("uptime was 99.5%" -> "99.00% - 99.89%"), when a top hit is a
        row of a table of such bands (`knowledge.ranges`); None when the question states none or no row holds it."""
        if not measured(question):
            return None
        seen: set[tuple[str, int]] = set()
        for hit in hits[:BANDED_HITS]:
            text = self._text_of(hit)
            table = table_at(text, hit.chunk.end - 1)
            if table is None or (hit.chunk.document, table.start) in seen:
                continue
            seen.add((hit.chunk.document, table.start))
            at = row_for(question, [text[a:b] for a, b in table.rows])
            if at is not None:
                a, b = table.rows[at]
                return citation_for(hit, a, b, text, "answer", section=self.retriever.section_at(hit.chunk, a))
        return None

    def _direct(self, question: str, lead: Citation, hits: list[Hit]) -> Direct | None:
        """The line of the lead citation that answers (see `knowledge.direct`)."""
        hit = next((h for h in hits if h.chunk.document == lead.document and _within(h, lead.start)), None)
        hit = hit or next((h for h in hits if h.chunk.document == lead.document), None)  # a row found by its band
        if hit is None:
            return None
        return direct_for(
            question,
            self._text_of(hit),
            document=lead.document,
            start=lead.start,
            end=lead.end,
            title=lead.title,
            section=lead.section,
            page=lead.page,
            section_at=lambda offset: self.retriever.section_at(hit.chunk, offset) if _within(hit, offset) else None,
        )

    def _amendment_for(self, question: str, lead: Citation, hits: list[Hit]) -> Citation | None:
        if is_amendment(lead.title, lead.document):
            return None
        for hit in hits[1:6]:
            if not is_amendment(hit.chunk.title, hit.chunk.document) or (
                is_opening_part(hit.chunk) and not _ABOUT_AMENDING.search(question)  # names what it amends
            ):
                continue
            refers = lead.section and re.search(rf"\b{re.escape(lead.section.split(' ')[-1])}\b", hit.chunk.text)
            if refers or hit.score >= 0.8 * hits[0].score:
                return self._whole_or_passage(question, hit, "amendment")
        return None

    def _definition_for(
        self, question: str, lead: Citation, hits: list[Hit], scope: Scope
    ) -> tuple[Citation, bool] | None:
        """The definition of a term the question turns on ("what counts as a Business Day?"): one it names in full
        that the documents define, else one the lead relies on that shares a word with it. Looked up in the lead's
        document first, then in the other documents of the hits (never another vendor's glossary alone). With it,
        whether it answers better than the lead (`knowledge.definitions.definition_answers`)."""
        asked = set(tokenize(question))
        defined = self.retriever.defined_terms(engagement=scope.engagement, side=scope.side, scope=scope)
        named = asked_terms(question, defined)
        relied = [t for t in defined_terms(lead.quote) if set(tokenize(t)) & asked and t not in named]
        within = list(dict.fromkeys([lead.document, *(h.chunk.document for h in hits)]))
        found: list[tuple[str, Citation]] = []
        for term in [*named, *relied][:4]:
            hit = self.retriever.definition(
                term, engagement=scope.engagement, side=scope.side, scope=scope, within=within
            )
            if hit is None:
                continue
            text = self._text_of(hit)
            start, end = definition_span(text, hit.chunk.start, hit.chunk.end, term)
            cited = citation_for(hit, start, end, text, "definition", self.retriever.section_at(hit.chunk, start))
            if _overlaps_span(cited, lead):
                if term in named:
                    return None  # the lead is the definition asked about
                continue
            found.append((term, cited))
        # one that answers better than the lead leads; else, asked for a value, the one holding it ('"Response
        # Window" means one (1) hour') before the others
        better = [c for term, c in found if definition_answers(question, term, lead.quote, c.quote)]
        if better:
            return better[0], True
        values = answer_kinds(question)
        holding = [c for _, c in found if any(HOLDS[kind].search(c.quote) for kind in values)]
        ranked = holding or [c for _, c in found]
        return (ranked[0], False) if ranked else None


def _overlaps_span(a: Citation, b: Citation) -> bool:
    return a.document == b.document and a.start < b.end and b.start < a.end


def _direct_in_quote(question: str, lead: Citation) -> Direct | None:
    """The direct line of a citation's quote alone (`quote == extracted_text[start:end]`, so offsets carry over)."""
    found = direct_for(
        question,
        lead.quote,
        document=lead.document,
        start=0,
        end=len(lead.quote),
        title=lead.title,
        section=lead.section,
        page=lead.page,
    )
    return found.shifted(lead.start) if found else None


_ABOUT_AMENDING = re.compile(r"\b(?:amend|modific|emendament)", re.IGNORECASE)  # "when was the first amendment signed?"


def _within(hit: Hit, offset: int) -> bool:
    return hit.chunk.start <= offset < hit.chunk.end


def _overlaps(hit: Hit, c: Citation) -> bool:
    return hit.chunk.document == c.document and hit.chunk.start < c.end and c.start < hit.chunk.end


def _where(c: Citation) -> str:
    section = c.section or ""
    container = section.rsplit(" ", 1)[0] if " " in section else ""
    if container and c.title.lower().startswith(container.lower()):
        section = section.rsplit(" ", 1)[1]  # "Schedule B 4.2" of "Schedule B - SLA" reads "4.2"
    if section and c.page:
        return _("section {section} of the {document} (page {page})").format(
            section=section, document=_named(c), page=c.page
        )
    if section:
        return _("section {section} of the {document}").format(section=section, document=_named(c))
    if c.page:
        return _("the {document} (page {page})").format(document=_named(c), page=c.page)
    return _("the {document}").format(document=_named(c))


def _named(c: Citation) -> str:
    """A document as the lead-in names it: its title, with its file name (titles can be spoofed)."""
    return citation_label(title=c.title, document=c.document, section=None, page=None)


def _lead_in(citations: list[Citation], amended: bool) -> str:
    if amended and len(citations) > 1:
        return _("{amendment} changed this; {where} had the original wording:").format(
            amendment=_named(citations[0]), where=_where(citations[1])
        )
    return _("Here is what {where} says:").format(where=_where(citations[0]))


def _nothing_indexed(engagement: str, side: str) -> str:
    return _(
        "No contracts are indexed for engagement '{engagement}' that a {side} channel may see. "
        "Index some with `liaison index PATH --engagement {engagement}`."
    ).format(engagement=engagement, side=side)
