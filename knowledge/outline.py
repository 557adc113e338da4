"""The outline: the stack of open clause markers from which a block's section label and breadcrumb are read.

Markers nest by rank ("4" > "4.2" > "(b)") and list items also by indentation (Markdown ordered lists).
A defined term ("1.12 'Downtime' means ...") opens a definition on the outline that runs to the next
marker of any kind. The parts of a contract that no number labels are named for what they are: the text
before the first numbered clause of a document that numbers its clauses is its "Preamble", the WHEREAS
clauses its "Recitals", and what follows "IN WITNESS WHEREOF" its "Signatures". `section_at` replays the
outline up to an offset, to cite a trimmed quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from knowledge.formats.text import CAPS_TITLE
from knowledge.furniture import content_blocks
from knowledge.sections import (
    Marker,
    compose_label,
    defined_term,
    ends_recitals,
    find_marker,
    inline_openings,
    is_signatory,
    opens_part,
    opens_recitals,
    opens_signatures,
    recitals_name,
    successors,
)
from knowledge.signals import SENTENCE_END
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

    def __init__(self, numbered_later: bool = False) -> None:
        self.open: list[_Open] = []
        self.numbered_later = numbered_later  # a numbered clause comes later: what precedes it is the preamble
        self.numbered = False  # a numbered clause (an article, a section, a schedule) has opened
        self.part: str | None = None  # "Recitals" or "Signatures": a part no number labels
        self.ending = False  # the block read last ended the recitals ("NOW, THEREFORE, ...")
        self.front = True  # still in the preamble: no numbered clause, recitals or heading after its text yet
        self.prose = 0  # the preamble's paragraphs so far
        self.whereas = False  # a WHEREAS clause has opened in the recitals
        self.plain = 0  # paragraphs of the recitals that open with no WHEREAS
        self.recitals = "Recitals"  # what the recitals are called ("Premesse" in an Italian contract)

    def copy(self) -> Outline:
        twin = Outline(self.numbered_later)
        twin.open = [replace(o) for o in self.open]
        twin.numbered, twin.part, twin.front, twin.prose = self.numbered, self.part, self.front, self.prose
        twin.ending, twin.whereas, twin.plain = self.ending, self.whereas, self.plain
        twin.recitals = self.recitals
        return twin

    @property
    def stack(self) -> list[Marker]:
        return [o.marker for o in self.open]

    def push(self, marker: Marker, indent: int | None = None) -> None:
        if marker.kind in _NUMBERED and marker.number is not None:
            self.numbered, self.part, self.front = True, None, False  # the end of the preamble, recitals, signatures
        elif marker.kind == "heading" and self.part == "Signatures" and opens_part(marker.heading or ""):
            self._close()  # another part of the filing ("GUARANTY")
        elif (
            marker.kind == "heading"
            and (self.prose or self.part == "Recitals")
            and not _recitals_heading(marker)
            and not (self.part is None and opens_part(marker.heading or ""))  # a title ("SUPPLY AGREEMENT")
        ):
            self.front = False  # a heading after the preamble's (or the recitals') text: the body begins
            if self.part == "Recitals":
                self.part = None
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

    def note(self, text: str, a: int, b: int, marker: Marker | None = None, gap: bool = False) -> None:
        """Follow the parts no number labels through the block text[a:b]: the preamble's paragraphs, the recitals
        opening ("WHEREAS", "RECITALS") and ending ("NOW, THEREFORE", or a paragraph that is no recital), the
        signatures; after page furniture (gap), a block that is no signatory's ends the signatures."""
        if self.part == "Signatures" and gap and not is_signatory(text, a, b):
            self._close()
        if self.part == "Recitals" and self.ending:
            self._end_front()
        self.ending = False
        if opens_signatures(text, a, b):
            self.part = "Signatures"
            return
        recital = opens_recitals(text, a, b)
        whereas = recital and b - a > 20 and _WHEREAS.match(text, a, b) is not None  # "WHEREAS:" alone heads them
        if (not self.front or self.numbered) and self.part != "Recitals":
            if whereas:  # WHEREAS clauses in the body (an amendment in an exhibit): the clause above is closed
                self.open = [o for o in self.open if o.marker.kind == "appendix"]
                self.part, self.whereas, self.plain = "Recitals", True, 0
            return
        operative = ends_recitals(text, a, b)
        if self.part is None and recital:
            self.part, self.recitals = "Recitals", recitals_name(text, a, b)
        elif self.part == "Recitals" and not (recital or operative) and marker is None:
            self.plain += 1  # under a "RECITALS" heading, paragraphs are recitals; after WHEREAS clauses, not
            if self.whereas or self.plain > _MAX_PLAIN_RECITALS:
                self._end_front()
                return
        self.whereas = self.whereas or whereas
        if operative:
            self.part, self.ending = self.part or "Recitals", True  # the recitals end with this block
        elif self.part is None and marker is None and b - a > 80:
            self.prose += 1
            if self.prose > _MAX_PREAMBLE_PARAGRAPHS:
                self._end_front()  # the preamble is the opening, not a body whose clauses are not numbered

    def _end_front(self) -> None:
        if self.part == "Recitals":
            self.part = None
        self.front = False

    def _close(self) -> None:
        """End the signatures: the clauses above are closed; an appendix they are in stays open."""
        self.open = [o for o in self.open if o.marker.kind == "appendix"]
        self.part, self.front = None, False

    def follow(self, text: str, a: int, b: int, until: int | None = None) -> None:
        """Follow what opens inside the block text[a:b] after a sentence ends (up to `until`): the next clause
        number ("... as follows: 1. Amendment."), the recitals, the signatures (text that lost its paragraph
        breaks)."""
        for found in inline_openings(text, a, b):
            if until is not None and found.at > until:
                break
            if found.kind == "signatures":
                self.part = "Signatures"
            elif found.kind == "recitals":
                if self.front and self.part is None:
                    self.part = "Recitals"
            elif found.kind == "item":
                self._follow_item(found.number or "")
            elif self.follows(found.number or "", found.heading):
                dots = (found.number or "").count(".")
                self.push(Marker("decimal", found.number, found.heading, 10 + dots))

    def _follow_item(self, letter: str) -> None:
        """A lettered item opening after a sentence's end inside a block ("... shall approve. (d) Recipient ..."):
        the next item after an open one ("(c)" -> "(d)", past a sub-item "(iii)" inside it), the first under a
        clause number ("1.2 Standard of Service. (a) Provider ..."); a letter further on closes the open item, as
        one was missed ("(b)" then "(d)"): the clause's label, not a wrong item's."""
        for depth in range(len(self.open) - 1, -1, -1):
            marker = self.open[depth].marker
            if marker.kind != "paren":
                if letter == "a" and depth == len(self.open) - 1 and marker.kind == "decimal":
                    self.push(Marker("paren", "(a)", None, _ITEM_RANK))
                return
            current = (marker.number or "").strip("()")
            if marker.rank != _ITEM_RANK or len(current) != 1 or not current.islower():
                continue  # "(iii)", "(A)", "(2)" inside the item: look further out
            if letter == chr(ord(current) + 1):
                del self.open[depth + 1 :]
                self.push(replace(marker, number=f"({letter})", heading=None))
            elif depth == len(self.open) - 1 and letter not in ("i", "v", "x") and letter > chr(ord(current) + 1):
                del self.open[depth:]  # ("(i)" numbers a sub-item)
            return

    def follows(self, number: str, heading: str | None) -> bool:
        """Whether a clause number found inside a block continues the numbering: the next one ("3.2" -> 3.2.1,
        3.3, 4), or, with a heading ("10. FORCE MAJEURE"), a top-level number a little further on."""
        current = self._number()
        if number in successors(current):
            return True
        if not heading or not number.isdigit() or current is None:
            return False
        top = int(current.split(".", 1)[0])
        return top < int(number) <= top + 2  # "8." then "10. FORCE MAJEURE": one number lost

    def _number(self) -> str | None:
        return next((o.marker.number for o in reversed(self.open) if o.marker.kind == "decimal"), None)

    def label(self) -> str | None:
        if self.part == "Signatures":
            return "Signatures"
        if self.part == "Recitals":  # "Recitals", "Recitals B", "Exhibit D Recitals"
            inner = compose_label([m for m in self.stack if m.kind != "appendix"])
            outer = compose_label([m for m in self.stack if m.kind == "appendix"])
            core = f"{self.recitals} {inner}" if inner else self.recitals
            return f"{outer} {core}" if outer else core
        label = compose_label(self.stack)
        if label is None and self.front and self.numbered_later:
            return "Preamble"
        return label

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


