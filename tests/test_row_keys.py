"""A table row named by its key ("p1 ...", "sev2 ...", "tier 4 ...") leads over another row of its table."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.embeddings import E5Embeddings
from knowledge.row_keys import named_row, row_key
from knowledge.store import Store, make_client
from knowledge.stored import StoredChunk
from tests.conftest import write

HEADER = "Support > Incidents — Priority | Type | Initial response | Updates"


def _row(i: int, text: str, heading: str = HEADER, document: str = "support.md") -> StoredChunk:
    return StoredChunk(
        f"c{i}", document, document, "Support", "shared", None, heading, None, i * 100, i * 100 + 90, text, ""
    )


P1 = _row(1, "|# P1 | Critical | A substantial outage of the service | 30 minutes (at any time) | Every hour |")
P3 = _row(3, "|# P3 | Significant | Paying users see degraded service | 1 working day | Every 2 working days |")
SEV2 = _row(2, "| Severity 2 | Major | 4 hours | Daily |")


def test_a_row_key_is_its_first_cell() -> None:
    assert row_key(P1.text) == ["p1"]
    assert row_key("|  | Credit Tier 4 | < 95.00% | 50% |") == ["credit", "tier", "4"]


def test_the_row_the_question_names_leads() -> None:
    assert named_row("p1 initial response gov.uk pay", [P3, P1]) == 1
    assert named_row("sev2 update frequency?", [P3, P1, SEV2]) == 2  # "sev2" expands to "Severity 2"


@pytest.mark.parametrize(
    ("question", "chunks"),
    [
        ("p3 initial response", [P3, P1]),  # the first row is the one named
        ("initial response for paying users", [P3, P1]),  # no key named
        ("p1 initial response", [P3, _row(1, P1.text, heading="Another table")]),  # not the same table
        ("p1 initial response", [_row(5, "The P3 target is one working day."), P1]),  # the lead is no row
    ],
)
def test_otherwise_the_order_stands(question: str, chunks: list[StoredChunk]) -> None:
    assert named_row(question, chunks) is None


SUPPORT = """# Support levels

## How we respond to incidents

| Priority | Type | Example | Initial response | Update frequency |
|---|---|---|---|---|
|# P1 | Critical | There is a substantial outage of the payment platform | 30 minutes (at any time) | Every hour |
|# P2 | Major | There are more errors than usual across payment services | 2 hours (in working hours) | Every 2 hours |
|# P3 | Significant | Paying users see intermittent or degraded service | 1 working day | Every 2 working days |
|# P4 | Minor | A component failed but paying users are not affected | 2 working days | Every 3 working days |
"""


def _assert_rows_lead(tmp_path: Path, e5: E5Embeddings, text: str, asked: tuple[tuple[str, str], ...]) -> None:
    """Each question, asked of one support document, leads with the row holding its value."""
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), e5)
    assert not kb.index([write(tmp_path / "support.md", text)], engagement="support").failed
    for question, value in asked:
        answer = kb.answer_question(question, engagement="support")
        assert answer.found and value in answer.citations[0].quote, (question, answer.citations[0].quote)


def test_a_p1_question_quotes_the_p1_row(tmp_path: Path, e5: E5Embeddings) -> None:
    asked = (("p1 initial response when paying users are hit", "30 minutes"), ("p4 update frequency", "Every 3"))
    _assert_rows_lead(tmp_path, e5, SUPPORT, asked)


CRITICAL = _row(6, "| Critical | 95% of critical priority requests are solved in 2h. |", heading="Resolution time")
HIGH = _row(7, "| High | 95% of high priority requests are solved in 12h. |", heading="Resolution time")
LOW = _row(8, "| Low | 95% of low priority requests are resolved in 48 hours. |", heading="Resolution time")


def test_a_question_in_another_language_names_a_row_by_its_words_english_gloss() -> None:
    from knowledge.glossary import gloss

    question = "tempo di risoluzione per un ticket a priorità alta?"
    assert named_row(question, [LOW, CRITICAL, HIGH]) is None  # "alta" is no English key
    assert named_row(question, [LOW, CRITICAL, HIGH], gloss(question, "it")) == 2
    question = "entro quanto risolvono un ticket critico?"
    assert named_row(question, [LOW, HIGH, CRITICAL], gloss(question, "it")) == 2


RESOLUTION = """# Support

## Resolution time

| Priority | Resolution time |
|---|---|
| Critical | 95% of critical priority requests are solved in 2h. |
| High | 95% of high priority requests are solved in 12h. |
| Medium | 95% of medium priority requests are solved in 24 hours. |
| Low | 95% of low priority requests are resolved in 48 hours. |
"""


def test_an_italian_question_quotes_the_row_it_names(tmp_path: Path, e5: E5Embeddings) -> None:
    asked = (
        ("tempo di risoluzione per un ticket a priorità alta?", "12h"),
        ("in quanto tempo risolvono un ticket a bassa priorità?", "48 hours"),
        ("entro quanto risolvono un ticket critico?", "2h"),
    )
    _assert_rows_lead(tmp_path, e5, RESOLUTION, asked)
