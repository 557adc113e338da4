"""Indexing: files in, chunks embedded and stored; unchanged files cost nothing."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from knowledge.chunking import Chunk, chunk_document
from knowledge.documents import ExtractedDocument
from knowledge.embeddings import Embedder, identity
from knowledge.errors import DocumentError
from knowledge.limits import DEFAULT_LIMITS, Limits
from knowledge.quotes import sentences_and_rows
from knowledge.store import VISIBILITIES, Store
from knowledge.stored import SentenceVectors, StoredDocument

if TYPE_CHECKING:  # the format readers (pypdf, python-docx, bs4) load when a file is indexed, not to answer
    from knowledge.loaders import Found

EMBED_BATCH = 32
MAX_SENTENCES = 24  # sentence vectors kept per chunk (a table of many rows keeps its first rows)
PIPELINE_VERSION = "14"  # bump when loading, chunking or what is embedded changes: documents re-index
HEADER_CHARS = 1200


class Progress(Protocol):
    """What an indexing run reports as it goes (the CLI draws a progress bar from it)."""

    def files(self, total: int) -> None: ...
    def file_started(self, name: str, chunks: int) -> None: ...
    def embedded(self, count: int) -> None: ...
    def file_done(self, name: str, status: str) -> None: ...


class _Silent:
    def files(self, total: int) -> None: ...
    def file_started(self, name: str, chunks: int) -> None: ...
    def embedded(self, count: int) -> None: ...
    def file_done(self, name: str, status: str) -> None: ...


@dataclass
class IndexReport:
    """What an indexing run did, file by file."""

    engagement: str
    indexed: list[tuple[str, int]] = field(default_factory=list)  # (name, chunks)
    unchanged: list[str] = field(default_factory=list)
    revisibled: list[str] = field(default_factory=list)
    failed: list[DocumentError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. two documents with one title; repairs made
    chunks: int = 0
    bytes: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "engagement": self.engagement,
            "indexed": [{"document": n, "chunks": c} for n, c in self.indexed],
            "unchanged": self.unchanged,
            "visibility_changed": self.revisibled,
            "failed": [{"document": e.name, "reason": e.reason} for e in self.failed],
            "warnings": self.warnings,
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
            "embed_seconds": round(self.embed_seconds, 3),
        }


def embedding_text(doc: ExtractedDocument, chunk: Chunk) -> str:
    """What the embedder sees: a short breadcrumb for context, then the clause itself."""
    return f"{_breadcrumb(doc, chunk)}\n{chunk.text_of(doc.text)}"


def _breadcrumb(doc: ExtractedDocument, chunk: Chunk) -> str:
    context = chunk.context[-160:] if chunk.context else ""
    return f"{doc.title}: {context}" if context else doc.title


def sentence_spans_of(doc: ExtractedDocument, chunk: Chunk) -> list[tuple[int, int]]:
    """The chunk's sentences and table rows (document offsets) that get a vector of their own."""
    spans = sentences_and_rows(doc.text, chunk.start, chunk.end)
    return spans[:MAX_SENTENCES] if len(spans) > 1 else []  # one sentence: the chunk's vector says it all


