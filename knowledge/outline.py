"""The outline: the stack of open clause markers from which a block's section label and breadcrumb are read.

Markers nest by rank ("4" > "4.2" > "(b)") and list items also by indentation (Markdown ordered lists).
A defined term ("1.12 'Downtime' means ...") opens a definition on the outline that runs to the next
marker of any kind. `section_at` replays the outline up to an offset, to cite a trimmed quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from knowledge.furniture import content_blocks
from knowledge.sections import Marker, compose_label, defined_term, find_marker
from knowledge.tables import table_at


@dataclass
class _Open:
    marker: Marker
    indent: int | None  # the marker's column when it opens its line, else None
    family: str  # "list" (1. 2. 3.), "dotted" (4.2), "item" ((a), b), iii.) or "" (headings, articles)
    nested: bool = False  # a list item with list items indented under it (Markdown "1. Uptime" / "    1. Target")


def _family(marker: Marker) -> str:
    if marker.kind == "decimal":
        return "list" if marker.number and marker.number.isdigit() else "dotted"
    return "item" if marker.kind in {"paren", "letter", "item"} else ""


class Outline:
    """The stack of open markers, from which a block's section label and breadcrumb are read.

    Markers nest by rank ("4" > "4.2" > "(b)"), and list items also by indentation: a "1." indented under
    "3. Remedies" is 3.1 (Markdown ordered lists), and an item at the indentation of an open one of its
    family closes it. Text without indentation (SEC filings) nests by rank alone.
    """

    def __init__(self) -> None:
        self.open: list[_Open] = []

    @property
    def stack(self) -> list[Marker]:
        return [o.marker for o in self.open]

    def push(self, marker: Marker, indent: int | None = None) -> None:
        while self.open and self.open[-1].marker.kind == "definition":
            self.open.pop()  # a definition runs to the next marker of any kind
        family = _family(marker)
        if indent is not None and family:
            while self.open and (top := self.open[-1]).indent is not None and top.family:
                if top.indent > indent or (top.indent == indent and top.family == family):
                    self.open.pop()
                else:
                    break
            parent = self.open[-1] if self.open else None
            if (
                family == "list"
                and parent is not None
                and parent.indent is not None
                and parent.indent < indent
                and parent.family in {"list", "dotted"}
                and (marker.number == "1" or parent.nested)
            ):
                parent.nested = True
                number = f"{parent.marker.number}.{marker.number}"
                self.open.append(_Open(replace(marker, number=number, rank=parent.marker.rank + 1), indent, "list"))
                return
        while self.open and self.open[-1].marker.rank >= marker.rank:
            self.open.pop()
        self.open.append(_Open(marker, indent, family))

    def label(self) -> str | None:
        return compose_label(self.stack)

    def heading(self) -> str | None:
        return next((o.marker.heading for o in reversed(self.open) if o.marker.heading), None)

    def breadcrumb(self) -> str:
        return " > ".join(o.marker.display for o in self.open if o.marker.display)


def line_indent(text: str, at: int) -> int | None:
    """The column of `at` when only spaces and tabs precede it on its line (a tab counts 4), else None."""
    line_start = text.rfind("\n", max(0, at - 200), at) + 1
    if line_start == 0 and at > 200:
        return None  # a block deep inside a long line (bounded look-back: long lines stay linear)
    lead = text[line_start:at]
    if lead.strip(" \t"):
        return None
    return len(lead.expandtabs(4))


_NUMBER_PREFIX = re.compile(r"[ \t]*(?:[0-9]{1,2}(?:\.[0-9]{1,3})*\.?|\(?[a-z0-9]{1,4}\)|[a-z]\.)[ \t]+")


def push_definition(outline: Outline, text: str, a: int, b: int, marker: Marker | None) -> str | None:
    """Open a definition on the outline when the block defines a term (after its clause number, if any)."""
    if marker is not None and marker.kind not in {"decimal", "paren", "item", "letter"}:
        return None
    at = a
    if marker is not None and (m := _NUMBER_PREFIX.match(text, a, b)):
        at = m.end()
    term = defined_term(text, at, b)
    if term:
        outline.push(Marker("definition", f"'{term}'", term, 40))
    return term


def section_at(text: str, offset: int) -> tuple[str | None, str | None]:
    """The section label and heading in force at `offset` (for citing a trimmed quote)."""
    outline = Outline()
    for a, b, _ in content_blocks(text, 0, min(len(text), offset + 400)):
        if a > offset:
            break
        if table_at(text, a) is not None:
            continue  # no clause opens inside a table (as in chunking)
        marker = find_marker(text, a, b)
        if marker is not None:
            outline.push(marker, line_indent(text, a))
        push_definition(outline, text, a, b, marker)
    return outline.label(), outline.heading()
