"""The store's consistency check: what an interrupted write can leave behind, found and repaired.

`Store.check` delegates here. A crash can leave a visibility change unfinished, chunks whose
visibility disagrees with their document's, chunks of a superseded version, chunks with no
document, or a document missing chunks of its current version. With repair=True the first four are
fixed; a document missing chunks is marked to be re-indexed and stays a problem until it is.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.store import Store
    from knowledge.stored import StoredDocument

IN_FLIGHT_SECONDS = 3600.0  # without a lock (a Chroma server), younger chunks may be another writer's


@dataclass(frozen=True)
class Problem:
    """One inconsistency `Store.check` found, and whether it repaired it."""

    kind: str  # pending_visibility | visibility_mismatch | stale_chunks | orphan_chunks | missing_chunks
    engagement: str
    document: str  # the document's name (its id for orphan chunks)
    detail: str
    repaired: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "engagement": self.engagement,
            "document": self.document,
            "detail": self.detail,
            "repaired": self.repaired,
        }


@dataclass
class CheckReport:
    """What a consistency check found (and repaired) in the store."""

    repair: bool
    documents: int = 0
    chunks: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def remaining(self) -> list[Problem]:
        return [p for p in self.problems if not p.repaired]

    def as_dict(self) -> dict[str, Any]:
        return {
            "consistent": not self.remaining,
            "repair": self.repair,
            "documents": self.documents,
            "chunks": self.chunks,
            "problems": [p.as_dict() for p in self.problems],
            "remaining": len(self.remaining),
        }


def check_store(store: Store, engagement: str | None = None, *, repair: bool = False) -> CheckReport:
    """Find (and with repair=True, fix) what an interrupted write left in the store (see `Store.check`)."""
    report = CheckReport(repair=repair)
    with store._writing() if repair else nullcontext():
        store._fresh()
        docs = {d.id: d for d in store.list_documents(engagement)}
        got = store.chunks.get(where={"engagement": engagement} if engagement else None, include=["metadatas"])
        report.documents, report.chunks = len(docs), len(got["ids"])
        # Without a lock (a Chroma server) a young chunk may belong to a write still under way elsewhere.
        young = 0.0 if store._local is not None else time.time() - IN_FLIGHT_SECONDS
        current: dict[str, list[tuple[str, str]]] = {}  # doc_id -> [(chunk id, visibility)]
        stale: dict[str, list[str]] = {}
        orphans: dict[tuple[str, str], list[str]] = {}
        for cid, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
            doc = docs.get(str(meta["doc_id"]))
            if doc is not None and meta["content_hash"] == doc.content_hash:
                current.setdefault(doc.id, []).append((cid, str(meta["visibility"])))
            elif young and _written_at(meta) > young:
                continue
            elif doc is not None:
                stale.setdefault(doc.id, []).append(cid)
            else:
                orphans.setdefault((str(meta["engagement"]), str(meta["doc_id"])), []).append(cid)
        for doc in docs.values():
            report.problems += _check_document(store, doc, current.get(doc.id, []), stale.get(doc.id, []), repair)
        for (orphan_engagement, doc_id), ids in sorted(orphans.items()):
            if repair:
                store._delete_chunks(ids)
            detail = f"{len(ids)} chunks of a document with no record (an interrupted forget or first index)"
            report.problems.append(Problem("orphan_chunks", orphan_engagement, doc_id, detail, repair))
    return report


def _check_document(
    store: Store, doc: StoredDocument, current: list[tuple[str, str]], stale: list[str], repair: bool
) -> list[Problem]:
    problems = []
    if doc.pending_visibility:
        if repair:
            store._change_visibility(doc, doc.pending_visibility)
        detail = f"a change of visibility to {doc.pending_visibility} was interrupted; finished"
        problems.append(Problem("pending_visibility", doc.engagement, doc.name, detail, repair))
    else:
        wrong = [cid for cid, visibility in current if visibility != doc.visibility]
        if wrong:
            if repair:
                store._set_chunk_visibility(wrong, doc.visibility)
            detail = f"{len(wrong)} chunks disagree with the document's visibility {doc.visibility}"
            problems.append(Problem("visibility_mismatch", doc.engagement, doc.name, detail, repair))
    if stale:
        if repair:
            store._delete_chunks(stale)
        detail = f"{len(stale)} chunks of an older version left by an interrupted index"
        problems.append(Problem("stale_chunks", doc.engagement, doc.name, detail, repair))
    if len(current) < doc.chunks:
        if repair and doc.pipeline:
            store.documents.update(ids=[doc.id], metadatas=[{"pipeline": ""}])  # the next index re-embeds it
        detail = f"{doc.chunks - len(current)} of its {doc.chunks} chunks are missing; index its file again"
        problems.append(Problem("missing_chunks", doc.engagement, doc.name, detail))
    return problems


def _written_at(meta: Mapping[str, object]) -> float:
    """When the chunk was written (`time.time()`), or 0.0 for a chunk stored before chunks carried it."""
    value = meta.get("written_at")
    return float(value) if isinstance(value, int | float | str) and value else 0.0
