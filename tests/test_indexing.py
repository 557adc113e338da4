"""Incremental, atomic indexing: unchanged files cost nothing, a failure never loses what was indexed."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.store import Store, make_client
from tests.conftest import CountingEmbeddings, write

SLA = """# Schedule B Service Levels

3.1 Average Speed of Answer. 80% of calls are answered within 60 seconds.

3.2 Credit Cap. Service Credits in a month shall not exceed 12% of the monthly Fees.
"""
MSA = """# Master Services Agreement

5.2 Renewal. This Agreement renews for successive 12-month terms unless either Party gives notice of
non-renewal at least 90 days before the end of the then-current term.
"""


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "contracts"
    write(folder / "sla.md", SLA)
    write(folder / "msa.md", MSA)
    return folder


def test_reindex_of_unchanged_folder_embeds_nothing(
    fake_kb: KnowledgeBase, counting: CountingEmbeddings, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    first = fake_kb.index([folder], engagement="acme")
    assert sorted(n for n, _ in first.indexed) == ["msa.md", "sla.md"]
    embedded = counting.documents
    second = fake_kb.index([folder], engagement="acme")
    assert second.indexed == [] and sorted(second.unchanged) == ["msa.md", "sla.md"]
    assert counting.documents == embedded


def test_changed_file_replaces_its_old_chunks(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    fake_kb.index([folder], engagement="acme")
    write(folder / "sla.md", SLA.replace("12%", "15%"))
    report = fake_kb.index([folder], engagement="acme")
    assert [n for n, _ in report.indexed] == ["sla.md"] and report.unchanged == ["msa.md"]
    texts = [c.text for c in fake_kb.store.scope_chunks("acme") if c.document == "sla.md"]
    assert any("15%" in t for t in texts) and not any("12%" in t for t in texts)
    stored = fake_kb.store.chunks.get(where={"document": "sla.md"}, include=[])
    assert len(stored["ids"]) == fake_kb.store.get_document("acme", "sla.md").chunks  # old version dropped


def test_corrupt_file_is_reported_and_the_rest_still_indexes(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n this is not really a pdf")
    report = fake_kb.index([folder], engagement="acme")
    assert [e.name for e in report.failed] == ["broken.pdf"]
    assert report.failed[0].reason
    assert sorted(n for n, _ in report.indexed) == ["msa.md", "sla.md"]


def test_a_file_that_breaks_later_keeps_its_indexed_version(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    fake_kb.index([folder], engagement="acme")
    (folder / "sla.md").write_bytes(b"")  # emptied by a bad sync
    report = fake_kb.index([folder], engagement="acme")
    assert [e.name for e in report.failed] == ["sla.md"]
    assert "12%" in fake_kb.document_text("acme", "sla.md")
    assert any(c.document == "sla.md" for c in fake_kb.store.scope_chunks("acme"))


def test_interrupted_reindex_leaves_the_previous_version_whole(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    data = tmp_path / "data"
    KnowledgeBase(Store(make_client(data_dir=data)), CountingEmbeddings()).index([folder], engagement="acme")
    write(
        folder / "sla.md",
        SLA.replace("12%", "15%") + "\n\n3.3 Earn-back. " + "Credits may be earned back. " * 80,
    )
    crashing = KnowledgeBase(Store(make_client(data_dir=data)), CountingEmbeddings(fail_after=2))
    with pytest.raises(RuntimeError):
        crashing.index([folder / "sla.md"], engagement="acme")
    chunks = [c for c in crashing.store.scope_chunks("acme") if c.document == "sla.md"]
    assert chunks and all("15%" not in c.text for c in chunks)
    assert any("12%" in c.text for c in chunks)


def test_forget_drops_a_document_and_its_chunks(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    fake_kb.index([_folder(tmp_path)], engagement="acme")
    assert fake_kb.forget("acme", ["sla.md", "nope.md"]) == ["sla.md"]
    assert [d.name for d in fake_kb.documents("acme")] == ["msa.md"]
    assert not fake_kb.store.chunks.get(where={"document": "sla.md"}, include=[])["ids"]


def test_changing_visibility_needs_no_embedding(
    fake_kb: KnowledgeBase, counting: CountingEmbeddings, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    fake_kb.index([folder], engagement="acme")
    before = counting.documents
    report = fake_kb.index([folder / "msa.md"], engagement="acme", visibility="vendor-only")
    assert report.revisibled == ["msa.md"] and counting.documents == before
    assert {c.visibility for c in fake_kb.store.scope_chunks("acme") if c.document == "msa.md"} == {"vendor-only"}


def test_engagements_are_counted_separately(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    fake_kb.index([folder], engagement="acme")
    fake_kb.index([folder / "msa.md"], engagement="globex")
    assert fake_kb.engagements() == {"acme": 2, "globex": 1}
    assert {c.document for c in fake_kb.store.scope_chunks("globex")} == {"msa.md"}


def test_chunk_spans_point_into_the_stored_text(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    fake_kb.index([_folder(tmp_path)], engagement="acme")
    for chunk in fake_kb.store.scope_chunks("acme"):
        assert fake_kb.document_text("acme", chunk.document)[chunk.start : chunk.end] == chunk.text
    assert fake_kb.document_text("acme", "sla.md") == SLA  # text files are indexed unchanged


def test_a_new_indexing_pipeline_reindexes_unchanged_files(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    fake_kb.index([folder], engagement="acme")
    fake_kb.indexer.pipeline = "a newer chunker"  # what an upgrade of Liaison does
    report = fake_kb.index([folder], engagement="acme")
    assert sorted(n for n, _ in report.indexed) == ["msa.md", "sla.md"] and report.unchanged == []


def test_documents_embedded_by_another_model_are_found_by_their_words_until_reindexed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from langchain_core.embeddings import DeterministicFakeEmbedding

    folder = tmp_path / "contracts"
    write(folder / "sla.md", "# SLA\n\n5.3 Credit Cap. Service Credits shall not exceed 12% of the monthly Fees.\n")
    write(folder / "msa.md", "# MSA\n\n9.1 Governing Law. This Agreement is governed by the laws of Ireland.\n")
    store = Store(make_client(data_dir=tmp_path / "data"))
    KnowledgeBase(store, DeterministicFakeEmbedding(size=32)).index([folder], engagement="acme")

    switched = CountingEmbeddings(size=32)  # the same size, another model: its query vectors mean nothing here
    kb = KnowledgeBase(store, switched)
    hits = kb.search("governing law", engagement="acme")
    assert hits[0].chunk.document == "msa.md"
    assert all(h.similarity == 0.0 for h in hits)  # no comparison of one model's query with another's vectors
    assert "embedded by another model" in caplog.text

    report = kb.index([folder], engagement="acme")  # the next index re-embeds them with the model in use
    assert sorted(n for n, _ in report.indexed) == ["msa.md", "sla.md"]
    assert any(h.similarity != 0.0 for h in kb.search("governing law", engagement="acme"))
