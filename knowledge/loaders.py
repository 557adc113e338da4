"""Turn source files (PDF, DOCX, Markdown, text, HTML) into ExtractedDocument, or a DocumentError."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import stat
import warnings
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import accumulate
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import NavigableString, PreformattedString, Tag
from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader
from pypdf.errors import DependencyError

from knowledge.documents import ExtractedDocument
from knowledge.errors import (
    CorruptDocumentError,
    DocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    EncryptedDocumentError,
    UnsupportedFormatError,
)

_KINDS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_KINDS)
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_MB = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, or an encrypted .docx package
_ATX_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
# Runs of a Word paragraph, including tracked insertions, hyperlinks and content controls.
_RUNS = ".//w:r[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent)]"
_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)
_Extracted = tuple[str | None, str, list[int]]  # (title if found, text, page_starts)

logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns about every defect it repairs
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)


def file_hash(path: Path) -> str:
    """SHA-256 hex digest of the file's raw bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(_MB), b""):
            digest.update(block)
    return digest.hexdigest()


def find_documents(paths: Iterable[Path]) -> tuple[list[Path], list[DocumentError]]:
    """Supported files under `paths` (folders recursed, sorted, hidden skipped), plus errors for bad paths."""
    found: list[Path] = []
    errors: list[DocumentError] = []
    seen: set[Path] = set()
    for path in map(Path, paths):
        for candidate in _expand(path, errors):
            if (key := candidate.resolve()) not in seen:
                seen.add(key)
                found.append(candidate)
    return found, errors


def load_document(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, content_hash: str | None = None
) -> ExtractedDocument:
    """Extract one file's text; raises a DocumentError subclass with a reason a person can act on."""
    path = Path(path)
    name = _label(path)
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:
        raise UnsupportedFormatError(name, _unsupported_reason(path.suffix))
    data = _read_bounded(path, name, max_bytes)
    if not data.strip():
        raise EmptyDocumentError(name, "the file is empty or contains only whitespace")
    title, text, page_starts = _EXTRACTORS[kind](data, name)
    return ExtractedDocument(
        name=name,
        title=title or _stem_title(path),
        text=text,
        kind=kind,
        content_hash=content_hash or hashlib.sha256(data).hexdigest(),
        page_starts=tuple(page_starts),
    )


def _label(path: Path) -> str:
    return path.name or str(path)


def _unsupported_reason(suffix: str) -> str:
    what = f"'{suffix}'" if suffix else "(no extension)"
    return f"unsupported file type {what} (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})"


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def _expand(path: Path, errors: list[DocumentError]) -> list[Path]:
    try:
        is_dir = stat.S_ISDIR(path.stat().st_mode)
    except OSError as exc:
        errors.append(DocumentError(_label(path), _os_reason(exc)))
        return []
    if is_dir:
        return _walk(path, errors, set())
    if path.suffix.lower() in SUPPORTED_SUFFIXES:
        return [path]
    errors.append(UnsupportedFormatError(_label(path), _unsupported_reason(path.suffix)))
    return []


def _walk(folder: Path, errors: list[DocumentError], visited: set[Path]) -> list[Path]:
    found: list[Path] = []
    try:
        if (key := folder.resolve()) in visited:  # a symlink loop
            return []
        visited.add(key)
        for child in sorted(folder.iterdir()):
            if child.name.startswith((".", "~$")):
                continue
            if child.is_dir():
                found += _walk(child, errors, visited)
            elif child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(child)
    except OSError as exc:
        errors.append(DocumentError(_label(folder), f"cannot read folder: {_os_reason(exc)}"))
    return found


