"""Whether service credits are the client's sole remedy, as the document says: a verbatim sentence and its polarity.

"Service Credits are Customer's sole and exclusive remedy" and "This SLA describes Customer's exclusive remedy"
make credits the only remedy for a missed level; "are not Client's sole and exclusive remedy" and "without
prejudice to any other rights or remedies" keep the others. Only a sentence about credits, the SLA or service
levels counts: an indemnity's "exclusive remedy" in the same document is not the SLA's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.sla_drafts import Span

_ABOUT = re.compile(r"(?i)\b(?:service[ \t\n]+credits?|credits?|SLAs?|service[ \t\n]+levels?)\b")
_SOLE = re.compile(
    r"(?i)\b(?:sole[ \t\n]+and[ \t\n]+exclusive|exclusive[ \t\n]+and[ \t\n]+sole|sole|exclusive|only)[ \t\n]+"
    r"(?:and[ \t\n]+exclusive[ \t\n]+)?remed(?:y|ies)\b"
)
_KEEPS = re.compile(
    r"(?i)\b(?:without[ \t\n]+prejudice[ \t\n]+to|in[ \t\n]+addition[ \t\n]+to|do(?:es)?[ \t\n]+not[ \t\n]+limit|"
    r"shall[ \t\n]+not[ \t\n]+limit|not[ \t\n]+(?:be[ \t\n]+)?(?:the[ \t\n]+|a[ \t\n]+|\w+[’'][ \t\n]*s?[ \t\n]+)?"
    r"(?:sole|exclusive|only))\b[^.]{0,80}?\b(?:rights?|remed(?:y|ies))\b"
)
_EXCEPT = re.compile(r"(?i)^\W*(?:\(?[a-z0-9]{1,4}[.)][ \t]*)?except[ \t\n]+where")


@dataclass(frozen=True)
class RemedyDraft:
    """What the document says of credits as a remedy: `sole` True (the only one) or False (others remain)."""

    sole: bool
    span: Span  # the sentence that says it


def remedy_in(text: str, sentences: Sequence[tuple[int, int]]) -> RemedyDraft | None:
    """The first sentence about credits or service levels that says whether they are the sole remedy."""
    for a, b in sentences:
        if b - a > 1500 or not _ABOUT.search(text, a, b):
            continue
        if _EXCEPT.search(text[a:b]):
            continue  # "Except where an exclusive remedy is provided, ...": says nothing of this one
        if _KEEPS.search(text, a, b):
            return RemedyDraft(False, Span.of(text, a, b))
        if _SOLE.search(text, a, b):
            return RemedyDraft(True, Span.of(text, a, b))
    return None