_NUMBERED = {"container", "appendix", "decimal"}
_ITEM_RANK = 30  # a "(a)" item's rank, as `sections.find_marker` gives it
_GLUED_NUMBER = re.compile(r"([0-9]{1,2})\.(?=[A-Z][A-Za-z])")  # "5.Dolphin will": a number that lost its space
_MAX_PREAMBLE_PARAGRAPHS = 3  # more paragraphs before any number or heading: a body, not a preamble
_MAX_PLAIN_RECITALS = 5  # paragraphs under a "RECITALS" heading with no WHEREAS before they read as the body
_WHEREAS = re.compile(r"[ \t]*(?:\*\*|__)?(?:\(?[A-Z0-9]{1,2}[.)][ \t]*)?(?i:whereas)\b")


def _recitals_heading(marker: Marker) -> bool:
    heading = marker.heading or ""
    return opens_recitals(heading, 0, len(heading))


def read_block(outline: Outline, text: str, a: int, b: int, gap: bool = False) -> tuple[Marker | None, str | None]:
    """Put the block text[a:b] (after page furniture if gap) on the outline: its marker, the part it opens, a
    term it defines."""
    marker = find_marker(text, a, b)
    if marker is not None:
        outline.push(marker, line_indent(text, a))
    elif (glued := _GLUED_NUMBER.match(text, a, b)) and outline.follows(glued.group(1), None):
        outline.push(Marker("decimal", glued.group(1), None, 10))  # "5.Dolphin will ...": the next clause
    outline.note(text, a, b, marker, gap)
    return marker, push_definition(outline, text, a, b, marker)


