"""The vector store: chunks and documents in Chroma, scoped by engagement and visibility.

This module holds the `Store`. The records it reads and writes (`StoredDocument`, `StoredChunk`, their
sentence vectors and Chroma metadata) are in `knowledge.stored`; who may read which visibility is in
`knowledge.visibility`; the lock and generation file that let several processes share a local
directory are in `knowledge.storelock`; the consistency check and its repairs are in
`knowledge.consistency`.

Two collections: `<ns>_chunks` (one record a chunk, its embedding and exact span) and
`<ns>_documents` (one record a document: its full extracted text, content hash and an embedding of
its header: title, file name and opening). A document's chunks are versioned by content hash; readers
only see chunks whose hash is the document's current one, so replacing a document is atomic for them
even though Chroma has no transactions.

Changing a document's visibility is made safe the same way: the record is first narrowed to what
both the old and the new visibility allow (and the target is recorded as pending), then the chunks
are updated in batches, then the record takes the target. Readers honour the narrowest of the record
and the chunk, so a crash at any point exposes nothing, and `check(repair=True)` finishes the change.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import chromadb
from chromadb.api.types import Metadata, PyEmbeddings, Where
from chromadb.config import Settings as ChromaSettings

from knowledge.chunking import Chunk
from knowledge.consistency import CheckReport, check_store
from knowledge.documents import ExtractedDocument
from knowledge.errors import ConfigurationError, UnknownDocumentError
from knowledge.stored import SentenceVectors, StoredChunk, StoredDocument, chunk_metadata, stored_chunk, stored_document
from knowledge.storelock import LocalDirectory
from knowledge.visibility import SIDES, VISIBILITIES, narrowest, visible_to

__all__ = [
    "SIDES",
    "VISIBILITIES",
    "CheckReport",
    "SentenceVectors",
    "Store",
    "StoredChunk",
    "StoredDocument",
    "document_id",
    "make_client",
    "visible_to",
]

_BATCH = 2000


def document_id(engagement: str, name: str) -> str:
    return hashlib.sha1(f"{engagement}\x00{name}".encode()).hexdigest()[:20]


def make_client(*, data_dir: Path | None = None, url: str | None = None) -> chromadb.ClientAPI:
    """A persistent client under data_dir, or an HTTP client when url is set. Telemetry off."""
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        from urllib.parse import urlparse

        parsed = urlparse(url)
        try:
            return chromadb.HttpClient(
                host=parsed.hostname or "localhost",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=settings,
            )
        except Exception as exc:
            raise ConfigurationError(f"cannot reach the Chroma server at {url}: {exc}") from exc
    if data_dir is None:
        return chromadb.EphemeralClient(settings=settings)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = str(data_dir / "chroma")
    with LocalDirectory.at(path).opening():  # several processes may create the directory at once
        return chromadb.PersistentClient(path=path, settings=settings)


def _record_vector(chunk_embeddings: Sequence[Sequence[float]]) -> list[float]:
    """The vector a document's record carries: a fixed unit vector as long as its chunks' (nothing queries it)."""
    size = len(chunk_embeddings[0]) if chunk_embeddings else 1
    return [1.0] + [0.0] * (size - 1)


class Store:
    """Chroma collections for one deployment; every read is scoped to one engagement."""

    def __init__(self, client: chromadb.ClientAPI, *, namespace: str = "liaison") -> None:
        self.namespace = namespace
        self.batch = max(1, min(_BATCH, client.get_max_batch_size()))
        self._local = LocalDirectory.of(client)
        self._epoch = self._local.epoch if self._local else 0
        self._attach(client)

    def _attach(self, client: chromadb.ClientAPI) -> None:
        config: Any = {"hnsw": {"space": "cosine"}}
        self.client = client
        self.chunks = client.get_or_create_collection(
            f"{self.namespace}_chunks", configuration=config, embedding_function=None
        )
        self.documents = client.get_or_create_collection(
            f"{self.namespace}_documents", configuration=config, embedding_function=None
        )

    # -- several processes on one local directory ------------------------------------------------
    def _fresh(self) -> None:
        """Reopen the local Chroma if another process wrote since this process opened it."""
        local = self._local
        if local is None:
            return
        with local.current() as epoch:
            if self._epoch != epoch:
                self._attach(chromadb.PersistentClient(path=local.path, settings=self.client.get_settings()))
                self._epoch = epoch

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the directory's write lock (re-entrant), on a fresh view, and mark the change after."""
        if self._local is None:
            yield
            return
        with self._local.writing():
            self._fresh()
            yield

    # -- documents -------------------------------------------------------------------------------
    def list_documents(self, engagement: str | None = None) -> list[StoredDocument]:
        self._fresh()
        where: Where | None = {"engagement": engagement} if engagement else None
        got = self.documents.get(where=where, include=["metadatas"])
        docs = [stored_document(i, m) for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)]
        return sorted(docs, key=lambda d: (d.engagement, d.name))

    def get_document(self, engagement: str, name: str) -> StoredDocument | None:
        self._fresh()
        got = self.documents.get(ids=[document_id(engagement, name)], include=["metadatas"])
        if not got["ids"]:
            return None
        return stored_document(got["ids"][0], included(got["metadatas"], "metadatas")[0])

    def document_text(self, engagement: str, name: str) -> str:
        self._fresh()
        got = self.documents.get(ids=[document_id(engagement, name)], include=["documents"])
        if not got["ids"]:
            raise UnknownDocumentError(f"no document named {name!r} in engagement {engagement!r}")
        return included(got["documents"], "documents")[0]

    def engagements(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for doc in self.list_documents():
            counts[doc.engagement] = counts.get(doc.engagement, 0) + 1
        return counts

    # -- writing ---------------------------------------------------------------------------------
    def put_document(
        self,
        doc: ExtractedDocument,
        *,
        engagement: str,
        visibility: str,
        chunks: Sequence[Chunk],
        chunk_embeddings: Sequence[Sequence[float]],
        sentence_vectors: Sequence[SentenceVectors] | None = None,
        source: str = "",
        pipeline: str = "",
    ) -> StoredDocument:
        """Add the new version's chunks, then switch the document to it, then drop old versions."""
        if visibility not in VISIBILITIES:
            raise ValueError(f"unknown visibility {visibility!r}: use one of {', '.join(VISIBILITIES)}")
        doc_id = document_id(engagement, doc.name)
        version = doc.content_hash[:12]
        ids = [f"{doc_id}:{version}:{i}" for i in range(len(chunks))]
        written = time.time()
        sentences = sentence_vectors or [SentenceVectors.empty()] * len(chunks)
        metadatas: list[Metadata] = [
            chunk_metadata(doc, c, doc_id, engagement, visibility) | {"written_at": written} | v.metadata()
            for c, v in zip(chunks, sentences, strict=True)
        ]
        texts = [c.text_of(doc.text) for c in chunks]
        meta: Metadata = {
            "engagement": engagement,
            "name": doc.name,
            "title": doc.title,
            "title_manual": doc.title_manual,
            "visibility": visibility,
            "pending_visibility": "",
            "kind": doc.kind,
            "content_hash": doc.content_hash,
            "chunks": len(chunks),
            "indexed_at": written,
            "page_starts": json.dumps(list(doc.page_starts)),
            "source": source,
            "pipeline": pipeline,
        }
        with self._writing():
            for lo in range(0, len(ids), self.batch):
                self.chunks.upsert(
                    ids=ids[lo : lo + self.batch],
                    embeddings=_embeddings(chunk_embeddings[lo : lo + self.batch]),
                    documents=texts[lo : lo + self.batch],
                    metadatas=metadatas[lo : lo + self.batch],
                )
            self.documents.upsert(  # a record, never searched by vector: Chroma still wants one, of the chunks' size
                ids=[doc_id],
                embeddings=_embeddings([_record_vector(chunk_embeddings)]),
                documents=[doc.text],
                metadatas=[meta],
            )
            self.drop_stale_chunks(doc_id, keep_hash=doc.content_hash)
        return stored_document(doc_id, meta)

    def set_visibility(self, engagement: str, name: str, visibility: str) -> None:
        """Change who may see an unchanged document without re-embedding it, safely at any size.

        Three steps, each safe to stop after: the record is narrowed to what both visibilities allow,
        with the target recorded as pending; the chunks take the target, batch by batch; the record
        takes the target. `check(repair=True)` finishes a change a crash interrupted.
        """
        if visibility not in VISIBILITIES:
            raise ValueError(f"unknown visibility {visibility!r}: use one of {', '.join(VISIBILITIES)}")
        with self._writing():
            stored = self.get_document(engagement, name)
            if stored is None:
                raise UnknownDocumentError(f"no document named {name!r} in engagement {engagement!r}")
            self._change_visibility(stored, visibility)

    def _change_visibility(self, stored: StoredDocument, visibility: str) -> None:
        narrowed = narrowest(stored.visibility, visibility)
        self.documents.update(ids=[stored.id], metadatas=[{"visibility": narrowed, "pending_visibility": visibility}])
        self._set_chunk_visibility(self.chunks.get(where={"doc_id": stored.id}, include=[])["ids"], visibility)
        self.documents.update(ids=[stored.id], metadatas=[{"visibility": visibility, "pending_visibility": ""}])

    def _set_chunk_visibility(self, ids: list[str], visibility: str) -> None:
        for lo in range(0, len(ids), self.batch):
            batch = ids[lo : lo + self.batch]
            self.chunks.update(ids=batch, metadatas=[{"visibility": visibility}] * len(batch))

    def _delete_chunks(self, ids: list[str]) -> None:
        for lo in range(0, len(ids), self.batch):
            self.chunks.delete(ids=ids[lo : lo + self.batch])

    def drop_stale_chunks(self, doc_id: str, *, keep_hash: str | None) -> None:
        where: dict[str, Any] = {"doc_id": doc_id}
        if keep_hash is not None:
            where = {"$and": [{"doc_id": doc_id}, {"content_hash": {"$ne": keep_hash}}]}
        with self._writing():
            self._delete_chunks(self.chunks.get(where=where, include=[])["ids"])

    def forget(self, engagement: str, names: Iterable[str]) -> list[str]:
        """Remove documents (record first, so readers stop seeing chunks at once); return those removed."""
        removed = []
        with self._writing():
            for name in names:
                doc_id = document_id(engagement, name)
                if not self.documents.get(ids=[doc_id], include=[])["ids"]:
                    continue
                self.documents.delete(ids=[doc_id])
                self.drop_stale_chunks(doc_id, keep_hash=None)
                removed.append(name)
        return removed

    # -- consistency -----------------------------------------------------------------------------
    def check(self, engagement: str | None = None, *, repair: bool = False) -> CheckReport:
        """Find (and with repair=True, fix) what an interrupted write can leave behind.

        Unfinished visibility changes are finished; chunks whose visibility disagrees with their
        document's take the document's; chunks of superseded versions and chunks without a document
        are deleted; a document missing chunks of its current version is marked to be re-indexed
        (the next `index` of its file re-embeds it) and stays a problem until then.
        """
        return check_store(self, engagement, repair=repair)

    # -- reading ---------------------------------------------------------------------------------
    def scope_chunks(self, engagement: str) -> list[StoredChunk]:
        """Every current chunk of an engagement (all visibilities; callers filter by side).

        A chunk's visibility is the narrowest of its own and its document's, so a chunk whose
        visibility change has not reached it yet is read as its document says.
        """
        docs = {d.id: d for d in self.list_documents(engagement)}
        got = self.chunks.get(where={"engagement": engagement}, include=["documents", "metadatas"])
        out = []
        for cid, text, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True):
            doc = docs.get(str(meta["doc_id"]))
            if doc is not None and doc.content_hash == meta["content_hash"]:
                visibility = narrowest(doc.visibility, doc.pending_visibility, str(meta["visibility"]))
                out.append(stored_chunk(cid, text, {**meta, "visibility": visibility}))
        return sorted(out, key=lambda c: (c.document, c.start))

    def dense_query(
        self,
        embedding: Sequence[float],
        *,
        engagement: str,
        visibilities: list[str],
        n: int,
        documents: list[str] | None = None,
        records: dict[str, StoredDocument] | None = None,
    ) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine similarity, filtered in Chroma by scope, then by their document.

        Chroma filters on the chunk's own metadata; a chunk is then kept only if it belongs to its
        document's current version and the document's record lets these visibilities read it too.
        `records`: the engagement's document records as the caller read them for this question (else read here).
        """
        self._fresh()
        clauses: list[dict[str, Any]] = [{"engagement": engagement}, {"visibility": {"$in": visibilities}}]
        if documents:
            clauses.append({"document": {"$in": documents}})
        got = self.chunks.query(
            query_embeddings=_embeddings([embedding]),
            n_results=n,
            where={"$and": clauses},
            include=["metadatas", "distances"],
        )
        ids = got["ids"][0]
        metas, distances = included(got["metadatas"], "metadatas")[0], included(got["distances"], "distances")[0]
        if not ids:
            return []
        if records is None:
            got_docs = self.documents.get(ids=sorted({str(m["doc_id"]) for m in metas}), include=["metadatas"])
            records = {
                i: stored_document(i, m) for i, m in zip(got_docs["ids"], got_docs["metadatas"] or [], strict=True)
            }
        docs = records
        out = []
        for cid, meta, distance in zip(ids, metas, distances, strict=True):
            doc = docs.get(str(meta["doc_id"]))
            if doc is None or doc.content_hash != meta["content_hash"]:
                continue
            if narrowest(doc.visibility, doc.pending_visibility, str(meta["visibility"])) in visibilities:
                out.append((cid, 1.0 - float(distance)))
        return out


_T = TypeVar("_T")


def included(value: _T | None, field: str) -> _T:
    """A field of a Chroma result that the call's `include` asked for (Chroma types every field as optional)."""
    if value is None:
        raise RuntimeError(f"Chroma returned no {field} though they were asked for")
    return value


def _embeddings(vectors: Iterable[Sequence[float]]) -> PyEmbeddings:
    """Vectors as the plain lists Chroma takes."""
    return [list(v) for v in vectors]
