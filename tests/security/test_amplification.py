"""Issue #9 item 11: a small hostile file cannot cost gigabytes of memory, minutes of CPU or thousands of chunks.

On the old code a DOCX was inflated whole by python-docx with no size check (a 1.2 MB file reached 2.5 GB),
a vertically merged table cell was repeated in every row it spans, in quadratic time (a 28 KB file took
72 s and made 6,690 chunks), empty paragraphs cost 30 us each with no bound, every page of a 10,000-page
PDF was read, and a line with no sentence break became one chunk however long. Now each limit is a
setting, checked before the step it guards, and a refusal names the limit and the setting. Every file
here is built at test time.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from bot.cli import cli
from knowledge.base import KnowledgeBase
from knowledge.chunking import chunk_document
from knowledge.limits import Limits
from knowledge.loaders import load_document
from knowledge.store import Store, make_client
from tests.conftest import CountingEmbeddings, write

MB = 1024 * 1024
CLAUSE = "5.3 Credit Cap. Service Credits in any month shall not exceed 12% of the Monthly Fees."


def _docx_bytes(*, body_prefix: bytes = b"", rewrite=None) -> bytes:  # type: ignore[no-untyped-def]
    """A real python-docx document holding CLAUSE, with raw XML put at the start of its body."""
    document = docx.Document()
    document.add_paragraph(CLAUSE)
    plain = io.BytesIO()
    document.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + body_prefix, 1)
                if rewrite is not None:
                    rewrite(package, info, data)
                    continue
            package.writestr(info, data)
    return out.getvalue()


def _padded_document(size: int):  # type: ignore[no-untyped-def]
    """A rewrite that streams word/document.xml with `size` bytes of blank space after the XML declaration."""

    def rewrite(package: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
        head, rest = data.split(b"?>", 1)
        with package.open(info.filename, "w", force_zip64=True) as part:
            part.write(head + b"?>")
            block = b" " * MB
            for _ in range(size // MB):
                part.write(block)
            part.write(rest)

    return rewrite


def _kb(tmp_path: Path, limits: Limits | None = None) -> tuple[KnowledgeBase, CountingEmbeddings]:
    counting = CountingEmbeddings()
    store = Store(make_client(data_dir=tmp_path / "data"))
    return KnowledgeBase(store, counting, **({"limits": limits} if limits else {})), counting


def _refusal(kb: KnowledgeBase, path: Path) -> str:
    started = time.perf_counter()
    report = kb.index([path], engagement="acme")
    assert time.perf_counter() - started < 3, "refused before the expensive step, not after it"
    assert not report.indexed and [e.name for e in report.failed] == [path.name]
    assert kb.documents("acme") == []
    return report.failed[0].reason


# --- DOCX -----------------------------------------------------------------------------------------


def test_a_docx_that_inflates_past_the_limit_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(_docx_bytes(rewrite=_padded_document(110 * MB)))
    assert path.stat().st_size < 1 * MB  # a few hundred KB on disk

    kb, counting = _kb(tmp_path)
    reason = _refusal(kb, path)

    assert reason.startswith("has 110.") and " MB of parts once inflated, over the 100 MB limit" in reason
    assert reason.endswith("(LIAISON_MAX_DECOMPRESSED_MB)")
    assert counting.documents == 0


def test_a_docx_part_that_compresses_like_a_bomb_is_refused_under_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "dense.docx"
    path.write_bytes(_docx_bytes(rewrite=_padded_document(20 * MB)))  # 20 MB of blanks: about 1,000 to 1

    reason = _refusal(_kb(tmp_path)[0], path)

    assert "a part (word/document.xml) that inflates" in reason and "zip bomb" in reason


def test_the_decompressed_limit_is_a_setting(tmp_path: Path) -> None:
    path = tmp_path / "padded.docx"
    path.write_bytes(_docx_bytes(rewrite=_padded_document(3 * MB)))

    assert "over the 2 MB limit (LIAISON_MAX_DECOMPRESSED_MB)" in _refusal(
        _kb(tmp_path, Limits(max_decompressed_bytes=2 * MB))[0], path
    )
    assert CLAUSE in load_document(path).text  # under the default limit it is an ordinary document


def test_a_vertically_merged_cell_is_read_once_not_once_per_row(tmp_path: Path) -> None:
    # The shape of the 28 KB file: one long cell merged down hundreds of rows. python-docx hands the
    # top cell back for every row (finding it in quadratic time), so its text was repeated per row.
    long_cell = "The Vendor shall report every incident to the Client's service desk within one hour. " * 10
    rows = [
        f'<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>{long_cell}</w:t></w:r></w:p></w:tc>'
        "<w:tc><w:p><w:r><w:t>row 0</w:t></w:r></w:p></w:tc></w:tr>"
    ] + [
        "<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>"
        f"<w:tc><w:p><w:r><w:t>row {i}</w:t></w:r></w:p></w:tc></w:tr>"
        for i in range(1, 400)
    ]
    table = "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>" + "".join(rows) + "</w:tbl>"
    path = tmp_path / "merged.docx"
    path.write_bytes(_docx_bytes(body_prefix=table.encode()))
    assert path.stat().st_size < 40_000

    kb, counting = _kb(tmp_path)
    started = time.perf_counter()
    report = kb.index([path], engagement="acme")

    assert time.perf_counter() - started < 3
    text = kb.document_text("acme", "merged.docx")
    assert text.count("within one hour") == 10  # the cell once, not 400 times
    assert "row 399" in text and CLAUSE in text
    assert report.indexed == [("merged.docx", counting.documents)] and counting.documents < 30


def test_a_docx_of_a_million_empty_paragraphs_is_refused_before_they_are_walked(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    path.write_bytes(_docx_bytes(body_prefix=b"<w:p/>" * 1_000_000))  # 44 KB on disk; 30 s to read before
    assert path.stat().st_size < 100_000

    reason = _refusal(_kb(tmp_path)[0], path)

    assert reason == (
        "has 1,000,001 paragraphs, over the 200,000 paragraph limit (one per 10 characters of LIAISON_MAX_CHARS)"
    )


def test_huge_list_numbers_do_not_spell_huge_labels(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Termination for convenience.", style="List Number")
    for level in document.part.numbering_part.element.iter(qn("w:lvl")):
        for tag, value in (("w:start", "999999999"), ("w:numFmt", "upperRoman")):  # a million "M"s before
            if (element := level.find(qn(tag))) is None:
                element = level.makeelement(qn(tag), {})
                level.insert(0, element)
            element.set(qn("w:val"), value)
    path = tmp_path / "numbered.docx"
    document.save(str(path))

    started = time.perf_counter()
    text = load_document(path).text

    assert time.perf_counter() - started < 2
    assert len(text) < 100 and text.endswith("Termination for convenience.")


# --- PDF ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ten_thousand_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=8)
    pdf.add_page()
    pdf.text(10, 10, "Page intentionally left almost blank.")
    page = PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0]
    writer = PdfWriter()
    for _ in range(10_000):
        writer.add_page(page)
    path = tmp_path_factory.mktemp("pdf") / "pages.pdf"
    with path.open("wb") as out:
        writer.write(out)
    return path


def test_a_pdf_over_the_page_limit_is_refused_before_its_pages_are_read(
    tmp_path: Path, ten_thousand_pages: Path
) -> None:
    assert ten_thousand_pages.stat().st_size < 2 * MB

    reason = _refusal(_kb(tmp_path)[0], ten_thousand_pages)  # 18 s and 770 chunks before

    assert reason == "has 10,000 pages, over the 2,000 page limit (LIAISON_MAX_PAGES)"


# --- text: characters, chunk size, chunk count ------------------------------------------------------


def test_a_20_mb_line_is_refused_by_the_character_limit(tmp_path: Path) -> None:
    path = tmp_path / "line.txt"
    path.write_bytes(b"x" * (20 * MB))

    reason = _refusal(_kb(tmp_path)[0], path)

    assert reason == "has 20,971,520 characters of text, over the 2,000,000 character limit (LIAISON_MAX_CHARS)"


@pytest.mark.parametrize(
    "line",
    [
        "x" * 300_000,  # no space, no sentence end: cut anywhere
        "word " * 60_000,  # words but no sentence end: cut at spaces
        "The Vendor shall comply with the policies set out in the Client's handbook; " * 4_000,
    ],
    ids=["no-space", "words", "semicolons"],
)
def test_no_chunk_is_longer_than_the_limit_however_long_a_line_is(tmp_path: Path, line: str) -> None:
    path = write(tmp_path / "long.md", f"# Terms\n\n{CLAUSE}\n\n4.1 Policies. {line}\n\n9.1 Notices. In writing.\n")
    doc = load_document(path)

    chunks = chunk_document(doc)

    assert max(c.end - c.start for c in chunks) <= Limits().max_chunk_chars
    assert all(c.text_of(doc.text) == doc.text[c.start : c.end] for c in chunks)
    assert doc.text.index(line[:50]) >= chunks[0].start and chunks[-1].end == len(doc.text.rstrip())
    covered = {i for c in chunks for i in range(c.start, c.end)}
    assert all(i in covered for i in range(len(doc.text)) if not doc.text[i].isspace())

    kb, counting = _kb(tmp_path)
    report = kb.index([path], engagement="acme")
    assert report.indexed == [("long.md", len(chunks))] and counting.documents == len(chunks)


def test_a_document_over_the_chunk_limit_is_refused_before_anything_is_embedded(tmp_path: Path) -> None:
    clauses = "\n\n".join(
        f"## {i}. Clause {i}\n\n{i}.1 Obligation. " + "The Vendor shall act. " * 30 for i in range(60)
    )
    path = write(tmp_path / "many.md", clauses)

    kb, counting = _kb(tmp_path, Limits(max_chunks=50))
    reason = _refusal(kb, path)

    assert reason.startswith("has ") and reason.endswith(" chunks, over the 50 chunk limit (LIAISON_MAX_CHUNKS)")
    assert counting.documents == 0 and counting.queries == 0


# --- the settings reach the knowledge base ----------------------------------------------------------


def test_the_limits_are_settings_of_liaison_index(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for i in range(3):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"Page {i + 1}. {CLAUSE}")
    pdf.output(str(tmp_path / "three-pages.pdf"))
    write(tmp_path / "long.txt", CLAUSE + " " + "The Vendor shall act. " * 1000)
    write(tmp_path / "short.md", CLAUSE)
    env = {
        "LIAISON_DATA_DIR": str(tmp_path / "data"),
        "LIAISON_EMBEDDER": "fake",
        "LIAISON_LLM": "",
        "LIAISON_MAX_PAGES": "2",
        "LIAISON_MAX_CHARS": "10000",
    }

    result = CliRunner().invoke(cli, ["index", str(tmp_path), "-e", "acme", "--json"], env=env)

    out = json.loads(result.output)
    assert [d["document"] for d in out["indexed"]] == ["short.md"]
    assert {f["document"]: f["reason"] for f in out["failed"]} == {
        "three-pages.pdf": "has 3 pages, over the 2 page limit (LIAISON_MAX_PAGES)",
        "long.txt": "has 22,087 characters of text, over the 10,000 character limit (LIAISON_MAX_CHARS)",
    }
    for setting, value in (
        ("LIAISON_MAX_CHUNKS", "0"),
        ("LIAISON_MAX_PAGES", "many"),
        ("LIAISON_MAX_DECOMPRESSED_MB", "-1"),
    ):
        bad = CliRunner().invoke(cli, ["engagements"], env={**env, setting: value})
        assert bad.exit_code != 0 and setting in str(bad.exception)  # refused at start-up, by name
