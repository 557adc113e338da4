"""Word .docx: paragraphs and tables in body order, headings as '#', list labels rendered."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from knowledge.errors import CorruptDocumentError, EncryptedDocumentError
from knowledge.formats.common import Extracted, collapse, require_text, short

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, or an encrypted .docx package
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


def extract_docx(data: bytes, name: str) -> Extracted:
    """Title (core properties, else first heading) and the body text; .doc and encrypted files refused."""
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
        raise CorruptDocumentError(name, f"not a readable .docx file: {short(exc)}") from exc
    text = "\n\n".join(blocks)
    require_text(text, name, "no text found in the document")
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
                cells.append(collapse(" ".join(_run_text(p) for p in cell._tc.xpath(".//w:p"))))
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
