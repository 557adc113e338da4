"""What the store keeps, as read back: documents, chunks and their sentence vectors, and how each sits in
Chroma's metadata. `knowledge.store` reads and writes them; retrieval, ranking and the consistency check
read them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.chunking import Chunk
from knowledge.documents import ExtractedDocument


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
    pending_visibility: str = ""  # a visibility change begun and not finished (check(repair=True) finishes it)
    title_manual: bool = False  # the title was set by hand, not read from the document

    @property
    def requested_visibility(self) -> str:
        """The visibility last asked for: the pending one while a change is under way."""
        return self.pending_visibility or self.visibility


@dataclass(frozen=True)
class SentenceVectors:
    """A vector per sentence (or table row) of a chunk, kept in the chunk's own metadata.

    Stored with the chunk, they are replaced and removed with it, on a local Chroma or a server alike.
    Each vector is int8-quantised against its largest component (a cosine needs no scale: the vector
    is re-normalised when read) and base64-encoded: 384 bytes a sentence before encoding.
    """

    spans: tuple[tuple[int, int], ...]  # document offsets
    data: str  # base64 of int8, len(spans) x dimensions

    @staticmethod
    def empty() -> SentenceVectors:
        return SentenceVectors((), "")

    @staticmethod
    def pack(spans: Sequence[tuple[int, int]], vectors: Sequence[Sequence[float]]) -> SentenceVectors:
        if not spans:
            return SentenceVectors.empty()
        x = np.asarray(vectors, dtype=np.float32)
        peak = np.clip(np.abs(x).max(axis=1, keepdims=True), 1e-12, None)
        q = np.round(x / peak * 127).astype(np.int8)
        return SentenceVectors(tuple((int(a), int(b)) for a, b in spans), base64.b64encode(q.tobytes()).decode())

    def matrix(self) -> np.ndarray:
        """The vectors, unit length, as rows (0 rows when there are none)."""
        if not self.spans:
            return np.zeros((0, 0), dtype=np.float32)
        q = np.frombuffer(base64.b64decode(self.data), dtype=np.int8).astype(np.float32).reshape(len(self.spans), -1)
        unit: np.ndarray = q / np.clip(np.linalg.norm(q, axis=1, keepdims=True), 1e-12, None)
        return unit

    def metadata(self) -> dict[str, str]:
        return {"sentence_spans": json.dumps([list(s) for s in self.spans]), "sentence_vectors": self.data}

    @staticmethod
    def from_metadata(m: Any) -> SentenceVectors:
        spans = json.loads(str(m.get("sentence_spans") or "[]"))
        return SentenceVectors(tuple((int(a), int(b)) for a, b in spans), str(m.get("sentence_vectors") or ""))


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
    sentences: SentenceVectors = SentenceVectors.empty()  # for the second ranking stage; empty without them


def chunk_metadata(doc: ExtractedDocument, c: Chunk, doc_id: str, engagement: str, visibility: str) -> dict[str, Any]:
    """A chunk's Chroma metadata (its sentence vectors are added by the store when there are some)."""
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


def stored_chunk(cid: str, text: str, m: Any) -> StoredChunk:
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
        sentences=SentenceVectors.from_metadata(m),
    )


def stored_document(doc_id: str, m: Any) -> StoredDocument:
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
        pending_visibility=str(m.get("pending_visibility") or ""),
        title_manual=bool(m.get("title_manual", False)),
    )
