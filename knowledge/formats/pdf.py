"""PDF: page text via pypdf, pages joined by a blank line, with each page's start offset."""

from __future__ import annotations

import io
import logging
import re
from itertools import accumulate
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError

from knowledge.errors import CorruptDocumentError, DocumentError, EncryptedDocumentError
from knowledge.formats.common import Extracted, require_text, short
from knowledge.formats.text import first_line_title
from knowledge.limits import DEFAULT_LIMITS, Limits, check_chars, too_large

logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns about every defect it repairs


def extract_pdf(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    """Title (metadata, else first line), the pages' text, and where each page starts in it.

    The page count is checked before any page is read, and the text length after each page.
    """
    if b"%PDF-" not in data[:1024]:
        raise CorruptDocumentError(name, "not a PDF file (no %PDF- header); check what the file really is")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _unlock_pdf(reader, name)
        pages = _pages(reader, name, limits)
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises PdfReadError, ValueError, KeyError... on damaged files
        raise CorruptDocumentError(name, f"the PDF is damaged or incomplete: {short(exc)}") from exc
    text = "\n\n".join(pages)
    require_text(text, name, "no extractable text: it may be a scanned image; run OCR first")
    starts = list(accumulate((len(page) + 2 for page in pages[:-1]), initial=0))
    return _pdf_meta_title(reader) or first_line_title(text), text, starts


def _pages(reader: PdfReader, name: str, limits: Limits) -> list[str]:
    """Each page's text; refused before any is read when there are too many, and as soon as the text is."""
    _check_pages(name, _declared_pages(reader), limits)  # the page tree's own count: nothing walked yet
    _check_pages(name, len(reader.pages), limits)  # the pages really there (walks the tree, not the content)
    pages: list[str] = []
    total = 0
    for page in reader.pages:
        pages.append(_tidy_page(page.extract_text() or ""))
        total += len(pages[-1]) + 2
        check_chars(name, total, limits)  # stop reading at the limit, not after the last page
    return pages


def _declared_pages(reader: PdfReader) -> int:
    trailer: Any = reader.trailer  # a damaged file's objects can be of any type: the except below handles it
    try:
        return int(trailer["/Root"]["/Pages"]["/Count"])
    except Exception:  # missing or damaged: the real count below decides
        return 0


def _check_pages(name: str, count: int, limits: Limits) -> None:
    if count > limits.max_pages:
        raise too_large(name, f"{count:,} pages", f"{limits.max_pages:,} page", "LIAISON_MAX_PAGES")


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
