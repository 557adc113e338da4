"""The knowledge base as one object: index, search, answer, forget, within an engagement's scope."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.answers import Answer, Answerer
from knowledge.indexing import Indexer, IndexReport, Progress
from knowledge.limits import DEFAULT_LIMITS, Limits
from knowledge.retrieval import Hit, Retriever
from knowledge.store import CheckReport, Store
from knowledge.stored import StoredDocument

if TYPE_CHECKING:  # the SLA and deadline readers compile large patterns: imported when used (`ask` stays fast)
    from knowledge.deadlines import ObligationDraft
    from knowledge.embeddings import Embedder
    from knowledge.slas import LevelDraft


class KnowledgeBase:
    """Contracts of every engagement, each read only within its engagement and the asker's side."""

    def __init__(
        self,
        store: Store,
        embeddings: Embedder,
        *,
        llm: Any | None = None,
        min_similarity: float | None = None,
        k: int = 8,
        limits: Limits = DEFAULT_LIMITS,
        max_bytes: int | None = None,
    ) -> None:
        self.store = store
        self.embeddings = embeddings
        self.llm = llm  # a langchain chat model, or None: the answerer and SLA extraction use it
        self.indexer = Indexer(store, embeddings, limits=limits, max_bytes=max_bytes)
        self.retriever = Retriever(store, embeddings)
        self.answerer = Answerer(self.retriever, min_similarity=min_similarity, k=k, llm=llm)

    def index(
        self,
        paths: Iterable[Path],
        *,
        engagement: str,
        visibility: str = "shared",
        progress: Progress | None = None,
        change_visibility: bool = True,
        title: str | None = None,
    ) -> IndexReport:
        """Index files and folders (see `Indexer.index_paths`); change_visibility=False never re-scopes a document."""
        return self.indexer.index_paths(
            paths,
            engagement=engagement,
            visibility=visibility,
            progress=progress,
            change_visibility=change_visibility,
            title=title,
        )

    def answer_question(
        self, question: str, *, engagement: str, side: str = "shared", language: str | None = None
    ) -> Answer:
        """See `Answerer.answer_question`: `language` names the asker's language (else the question's own)."""
        return self.answerer.answer_question(question, engagement=engagement, side=side, language=language)

    def search(self, question: str, *, engagement: str, side: str = "shared", k: int = 8) -> list[Hit]:
        return self.retriever.search(question, engagement=engagement, side=side, k=k)

    def documents(self, engagement: str | None = None) -> list[StoredDocument]:
        return self.store.list_documents(engagement)

    def engagements(self) -> dict[str, int]:
        return self.store.engagements()

    def document_text(self, engagement: str, name: str) -> str:
        return self.store.document_text(engagement, name)

    def service_levels(self, engagement: str) -> list[tuple[StoredDocument, list[LevelDraft]]]:
        """Every document of the engagement (every visibility: the caller filters by side) with the service levels
        it states; an amendment's levels (`knowledge.signals.is_amendment`) carry its effective date
        (`effective_from`).

        Rule-based first; with an LLM configured, the clauses the rules left are read with it too
        (`knowledge.sla_llm`: every value verbatim in its clause or dropped), and the rules win a clause both read.
        """
        from knowledge.slas import extract_levels, with_series_terms

        out: list[tuple[StoredDocument, list[LevelDraft]]] = []
        for doc in self.documents(engagement):
            text = self.document_text(engagement, doc.name)
            levels = extract_levels(text, document=doc.name, title=doc.title)
            if self.llm is not None:
                from knowledge.sla_llm import extract_levels_llm, merge_levels, uncovered_clauses

                todo = uncovered_clauses(text, levels)
                assisted = extract_levels_llm(self.llm, text, document=doc.name, title=doc.title, candidates=todo)
                levels = with_series_terms(text, merge_levels(levels, assisted))  # earn-back, chronic: all levels
            out.append((doc, levels))
        return out

    def deadlines(self, engagement: str) -> list[tuple[StoredDocument, list[ObligationDraft]]]:
        """Every document of the engagement (every visibility: the caller filters by side) with the dated
        obligations it states (`knowledge.deadlines`), each labelled with its clause (`sections_at`, one pass
        over the document's outline; a definition's label is no clause)."""
        from knowledge.deadlines import extract_obligations
        from knowledge.slas import sections_at

        out: list[tuple[StoredDocument, list[ObligationDraft]]] = []
        for doc in self.documents(engagement):
            text = self.document_text(engagement, doc.name)
            drafts = extract_obligations(text)
            places = sections_at(text, [d.quote.start for d in drafts])
            labelled = []
            for draft in drafts:
                label = places[draft.quote.start][0]
                labelled.append(replace(draft, section=None if label and label.startswith("'") else label))
            out.append((doc, labelled))
        return out

    def forget(self, engagement: str, names: Iterable[str]) -> list[str]:
        return self.store.forget(engagement, names)

    def doctor(self, engagement: str | None = None, *, repair: bool = True) -> CheckReport:
        """Check the store for what an interrupted write left behind, and (unless repair=False) fix it."""
        return self.store.check(engagement, repair=repair)
