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

_ABOUT = re.compile(
    r"(?i)\b(?:service[ \t\n]+credits?|credits?|SLAs?|service[ \t\n]+levels?"
    r"|credit[oi](?:[ \t\n]+di[ \t\n]+servizio)?|penal[ei]|penalità|livell[oi][ \t\n]+di[ \t\n]+servizio)\b"
)
_SOLE = re.compile(
    r"(?i)\b(?:sole[ \t\n]+and[ \t\n]+exclusive|exclusive[ \t\n]+and[ \t\n]+sole|sole|exclusive|only)[ \t\n]+"
    r"(?:and[ \t\n]+exclusive[ \t\n]+)?remed(?:y|ies)\b"
    # Italian: "costituiscono l'unico ed esclusivo rimedio", "a titolo di rimedio esclusivo",
    # "esaustivi di ogni pretesa"
    r"|(?i:\b(?:unic[oa]|esclusiv[oa])(?:[ \t\n]+(?:ed?|e)[ \t\n]+(?:unic[oa]|esclusiv[oa]))?[ \t\n]+rimedi[oi]\b"
    r"|\brimedi[oi][ \t\n]+(?:unic[oa]|esclusiv[oa])\b"
    r"|\besaustiv[oaie][ \t\n]+di[ \t\n]+ogni[ \t\n]+(?:pretesa|diritto))"
)
_KEEPS = re.compile(
    r"(?i)\b(?:without[ \t\n]+prejudice[ \t\n]+to|in[ \t\n]+addition[ \t\n]+to|do(?:es)?[ \t\n]+not[ \t\n]+limit|"
    r"shall[ \t\n]+not[ \t\n]+limit|not[ \t\n]+(?:be[ \t\n]+)?(?:the[ \t\n]+|a[ \t\n]+|\w+[’'][ \t\n]*s?[ \t\n]+)?"
    r"(?:sole|exclusive|only))\b[^.]{0,80}?\b(?:rights?|remed(?:y|ies))\b"
    # Italian: "fatto salvo il risarcimento del maggior danno", "senza pregiudizio per ...",
    # "impregiudicato il diritto"
    r"|(?i:\b(?:fatt[oa][ \t\n]+salv[oa]|salv[oa]|impregiudicat[oa]"
    r"|senza[ \t\n]+pregiudizio[ \t\n]+(?:per|di|del|dei))\b"
    r"[^.]{0,60}?\b(?:maggior[ \t\n]+danno|risarciment[oi]|diritt[oi]|rimedi[oi]|azion[ei])\b"
    r"|\bnon[ \t\n]+(?:costituisc\w*|rappresent\w*|sono|è)[ \t\n]+(?:l['’]?)?(?:unic[oa]|esclusiv[oa])"
    r"[ \t\n]+rimedi[oi]\b)"
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
