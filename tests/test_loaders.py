"""Tests for knowledge.loaders: every fixture is a real small file written to tmp_path."""

from __future__ import annotations

import hashlib
import os
import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from knowledge.errors import (
    CorruptDocumentError,
    DocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    EncryptedDocumentError,
    UnsupportedFormatError,
)
from knowledge.formats.pdf import _tidy_page
from knowledge.loaders import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_SUFFIXES,
    file_hash,
    find_documents,
    load_document,
)

# --- helpers -----------------------------------------------------------------------------------


def make_pdf(path: Path, pages: list[str], title: str | None = None) -> Path:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    if title:
        pdf.set_title(title)
    pdf.output(str(path))
    return path


def encrypt_pdf(source: Path, target: Path, user_password: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    with target.open("wb") as fh:
        writer.write(fh)
    return target


def number_paragraph(paragraph, num_id: int, ilvl: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    numpr = f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    ppr.append(parse_xml(numpr))


def ole_file(path: Path, *stream_names: str) -> Path:
    """A minimal stand-in for an OLE compound file: the magic number plus UTF-16 directory names."""
    body = b"".join(name.encode("utf-16-le") + b"\0\0" for name in stream_names)
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + body + b"\0" * 512)
    return path


# --- plain text and Markdown -------------------------------------------------------------------


def test_markdown_text_is_file_content_unchanged(tmp_path: Path) -> None:
    content = "# Master Services Agreement\r\n\r\nFee: 5 € – “quoted”  \r\n\r\n\r\n\r\nEnd\r\n"
    path = tmp_path / "msa.md"
    path.write_bytes(content.encode("utf-8"))

    doc = load_document(path)

    assert doc.text == content
    assert doc.name == "msa.md"
    assert doc.kind == "markdown"
    assert doc.title == "Master Services Agreement"
    assert doc.page_starts == ()
    assert doc.content_hash == file_hash(path)
    raw = path.read_bytes()
    offset = doc.text.find("€")
    assert raw[len(doc.text[:offset].encode("utf-8")) :].startswith("€".encode())


def test_text_falls_back_to_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"Price \x80 5 \x96 \x93net\x94\r\n")

    doc = load_document(path)

    assert doc.text == "Price € 5 – “net”\r\n"
    assert len(doc.text) == len(path.read_bytes())
    assert doc.kind == "text"


