"""Text helpers shared by the template summary and the model's summary: sides, pronouns, clipping, clause quotes.

A clause quote is only ever shown if it is verbatim in a document the channel's side may see; `Clauses` checks
that, reading each document once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from bot.i18n import N_
from bot.records.cases import ClauseRef
from knowledge.base import KnowledgeBase
from knowledge.errors import UnknownDocumentError
from knowledge.text import citation_label, locate
from knowledge.visibility import visible_to

log = logging.getLogger(__name__)

SIDES = ("client", "vendor")  # always in this order
OTHER = {"client": "vendor", "vendor": "client"}
PARTIES = frozenset({"client", "vendor"})
CLAUSES_PER_POINT = 3
MAX_CLAUSES = 30  # a bound, not a budget: the blocks show what fits and say how many more
MAX_POINTS = 12  # points retrieved for, and points read from a model
MIN_QUOTE_CHARS = 12
WHOLE = N_("The dispute as a whole")  # a point's name: through _() where a summary is built
NOT_STATED = N_("(no position stated yet)")  # English in a model's prompt; through _() where shown

_FIRST = re.compile(r"\b(?:[Ww]e|[Uu]s|[Oo]urs?|[Oo]urselves|I|[Mm]e|[Mm]y|[Mm]ine)\b")
_THIRD = re.compile(r"\b(?:[Tt]hey|[Tt]hem|[Tt]heirs?|[Tt]hemselves)\b")


def resolve_pronouns(side: str, text: str) -> str:
    """The text with "we"/"they" read as the speaker/the other side."""
    return _THIRD.sub(OTHER[side], _FIRST.sub(side, text))


def uses_pronouns(text: str) -> bool:
    """Whether a text uses person pronouns, so its wording only makes sense from its speaker."""
    return bool(_FIRST.search(text) or _THIRD.search(text))


def clip(text: str, limit: int) -> str:
    """The text on one line, cut to `limit` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def clause_label(ref: Mapping[str, Any]) -> str:
    """Where a clause is, in a summary's lines: "title (file name) · §section · p. page"."""
    parts = [citation_label(title=ref.get("title"), document=ref.get("document"), section=None, page=None)]
    parts += [f"\u00a7{ref['section']}"] if ref.get("section") else []
    parts += [f"p. {ref['page']}"] if ref.get("page") else []
    return " \u00b7 ".join(parts)


class Clauses:
    """Clause refs checked against the documents one side may see, each document read once."""

    def __init__(self, kb: KnowledgeBase, engagement: str, side: str) -> None:
        allowed = set(visible_to(side))
        self.kb, self.engagement, self.side = kb, engagement, side
        self.names = {d.name for d in kb.documents(engagement) if d.visibility in allowed}
        self.texts: dict[str, str] = {}

    def text(self, name: str) -> str | None:
        if name not in self.names:
            return None  # another side's document, or none at all
        if name not in self.texts:
            try:
                self.texts[name] = self.kb.document_text(self.engagement, name)
            except UnknownDocumentError:
                return None
        return self.texts[name]

    def checked(self, ref: Mapping[str, Any]) -> ClauseRef | None:
        """The ref with its exact span in the document, or None if its quote is not there verbatim."""
        name, quote = str(ref.get("document") or ""), str(ref.get("quote") or "")
        text = self.text(name)
        if text is None or len(quote.strip()) < MIN_QUOTE_CHARS:
            return None
        start, end = ref.get("start"), ref.get("end")
        exact = isinstance(start, int) and isinstance(end, int) and text[start:end] == quote
        span = (start, end) if exact else locate(quote, text, 0, len(text))
        if span is None:
            log.info("dropped a clause whose quote is not in %s: %r", name, quote[:80])
            return None
        return clause_ref(ref, text, *span)


def clause_ref(ref: Mapping[str, Any], text: str, start: int, end: int) -> ClauseRef:
    """A clause ref quoting text[start:end] of its document."""
    return {
        "document": ref["document"],
        "title": ref.get("title") or ref["document"],
        "section": ref.get("section"),
        "page": ref.get("page"),
        "quote": text[start:end],
        "start": start,
        "end": end,
    }


def overlaps(ref: ClauseRef, kept: list[ClauseRef]) -> bool:
    """Whether a clause ref overlaps one already kept in the same document (a ref without a span overlaps none)."""
    if ref["start"] is None or ref["end"] is None:
        return False
    return any(
        k["document"] == ref["document"]
        and k["start"] is not None
        and k["end"] is not None
        and k["start"] < ref["end"]
        and ref["start"] < k["end"]
        for k in kept
    )
