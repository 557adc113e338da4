"""Word .docx: paragraphs and tables in body order, headings as '#', list labels rendered, hidden text dropped.

The package is checked before python-docx inflates it (sizes, compression ratio, then a bounded read of
every part), and the body is walked over its XML once: no step costs more than linear time in the parts'
size. A vertically merged cell is read once, in its first row (python-docx repeats it in every row it
spans, which turned a 28 KB file into megabytes of text), and runs Word does not show (`w:vanish`,
`w:specVanish`, `w:webHidden`, directly or through a style) are not read at all.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from docx import Document as open_docx
from docx.oxml.ns import nsmap, qn
from lxml import etree

from knowledge.errors import CorruptDocumentError, DocumentError, EncryptedDocumentError
from knowledge.formats.common import Extracted, collapse, pipe_table, require_text, short
from knowledge.limits import DEFAULT_LIMITS, Limits, check_chars, too_large

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, or an encrypted .docx package
# Runs of a Word paragraph, including tracked insertions, hyperlinks and content controls.
_RUNS = etree.XPath(
    ".//w:r[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent)]", namespaces={"w": nsmap["w"]}
)
_W_P, _W_TBL, _W_TR, _W_TC, _W_TCPR, _W_VMERGE = (qn(f"w:{t}") for t in ("p", "tbl", "tr", "tc", "tcPr", "vMerge"))
_W_PPR, _W_PSTYLE, _W_RPR, _W_RSTYLE, _W_VAL = (qn(f"w:{t}") for t in ("pPr", "pStyle", "rPr", "rStyle", "val"))
_W_SDT, _W_SDT_CONTENT, _W_NUMPR, _W_NUMID, _W_ILVL = (
    qn(f"w:{t}") for t in ("sdt", "sdtContent", "numPr", "numId", "ilvl")
)
_W_STYLE, _W_STYLE_ID, _W_TYPE, _W_DEFAULT, _W_BASED_ON, _W_NAME = (
    qn(f"w:{t}") for t in ("style", "styleId", "type", "default", "basedOn", "name")
)
_RUN_CONTENT = tuple(qn(f"w:{t}") for t in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab"))
_HIDDEN_PROPS = tuple(qn(f"w:{t}") for t in ("vanish", "specVanish", "webHidden"))
_CHARS_PER_PARAGRAPH = 10  # a body may hold one paragraph per 10 characters of LIAISON_MAX_CHARS
_MAX_LABEL = 64  # list label patterns and numbers longer than this are not Word's (Word caps both far lower)
_OFF = {"0", "false", "off"}
_MB = 1024 * 1024
_MAX_RATIO = 200  # deflate reaches ~1000:1 on a bomb; real parts of that size stay well under 100:1
_RATIO_FLOOR = 10 * _MB  # parts smaller than this may compress as well as they like
_STYLE_DEPTH = 12  # basedOn chains longer than this are cut (they may loop)
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


def extract_docx(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    """Title (core properties, else first heading) and the body text; .doc and encrypted files refused."""
    if data.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:  # the stream every encrypted package has
            raise EncryptedDocumentError(
                name, "the document is password-protected; remove the password and index it again"
            )
        raise CorruptDocumentError(name, "an old-format Word (.doc) file, not .docx; save it as .docx")
    try:
        check_package(data, name, limits)
        document = open_docx(io.BytesIO(data))
        blocks, first_heading = _Body(document, name, limits).read()
        title = (document.core_properties.title or "").strip()
    except DocumentError:
        raise
    except Exception as exc:  # BadZipFile, PackageNotFoundError, KeyError, XMLSyntaxError...
        raise CorruptDocumentError(name, f"not a readable .docx file: {short(exc)}") from exc
    text = "\n\n".join(blocks)
    require_text(text, name, "no text found in the document")
    return title or first_heading, text, []


def check_package(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a package whose parts inflate past limits.max_decompressed_bytes, or compress like a bomb.

    The declared sizes are checked first, from the zip directory, before anything is inflated; then every
    part is inflated once as a stream, a block at a time, counting what really comes out.
    """
    budget = limits.max_decompressed_bytes
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        infos = package.infolist()
        declared = sum(info.file_size for info in infos)
        if declared > budget:
            raise _inflates(name, declared, budget)
        for info in infos:
            if info.file_size > _RATIO_FLOOR and info.file_size > _MAX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise too_large(
                    name,
                    f"a part ({info.filename}) that inflates {ratio:,} times",
                    f"{_MAX_RATIO}-times compression",
                    "the mark of a zip bomb; no setting raises it",
                )
        total = 0
        for info in infos:
            with package.open(info) as part:
                while block := part.read(_MB):
                    total += len(block)
                    if total > budget:  # the directory lied about a size
                        raise _inflates(name, total, budget, at_least=True)


