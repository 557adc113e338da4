"""Chunks follow the contract's structure and are exact spans of the extracted text."""

from __future__ import annotations

from knowledge.chunking import MAX_CHARS, chunk_document, section_at
from knowledge.documents import ExtractedDocument
from knowledge.sections import find_marker, sentence_spans

CONTRACT = """# Master Services Agreement

## Article 1 Definitions

1.1 "Business Day" means a day other than a Saturday, Sunday or public holiday in New York.

1.2 "Service Credit" means the amount credited to the Client under Schedule B.

## Article 4 Fees

4.1 Invoicing. The Vendor shall invoice the Fees monthly in arrears.

4.2 Payment. The Client shall pay each undisputed invoice as follows:

(a) within forty-five (45) days of receipt; and

(b) by electronic transfer to the account named in the invoice.

4.3 Disputes. {long}

## Schedule B Service Levels

| Service Level | Target | Window |
|---|---|---|
| Average Speed of Answer | 80% within 60 seconds | Monthly |
| Abandonment Rate | 5% or less | Monthly |

3.1 Credit cap. Total Service Credits in a month shall not exceed 12% of the monthly Fees.
"""

LONG = " ".join(
    f"Sentence {i} of the dispute clause explains a step the parties take when an invoice is contested."
    for i in range(40)
)


def _doc(text: str = CONTRACT.format(long=LONG)) -> ExtractedDocument:
    return ExtractedDocument(
        name="msa.md", title="Master Services Agreement", text=text, kind="markdown", content_hash="h"
    )


def test_chunk_spans_slice_back_to_exact_text() -> None:
    doc = _doc()
    chunks = chunk_document(doc)
    assert chunks
    for c in chunks:
        piece = doc.text[c.start : c.end]
        assert piece == piece.strip() and piece
        assert c.text_of(doc.text) == piece


def test_every_clause_is_covered() -> None:
    doc = _doc()
    covered = set()
    for c in chunk_document(doc):
        covered.update(range(c.start, c.end))
    for phrase in ("forty-five (45) days", "Abandonment Rate", "shall not exceed 12%", "Sentence 39"):
        assert doc.text.index(phrase) in covered


def test_sections_are_labelled_from_their_markers() -> None:
    doc = _doc()
    by_phrase = {}
    for c in chunk_document(doc):
        for phrase in (
            "monthly in arrears",
            "forty-five (45) days",
            "shall not exceed 12%",
            '"Business Day" means',
        ):
            if phrase in c.text_of(doc.text):
                by_phrase.setdefault(phrase, c)
    assert by_phrase["monthly in arrears"].section == "4.1"
    assert by_phrase["shall not exceed 12%"].section.startswith("Schedule B")
    assert section_at(doc.text, doc.text.index("shall not exceed 12%"))[0] == "Schedule B 3.1"
    assert by_phrase['"Business Day" means'].section.startswith("1.")
    label, heading = section_at(doc.text, doc.text.index("by electronic transfer"))
    assert label == "4.2(b)"
    assert heading == "Payment"


def test_long_sections_split_at_sentences_with_overlap() -> None:
    doc = _doc()
    parts = [c for c in chunk_document(doc) if c.section == "4.3"]
    assert len(parts) >= 3
    for a, b in zip(parts, parts[1:], strict=False):
        assert b.start < a.end, "consecutive windows overlap by a sentence"
    for c in parts:
        assert c.end - c.start <= MAX_CHARS
        assert doc.text[c.end - 1] == "."  # ends on a sentence boundary
        assert doc.text[c.start : c.start + 8] in ("4.3 Disp", "Sentence")


def test_heading_merges_with_its_first_clause() -> None:
    doc = _doc()
    chunks = chunk_document(doc)
    assert not any(doc.text[c.start : c.end].strip() == "## Article 4 Fees" for c in chunks)


def test_table_rows_are_chunks_of_their_own_with_the_header_as_context() -> None:
    doc = _doc()
    row = next(c for c in chunk_document(doc) if "Average Speed of Answer" in c.text_of(doc.text))
    assert row.text_of(doc.text) == "| Average Speed of Answer | 80% within 60 seconds | Monthly |"
    assert row.context.endswith("Service Level | Target | Window") and row.section is not None
    heading = next(c for c in chunk_document(doc) if "| Service Level | Target | Window |" in c.text_of(doc.text))
    assert "Average Speed" not in heading.text_of(doc.text)  # the header row stays with the heading above it


def test_inline_numbered_clauses_from_edgar_text() -> None:
    text = (
        "OUTSOURCING AGREEMENT   This Agreement is made between A Corp. and B Inc.   "
        "1. TERM.  The term is one year.   2. FEES.   A. The Client pays monthly.   "
        "B. Late payments bear interest at 1% per month.   3. GOVERNING LAW.  Texas law governs."
    )
    doc = _doc(text)
    label, heading = section_at(text, text.index("Late payments"))
    assert (label, heading) == ("2(B)", "FEES")
    assert section_at(text, text.index("Texas law"))[0] == "3"
    assert all(text[c.start : c.end] == text[c.start : c.end].strip() for c in chunk_document(doc))


def test_markers_are_recognised() -> None:
    cases = {
        "ARTICLE 7 LIMITATION OF LIABILITY": ("Article 7", "LIMITATION OF LIABILITY"),
        "Section 12.3 Notices. All notices": ("12.3", "Notices"),
        "4.2(b) the Vendor shall": ("4.2(b)", None),
        "(iv) any fees": ("(iv)", None),
        "SCHEDULE B - SERVICE LEVELS": ("Schedule B", "SERVICE LEVELS"),
    }
    for text, (number, heading) in cases.items():
        marker = find_marker(text, 0, len(text))
        assert marker is not None, text
        assert (marker.number, marker.heading) == (number, heading), text
    assert find_marker("2025 was a good year", 0, 20) is None
    assert find_marker("Exhibit 10.23", 0, 13) is None  # an SEC filing label, not a schedule


def test_sentences_do_not_break_on_abbreviations() -> None:
    text = "Meridian Contact Solutions Ltd. shall act. Acme Retail Group, Inc. agrees. See Sec. 4 for more."
    spans = sentence_spans(text, 0, len(text))
    assert [text[a:b] for a, b in spans] == [
        "Meridian Contact Solutions Ltd. shall act.",
        "Acme Retail Group, Inc. agrees.",
        "See Sec. 4 for more.",
    ]


def test_markdown_front_matter_is_not_chunked() -> None:
    text = "---\ntitle: GitHub SLA\nredirect_from:\n  - /sla/\n---\n\n1. Uptime. We guarantee 99.9% quarterly uptime.\n"
    chunks = chunk_document(_doc(text))
    assert chunks and all(c.start >= text.index("1. Uptime") for c in chunks)
