"""The vector store: chunks and documents in Chroma, scoped by engagement and visibility.

Two collections: `<ns>_chunks` (one record a chunk, its embedding and exact span) and
`<ns>_documents` (one record a document: its full extracted text, content hash and a header
embedding used to tell which document a question names). A document's chunks are versioned by
content hash; readers only see chunks whose hash is the document's current one, so replacing a
document is atomic for them even though Chroma has no transactions.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
from chromadb.config import Settings as ChromaSettings

from knowledge.chunking import Chunk
from knowledge.documents import ExtractedDocument
from knowledge.errors import ConfigurationError, UnknownDocumentError

VISIBILITIES = ("shared", "client-only", "vendor-only")
SIDES = ("client", "vendor", "shared")
_BATCH = 2000


def visible_to(side: str) -> list[str]:
    """The visibilities a side may read: a shared channel sees only shared documents."""
    if side == "client":
        return ["shared", "client-only"]
    if side == "vendor":
        return ["shared", "vendor-only"]
    if side == "shared":
        return ["shared"]
    raise ValueError(f"unknown side {side!r}: use client, vendor or shared")


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
    return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)


@dataclass(frozen=True)
class StoredDocument:
    """A document as recorded in the store (without its text)."""

    id: str
    engagement: str
    name: str
    title: str
    visibility: str
    kind: str
    content_hash: str
    chunks: int
    indexed_at: float
    page_starts: tuple[int, ...]
    pipeline: str = ""  # how it was indexed (chunker version, embedder): a change re-indexes it


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the store."""

    id: str
    doc_id: str
    document: str
    title: str
    visibility: str
    section: str | None
    heading: str | None
    page: int | None
    start: int
    end: int
    text: str
    context: str


