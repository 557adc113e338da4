"""Plain text and Markdown: the bytes decoded as they are, and a title from the first line or first H1."""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge.formats.common import Extracted, require_text
from knowledge.limits import DEFAULT_LIMITS, Limits, check_chars

_ATX_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
# A Markdown file's YAML front matter: metadata, not contract text (group 1: its lines).
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FRONT_TITLE = re.compile(r"^title:[ \t]*[\"']?(.+?)[\"']?[ \t]*$", re.MULTILINE)


def extract_plain(
    data: bytes, name: str, limits: Limits = DEFAULT_LIMITS, *, title_of: Callable[[str], str | None]
) -> Extracted:
    """The bytes decoded (UTF-8, a BOM kept as \\ufeff; else cp1252), one character per character of the file.

    The loader then removes invisible characters. Text over `limits.max_chars` is refused here, before a title
    is looked for.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # one character per byte either way
    check_chars(name, len(text), limits)
    require_text(text, name, "the file contains only whitespace")
    return title_of(text), text, []


def first_line_title(text: str) -> str | None:
    """The first line near the top that reads like a title (see `title_from_lines`)."""
    return title_from_lines(text.lstrip("\ufeff").splitlines())


# What a contract's title usually names; a line with one of these wins over an earlier plain heading.
_TITLE_WORDS = re.compile(
    r"(?i)\b(?:agreements?|contract|terms|addendum|amendment|schedule|policy|statement of work|sow|order form|"
    r"licen[cs]e|sla|conditions|memorandum|deed|protocol|arrangement|charter|plan|guide|support|specification)\b"
)
# Lines that are never a title: a filing label ("Exhibit 10.17", "EX-99.3"), a page number or "Page 2 of 60",
# a bracketed note ("[Confidential Treatment Requested]"), a navigation aid.
_NOT_TITLE = re.compile(
    r"(?i)^(?:(?:exhibit|ex)[\s.-]*[0-9][0-9a-z.()-]*|[-\s0-9]+|page\s+[0-9]+(?:\s+of\s+[0-9]+)?"
    r"|\[.*|\(.*|.*click here.*"
    r"|(?:section|article|clause)\s+[0-9ivx]+\b.*|[0-9]+(?:\.[0-9]+)*\.?\s.*)$"
)
_FILING_LABEL = re.compile(r"(?i)^(?:exhibit|ex)[\s.-]*[0-9][0-9a-z.()-]*\s+(?=\S)")
# A title inside a long first line: a run of capitalised words that ends with what a contract is called.
CAPS_TITLE = re.compile(
    r"(?<![A-Za-z])((?:[A-Z][A-Z&'-]+\s+){0,7}(?:AGREEMENT|CONTRACT|ADDENDUM|AMENDMENT|TERMS|LICEN[CS]E"
    r"|STATEMENT OF WORK|MEMORANDUM OF UNDERSTANDING))(?![A-Za-z])"
)
_BRAND = re.compile(r"[a-z]{1,2}-[A-Za-z]+|[a-z]+[A-Z][A-Za-z]*")  # "e-business Hosting Agreement", "eCommerce"
_PADDING = re.compile(r"[ \t]{3,}")
_TITLE_LINES = 60


def _reads_like_title(segment: str) -> bool:
    words = segment.split()
    if not 3 <= len(segment) <= 100 or not 1 <= len(words) <= 12 or _NOT_TITLE.match(segment):
        return False
    if (
        segment[-1] in ",;:"
        or not (segment[0].isupper() or _BRAND.fullmatch(words[0]))
        or "http" in segment
        or "{%" in segment
    ):
        return False
    visible = [ch for ch in segment if not ch.isspace()]
    if sum(ch.isalpha() for ch in visible) < 0.7 * len(visible):
        return False
    if len(words) == 1 and not _TITLE_WORDS.search(segment):
        return False
    long_words = [w for w in words if len(w) > 3 and w[0].isalpha()]
    capitalised = sum(w[0].isupper() for w in long_words)
    return segment.isupper() or capitalised >= max(1, len(long_words) - 1)


def is_filing_label(title: str) -> bool:
    """Whether a title found in metadata is only a filing label, page number or clause number ("Exhibit 10.17")."""
    return bool(_NOT_TITLE.match(" ".join(title.split())))


def title_from_lines(lines: list[str]) -> str | None:
    """The title among the first lines: the first that reads like one, unless a later one names a contract.

    A line is read in pieces split at runs of 3+ spaces (SEC filings pad a title block with spaces).
    Filing labels ("Exhibit 10.17"), page numbers and bracketed notes are skipped; so are sentences.
    """
    candidates: list[str] = []
    seen = 0
    for line in lines[:_TITLE_LINES]:
        if not line.strip():
            continue
        seen += 1
        for piece in _PADDING.split(line):
            segment = _FILING_LABEL.sub("", " ".join(piece.replace("*", " ").replace("_", " ").split()))
            if segment and _reads_like_title(segment):
                candidates.append(segment)
            elif seen <= 3 and (caps := CAPS_TITLE.search(segment[:1500])):
                candidates.append(caps.group(1))  # "EXHIBIT 4.25 ... SERVICES AGREEMENT This Services Agreement"
        if len(candidates) >= 8 or seen >= 12:
            break
    named = next((c for c in candidates if _TITLE_WORDS.search(c)), None)
    title = named or (candidates[0] if candidates else None)
    if title and (half := title[: len(title) // 2].strip()) and title == f"{half} {half}":
        return half  # "SERVICES AGREEMENT SERVICES AGREEMENT, dated as of ..."
    return title


def markdown_title(text: str) -> str | None:
    """The front matter's title, else the first ATX level-1 heading outside code blocks, else a title-like
    line before the first heading."""
    front = FRONT_MATTER.match(text)
    if front and (title := _FRONT_TITLE.search(front.group(1))):
        return title.group(1).strip()
    fenced = False
    before_heading: list[str] = []
    seen_heading = False
    for line in text.lstrip("\ufeff").splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and (match := _ATX_H1.match(line)):
            return match.group(1).strip()
        elif not fenced and line.lstrip().startswith("#"):
            seen_heading = True
        elif not fenced and not seen_heading and not _NUMBERED.match(line):
            before_heading.append(line)
    return title_from_lines(before_heading)


_NUMBERED = re.compile(r"\s*(?:[0-9]+[.)]|[-*+|>]\s)")


# A reStructuredText section title: its line, underlined (and maybe overlined) with one punctuation character
# repeated at least as long as the title ("Art. 1 Terminologia" over "*******************").
RST_ADORNMENT = re.compile(r"""([=\-~^*#"'`:.+_<>])\1{2,}[ \t]*""")


def rst_underlines(title: str, line: str) -> bool:
    """Whether `line` underlines (or overlines) the reST section title `title`: one punctuation character, repeated,
    at least as long as the title (a tab counts as the spaces it spans)."""
    title = title.rstrip().expandtabs(8)
    return bool(title.strip()) and RST_ADORNMENT.fullmatch(line) is not None and len(line.rstrip()) >= len(title)


def rst_title(text: str) -> str | None:
    """The first reST section title (a line underlined with `=`, `#`, `*`, `-` ...), else a title-like first line.

    Directives (`.. toctree::`), comments and link targets (`.. _id:`), substitutions (`|STYLE0|`) are skipped."""
    lines = text.lstrip("\ufeff").splitlines()
    for i, line in enumerate(lines[:_TITLE_LINES]):
        opens = i + 1 < len(lines) and not line.startswith((" ", "\t", ".."))
        if opens and rst_underlines(line, lines[i + 1]) and not RST_ADORNMENT.fullmatch(line):
            return " ".join(line.split())
    plain = [ln for ln in lines if not ln.lstrip().startswith("..") and not RST_ADORNMENT.fullmatch(ln.strip())]
    return title_from_lines([_SUBSTITUTION.sub(" ", ln) for ln in plain])


_SUBSTITUTION = re.compile(r"\\? ?\|[A-Za-z0-9_ -]{1,40}\|\\? ?")
