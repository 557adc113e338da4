"""Plain text and Markdown: the bytes decoded as they are, and a title from the first line or first H1."""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge.formats.common import Extracted, require_text
from knowledge.limits import DEFAULT_LIMITS, Limits, check_chars

_ATX_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
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
    """The first non-blank line, if it is short enough to be a title."""
    line = next((ln.strip() for ln in text.lstrip("\ufeff").splitlines() if ln.strip()), "")
    return line if 0 < len(line) < 120 else None


def markdown_title(text: str) -> str | None:
    """The front matter's title, else the text of the first ATX level-1 heading outside code blocks."""
    front = _FRONT_MATTER.match(text)
    if front and (title := _FRONT_TITLE.search(front.group(1))):
        return title.group(1).strip()
    fenced = False
    for line in text.lstrip("\ufeff").splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and (match := _ATX_H1.match(line)):
            return match.group(1).strip()
    return None