def _read_bounded(path: Path, name: str, max_bytes: int) -> bytes:
    """Refuse by stat() size before reading anything, then read at most max_bytes + 1 bytes."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(name, "not a regular file (a folder, pipe or device)")
        if info.st_size > max_bytes:
            raise _too_large(name, info.st_size, max_bytes)
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise DocumentError(name, _os_reason(exc)) from None
    if len(data) > max_bytes:  # it grew after stat()
        raise _too_large(name, len(data), max_bytes)
    return data


def _too_large(name: str, size: int, max_bytes: int) -> DocumentTooLargeError:
    reason = f"file is {size / _MB:.1f} MB, over the {max_bytes / _MB:g} MB limit (LIAISON_MAX_FILE_MB)"
    return DocumentTooLargeError(name, reason)


def _stem_title(path: Path) -> str:
    return " ".join(re.sub(r"[-_]", " ", path.stem).split()) or path.name


def _first_line_title(text: str) -> str | None:
    line = next((ln.strip() for ln in text.lstrip("\ufeff").splitlines() if ln.strip()), "")
    return line if 0 < len(line) < 120 else None


def _markdown_title(text: str) -> str | None:
    fenced = False
    for line in text.lstrip("\ufeff").splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and (match := _ATX_H1.match(line)):
            return match.group(1).strip()
    return None


def _require_text(text: str, name: str, reason: str) -> None:
    if not text.replace("\ufeff", "").strip():
        raise EmptyDocumentError(name, reason)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _short(exc: BaseException, limit: int = 160) -> str:
    text = (str(exc).strip().splitlines() or [""])[0] or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(data: bytes, name: str, title_of: Callable[[str], str | None]) -> _Extracted:
    """The bytes decoded unchanged (UTF-8, a BOM kept as \\ufeff; else cp1252) so offsets match the file."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # one character per byte either way
    _require_text(text, name, "the file contains only whitespace")
    return title_of(text), text, []


def _extract_pdf(data: bytes, name: str) -> _Extracted:
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
        raise CorruptDocumentError(name, f"the PDF is damaged or incomplete: {_short(exc)}") from exc
    text = "\n\n".join(pages)
    _require_text(text, name, "no extractable text: it may be a scanned image; run OCR first")
    starts = list(accumulate((len(page) + 2 for page in pages[:-1]), initial=0))
    return _pdf_meta_title(reader) or _first_line_title(text), text, starts


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


def _extract_docx(data: bytes, name: str) -> _Extracted:
    if data.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:  # the stream every encrypted package has
            raise EncryptedDocumentError(
                name, "the document is password-protected; remove the password and index it again"
            )
        raise CorruptDocumentError(name, "an old-format Word (.doc) file, not .docx; save it as .docx")
    try:
        document = open_docx(io.BytesIO(data))
        blocks, first_heading = _docx_blocks(document)
        title = (document.core_properties.title or "").strip()
    except Exception as exc:  # BadZipFile, PackageNotFoundError, KeyError, XMLSyntaxError...
        raise CorruptDocumentError(name, f"not a readable .docx file: {_short(exc)}") from exc
    text = "\n\n".join(blocks)
    _require_text(text, name, "no text found in the document")
    return title or first_heading, text, []


def _docx_blocks(document: Any) -> tuple[list[str], str | None]:
    """Paragraphs and tables in body order, and the text of the first Title/Heading paragraph."""
    numbering, blocks, first_heading = _Numbering(document), [], None
    for element in _body_elements(document.element.body):
        if element.tag == qn("w:tbl"):
            blocks.append(_docx_table(Table(element, document)))
            continue
        paragraph = Paragraph(element, document)
        label, text = numbering.label(element, paragraph), _run_text(element)
        if text:
            level = _heading_level(paragraph)
            first_heading = first_heading or (text if level else None)
            blocks.append((f"{'#' * level} " if level else "") + label + text)
    return [block for block in blocks if block], first_heading


def _body_elements(parent: Any) -> Iterator[Any]:
    for child in parent.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt") and (content := child.find(qn("w:sdtContent"))) is not None:
            yield from _body_elements(content)  # block content controls, common in contract templates