def _inflates(name: str, size: int, budget: int, *, at_least: bool = False) -> DocumentError:
    what = f"{'at least ' if at_least else ''}{size / _MB:,.1f} MB of parts once inflated"
    return too_large(name, what, f"{budget / _MB:g} MB", "LIAISON_MAX_DECOMPRESSED_MB")


def _count_paragraphs(name: str, body: Any, limits: Limits) -> None:
    """Refuse a body of more paragraphs than a document of limits.max_chars could hold, before reading any.

    Empty paragraphs add no text but cost time: a 44 KB file of a million `<w:p/>` took 30 s to read.
    """
    most = max(limits.max_chars // _CHARS_PER_PARAGRAPH, 1000)
    count = sum(1 for _ in body.iter(_W_P))  # lxml walks the tree in C: a million elements in a blink
    if count > most:
        raise too_large(
            name,
            f"{count:,} paragraphs",
            f"{most:,} paragraph",
            f"one per {_CHARS_PER_PARAGRAPH} characters of LIAISON_MAX_CHARS",
        )


class _Styles:
    """The package's styles by id, read once, with what each says (or inherits) computed once per style."""

    def __init__(self, document: Any) -> None:
        self.by_id: dict[str, Any] = {}
        self.default_paragraph: str | None = None
        self._hides: dict[str | None, bool | None] = {}
        self._pprs: dict[str | None, list[Any]] = {}
        self._levels: dict[str | None, int] = {}
        try:
            root = document.styles.element
        except Exception:  # no styles part: no headings by style, nothing hidden by style
            return
        for style in root.iterchildren(_W_STYLE):
            style_id = style.get(_W_STYLE_ID)
            if style_id is None:
                continue
            self.by_id.setdefault(style_id, style)
            if style.get(_W_TYPE) == "paragraph" and style.get(_W_DEFAULT) in ("1", "true", "on"):
                self.default_paragraph = style_id

    def chain(self, style_id: str | None) -> list[Any]:
        """The style and the styles it is based on, nearest first (a loop or a long chain is cut)."""
        chain: list[Any] = []
        seen: set[str] = set()
        while style_id and style_id not in seen and len(seen) < _STYLE_DEPTH:
            seen.add(style_id)
            style = self.by_id.get(style_id)
            if style is None:
                break
            chain.append(style)
            style_id = _val(style.find(_W_BASED_ON))
        return chain

    def heading_level(self, style_id: str | None) -> int:
        if style_id not in self._levels:
            style = self.by_id.get(style_id or "")
            name = (_val(style.find(_W_NAME)) or "").lower() if style is not None else ""
            match = re.fullmatch(r"heading ([1-6])", name)
            self._levels[style_id] = 1 if name == "title" else int(match.group(1)) if match else 0
        return self._levels[style_id]

    def hides(self, style_id: str | None) -> bool | None:
        """Whether runs of this style are hidden, by the style or one it is based on; None if none says."""
        if style_id not in self._hides:
            said = (_hidden_by(style.find(_W_RPR)) for style in self.chain(style_id))
            self._hides[style_id] = next((h for h in said if h is not None), None)
        return self._hides[style_id]

    def paragraph_props(self, style_id: str | None) -> list[Any]:
        """The w:pPr of the style and the styles it is based on, nearest first."""
        if style_id not in self._pprs:
            pprs = (style.find(_W_PPR) for style in self.chain(style_id))
            self._pprs[style_id] = [ppr for ppr in pprs if ppr is not None]
        return self._pprs[style_id]


def _hidden_by(rpr: Any) -> bool | None:
    """True/False when run properties say hidden or not; None when they do not say."""
    if rpr is None:
        return None
    for prop in _HIDDEN_PROPS:
        if (element := rpr.find(prop)) is not None:
            return (element.get(_W_VAL) or "true").lower() not in _OFF
    return None


class _Body:
    """One pass over the body's XML: blocks of text in order, and the first Title/Heading paragraph."""

    def __init__(self, document: Any, name: str, limits: Limits) -> None:
        self.document, self.name, self.limits = document, name, limits
        self.styles = _Styles(document)
        self.numbering = _Numbering(document, self.styles)
        self.chars = 0

    def read(self) -> tuple[list[str], str | None]:
        body = self.document.element.body
        _count_paragraphs(self.name, body, self.limits)
        blocks: list[str] = []
        first_heading = None
        for element in _body_elements(body):
            if element.tag == _W_TBL:
                block = self.table(element)
            else:
                style_id = self.paragraph_style(element)
                label, text = self.numbering.label(element, style_id), self.run_text(element, style_id)
                level = self.styles.heading_level(style_id) if text else 0
                first_heading = first_heading or (text if level else None)
                block = (f"{'#' * level} " if level else "") + label + text if text else ""
            if block:
                blocks.append(block)
                self.chars += len(block) + 2
                check_chars(self.name, self.chars, self.limits)  # stop reading at the limit
        return blocks, first_heading

    def paragraph_style(self, paragraph: Any) -> str | None:
        ppr = paragraph.find(_W_PPR)
        style = _val(ppr.find(_W_PSTYLE)) if ppr is not None else None
        return style or self.styles.default_paragraph

    def run_text(self, paragraph: Any, style_id: str | None = None) -> str:
        """The text of the paragraph's runs that Word shows."""
        style_id = style_id or self.paragraph_style(paragraph)
        hidden_by_paragraph = bool(self.styles.hides(style_id))
        parts: list[str] = []
        for run in _RUNS(paragraph):
            hidden = _hidden_by(rpr := run.find(_W_RPR))
            if hidden is None and rpr is not None:
                hidden = self.styles.hides(_val(rpr.find(_W_RSTYLE)))
            if not (hidden_by_paragraph if hidden is None else hidden):  # python-docx's run.text, without xpath
                parts.extend(str(e) for e in run.iterchildren(*_RUN_CONTENT))
        return "".join(parts).strip()

    def table(self, table: Any) -> str:
        """A pipe table (`common.pipe_table`), one line per row; a vertically merged cell only in its first row."""
        rows: list[list[str]] = []
        for row in _children(table, _W_TR):
            cells = []
            for cell in _children(row, _W_TC):
                props = cell.find(_W_TCPR)
                merge = props.find(_W_VMERGE) if props is not None else None
                if merge is not None and (merge.get(_W_VAL) or "continue") == "continue":
                    cells.append("")  # the rest of a cell merged downwards: its text is in the first row
                else:
                    cells.append(collapse(" ".join(self.run_text(p) for p in cell.iter(_W_P))))
            rows.append(cells)
        return pipe_table(rows)


def _body_elements(parent: Any) -> Iterator[Any]:
    for child in parent.iterchildren():
        if child.tag in (_W_P, _W_TBL):
            yield child
        elif child.tag == _W_SDT and (content := child.find(_W_SDT_CONTENT)) is not None:
            yield from _body_elements(content)  # block content controls, common in contract templates


def _children(parent: Any, tag: str) -> Iterator[Any]:
    """Direct children named `tag`, including those inside content controls (rows and cells can be)."""
    for child in parent.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag == _W_SDT and (content := child.find(_W_SDT_CONTENT)) is not None:
            yield from _children(content, tag)


def _val(element: Any) -> str | None:
    return None if element is None else element.get(_W_VAL)


def _format_number(value: int, fmt: str) -> str:
    if not 0 <= value < 10_000:  # Word's own limits are lower; a start of 10**9 must not spell a 1 GB numeral
        return str(value)[:_MAX_LABEL]
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

    def __init__(self, document: Any, styles: _Styles) -> None:
        self.styles = styles
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

    def label(self, element: Any, style_id: str | None) -> str:
        """Advance this list's counters and return the paragraph's label plus a space, or ""."""
        if not self.levels:
            return ""
        try:
            num_id, ilvl = self._num_pr(element, style_id)
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

    def _num_pr(self, element: Any, style_id: str | None) -> tuple[str | None, int]:
        """numId and ilvl set on the paragraph, else on its style or the styles it is based on."""
        num_id = ilvl = None
        chain = [element.find(_W_PPR), *self.styles.paragraph_props(style_id)]
        for numpr in (ppr.find(_W_NUMPR) for ppr in chain if ppr is not None):
            if numpr is not None:
                num_id = num_id or _val(numpr.find(_W_NUMID))
                ilvl = ilvl if ilvl is not None else _val(numpr.find(_W_ILVL))
        return num_id, int(ilvl or 0)


def _level(lvl: Any) -> tuple[int, str, str]:
    start = int(_val(lvl.find(qn("w:start"))) or 1)
    return start, _val(lvl.find(qn("w:numFmt"))) or "decimal", (_val(lvl.find(qn("w:lvlText"))) or "")[:_MAX_LABEL]
