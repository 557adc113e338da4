"""Reading a contract's structure: clause markers, section labels and sentence boundaries."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CONTAINER_WORDS = "article|section|schedule|exhibit|annex|appendix|attachment|part|addendum"
_APPENDIX_WORDS = {"schedule", "exhibit", "annex", "appendix", "attachment", "addendum"}

_MD_HEADING = re.compile(r"(#{1,6})[ \t]+(.+)")
# Italian containers: "Articolo 5", "Art. 5.2", "ART. 5 -", "Allegato B", "Capo II", "Titolo I", "Sezione 3".
_IT_CONTAINER = re.compile(
    r"(Articolo|ARTICOLO|Art\.|ART\.|Art(?=[ \t]+[0-9])|ART(?=[ \t]+[0-9])|Allegato|ALLEGATO|Appendice|APPENDICE"
    r"|Capo|CAPO|Titolo|TITOLO|Sezione|SEZIONE)"
    r"[ \t]*((?<=\.)[0-9]{1,3}(?:\.[0-9]{1,3})*(?:[ \t]*(?:bis|ter|quater)\b)?|(?<=[ \t])(?:[0-9]{1,3}(?:\.[0-9]{1,3})*"
    r"(?:[ \t]*(?:bis|ter|quater)\b)?|[IVXLC]{1,6}|[A-Z]))(?![\w,])\.?[ \t]*[:.\-\u2013\u2014]?[ \t]*"
)
_IT_WORDS = {
    "articolo": "Art.",
    "art.": "Art.",
    "art": "Art.",
    "allegato": "Allegato",
    "appendice": "Appendice",
    "capo": "Capo",
}
_IT_WORDS |= {"titolo": "Titolo", "sezione": "Sezione"}
# "comma 2" opening a paragraph of an Italian article; "lettera a)" or "lett. b)" opening an item.
_COMMA = re.compile(r"(?:Comma|COMMA|comma)[ \t]+([0-9]{1,2})(?:[ \t]*[.):\-\u2013][ \t]*|[ \t]+)(?=\S)")
_LETTERA = re.compile(r"(?:[Ll]ettera|[Ll]ett\.)[ \t]*([a-z])\)[ \t]+(?=\S)")
# reST section adornment: the line under (and maybe over) a title, its level by the character (a document's own
# order of levels is not followed: '#' and '*' overlines or underlines read as the top, '=' next, then '-', '~', '^').
_RST_LINE = re.compile(r"""([=\-~^*#"'`:.+_<>])\1{2,}[ \t]*""")
_RST_LEVELS = {"#": 1, "*": 1, "=": 1, "-": 2, "~": 3, "^": 4, '"': 5}
_CONTAINER = re.compile(
    rf"(?i:({_CONTAINER_WORDS}))[ \t]+"
    rf"([0-9]{{1,3}}(?:\.[0-9]{{1,3}})*[A-Z]?|[IVXLC]{{1,6}}|[A-Z])\b\.?[ \t]*[:.\-\u2013\u2014]?[ \t]*"
)
_DECIMAL = re.compile(r"([0-9]{1,2}(?:\.[0-9]{1,3}){0,4})(\.?)((?:\([a-z0-9]{1,4}\))*)[ \t]+(?=\S)")
_PAREN = re.compile(r"\(([a-z]{1,2}|[ivxlc]{1,6}|[A-Z]{1,2}|[0-9]{1,2})\)[ \t]+(?=\S)")
# "a. For Uptime Credit", "b) For each", "iii) the": a list item lettered without an opening parenthesis.
_HALF_PAREN = re.compile(r"([a-z]|[ivx]{1,5}|[A-Z])\)[ \t]+(?=\S)|([a-z]|[ivx]{1,5})\.[ \t]+(?=[A-Z\"\u201c(])")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
# A run of capitalised words opening a clause: "PURPOSE OF AGREEMENT Formalize the agreements ..."
_CAPS_RUN = re.compile(
    r"((?:[A-Z\u00c0-\u00d6\u00d8-\u00de][A-Z\u00c0-\u00d6\u00d8-\u00de0-9&'/,-]*[ \t]+){0,9}"
    r"[A-Z\u00c0-\u00d6\u00d8-\u00de][A-Z\u00c0-\u00d6\u00d8-\u00de0-9&'/-]+)\.?(?=[ \t\n]|$)"
)
_LETTER = re.compile(r"([A-Z])\.[ \t]+(?=[A-Z\"\u201c(])")
_ROMAN = re.compile(r"[ivxlc]+")
_EMPHASIS = re.compile(r"[*_]{1,3}")
_EMPHASIZED = re.compile(r"([*_]{1,3})([^*_\n]{1,60}?)\1")
_FILING_EXHIBIT_CHARS = 400  # "Exhibit 28" or "EXHIBIT 10" this near the top is the filing's label, not an exhibit


@dataclass(frozen=True)
class Marker:
    """A clause marker at the start of a block: its kind, number, heading and nesting rank."""

    kind: str  # container | appendix | heading | decimal | letter | paren | item ("a)": no "(") | comma | definition
    number: str | None
    heading: str | None
    rank: int
    style: str = ""  # "it": an Italian article, annex or "comma" (its label reads "Art. 5.2", "Art. 5, comma 2")

    @property
    def display(self) -> str:
        return " ".join(p for p in (self.number, self.heading) if p)


def _title_of(rest: str) -> str | None:
    """The heading words that follow a number: 'CAP ON LIABILITY.' or 'Service Credits:'."""
    first_line = rest.split("\n", 1)[0]
    caps = _CAPS_RUN.match(_EMPHASIS.sub("", first_line).strip())
    if (
        caps
        and sum(ch.isalpha() for ch in caps.group(1)) >= 4
        and (len(caps.group(1)) > 4 or caps.end() == len(first_line))
    ):
        return caps.group(1).rstrip(",")
    m = re.match(r"(.{2,80}?)(?:\.(?:\s|$)|:|$)", _EMPHASIS.sub("", first_line).strip())
    if not m:
        return None
    title = re.sub(r"\s+[A-Z]$", "", m.group(1).strip().rstrip(".:"))  # "Products and Payments A. Product."
    words = title.split()
    if not words or len(words) > 10 or not (words[0][:1].isupper() or words[0][:1] in '"\u201c'):
        return None
    if title.isupper() or sum(w[:1].isupper() for w in words if len(w) > 3) >= max(
        1, len([w for w in words if len(w) > 3]) - 1
    ):
        return title
    return None


def _atop(text: str, start: int) -> bool:
    """Whether `start` is atop the text: nothing but blanks and short labels ("Execution Version") before it."""
    return start < _FILING_EXHIBIT_CHARS and sum(ch.isalpha() for ch in text[:start]) <= 40


def _paren_rank(token: str) -> int:
    if token.isdigit():
        return 34
    if token.isupper():
        return 33
    if _ROMAN.fullmatch(token) and token not in {"c", "l"}:
        return 31
    return 30


def _rst_heading(head: str) -> tuple[str, int] | None:
    """A reST section title opening the block (its text, its level): a line underlined (maybe also overlined) with a
    punctuation character repeated at least as long as the title."""
    lines = head.split("\n", 3)
    if (
        len(lines) >= 3
        and _RST_LINE.fullmatch(lines[0])
        and _RST_LINE.fullmatch(lines[2])
        and lines[0][0] == lines[2][0]
    ):
        title, char = lines[1], lines[0][0]
    elif len(lines) >= 2 and _RST_LINE.fullmatch(lines[1]) and not _RST_LINE.fullmatch(lines[0]):
        title, char = lines[0], lines[1][0]
        if len(lines[1].rstrip()) < len(title.rstrip().expandtabs(8)):
            return None
    else:
        return None
    title = " ".join(title.split())
    return (title, _RST_LEVELS.get(char, 5)) if title and len(title) <= 160 else None


def _italian(m: re.Match[str]) -> Marker | None:
    word = m.group(1).lower()
    token = " ".join(m.group(2).split())
    name = _IT_WORDS[word]
    number = f"{name} {token}"
    if word in {"capo", "titolo"} and not (token.isdigit() or _ROMAN.fullmatch(token.lower())):
        return None  # "Titolo" is also a word ("a titolo di"): a part of the contract is numbered
    rest = m.string[m.end() :]
    line = " ".join(rest.split("\n", 1)[0].split()).strip("*_ ")
    heading = _title_of(rest) or (line if 2 <= len(line) <= 100 and line[-1] not in ".;:," else None)
    if word == "sezione" and token[0].isdigit():
        return Marker("decimal", token, heading, 10 + token.count("."), "it")
    if word in {"allegato", "appendice"}:
        return None if "." in token else Marker("appendix", number, heading, 1, "it")
    rank = 1 if word in {"titolo", "capo"} else 2
    return Marker("container", number, heading, rank, "it")


def find_marker(text: str, start: int, end: int) -> Marker | None:
    """The clause marker opening the block text[start:end], if any."""
    head = text[start : min(end, start + 200)]
    rst = _rst_heading(head)
    if rst is not None:  # "Art. 3 Prestazioni della Società\n**********": the title read as a heading line
        nested = find_marker(rst[0], 0, len(rst[0]))
        if nested and nested.kind in {"container", "appendix", "decimal"}:
            return Marker(nested.kind, nested.number, nested.heading or rst[0], nested.rank, nested.style)
        return Marker("heading", None, rst[0][:120], rst[1])
    stripped = head
    if head[:1] in "*_":  # "**17.4.** Procedures", "**6. Definitions.**": the marker read without its emphasis
        em = _EMPHASIZED.match(head)
        stripped = em.group(2) + head[em.end() :] if em else _EMPHASIS.sub("", head[:8]) + head[8:]
    m = _MD_HEADING.match(stripped)
    if m:
        inner = _MD_ESCAPE.sub(r"\1", _EMPHASIS.sub("", m.group(2)).strip())  # "## 1\\. Terms" reads "1. Terms"
        nested = find_marker(inner, 0, len(inner))
        level = len(m.group(1))
        if nested and nested.kind in {"container", "appendix", "decimal"}:
            return Marker(nested.kind, nested.number, nested.heading or inner, nested.rank, nested.style)
        return Marker("heading", None, inner.split("\n", 1)[0][:120], level)
    m = _IT_CONTAINER.match(stripped)
    if m and (found := _italian(m)) is not None:
        return found
    m = _COMMA.match(stripped)
    if m:
        return Marker("comma", m.group(1), None, 10, "it")  # as "2." would
    m = _LETTERA.match(stripped)
    if m:
        return Marker("item", f"({m.group(1)})", None, _paren_rank(m.group(1)), "it")
    m = _CONTAINER.match(stripped)
    if m and (m.group(1)[0].isupper()):
        word = m.group(1).lower()
        kind = "appendix" if word in _APPENDIX_WORDS else "container"
        number = f"{m.group(1).title()} {m.group(2)}"
        if kind == "appendix" and "." in m.group(2):
            return None  # an SEC filing label such as "Exhibit 10.23", not a part of the contract
        if word == "exhibit" and m.group(2).isdigit() and _atop(text, start):
            return None  # "Exhibit 28 (h)(1)(a) under Form N-1A" atop a filing: its label, before the contract
        if word == "section" and m.group(2)[0].isdigit():
            return Marker("decimal", m.group(2), _title_of(stripped[m.end() :]), 10 + m.group(2).count("."))
        return Marker(kind, number, _title_of(stripped[m.end() :]), 1 if kind == "appendix" else 2)
    m = _DECIMAL.match(stripped)
    if m and (m.group(2) or "." in m.group(1) or m.group(3)):
        number = m.group(1) + m.group(3)
        rest = stripped[m.end() :].lstrip("*_")  # "1. **"Available Minutes"** means"
        dotted = "." in m.group(1) and rest[:1].isalpha()  # "6.1 eGain warrants": a dotted number opens a clause
        if not rest[:1].isupper() and rest[:1] not in '"\u201c(' and not m.group(3) and not dotted:
            return None
        rank = 10 + m.group(1).count(".") + (1 if m.group(3) else 0)
        return Marker("decimal", number, _title_of(rest), rank)
    m = _PAREN.match(stripped)
    if m:
        return Marker("paren", f"({m.group(1)})", None, _paren_rank(m.group(1)))
    m = _LETTER.match(stripped)
    if m:
        return Marker("letter", m.group(1), _title_of(stripped[m.end() :]), 20)
    m = _HALF_PAREN.match(stripped)
    if m:
        token = m.group(1) or m.group(2)
        return Marker("item", f"({token})", None, _paren_rank(token))
    line = stripped.split("\n", 1)[0].strip()
    if (
        4 <= len(line) <= 80
        and line.isupper()
        and sum(ch.isalpha() for ch in line) >= 4
        and not line.rstrip(".").count(".")
        and len(line.split()) <= 10
    ):
        return Marker("heading", None, line.rstrip("."), 5)
    return None


# A defined term opening a paragraph: '"Downtime" means', '**"SLA"** means', '**Site** — an Internet site'.
_DEFINED = re.compile(
    r"[ \t]*(?:\*\*|__)?[\"\u201c]?(?:\*\*|__)?([A-Z][^\"\u201d*\n]{0,58}?)(?:\*\*|__)?[\"\u201d]?(?:\*\*|__)?"
    r"[ \t]*(?:\([^)\n]{0,80}\)[ \t]*)?,?[ \t]*"
    r"(?:(?<![A-Za-z])(?:means|shall mean|has the meaning|refers to|is defined as|is|are)\b"
    r"|[\u2014\u2013]|-[ \t])"
)
_QUOTED = re.compile(r"[ \t]*(?:\*\*|__)?[\"\u201c]|[ \t]*(?:\*\*|__)")


def defined_term(text: str, start: int, end: int) -> str | None:
    """The term a definition paragraph defines ('"Downtime" means ...' -> 'Downtime'), if it opens with one.

    The term must be quoted or bold: "Customer shall mean" in running prose is not a definition.
    """
    head = text[start : min(end, start + 160)]
    if not _QUOTED.match(head):
        return None
    m = _DEFINED.match(head)
    if not m:
        return None
    term = m.group(1).strip().rstrip(":")
    return term if term and len(term.split()) <= 8 else None


def compose_label(stack: list[Marker]) -> str | None:
    """Section label from the open markers: 'Schedule B 3.1', '4.2(b)(ii)', '2(A)'."""
    label: str | None = None
    prefix = ""
    italian = False  # under an Italian article: "Art. 5.2", "Art. 5, comma 2, lett. a)"
    for m in stack:
        if m.number is None:
            continue
        if m.kind == "definition":
            label = f"{label} {m.number}" if label else m.number
        elif m.kind == "appendix":
            prefix, label, italian = m.number + " ", None, False
        elif m.kind == "container":
            label, italian = m.number, m.style == "it" and m.number.startswith("Art. ")
        elif m.kind == "decimal" and italian and label is not None and m.number:
            article = label.removeprefix("Art. ").split(",", 1)[0]
            if m.number.isdigit():
                label = f"Art. {article}.{m.number}"
            elif m.number.startswith(f"{article}."):
                label = f"Art. {m.number}"
            else:
                label, italian = m.number, False
        elif m.kind == "decimal":
            label, italian = m.number, False
        elif m.kind == "comma":
            label = f"{label}, comma {m.number}" if label else f"comma {m.number}"
        elif m.kind in {"item", "paren"} and (italian or m.style == "it") and m.number[1:-1].isalpha():
            item = f"lett. {m.number[1:-1]})"
            label = f"{label}, {item}" if label else item
        elif m.kind == "letter":
            label = f"{label}({m.number})" if label else m.number
        else:
            label = f"{label}{m.number}" if label else m.number
    if label is None:
        return prefix.strip() or None
    return prefix + label


# -- the parts of a contract that no number labels: its preamble, recitals and signatures ----------------------
# A block opening the recitals: "WHEREAS, ...", "RECITALS", "W I T N E S S E T H:", a "Background" heading.
_RECITAL_OPENER = re.compile(
    r"[ \t]*(?:\*\*|__|#{1,6}[ \t]+)?(?:\(?[A-Z0-9]{1,2}[.)][ \t]+)?"
    r"(?:WHEREAS\b|Whereas\b|W[ \t]?I[ \t]?T[ \t]?N[ \t]?E[ \t]?S[ \t]?S[ \t]?E[ \t]?T[ \t]?H\b"
    r"|(?:RECITALS?|Recitals?|BACKGROUND|Background|PRELIMINARY[ \t]+STATEMENTS?|Preliminary[ \t]+Statements?"
    r"|PREMESSE|Premesse|PREMESSO[ \t]+CHE|Premesso[ \t]+che)"
    r"[*_]*[ \t]*[:.\-\u2013\u2014]?[*_]*(?=[ \t]*$|[ \t]*\n|[ \t]{2,}|[ \t]+WHEREAS\b|[ \t]+Whereas\b))"
)
# A block opening the signatures: "IN WITNESS WHEREOF", a "SIGNATURES" heading, "[Signature page follows]".
_SIGNATURE_OPENER = re.compile(
    r"[ \t]*(?:\*\*|__|#{1,6}[ \t]+)?(?:IN[ \t]+WITNESS[ \t]+WHEREOF\b|In[ \t]+(?:W|w)itness[ \t]+(?:W|w)hereof\b"
    r"|(?:SIGNATURES?|Signatures?)(?:[ \t]+(?:PAGES?|Pages?))?[*_]*[ \t]*:?[*_]*(?=[ \t]*$|[ \t]*\n|[ \t]{2,})"
    r"|(?:SIGNATURE|Signature)[ \t]+(?:PAGES?|Pages?)[ \t]+(?:TO|FOR|OF|to|for|of)\b"
    r"|\[[ \t]*(?:SIGNATURE|Signature)[ \t]+(?:PAGES?|[Pp]ages?)[ \t]+(?:FOLLOWS?|[Ff]ollows?)"
    r"|(?:AGREED|ACCEPTED)[ \t]+AND[ \t]+(?:AGREED|ACCEPTED)\b"
    r"|(?:By|BY)[ \t]*:[ \t]*(?:/s/|\\s\\|_{3,}|-{3,}|$)|/s/|\\s\\)"
)
# What a signature block holds: "By: /s/ ...", "Name:", "Title:", "Date:", a signatory's name in capitals.
_SIGNATORY = re.compile(
    r"[ \t]*(?:[A-Z][A-Z0-9&.,'()\- ]{2,80}(?:\n|$|[ \t]{3,})|(?:.{0,300}?)"
    r"(?:\b(?:By|BY|Name|NAME|Title|TITLE|Date|DATE|Its|ITS)[ \t]*:|/s/|\\s\\|_{5,}))",
    re.DOTALL,
)
# A heading after the signatures that opens another part of the filing ("GUARANTY", "EXHIBIT A - FEES").
_PART_HEADING = re.compile(
    r"(?i:\b(?:agreement|guarant(?:y|ee)|exhibit|schedule|annex|appendix|addendum|amendment|attachment|certificate"
    r"|statement\s+of\s+work|terms)\b)"
)
# Inside a block whose paragraph breaks were lost (text from PDFs): after a sentence ends, a clause number
# ("... agree as follows: 1. Amendment. ..."), the recitals or the signatures opening.
# a word of a clause's title, "Incorporation of Exhibits and Disclosure Schedule" (`quotes` reads them too)
TITLE_WORD = r"(?:[A-Z][\w'\u2019&/-]*|and|of|or|the|to|for|in|on|by|with|&)"
_INLINE = re.compile(
    r"(?<=[.:;!?\"\u201d)])[ \t\n]+(?:(?P<number>[0-9]{1,2}(?:\.[0-9]{1,3}){0,3})\.(?:[ \t]+|(?=[A-Z]))"
    r"(?=[A-Z\"\u201c(])"
    # "... the other Party. 7.7 Construction. The Parties ...": a dotted number without its full stop, before a title
    rf"|(?P<dotted>[0-9]{{1,2}}(?:\.[0-9]{{1,3}}){{1,3}})[ \t]+"
    rf"(?=[A-Z][\w'\u2019&/-]*(?:[ \t]+{TITLE_WORD}){{0,7}}\.[ \t\n])"
    # "... in such form as Recipient shall approve. (d) Recipient acknowledges ...": a lettered item (the next one)
    r"|\((?P<item>[a-z])\)[ \t]+(?=[A-Z])"
    r"|(?P<signatures>IN[ \t]+WITNESS[ \t]+WHEREOF\b)"
    r"|(?P<recitals>(?:RECITALS[ \t]+)?WHEREAS\b|W[ \t]?I[ \t]?T[ \t]?N[ \t]?E[ \t]?S[ \t]?S[ \t]?E[ \t]?T[ \t]?H\b))"
)


_OPERATIVE = re.compile(
    r"[ \t]*(?:\*\*|__)?(?:NOW,?[ \t]+THEREFORE|Now,?[ \t]+(?:T|t)herefore"
    r"|(?i:tutto[ \t]+ci[\u00f2o][ \t]+premesso|ci[\u00f2o][ \t]+premesso))\b"
)


def ends_recitals(text: str, start: int, end: int) -> bool:
    """Whether the block text[start:end] is the last of the recitals: "NOW, THEREFORE, the parties agree ..."."""
    return _OPERATIVE.match(text, start, end) is not None


_PREMESSE = re.compile(r"[ \t]*(?:\*\*|__|#{1,6}[ \t]+)?(?:\(?[A-Z0-9]{1,2}[.)][ \t]+)?(?i:premess[eo])\b")


def recitals_name(text: str, start: int, end: int) -> str:
    """What the recitals opening at text[start:end] are called: "Premesse" in an Italian contract, else "Recitals"."""
    return "Premesse" if _PREMESSE.match(text, start, end) else "Recitals"


def opens_recitals(text: str, start: int, end: int) -> bool:
    """Whether the block text[start:end] opens (or continues) the recitals: "WHEREAS, ...", "RECITALS"."""
    return _RECITAL_OPENER.match(text, start, end) is not None


def opens_signatures(text: str, start: int, end: int) -> bool:
    """Whether the block text[start:end] opens the signatures: "IN WITNESS WHEREOF", "SIGNATURES"."""
    return _SIGNATURE_OPENER.match(text, start, end) is not None


def is_signatory(text: str, start: int, end: int) -> bool:
    """Whether the block text[start:end] reads like part of a signature block ("By: /s/", "Name:", "ACME INC.")."""
    return _SIGNATORY.match(text, start, end) is not None


def opens_part(heading: str) -> bool:
    """Whether a heading names another part of a filing ("GUARANTY", "EXHIBIT A"), not a signatory."""
    return _PART_HEADING.search(heading) is not None


@dataclass(frozen=True)
class Inline:
    """A clause number, the recitals or the signatures opening inside a block, at `at`."""

    at: int
    kind: str  # number | item ("(d)", a lettered item's letter) | recitals | signatures
    number: str | None = None
    heading: str | None = None


def inline_openings(text: str, start: int, end: int) -> list[Inline]:
    """The clause numbers, recitals and signatures that open after a sentence's end inside text[start:end]."""
    found = []
    for m in _INLINE.finditer(text, start, end):
        if number := m.group("number") or m.group("dotted"):
            rest = text[m.end() : min(end, m.end() + 120)]
            at = m.start("number") if m.group("number") else m.start("dotted")
            found.append(Inline(at, "number", number, _title_of(rest)))
        elif m.group("item"):
            if text[m.start() - 1] in ".!?":  # a sentence ended: not "...: (a) The fees; (b) The taxes"
                found.append(Inline(m.start("item") - 1, "item", m.group("item")))
        elif m.group("signatures"):
            found.append(Inline(m.start("signatures"), "signatures"))
        else:
            found.append(Inline(m.start("recitals"), "recitals"))
    return found


def successors(number: str | None) -> set[str]:
    """The clause numbers that may follow `number` ("3.2" -> 3.2.1, 3.3, 4; none yet -> 1)."""
    if not number or not re.fullmatch(r"[0-9]{1,2}(?:\.[0-9]{1,3})*", number):
        return {"1"}
    parts = [int(p) for p in number.split(".")]
    out = {".".join(map(str, [*parts, 1]))}
    for depth in range(1, len(parts) + 1):
        out.add(".".join(map(str, [*parts[: depth - 1], parts[depth - 1] + 1])))
    return out


_ABBREVIATIONS = re.compile(
    r"(?i:\b(?:inc|ltd|co|corp|no|nos|sec|secs|art|para|e\.g|i\.e|etc|vs|mr|mrs|ms|dr|st|u\.s|u\.k|n\.a|p\.m|a\.m|approx|cf|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec))\.$"
)
_SENTENCE_END = re.compile(
    r"(?<=[.;!?])[\"\u201d')\]]*\s+(?=[\"\u201c(\[]?[A-Z0-9])"  # a sentence's end
    r"|\n\s*\n\s*|[ \t]{3,}"  # a paragraph break
    r"|\n(?=\s*(?:[|#-]|\(?[0-9a-zA-Z]{1,4}[.)]\s))"  # a line that opens a row, heading or item
)


_MARKER_ONLY = re.compile(
    rf"(?i:(?:{_CONTAINER_WORDS})[ \t]+[0-9A-Z]{{1,3}}(?:\.[0-9]{{1,3}})*\.?:?)"
    r"|(?:[0-9]{1,3}[ \t]+)?[0-9]{1,2}(?:\.[0-9]{1,3}){0,4}\.(?:\([a-z0-9]{1,4}\))*"  # "3 8.": page 3, clause 8
    r"|[0-9]{1,2}(?:\.[0-9]{1,3}){1,4}(?:\([a-z0-9]{1,4}\))*"
    r"|\(?[a-zA-Z0-9]{1,4}[.)]|\([ivxlc]{1,6}\)"
)
_TERMINAL = ".;:!?"


def is_padding_break(text: str, a: int, b: int, floor: int = 0) -> bool:
    """Whether the run of 3+ spaces text[a:b] separates paragraphs (as in text converted from SEC filings).

    It does after a sentence's end, or when the text on either side has no lower-case letter (a heading, a
    page number, "EXHIBIT 10.17"). It does not inside a sentence wrapped with padding ("Normal Business
    Hours", "one       (1) day"), nor after a clause number standing alone ("1.       PURPOSE").
    """
    window = max(floor, a - 200)  # bounded: a 20 MB line of padded text stays linear
    line_start = max(text.rfind("\n", window, a) + 1, window)
    before = text[max(line_start, a - 100) : a]
    cut = max(before.rfind("   "), before.rfind("\t"))
    before = before[cut + 1 :].strip() if cut >= 0 else before.strip()
    if not before:
        return True
    if _MARKER_ONLY.fullmatch(before) and (cut >= 0 or a - line_start <= 100) and text[line_start:a].strip() == before:
        return False
    if before[-1] in _TERMINAL or not any(ch.islower() for ch in before):
        return True
    line_end = text.find("\n", b, b + 100)
    after = text[b : line_end if line_end >= 0 else b + 100]
    after = after.split("   ", 1)[0]
    return not any(ch.islower() for ch in after)


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Whole sentences (or list items, table rows) between start and end, whitespace-trimmed."""
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if _ABBREVIATIONS.search(text, max(start, m.start() - 12), m.start()):
            continue
        padding = m.group()[:1] in " \t" and not m.group().strip(" \t") and not _ends_sentence(text, m.start(), start)
        if padding and not is_padding_break(text, m.start(), m.end(), start):
            continue
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < end:
        spans.append((pos, end))
    return trimmed(text, spans)


def _ends_sentence(text: str, at: int, floor: int) -> bool:
    return at > floor and text[at - 1] in _TERMINAL


def trimmed(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans with surrounding whitespace removed, empty ones dropped."""
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out