def _run_text(paragraph: Any) -> str:
    return "".join(run.text for run in paragraph.xpath(_RUNS)).strip()


def _heading_level(paragraph: Paragraph) -> int:
    try:
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    except Exception:
        return 0
    match = re.fullmatch(r"heading ([1-6])", style)
    return 1 if style == "title" else int(match.group(1)) if match else 0


def _docx_table(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            if cell._tc is not previous:  # a merged cell is repeated once per grid column
                cells.append(_collapse(" ".join(_run_text(p) for p in cell._tc.xpath(".//w:p"))))
            previous = cell._tc
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _val(element: Any) -> str | None:
    return None if element is None else element.get(qn("w:val"))


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1) if value > 0 else ""
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        roman = ""
        for number, symbol in _ROMAN:
            count, value = divmod(value, number)
            roman += symbol * count
        return roman.lower() if fmt == "lowerRoman" else roman
    return "" if fmt == "none" else f"{value:02d}" if fmt == "decimalZero" else str(value)


class _Numbering:
    """Best-effort Word list labels ("1.", "1.2", "(a)", "- "), which python-docx does not render."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # numId -> ilvl -> (start, fmt, text)
        self.counters: dict[str, dict[int, int]] = {}
        try:
            self._load(document.part.numbering_part.element)
        except Exception:  # no numbering part, or one we cannot read: no labels
            self.levels = {}

    def _load(self, root: Any) -> None:
        abstract = {
            node.get(qn("w:abstractNumId")): {
                int(lvl.get(qn("w:ilvl"), "0")): _level(lvl) for lvl in node.findall(qn("w:lvl"))
            }
            for node in root.findall(qn("w:abstractNum"))
        }
        for num in root.findall(qn("w:num")):
            levels = dict(abstract.get(_val(num.find(qn("w:abstractNumId"))), {}))
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                if (lvl := override.find(qn("w:lvl"))) is not None:
                    levels[ilvl] = _level(lvl)
                if (start := _val(override.find(qn("w:startOverride")))) is not None and ilvl in levels:
                    levels[ilvl] = (int(start), *levels[ilvl][1:])
            self.levels[num.get(qn("w:numId"))] = levels

    def label(self, element: Any, paragraph: Paragraph) -> str:
        """Advance this list's counters and return the paragraph's label plus a space, or ""."""
        try:
            num_id, ilvl = self._num_pr(element, paragraph)
            levels = self.levels.get(num_id or "", {})
            if ilvl not in levels:
                return ""
            counters = self.counters.setdefault(num_id or "", {})
            start, fmt, pattern = levels[ilvl]
            counters[ilvl] = counters.get(ilvl, start - 1) + 1
            for deeper in [k for k in counters if k > ilvl]:
                del counters[deeper]

            def number(match: re.Match[str]) -> str:
                at = int(match.group(1)) - 1
                start_at, fmt_at, _ = levels.get(at, (1, "decimal", ""))
                return _format_number(counters.get(at, start_at), fmt_at)

            text = "-" if fmt == "bullet" else re.sub(r"%([1-9])", number, pattern).strip()
            return f"{text} " if text else ""
        except Exception:
            return ""

    @staticmethod
    def _num_pr(element: Any, paragraph: Paragraph) -> tuple[str | None, int]:
        """numId and ilvl set on the paragraph, else on its style or the styles it is based on."""
        num_id = ilvl = None
        chain, style = [element.find(qn("w:pPr"))], paragraph.style
        while style is not None and len(chain) < 12:
            chain.append(style.element.find(qn("w:pPr")))
            style = style.base_style
        for numpr in (ppr.find(qn("w:numPr")) for ppr in chain if ppr is not None):
            if numpr is not None:
                num_id = num_id or _val(numpr.find(qn("w:numId")))
                ilvl = ilvl if ilvl is not None else _val(numpr.find(qn("w:ilvl")))
        return num_id, int(ilvl or 0)


def _level(lvl: Any) -> tuple[int, str, str]:
    start = int(_val(lvl.find(qn("w:start"))) or 1)
    return start, _val(lvl.find(qn("w:numFmt"))) or "decimal", _val(lvl.find(qn("w:lvlText"))) or ""


_HTML_DROP = {"script", "style", "noscript", "nav", "header", "footer", "template", "head", "svg"}
_HTML_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "aside",
    "blockquote",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "address",
    "hr",
    "form",
    "fieldset",
    "body",
}


class _HtmlText:
    """Walks a parsed page, collecting blank-line-separated blocks of whitespace-collapsed text."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.lines: list[list[str]] = [[]]  # the open block; <br> starts a new line
        self.prefix = ""  # "# ", "- " or "3. " for the next block
        self.lists: list[list[Any]] = []  # [tag, counter] per open ul/ol

    def flush(self) -> None:
        text = "\n".join(line for line in (_collapse("".join(parts)) for parts in self.lines) if line)
        if text:
            self.blocks.append(self.prefix + text)
            self.prefix = ""
        self.lines = [[]]

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
                self.lines[-1].append(str(child))  # PreformattedString: comments, doctype, CDATA
            elif isinstance(child, Tag) and child.name not in _HTML_DROP:
                self._tag(child)

    def _tag(self, tag: Tag) -> None:
        name = tag.name
        if name == "br":
            self.lines.append([])
        elif name == "table":  # one block per table, one line per row
            self.flush()
            outer, self.blocks = self.blocks, []
            self.walk(tag)
            self.flush()
            self.blocks = [*outer, "\n".join(self.blocks)] if self.blocks else outer
        elif name == "tr":
            self.flush()
            cells = [_html_inline(cell) for cell in tag.find_all(["td", "th"], recursive=False)]
            self.blocks += [" | ".join(cells)] if any(cells) else []
        elif name == "pre":
            self.flush()
            self.lines = [[line] for line in tag.get_text().split("\n")]  # keep its line breaks
            self.flush()
        elif name in ("ul", "ol", "li") or re.fullmatch(r"h[1-6]", name) or name in _HTML_BLOCKS:
            self.flush()
            if name in ("ul", "ol"):
                start = str(tag.get("start", "1"))
                self.lists.append([name, int(start) - 1 if name == "ol" and start.isdigit() else 0])
            elif name == "li":
                current = self.lists[-1] if self.lists else ["ul", 0]
                current[1] += 1
                self.prefix = f"{current[1]}. " if current[0] == "ol" else "- "
            elif name[0] == "h" and name[1:].isdigit():
                self.prefix = "#" * int(name[1]) + " "
            self.walk(tag)
            self.flush()
            self.prefix = ""
            if name in ("ul", "ol"):
                self.lists.pop()
        else:
            self.walk(tag)


def _html_inline(tag: Tag) -> str:
    walker = _HtmlText()
    walker.walk(tag)
    walker.flush()
    return _collapse(" ".join(walker.blocks))


def _extract_html(data: bytes, name: str) -> _Extracted:
    soup = BeautifulSoup(data, "lxml")
    walker = _HtmlText()
    try:
        walker.walk(soup)
    except RecursionError:
        raise CorruptDocumentError(name, "the page is nested too deeply to read") from None
    walker.flush()
    text = "\n\n".join(walker.blocks)
    _require_text(text, name, "no visible text found in the page")
    heading = soup.find("h1")
    title = _collapse(soup.title.get_text()) if soup.title else ""
    return title or (_html_inline(heading) if isinstance(heading, Tag) else "") or None, text, []


_EXTRACTORS: dict[str, Callable[[bytes, str], _Extracted]] = {
    "pdf": _extract_pdf,
    "docx": _extract_docx,
    "html": _extract_html,
    "markdown": partial(_plain, title_of=_markdown_title),
    "text": partial(_plain, title_of=_first_line_title),
}
