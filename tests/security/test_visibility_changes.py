"""Issue #9 item 2: changing a document's visibility is batch-safe and crash-safe.

A document larger than one Chroma batch changes visibility in full; a crash at any step of a change
never lets a side read what the requested visibility keeps from it (lexical, dense and answers alike),
and the next run finishes the change to the requested visibility. Real Chroma in a temp dir; the
crash is a real Chroma collection that raises on its Nth write.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from knowledge.base import KnowledgeBase
from knowledge.chunking import Chunk
from knowledge.loaders import load_document
from knowledge.store import Store, make_client, visible_to
from tests.conftest import CountingEmbeddings, write

MEMO = "\n\n".join(
    f"{n}. Renewal lever {n}. Acme will ask Meridian for a {n + 3}% discount on the zebracorn rate card, "
    "and will hold the renewal until the vendor confirms the discount in writing, citing the benchmark "
    "study of comparable contact-centre contracts, the service credits paid last year and the volume forecast."
    for n in range(1, 7)
)
SLA = "# Service Levels\n\n1. Availability. The platform shall be available 99.9% of each month.\n"
SIDES_OF = {"shared": {"client", "vendor", "shared"}, "client-only": {"client"}, "vendor-only": {"vendor"}}


class CrashingCollection:
    """A real Chroma collection that raises on its Nth write (update, upsert or delete), like a killed process."""

    def __init__(self, inner: Any, counter: list[int], crash_at: int) -> None:
        self._inner, self._counter, self._crash_at = inner, counter, crash_at

    def _write(self, method: str, **kwargs: Any) -> Any:
        self._counter[0] += 1
        if self._counter[0] == self._crash_at:
            raise RuntimeError("the process died here")
        return getattr(self._inner, method)(**kwargs)

    def update(self, **kwargs: Any) -> Any:
        return self._write("update", **kwargs)

    def upsert(self, **kwargs: Any) -> Any:
        return self._write("upsert", **kwargs)

    def delete(self, **kwargs: Any) -> Any:
        return self._write("delete", **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _kb(data: Path) -> KnowledgeBase:
    return KnowledgeBase(Store(make_client(data_dir=data)), CountingEmbeddings())


def _leaks(kb: KnowledgeBase, side: str) -> list[str]:
    """What of the memo a side can read: search hits, answer citations and nearest clauses, dense hits."""
    seen = [h.chunk.document for h in kb.search("zebracorn rate card discount", engagement="acme", side=side)]
    answer = kb.answer_question("What discount on the zebracorn rate card?", engagement="acme", side=side)
    seen += [c["document"] for c in answer.as_dict()["citations"] + answer.as_dict()["nearest"]]
    embedding = kb.embeddings.embed_query("Renewal lever 3. zebracorn rate card")
    dense = kb.store.dense_query(embedding, engagement="acme", visibilities=visible_to(side), n=50)
    memo_chunks = set(kb.store.chunks.get(where={"document": "memo.md"}, include=[])["ids"])
    seen += ["memo.md" for cid, _ in dense if cid in memo_chunks]
    return [d for d in seen if d == "memo.md"]


TRANSITIONS = [("shared", "client-only"), ("client-only", "shared"), ("client-only", "vendor-only")]


@pytest.mark.parametrize(("old", "new"), TRANSITIONS)
@pytest.mark.parametrize("crash_at", [1, 2, 3, 4, 5])  # intent, three chunk batches, flip
def test_a_crash_at_any_step_of_a_visibility_change_exposes_nothing_and_the_next_run_finishes_it(
    tmp_path: Path, old: str, new: str, crash_at: int
) -> None:
    memo, sla = write(tmp_path / "memo.md", MEMO), write(tmp_path / "sla.md", SLA)
    kb = _kb(tmp_path / "data")
    kb.index([sla], engagement="acme")
    kb.index([memo], engagement="acme", visibility=old)
    kb.store.batch = 2  # several chunk batches, so a crash can land between two of them
    counter = [0]
    kb.store.chunks = CrashingCollection(kb.store.chunks, counter, crash_at)  # type: ignore[assignment]
    kb.store.documents = CrashingCollection(kb.store.documents, counter, crash_at)  # type: ignore[assignment]
    with pytest.raises(RuntimeError, match="died here"):
        kb.index([memo], engagement="acme", visibility=new)

    restarted = _kb(tmp_path / "data")  # a new process on the same data
    if crash_at == 1:  # it died before its first write: the store never heard of the change
        assert [(d.visibility, d.pending_visibility) for d in restarted.documents("acme")][0] == (old, "")
    else:
        for side in ("client", "vendor", "shared"):
            if side not in SIDES_OF[old] & SIDES_OF[new]:
                assert _leaks(restarted, side) == [], f"{side} read the memo after a crash at write {crash_at}"

    report = restarted.index([memo], engagement="acme", visibility=new)  # the next run
    assert report.failed == []
    assert [d.visibility for d in restarted.documents("acme") if d.name == "memo.md"] == [new]
    assert restarted.doctor(repair=False).remaining == []
    for side in ("client", "vendor", "shared"):
        assert bool(_leaks(restarted, side)) == (side in SIDES_OF[new]), side


def test_an_interrupted_change_is_finished_to_the_requested_visibility_by_doctor(tmp_path: Path) -> None:
    memo = write(tmp_path / "memo.md", MEMO)
    kb = _kb(tmp_path / "data")
    kb.index([memo], engagement="acme")
    counter = [0]
    kb.store.chunks = CrashingCollection(kb.store.chunks, counter, 2)  # type: ignore[assignment]
    kb.store.documents = CrashingCollection(kb.store.documents, counter, 2)  # type: ignore[assignment]
    with pytest.raises(RuntimeError):
        kb.index([memo], engagement="acme", visibility="client-only")

    restarted = _kb(tmp_path / "data")
    found = restarted.doctor(repair=False)
    assert [p.kind for p in found.remaining] == ["pending_visibility"]
    repaired = restarted.doctor()
    assert [p.repaired for p in repaired.problems] == [True]
    assert [d.visibility for d in restarted.documents("acme")] == ["client-only"]  # forward, not back to shared
    assert _leaks(restarted, "shared") == [] and _leaks(restarted, "client")
    assert restarted.doctor(repair=False).problems == []


def test_a_document_larger_than_a_chroma_batch_changes_visibility_in_full(tmp_path: Path) -> None:
    store = Store(make_client(data_dir=tmp_path / "data"))
    count = store.client.get_max_batch_size() + 300
    path = write(tmp_path / "huge.md", "\n".join(f"Line {n} of the zebracorn schedule." for n in range(count)))
    kb = KnowledgeBase(store, CountingEmbeddings(size=8))
    doc = load_document(path)
    chunks, start = [], 0
    for line in doc.text.split("\n"):
        chunks.append(Chunk(start=start, end=start + len(line), section=None, heading=None, context=""))
        start += len(line) + 1
    assert len(chunks) == count
    store.put_document(  # stored as `liaison index` would store it, without embedding thousands of lines for real
        doc,
        engagement="acme",
        visibility="shared",
        chunks=chunks,
        chunk_embeddings=kb.embeddings.embed_documents([c.text_of(doc.text) for c in chunks]),
        pipeline=kb.indexer.pipeline,
    )

    report = kb.index([path], engagement="acme", visibility="client-only")

    assert report.revisibled == ["huge.md"] and report.failed == []
    assert [d.visibility for d in kb.documents("acme")] == ["client-only"]
    assert kb.doctor(repair=False).problems == []
    assert kb.search("zebracorn schedule", engagement="acme", side="shared") == []
    embedding = kb.embeddings.embed_query("Line 7 of the zebracorn schedule.")
    assert store.dense_query(embedding, engagement="acme", visibilities=["shared"], n=20) == []
    assert store.dense_query(embedding, engagement="acme", visibilities=visible_to("client"), n=20)
    # and the next run does not skip it as unchanged with its chunks left shared
    assert kb.index([path], engagement="acme", visibility="client-only").unchanged == ["huge.md"]
