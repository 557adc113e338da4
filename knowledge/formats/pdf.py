"""PDF: page text via pypdf, pages joined by a blank line, with each page's start offset."""

from __future__ import annotations

import io
import logging
import re
from itertools import accumulate

from pypdf import PdfReader
from pypdf.errors import DependencyError

from knowledge.errors import CorruptDocumentError, DocumentError, EncryptedDocumentError
from knowledge.formats.common import Extracted, require_text, short
from knowledge.formats.text import first_line_title

logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns about every defect it repairs


def extract_pdf(data: bytes, name: str) -> Extracted:
    """Title (metadata, else first line), the pages' text, and where each page starts in it."""
    if b"%PDF-" not in data[:1024]:
        raise CorruptDocumentError(name, "not a PDF file (no %PDF- header); check what the file really is")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _unlock_pdf(reader, name)
        pages = [_tidy_page(page.extract_text() or "") for page in reader.pages]
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises PdfReadError, ValueError, KeyError... on damaged files
        raise CorruptDocumentError(name, f"the PDF is damaged or incomplete: {short(exc)}") from exc
    text = "\n\n".join(pages)
    require_text(text, name, "no extractable text: it may be a scanned image; run OCR first")
    starts = list(accumulate((len(page) + 2 for page in pages[:-1]), initial=0))
    return _pdf_meta_title(reader) or first_line_title(text), text, starts


def _unlock_pdf(reader: PdfReader, name: str) -> None:
    """Many PDFs are encrypted with an empty user password (permissions only); open those."""
    try:
        opened = reader.decrypt("")
    except DependencyError:
        raise EncryptedDocumentError(
            name,
            "the PDF is AES-encrypted and the 'cryptography' package is "
            "not installed; install it or save an unencrypted copy",
        ) from None
    if not opened:
        reason = "the PDF is password-protected; remove the password and index it again"
        raise EncryptedDocumentError(name, reason)


def _tidy_page(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.split("\n")).rstrip()
    return re.sub(r"\n{4,}", "\n\n", text)  # 3+ blank lines -> one blank line


def _pdf_meta_title(reader: PdfReader) -> str | None:
    try:
        meta = reader.metadata
        return (str(meta.title or "").strip() or None) if meta else None
    except Exception:  # damaged metadata must not cost us the text
        return None