def test_utf8_bom_is_kept_so_offsets_match(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffRate card\nHourly rate: 90".encode())

    doc = load_document(path)

    assert doc.text == "\ufeffRate card\nHourly rate: 90"
    assert doc.title == "Rate card"


def test_text_title_is_first_short_line(tmp_path: Path) -> None:
    path = tmp_path / "sow.txt"
    path.write_text("\n\n  Statement of Work  \nBody text.\n", encoding="utf-8")

    assert load_document(path).title == "Statement of Work"


def test_title_falls_back_to_file_stem(tmp_path: Path) -> None:
    markdown = tmp_path / "service-level_agreement.md"
    markdown.write_text("No heading here.\n```\n# a shell comment, not a title\n```\n", encoding="utf-8")
    text = tmp_path / "long_line.txt"
    text.write_text("x" * 200 + "\n", encoding="utf-8")

    assert load_document(markdown).title == "service level agreement"
    assert load_document(text).title == "long line"


def test_content_hash_can_be_supplied(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello", encoding="utf-8")

    assert load_document(path, content_hash="precomputed").content_hash == "precomputed"


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_pages_are_numbered(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "msa.pdf",
        [
            "Master Services Agreement\nThe parties agree as follows.",
            "Either party may terminate for convenience on 90 days notice.",
            "Liability is capped at the annual fees.",
        ],
    )

    doc = load_document(path)

    assert doc.kind == "pdf"
    assert len(doc.page_starts) == 3
    page_two = doc.text.find("terminate for convenience")
    assert page_two > 0
    assert doc.page_at(page_two) == 2
    assert doc.page_at(doc.text.find("Liability is capped")) == 3
    assert doc.page_at(0) == 1
    assert doc.text[doc.page_starts[1] :].startswith("Either party")


def test_pdf_metadata_title(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "contract.pdf", ["Page one body"], title="Master Services Agreement")

    assert load_document(path).title == "Master Services Agreement"


def test_pdf_title_falls_back_to_first_line(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "contract.pdf", ["Data Processing Addendum\nBody."])

    assert load_document(path).title == "Data Processing Addendum"


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", ["Confidential pricing"])
    path = encrypt_pdf(plain, tmp_path / "locked.pdf", user_password="secret")

    with pytest.raises(EncryptedDocumentError) as err:
        load_document(path)
    assert err.value.name == "locked.pdf"
    assert "password" in err.value.reason


def test_pdf_with_empty_password_is_read(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", ["Confidential pricing"])
    path = encrypt_pdf(plain, tmp_path / "restricted.pdf", user_password="")

    assert "Confidential pricing" in load_document(path).text


def test_corrupt_pdf_is_reported_by_name(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"this is a spreadsheet export, not a PDF")

    with pytest.raises(CorruptDocumentError) as err:
        load_document(path)
    assert err.value.name == "broken.pdf"
    assert str(err.value).startswith("broken.pdf: ")


def test_truncated_pdf_is_reported(tmp_path: Path) -> None:
    whole = make_pdf(tmp_path / "whole.pdf", ["Some text", "More text"]).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(whole[: len(whole) // 2])

    with pytest.raises(CorruptDocumentError) as err:
        load_document(path)
    assert err.value.name == "truncated.pdf"
    assert len(err.value.reason) < 250


def test_image_only_pdf_has_no_text(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 80, 40, style="F")
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))

    with pytest.raises(EmptyDocumentError) as err:
        load_document(path)
    assert "OCR" in err.value.reason


# --- DOCX --------------------------------------------------------------------------------------


def test_docx_keeps_headings_tables_and_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Master Services Agreement", 0)
    document.add_heading("Scope", 1)
    document.add_paragraph("The supplier provides support.")
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, [("Service", "Fee"), ("Hosting", "100 EUR")], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_heading("Fees", 2)
    document.add_paragraph("")
    document.add_paragraph("Invoices are due in 30 days.")
    path = tmp_path / "msa.docx"
    document.save(str(path))

    doc = load_document(path)

    assert doc.kind == "docx"
    assert doc.text == (
        "# Master Services Agreement\n\n# Scope\n\nThe supplier provides support.\n\n"
        "| Service | Fee |\n|---|---|\n| Hosting | 100 EUR |\n\n## Fees\n\nInvoices are due in 30 days."
    )
    assert doc.title == "Master Services Agreement"


def test_docx_core_properties_title_wins(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Outsourcing Agreement 2024"
    document.add_heading("Recitals", 1)
    path = tmp_path / "oa.docx"
    document.save(str(path))

    assert load_document(path).title == "Outsourcing Agreement 2024"


def test_docx_renders_list_numbering(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Obligations:")
    document.add_paragraph("Deliver the services.", style="List Number")
    document.add_paragraph("Report monthly.", style="List Number")
    document.add_paragraph("Keep records.", style="List Bullet")
    path = tmp_path / "numbered.docx"
    document.save(str(path))

    text = load_document(path).text

    assert "1. Deliver the services.\n\n2. Report monthly." in text
    assert "- Keep records." in text


def test_docx_renders_multilevel_numbering_formats(tmp_path: Path) -> None:
    document = docx.Document()
    numbering = document.part.numbering_part.element
    levels = [("decimal", "%1."), ("decimal", "%1.%2"), ("lowerLetter", "(%3)"), ("upperRoman", "%4)")]
    lvl_xml = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    abstract = f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{lvl_xml}</w:abstractNum>'
    numbering.append(parse_xml(abstract))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for text, ilvl in [
        ("Definitions", 0),
        ("Affiliate", 1),
        ("Services", 1),
        ("support", 2),
        ("hosting", 2),
        ("tier", 3),
        ("Term", 1),
        ("Fees", 0),
        ("Invoices", 1),
        ("Broken ref", 7),
    ]:
        number_paragraph(document.add_paragraph(text), 90, ilvl)
    number_paragraph(document.add_paragraph("Unknown list"), 4242, 0)
    path = tmp_path / "clauses.docx"
    document.save(str(path))

    lines = load_document(path).text.split("\n\n")

    assert lines == [
        "1. Definitions",
        "1.1 Affiliate",
        "1.2 Services",
        "(a) support",
        "(b) hosting",
        "I) tier",
        "1.3 Term",
        "2. Fees",
        "2.1 Invoices",
        "Broken ref",
        "Unknown list",
    ]


def test_docx_keeps_tracked_insertions_and_content_controls(tmp_path: Path) -> None:
    document = docx.Document()
    anchor = document.add_paragraph("Commercial terms")
    w = nsdecls("w")
    anchor._p.addnext(
        parse_xml(
            f"<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>Signed by the parties.</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        )
    )
    anchor._p.addnext(
        parse_xml(
            f'<w:p {w}><w:r><w:t xml:space="preserve">Fees are </w:t></w:r>'
            '<w:del w:id="1" w:author="a"><w:r><w:delText>100</w:delText></w:r></w:del>'
            '<w:ins w:id="2" w:author="a"><w:r><w:t>120</w:t></w:r></w:ins>'
            '<w:r><w:t xml:space="preserve"> EUR for </w:t></w:r>'
            "<w:sdt><w:sdtContent><w:r><w:t>Acme Ltd</w:t></w:r></w:sdtContent></w:sdt>"
            "<w:r><w:t>.</w:t></w:r></w:p>"
        )
    )
    path = tmp_path / "redline.docx"
    document.save(str(path))

    text = load_document(path).text

    assert text == "Commercial terms\n\nFees are 120 EUR for Acme Ltd.\n\nSigned by the parties."


def test_corrupt_docx_is_reported(tmp_path: Path) -> None:
    not_zip = tmp_path / "notzip.docx"
    not_zip.write_bytes(b"plain text pretending to be Word")
    wrong_zip = tmp_path / "wrongzip.docx"
    with zipfile.ZipFile(wrong_zip, "w") as archive:
        archive.writestr("hello.txt", "not a Word package")

    for path in (not_zip, wrong_zip):
        with pytest.raises(CorruptDocumentError) as err:
            load_document(path)
        assert err.value.name == path.name


def test_password_protected_docx_is_refused(tmp_path: Path) -> None:
    path = ole_file(tmp_path / "locked.docx", "EncryptionInfo", "EncryptedPackage")

    with pytest.raises(EncryptedDocumentError) as err:
        load_document(path)
    assert "password" in err.value.reason


def test_legacy_doc_renamed_to_docx_is_reported(tmp_path: Path) -> None:
    path = ole_file(tmp_path / "old.docx", "WordDocument", "1Table")

    with pytest.raises(CorruptDocumentError) as err:
        load_document(path)
    assert ".doc" in err.value.reason


# --- HTML --------------------------------------------------------------------------------------


def test_html_drops_scripts_and_keeps_tables(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        """<!doctype html><html><head><title>Rate  Card</title><style>p {color: red}</style></head>
        <body><nav>Home | About</nav><script>var secret = 1;</script>
        <h1>Rates</h1><p>Prices   are <b>net</b>
        of VAT.<br>Valid for 2024.</p><!-- hidden comment -->
        <table><tr><th>Role</th><th>Rate</th></tr><tr><td>Engineer</td><td>90 &euro;</td></tr></table>
        <ul><li>Remote</li><li>On site</li></ul><ol start="3"><li>Third</li><li>Fourth</li></ol>
        <footer>Copyright</footer></body></html>""",
        encoding="utf-8",
    )

    doc = load_document(path)

    assert doc.kind == "html"
    assert doc.title == "Rate Card"
    assert doc.text == (
        "# Rates\n\nPrices are net of VAT.\nValid for 2024.\n\n| Role | Rate |\n|---|---|\n| Engineer | 90 € |\n\n"
        "- Remote\n\n- On site\n\n3. Third\n\n4. Fourth"
    )
    for dropped in ("secret", "color", "Home", "Copyright", "hidden comment"):
        assert dropped not in doc.text


def test_html_title_falls_back_to_first_h1(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text("<body><h1>Exit <i>Plan</i></h1><p>Body</p></body>", encoding="utf-8")

    assert load_document(path).title == "Exit Plan"


# --- size, emptiness, permissions, unsupported -------------------------------------------------


def test_oversize_file_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as fh:
        fh.seek(200 * 1024 * 1024)
        fh.write(b"\0")
    started = time.perf_counter()

    with pytest.raises(DocumentTooLargeError) as err:
        load_document(path)

    assert time.perf_counter() - started < 0.5
    assert err.value.reason == "file is 200.0 MB, over the 50 MB limit (LIAISON_MAX_FILE_MB)"
    assert DEFAULT_MAX_BYTES == 50 * 1024 * 1024


def test_max_bytes_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "small.txt"
    path.write_text("x" * 2000, encoding="utf-8")

    with pytest.raises(DocumentTooLargeError):
        load_document(path, max_bytes=1000)


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_empty_file_is_reported(tmp_path: Path, suffix: str) -> None:
    empty = tmp_path / f"empty{suffix}"
    empty.write_bytes(b"")
    blank = tmp_path / f"blank{suffix}"
    blank.write_bytes(b"  \r\n\t\n")

    for path in (empty, blank):
        with pytest.raises(EmptyDocumentError) as err:
            load_document(path)
        assert err.value.name == path.name


def test_unsupported_suffix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prices.xlsx"
    path.write_bytes(b"PK")

    with pytest.raises(UnsupportedFormatError) as err:
        load_document(path)
    assert "'.xlsx'" in err.value.reason


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as err:
        load_document(tmp_path / "gone.txt")
    assert err.value.reason == "no such file or directory"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_reports_os_reason(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("text", encoding="utf-8")
    path.chmod(0)

    with pytest.raises(DocumentError) as err:
        load_document(path)
    assert "permission denied" in err.value.reason


# --- finding documents and hashing -------------------------------------------------------------


def test_find_documents_recurses_and_reports_unsupported(tmp_path: Path) -> None:
    root = tmp_path / "contracts"
    (root / "b" / "deep").mkdir(parents=True)
    for rel in ["z.md", "a.txt", "b/deep/SOW.PDF", "b/msa.docx", "b/budget.xlsx", "b/page.HTM"]:
        (root / rel).write_bytes(b"x")
    explicit = tmp_path / "prices.xlsx"
    explicit.write_bytes(b"x")
    loose = tmp_path / "notes.markdown"
    loose.write_bytes(b"x")

    found, errors = find_documents([root, explicit, tmp_path / "missing.pdf", loose, root / "a.txt"])

    assert [f.path for f in found] == [
        root / "a.txt",
        root / "b/deep/SOW.PDF",
        root / "b/msa.docx",
        root / "b/page.HTM",
        root / "z.md",
        loose,
    ]
    assert [f.name for f in found] == ["a.txt", "b/deep/SOW.PDF", "b/msa.docx", "b/page.HTM", "z.md", "notes.markdown"]
    assert [type(e) for e in errors] == [UnsupportedFormatError, DocumentError]
    assert errors[0].name == "prices.xlsx"
    assert errors[0].reason.startswith("unsupported file type '.xlsx' (supported: .docx, .htm, .html, ")
    assert errors[1].name == "missing.pdf"
    assert errors[1].reason == "no such file or directory"


def test_find_documents_skips_hidden_files(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "README.md").write_bytes(b"x")
    (tmp_path / ".draft.md").write_bytes(b"x")
    (tmp_path / "~$msa.docx").write_bytes(b"x")
    (tmp_path / "msa.docx").write_bytes(b"x")

    found, errors = find_documents([tmp_path])

    assert [f.path for f in found] == [tmp_path / "msa.docx"]
    assert errors == []


def test_file_hash_changes_with_content(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"version one")
    first = file_hash(path)
    path.write_bytes(b"version two")
    second = file_hash(path)

    assert first != second
    assert len(first) == 64
    path.write_bytes(b"version one")
    assert file_hash(path) == first
    big = tmp_path / "big.txt"
    big.write_bytes(b"y" * (3 * 1024 * 1024 + 7))
    assert file_hash(big) == hashlib.sha256(big.read_bytes()).hexdigest()


def test_pdf_page_text_is_only_lightly_normalised() -> None:
    raw = "Clause one   \n\n\n\n\nClause two \n\n\nEnd  \n\n"

    assert _tidy_page(raw) == "Clause one\n\nClause two\n\n\nEnd"


def test_markdown_front_matter_title_is_used(tmp_path: Path) -> None:
    path = tmp_path / "06_sla.md"
    path.write_text("---\ntitle: GitHub Enterprise Cloud Addendum\n---\n\n## Uptime\n\nWe guarantee 99.95%.\n")
    doc = load_document(path)
    assert doc.title == "GitHub Enterprise Cloud Addendum"
    assert doc.text == path.read_text()
