"""A question reads the engagement's scope once: one read of its documents' records, one vector query.

Chroma's own Collection methods are counted (a spy on the library, the real store underneath); before, an
answer took three reads of the records (the search's view, the vocabulary's view, the dense hits' records).
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from typing import Any

import pytest
from chromadb.api.models.Collection import Collection

from knowledge.base import KnowledgeBase
from tests.conftest import ENGAGEMENT

READS = ("get", "query")


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[collections.Counter[str]]:
    counts: collections.Counter[str] = collections.Counter()
    for name in READS:
        original = getattr(Collection, name)

        def counted(self: Collection, *args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            counts[f"{self.name.rsplit('_', 1)[-1]}.{_name}"] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Collection, name, counted)
    yield counts


def test_an_answer_reads_the_scope_once(sample_kb: KnowledgeBase, reads: collections.Counter[str]) -> None:
    sample_kb.answer_question("what is the service credit cap?", engagement=ENGAGEMENT, side="client")  # warm
    reads.clear()
    answer = sample_kb.answer_question("how fast must a P1 incident be resolved?", engagement=ENGAGEMENT, side="client")
    assert answer.found
    assert dict(reads) == {"documents.get": 1, "chunks.query": 1}


def test_each_question_reads_the_records_afresh(sample_kb: KnowledgeBase, reads: collections.Counter[str]) -> None:
    sample_kb.search("service credit cap", engagement=ENGAGEMENT, side="vendor", k=4)
    reads.clear()
    sample_kb.search("service credit cap", engagement=ENGAGEMENT, side="vendor", k=4)
    assert reads["documents.get"] == 1  # the records are read again for each question: never a stale scope
