"""Template placeholders: slots a template fills in later, quoted as written but never read as a value.

Liquid and Jinja tags (`{% data variables.product.company_short %}`, `{{ customer }}`), mail-merge
fields (`<<Customer Name>>`; guillemets are quotation marks in French and Italian, never slots), and
bracketed slots that are clearly blanks (`[Customer Name]`, `[insert date]`, `[●]`, `[____]`); a
bracketed phrase followed by `(` or `:` is a link, not a slot. Spans are exact offsets into the text;
a quote keeps them verbatim, and renderings mark them (`marked`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

Span = tuple[int, int]

_PLACEHOLDER = re.compile(
    r"\{%-?[^%\n]{1,200}?-?%\}"  # Liquid / Jinja tags
    r"|\{\{[^{}\n]{1,200}\}\}"  # Liquid / Jinja / Handlebars output
    r"|<<[^<>\n]{1,80}>>"  # mail-merge fields
    r"|\[(?:(?i:insert|enter|name\s+of|specify)\b[^\[\]\n]{0,60}"  # [insert date], [name of supplier]
    r"|[A-Z][A-Za-z]*(?:[ /][A-Z][A-Za-z]*){0,4}"  # [Customer Name], [DATE], [Company/Vendor]
    r"|[_.\u2026\u25cf\u2022 \t]{1,20}"  # [___], [...], [●]
    r")\](?![(\[:])"
)
# A capitalised word in brackets is a slot only when it names what goes there, not a cross-reference.
_SLOT_WORDS = re.compile(
    r"(?i)\b(?:name|names|date|address|amount|number|title|company|customer|client|vendor|supplier|provider|"
    r"party|parties|fee|fees|price|term|period|days|percent|percentage|jurisdiction|state|country|email|"
    r"signature|signatory|contact|product|service|entity|city|value|xx+|tbd|tbc)\b"
)


def placeholders_in(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """The template placeholders of text[start:end], as document offsets, in order."""
    end = len(text) if end is None else end
    out: list[Span] = []
    for m in _PLACEHOLDER.finditer(text, start, end):
        token = m.group()
        if token.startswith("[") and re.fullmatch(r"\[[A-Z][A-Za-z /]*\]", token) and not _is_slot(token):
            continue
        out.append((m.start(), m.end()))
    return out


def _is_slot(token: str) -> bool:
    inner = token[1:-1]
    return (inner.isupper() and len(inner) > 1) or bool(_SLOT_WORDS.search(inner))


def inside_any(spans: Iterable[Span], a: int, b: int) -> bool:
    """Whether text[a:b] overlaps one of the spans."""
    return any(s < b and a < e for s, e in spans)


def inner_text(token: str) -> str:
    """What a placeholder names, without its delimiters: 'data variables.product.company_short'."""
    stripped = token.strip()
    for opening, closing in (("{%-", "-%}"), ("{%", "%}"), ("{{", "}}"), ("<<", ">>")):
        if stripped.startswith(opening) and stripped.endswith(closing):
            return " ".join(stripped[len(opening) : -len(closing)].split())
    return " ".join(stripped.strip("[]").split())


def readable(text: str, start: int, end: int) -> str:
    """text[start:end] with each placeholder read as the name it stands for ("premium plus support plan" for
    `{% data variables.product.premium_plus_support_plan %}`): for matching words, never for quoting."""
    out, pos = [], start
    for a, b in placeholders_in(text, start, end):
        name = re.split(r"[.\s]", inner_text(text[a:b]).strip())[-1]
        out += [text[pos:a], " ", name.replace("_", " ").replace("-", " "), " "]
        pos = b
    out.append(text[pos:end])
    return "".join(out)


def marked(text: str, offset: int, spans: Iterable[Span], mark: Callable[[str], str] | None = None) -> str:
    """text (which starts at document offset `offset`) with each placeholder replaced by its mark, for display.

    Only renderings use this; the quote itself stays verbatim.
    """
    mark = mark or (lambda token: f"\u2039placeholder: {inner_text(token)}\u203a")
    out, pos = [], 0
    for a, b in sorted(spans):
        a, b = a - offset, b - offset
        if a < pos or b > len(text) or a < 0:
            continue
        out.append(text[pos:a])
        out.append(mark(text[a:b]))
        pos = b
    out.append(text[pos:])
    return "".join(out)