@lru_cache(maxsize=16)
def numbers_clauses(text: str, start: int = 0) -> bool:
    """Whether the text from `start` holds a numbered clause (an article, a section, a schedule, "4.2")."""
    outline = Outline()
    for a, b, gap in content_blocks(text, start):
        if table_at(text, a) is None:
            read_block(outline, text, a, b, gap)
            outline.follow(text, a, b)
        if outline.numbered:
            return True
    return False


_CONTENTS_HEADING = re.compile(
    r"[#*_\s]*(?:table\s+of\s+contents|contents|index|indice|sommario)[\s:*_]*", re.IGNORECASE
)
_ENTRY_CHARS = 150  # a contents entry: "Section 2.01 Appointment; Exclusivity", its page "5", "ARTICLE II ..."


# what an entry of a table of contents looks like: a clause marker first, a page number (alone or last), a
# dotted leader, or a short heading in capitals
_ENTRY = re.compile(
    r"(?i:(?:section|article|clause|schedule|exhibit|annex|appendix|attachment|part|paragraph|art\.)\s+[\dIVXLC]"
    r"|\d{1,2}(?:\.\d{1,3})*\.?(?:\s|$)|\(?[a-z]\)\s|[IVXLC]{1,6}\.?\s)"
    r"|(?i:page\s*)?[\divxlc]{1,4}|.*(?:\.{3,}|\.(?: \.){2,}|\s)\s*[\divxlc]{1,4}"
    r"|(?i:(?:clause|page|section|article|paragraph|no\.?)\s*){1,3}"  # the contents' column headings
    r"|[-*+]\s+\[[^\]]+\]\([^)]*\)",  # a Markdown contents list: "- [Uptime](#uptime)"
)


def _is_entry(piece: str) -> bool:
    """Whether a block reads as an entry of a table of contents (not a sentence, not the agreement's title or
    opening: 'THIS GLOBAL MAINTENANCE AGREEMENT ("GMA") IS MADE ON March 9th 2015:')."""
    if len(piece) > _ENTRY_CHARS or CAPS_TITLE.fullmatch(piece):  # the agreement's title: the body begins
        return False
    if _ENTRY.fullmatch(piece):
        return True  # "2.1 Engagement; Grant of Rights. 8": it ends with its page
    if SENTENCE_END.search(piece) or _OPENING.search(piece):
        return False
    return bool(_ENTRY.match(piece)) or not any(ch.islower() for ch in piece)  # "SCHEDULES"


_OPENING = re.compile(r"\b(?:is|are)\s+made\b|\bentered\s+into\b", re.IGNORECASE)


class Contents:
    """Follows a table of contents cut into blocks (a "TABLE OF CONTENTS" heading, then one short block per entry
    and page number): its clause numbers number no clause, and the body's numbering starts after it."""

    def __init__(self) -> None:
        self.open = False

    def take(self, text: str, a: int, b: int) -> bool:
        """Whether the block text[a:b] is the contents' heading or one of its entries."""
        piece = text[a:b].strip()
        if _CONTENTS_HEADING.fullmatch(piece):
            self.open = True
            return True
        if self.open and _is_entry(piece):
            return True
        self.open = False
        return False


def section_at(text: str, offset: int) -> tuple[str | None, str | None]:
    """The section label and heading in force at `offset` (for citing a trimmed quote)."""
    outline = Outline(numbers_clauses(text))
    contents = Contents()
    for a, b, gap in content_blocks(text, 0, min(len(text), offset + 400)):
        if a > offset:
            break
        if contents.take(text, a, b):
            continue  # as in chunking
        if table_at(text, a) is not None:
            continue  # no clause opens inside a table (as in chunking)
        read_block(outline, text, a, b, gap)
        outline.follow(text, a, b, until=offset)
    return outline.label(), outline.heading()