class Indexer:
    """Loads, chunks, embeds and stores documents for one engagement at a time."""

    def __init__(
        self,
        store: Store,
        embeddings: Embedder,
        *,
        limits: Limits = DEFAULT_LIMITS,
        max_bytes: int | None = None,
    ) -> None:
        self.store = store
        self.embeddings = embeddings
        self.limits = limits if max_bytes is None else replace(limits, max_bytes=max_bytes)
        self.max_bytes = self.limits.max_bytes
        self.pipeline = f"{PIPELINE_VERSION}:{identity(embeddings)}"  # the CLI's lazy embedder names the same

    def index_paths(
        self,
        paths: Iterable[Path],
        *,
        engagement: str,
        visibility: str = "shared",
        progress: Progress | None = None,
        change_visibility: bool = True,
        title: str | None = None,
    ) -> IndexReport:
        """Index files and folders; a document is named by its path relative to the folder given.

        With change_visibility=False (files added from Slack), a file whose name is already indexed
        with another visibility is refused and nothing is written: it neither replaces nor re-scopes
        a document another side may be relying on.

        `title` sets the title of the one file given by hand (ValueError if the paths hold several); it is
        stored, and kept when that file is re-indexed later without a title.
        """
        if visibility not in VISIBILITIES:
            raise ValueError(f"unknown visibility {visibility!r}: use one of {', '.join(VISIBILITIES)}")
        from knowledge.formats.common import clean_inline

        if title is not None and not (title := clean_inline(title)):
            raise ValueError("the title is empty")
        progress = progress or _Silent()
        started = time.perf_counter()
        report = IndexReport(engagement)
        repaired = self.store.check(engagement, repair=True).problems  # what a crash left behind, first
        report.warnings += [f"repaired {p.document}: {p.detail}" for p in repaired]
        from knowledge.loaders import find_documents

        files, report.failed = find_documents(paths)
        if title is not None and len(files) != 1:
            raise ValueError(f"a title names one document, and {len(files)} files were found: index that file alone")
        progress.files(len(files))
        for found in files:
            try:
                status = self._index_file(found, engagement, visibility, report, progress, change_visibility, title)
            except DocumentError as err:
                report.failed.append(err)
                status = f"skipped: {err.reason}"
            progress.file_done(found.name, status)
        report.warnings += same_titles(self.store.list_documents(engagement), touched=_touched(report))
        report.seconds = time.perf_counter() - started
        return report

    def _index_file(
        self,
        found: Found,
        engagement: str,
        visibility: str,
        report: IndexReport,
        progress: Progress,
        change_visibility: bool,
        title: str | None = None,
    ) -> str:
        from knowledge.loaders import file_hash, load_document

        path, name = found
        digest = file_hash(path) if path.stat().st_size <= self.max_bytes else None
        existing = self.store.get_document(engagement, name)
        if title is None and existing is not None and existing.title_manual:
            title = existing.title  # a title set by hand outlives new versions of the file
        if existing and not change_visibility and existing.requested_visibility != visibility:
            raise DocumentError(
                name,
                f"a document named {name} is already indexed as {existing.requested_visibility}; it was not "
                f"replaced (this file would be {visibility}). An admin can change its visibility with the CLI: "
                f"liaison index FILE --engagement {engagement} --visibility ...",
            )
        same_title = title is None or (existing is not None and existing.title_manual and existing.title == title)
        if (
            digest
            and existing
            and existing.content_hash == digest
            and existing.pipeline == self.pipeline
            and same_title
        ):
            if existing.requested_visibility != visibility or existing.pending_visibility:
                self.store.set_visibility(engagement, name, visibility)
                report.revisibled.append(name)
                return f"visibility now {visibility}"
            report.unchanged.append(name)
            return "unchanged"
        doc = load_document(path, name=name, limits=self.limits, content_hash=digest)
        if title is not None:
            doc = replace(doc, title=title, title_manual=True)  # embedded with it: the title is in every chunk's text
        count = self.index_document(doc, engagement=engagement, visibility=visibility, progress=progress, report=report)
        report.bytes += path.stat().st_size
        return f"{count} chunks"

    def index_document(
        self,
        doc: ExtractedDocument,
        *,
        engagement: str,
        visibility: str = "shared",
        progress: Progress | None = None,
        report: IndexReport | None = None,
    ) -> int:
        """Chunk, embed and store one extracted document, replacing any older version of it."""
        progress = progress or _Silent()
        chunks = chunk_document(doc, limits=self.limits)
        progress.file_started(doc.name, len(chunks))
        t0 = time.perf_counter()
        spans = [sentence_spans_of(doc, c) for c in chunks]
        vectors, sentences = self._embed(doc, chunks, spans, progress)
        embed_seconds = time.perf_counter() - t0
        self.store.put_document(
            doc,
            engagement=engagement,
            visibility=visibility,
            chunks=chunks,
            chunk_embeddings=vectors,
            sentence_vectors=sentences,
            pipeline=self.pipeline,
        )
        if report is not None:
            report.indexed.append((doc.name, len(chunks)))
            report.chunks += len(chunks)
            report.embed_seconds += embed_seconds
        return len(chunks)

    def _embed(
        self, doc: ExtractedDocument, chunks: list[Chunk], spans: list[list[tuple[int, int]]], progress: Progress
    ) -> tuple[list[list[float]], list[SentenceVectors]]:
        """Chunk vectors and, when the embedder pools spans from the same pass, a vector per sentence.

        Sentence spans are document offsets; in the embedded text they sit after the breadcrumb line,
        so they are shifted by its length going in and the vectors are kept with the document offsets.
        """
        texts = [embedding_text(doc, c) for c in chunks]
        with_spans = getattr(self.embeddings, "embed_with_spans", None) if any(spans) else None
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad less
        out: list[list[float]] = [[] for _ in texts]
        sentences: list[SentenceVectors] = [SentenceVectors.empty() for _ in texts]
        for lo in range(0, len(order), EMBED_BATCH):
            idx = order[lo : lo + EMBED_BATCH]
            batch = [texts[i] for i in idx]
            parts: list[list[list[float] | None]] = [[] for _ in idx]
            if with_spans is None:
                vectors = self.embeddings.embed_documents(batch)
            else:  # a document offset o is at o + shift in the embedded text (after the breadcrumb line)
                shifts = [len(texts[i]) - chunks[i].end for i in idx]
                wanted = [[(a + d, b + d) for a, b in spans[i]] for i, d in zip(idx, shifts, strict=True)]
                vectors, parts = with_spans(batch, wanted)
            for i, vector, pooled in zip(idx, vectors, parts, strict=True):
                out[i] = vector
                kept = [(span, v) for span, v in zip(spans[i], pooled, strict=False) if v is not None]
                sentences[i] = SentenceVectors.pack([s for s, _ in kept], [v for _, v in kept])
            progress.embedded(len(idx))
        return out, sentences


def _touched(report: IndexReport) -> set[str]:
    return {n for n, _ in report.indexed} | set(report.unchanged) | set(report.revisibled)


def same_titles(docs: Iterable[StoredDocument], *, touched: set[str] | None = None) -> list[str]:
    """A warning for each title several documents share (one of them in `touched`, if given)."""
    by_title: dict[str, list[StoredDocument]] = {}
    for doc in docs:
        by_title.setdefault(" ".join(doc.title.casefold().split()), []).append(doc)
    warnings = []
    for group in by_title.values():
        names = sorted(d.name for d in group)
        if len(names) > 1 and (touched is None or touched.intersection(names)):
            warnings.append(
                f'{len(names)} documents share the title "{group[0].title}": {", ".join(names)}; '
                "citations show the file name beside the title to tell them apart"
            )
    return warnings
