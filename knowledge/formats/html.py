"""HTML: visible text as blank-line-separated blocks, headings as '#', lists and table rows kept.

Text a browser would not show is dropped: `hidden`, `aria-hidden="true"`, `<template>`, a closed
`<dialog>`, and inline styles or simple top-level style rules (`.class`, `#id`, `tag`) that say
`display: none`, `visibility: hidden`, `font-size: 0` or `opacity: 0`.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import NavigableString, PreformattedString, Tag

from knowledge.errors import CorruptDocumentError
from knowledge.formats.common import Extracted, collapse, pipe_table, require_text
from knowledge.limits import DEFAULT_LIMITS, Limits

warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)

_HTML_DROP = {"script", "style", "noscript", "nav", "header", "footer", "template", "head", "svg"}
_HIDING = re.compile(
    r"(?:^|[;{\s])(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)"
    r"|font-size\s*:\s*0+(?:\.0*)?(?:px|pt|em|rem|%)?|opacity\s*:\s*0+(?:\.0*)?)\s*(?:!important\s*)?(?:;|}|$)",
    re.IGNORECASE,
)
_SIMPLE_SELECTOR = re.compile(r"([a-z][a-z0-9]*)?(?:\.([\w-]+)|#([\w-]+))?", re.IGNORECASE)
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


class _Hiding:
    """Which elements of a page are hidden: by attribute, inline style, or a simple rule of its style sheets."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.tags: set[str] = set()
        self.classes: set[str] = set()
        self.ids: set[str] = set()
        for sheet in soup.find_all("style"):
            for selectors, body in _top_level_rules(sheet.get_text()):
                if _HIDING.search(body):
                    for selector in selectors.split(","):
                        self._add(selector.strip())

    def _add(self, selector: str) -> None:
        m = _SIMPLE_SELECTOR.fullmatch(selector)
        if not m or not selector:
            return  # descendant, attribute or pseudo-class selectors: too rich to judge here
        tag, cls, ident = m.groups()
        if cls:
            self.classes.add(cls)
        elif ident:
            self.ids.add(ident)
        elif tag:
            self.tags.add(tag.lower())

    def __call__(self, tag: Tag) -> bool:
        attrs = tag.attrs
        if "hidden" in attrs or str(attrs.get("aria-hidden", "")).strip().lower() == "true":
            return True
        if tag.name == "dialog" and "open" not in attrs:
            return True
        if _HIDING.search(str(attrs.get("style", ""))):
            return True
        classes: str | list[str] = attrs.get("class") or []
        return (
            tag.name in self.tags
            or str(attrs.get("id", "")) in self.ids
            or any(c in self.classes for c in ([classes] if isinstance(classes, str) else classes))
        )


def _top_level_rules(css: str) -> list[tuple[str, str]]:
    """(selectors, declarations) of the rules outside any @media/@supports block; comments removed."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    rules, depth, start, selectors = [], 0, 0, ""
    for i, ch in enumerate(css):
        if ch == "{":
            if depth == 0:
                selectors, start = css[start:i], i + 1
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                if not selectors.lstrip().startswith("@"):
                    rules.append((selectors, css[start:i]))
                start = i + 1
    return rules


class _HtmlText:
    """Walks a parsed page, collecting blank-line-separated blocks of whitespace-collapsed text."""

    def __init__(self, hidden: _Hiding) -> None:
        self.hidden = hidden
        self.blocks: list[str] = []
        self.lines: list[list[str]] = [[]]  # the open block; <br> starts a new line
        self.prefix = ""  # "# ", "- " or "3. " for the next block
        self.lists: list[list[Any]] = []  # [tag, counter] per open ul/ol
        self.rows: list[list[str]] = []  # the cells of each row of the open table

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
            elif isinstance(child, Tag) and child.name not in _HTML_DROP and not self.hidden(child):
                self._tag(child)

    def _tag(self, tag: Tag) -> None:
        name = tag.name
        if name == "br":
            self.lines.append([])
        elif name == "table":  # one block per table: a pipe table, one line per row
            self.flush()
            outer, self.blocks, rows, self.rows = self.blocks, [], self.rows, []
            self.walk(tag)
            self.flush()
            table = pipe_table(self.rows)
            self.blocks = [*outer, *self.blocks, table] if table else [*outer, *self.blocks]
            self.rows = rows
        elif name == "tr":
            self.flush()
            found = tag.find_all(["td", "th"], recursive=False)
            self.rows.append([_html_inline(cell, self.hidden) for cell in found if not self.hidden(cell)])
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
                current: list[Any] = self.lists[-1] if self.lists else ["ul", 0]
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


def _html_inline(tag: Tag, hidden: _Hiding) -> str:
    walker = _HtmlText(hidden)
    walker.walk(tag)
    walker.flush()
    return collapse(" ".join(walker.blocks))


def extract_html(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    """Title (<title>, else the first visible <h1>) and the visible text of the page."""
    soup = BeautifulSoup(data, "lxml")
    hidden = _Hiding(soup)
    walker = _HtmlText(hidden)
    try:
        walker.walk(soup)
    except RecursionError:
        raise CorruptDocumentError(name, "the page is nested too deeply to read") from None
    walker.flush()
    text = "\n\n".join(walker.blocks)
    require_text(text, name, "no visible text found in the page")
    heading = next((h for h in soup.find_all("h1") if not any(map(hidden, [h, *h.parents]))), None)
    title = collapse(soup.title.get_text()) if soup.title else ""
    return title or (_html_inline(heading, hidden) if isinstance(heading, Tag) else "") or None, text, []