class Store:
    """Chroma collections for one deployment; every read is scoped to one engagement."""

    def __init__(self, client: chromadb.ClientAPI, *, namespace: str = "liaison") -> None:
        config: Any = {"hnsw": {"space": "cosine"}}
        self.client = client
        self.chunks = client.get_or_create_collection(
            f"{namespace}_chunks", configuration=config, embedding_function=None
        )
        self.documents = client.get_or_create_collection(
            f"{namespace}_documents", configuration=config, embedding_function=None
        )

    # -- documents -------------------------------------------------------------------------------
    def list_documents(self, engagement: str | None = None) -> list[StoredDocument]:
        where = {"engagement": engagement} if engagement else None
        got = self.documents.get(where=where, include=["metadatas"])
        docs = [_stored_document(i, m) for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)]
        return sorted(docs, key=lambda d: (d.engagement, d.name))

    def get_document(self, engagement: str, name: str) -> StoredDocument | None:
        got = self.documents.get(ids=[document_id(engagement, name)], include=["metadatas"])
        if not got["ids"]:
            return None
        return _stored_document(got["ids"][0], got["metadatas"][0])  # type: ignore[index]

    def document_text(self, engagement: str, name: str) -> str:
        got = self.documents.get(ids=[document_id(engagement, name)], include=["documents"])
        if not got["ids"]:
            raise UnknownDocumentError(f"no document named {name!r} in engagement {engagement!r}")
        return got["documents"][0]  # type: ignore[index]

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
        header_embedding: Sequence[float],
        source: str = "",
        pipeline: str = "",
    ) -> StoredDocument:
        """Add the new version's chunks, then switch the document to it, then drop old versions."""
        if visibility not in VISIBILITIES:
            raise ValueError(f"unknown visibility {visibility!r}: use one of {', '.join(VISIBILITIES)}")
        doc_id = document_id(engagement, doc.name)
        version = doc.content_hash[:12]
        ids = [f"{doc_id}:{version}:{i}" for i in range(len(chunks))]
        metadatas = [_chunk_metadata(doc, c, doc_id, engagement, visibility) for c in chunks]
        texts = [c.text_of(doc.text) for c in chunks]
        for lo in range(0, len(ids), _BATCH):
            self.chunks.upsert(
                ids=ids[lo : lo + _BATCH],
                embeddings=[list(e) for e in chunk_embeddings[lo : lo + _BATCH]],
                documents=texts[lo : lo + _BATCH],
                metadatas=metadatas[lo : lo + _BATCH],
            )
        meta = {
            "engagement": engagement,
            "name": doc.name,
            "title": doc.title,
            "visibility": visibility,
            "kind": doc.kind,
            "content_hash": doc.content_hash,
            "chunks": len(chunks),
            "indexed_at": time.time(),
            "page_starts": json.dumps(list(doc.page_starts)),
            "source": source,
            "pipeline": pipeline,
        }
        self.documents.upsert(ids=[doc_id], embeddings=[list(header_embedding)], documents=[doc.text], metadatas=[meta])
        self.drop_stale_chunks(doc_id, keep_hash=doc.content_hash)
        return _stored_document(doc_id, meta)

    def set_visibility(self, engagement: str, name: str, visibility: str) -> None:
        """Change who may see an unchanged document without re-embedding it."""
        stored = self.get_document(engagement, name)
        if stored is None:
            raise UnknownDocumentError(f"no document named {name!r} in engagement {engagement!r}")
        self.documents.update(ids=[stored.id], metadatas=[{"visibility": visibility}])
        got = self.chunks.get(where={"doc_id": stored.id}, include=[])
        if got["ids"]:
            self.chunks.update(ids=got["ids"], metadatas=[{"visibility": visibility}] * len(got["ids"]))

    def drop_stale_chunks(self, doc_id: str, *, keep_hash: str | None) -> None:
        where: dict[str, Any] = {"doc_id": doc_id}
        if keep_hash is not None:
            where = {"$and": [{"doc_id": doc_id}, {"content_hash": {"$ne": keep_hash}}]}
        self.chunks.delete(where=where)

    def forget(self, engagement: str, names: Iterable[str]) -> list[str]:
        """Remove documents (record first, so readers stop seeing chunks at once); return those removed."""
        removed = []
        for name in names:
            doc_id = document_id(engagement, name)
            if not self.documents.get(ids=[doc_id], include=[])["ids"]:
                continue
            self.documents.delete(ids=[doc_id])
            self.drop_stale_chunks(doc_id, keep_hash=None)
            removed.append(name)
        return removed

    # -- reading ---------------------------------------------------------------------------------
    def scope_chunks(self, engagement: str) -> list[StoredChunk]:
        """Every current chunk of an engagement (all visibilities; callers filter by side)."""
        current = {d.id: d.content_hash for d in self.list_documents(engagement)}
        got = self.chunks.get(where={"engagement": engagement}, include=["documents", "metadatas"])
        out = []
        for cid, text, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True):
            if current.get(str(meta["doc_id"])) == meta["content_hash"]:
                out.append(_stored_chunk(cid, text, meta))
        return sorted(out, key=lambda c: (c.document, c.start))

    def dense_query(
        self,
        embedding: Sequence[float],
        *,
        engagement: str,
        visibilities: list[str],
        n: int,
        documents: list[str] | None = None,
    ) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine similarity, filtered in Chroma by scope."""
        clauses: list[dict[str, Any]] = [{"engagement": engagement}, {"visibility": {"$in": visibilities}}]
        if documents:
            clauses.append({"document": {"$in": documents}})
        got = self.chunks.query(
            query_embeddings=[list(embedding)], n_results=n, where={"$and": clauses}, include=["distances"]
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(got["ids"][0], got["distances"][0], strict=True)]  # type: ignore[index]

    def dense_documents(
        self, embedding: Sequence[float], *, engagement: str, visibilities: list[str], n: int
    ) -> list[tuple[str, float]]:
        """Documents whose header (title, parties) is nearest to the question."""
        where = {"$and": [{"engagement": engagement}, {"visibility": {"$in": visibilities}}]}
        got = self.documents.query(
            query_embeddings=[list(embedding)], n_results=n, where=where, include=["metadatas", "distances"]
        )
        metas = got["metadatas"][0]  # type: ignore[index]
        return [(str(m["name"]), 1.0 - float(d)) for m, d in zip(metas, got["distances"][0], strict=True)]  # type: ignore[index]


def _chunk_metadata(doc: ExtractedDocument, c: Chunk, doc_id: str, engagement: str, visibility: str) -> dict[str, Any]:
    page = doc.page_at(c.start)
    return {
        "engagement": engagement,
        "visibility": visibility,
        "doc_id": doc_id,
        "document": doc.name,
        "title": doc.title,
        "content_hash": doc.content_hash,
        "section": c.section or "",
        "heading": c.heading or "",
        "context": c.context,
        "page": page if page is not None else -1,
        "start": c.start,
        "end": c.end,
    }


def _stored_chunk(cid: str, text: str, m: Any) -> StoredChunk:
    return StoredChunk(
        id=cid,
        doc_id=str(m["doc_id"]),
        document=str(m["document"]),
        title=str(m["title"]),
        visibility=str(m["visibility"]),
        section=str(m["section"]) or None,
        heading=str(m["heading"]) or None,
        page=int(m["page"]) if int(m["page"]) >= 0 else None,
        start=int(m["start"]),
        end=int(m["end"]),
        text=text,
        context=str(m.get("context", "")),
    )


def _stored_document(doc_id: str, m: Any) -> StoredDocument:
    return StoredDocument(
        id=doc_id,
        engagement=str(m["engagement"]),
        name=str(m["name"]),
        title=str(m["title"]),
        visibility=str(m["visibility"]),
        kind=str(m["kind"]),
        content_hash=str(m["content_hash"]),
        chunks=int(m["chunks"]),
        indexed_at=float(m["indexed_at"]),
        page_starts=tuple(json.loads(str(m.get("page_starts") or "[]"))),
        pipeline=str(m.get("pipeline", "")),
    )
