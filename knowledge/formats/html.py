"""HTML: visible text as blank-line-separated blocks, headings as '#', lists and table rows kept."""

from __future__ import annotations

import re
import warnings
from typing import Any

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import NavigableString, PreformattedString, Tag

from knowledge.errors import CorruptDocumentError
from knowledge.formats.common import Extracted, collapse, require_text

warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)

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
        text = "\n".join(line for line in (collapse("".join(parts)) for parts in self.lines) if line)
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
    return collapse(" ".join(walker.blocks))


def extract_html(data: bytes, name: str) -> Extracted:
    """Title (<title>, else the first <h1>) and the visible text of the page."""
    soup = BeautifulSoup(data, "lxml")
    walker = _HtmlText()
    try:
        walker.walk(soup)
    except RecursionError:
        raise CorruptDocumentError(name, "the page is nested too deeply to read") from None
    walker.flush()
    text = "\n\n".join(walker.blocks)
    require_text(text, name, "no visible text found in the page")
    heading = soup.find("h1")
    title = collapse(soup.title.get_text()) if soup.title else ""
    return title or (_html_inline(heading) if isinstance(heading, Tag) else "") or None, text, []
