"""The opening of an agreement (its preamble, recitals and signatures), and which questions it answers.

An opening says who and when, and why; never what anyone must do. So a question asking neither who nor when
("what's the term of the outsourcing agreement?", "min guarantee to dolphin after beta") is answered past it,
by the first clause of the body a little further down the ranking; and "who are the parties?" by the chunk that
says between whom the agreement is made, rather than the recitals that came first. "Who signed for Bankers Bank?"
is answered by the signatures at the end ("By: /s/ Kevin Tweddle"), not by the opening that names the parties.
"""

from __future__ import annotations

import re

from knowledge.signals import IDENTITY, PREAMBLE, answer_kinds
from knowledge.stored import StoredChunk

OPENING_PARTS = ("Preamble", "Recitals", "Signatures", "Premesse")
OPENING_WINDOW = 4  # how far down a clause of the body is looked for


# who signed, when, for whom: the signatures answer, not the opening that names the parties
SIGNING = re.compile(
    r"\b(?:sign(?:ed|s|ing|er|ers|ature|atures|atory|atories)?|executed|firmat[oaie]|firm[aò]|firmatari[oa]?)\b"
    r"(?!\s+in\s+counterparts)",
    re.IGNORECASE,
)


def is_opening_part(chunk: StoredChunk) -> bool:
    """A preamble, recitals or signatures: who and when, and why, never what anyone must do."""
    return (chunk.section or "").split(" ")[0] in OPENING_PARTS


def past_the_opening(question: str, chunks: list[StoredChunk]) -> int | None:
    """Where the first clause of the body is, when a preamble or recitals came first for a question that asks
    neither who nor when ("what's the term of the outsourcing agreement?", "what does leader get paid?")."""
    if not chunks or not is_opening_part(chunks[0]) or IDENTITY.search(question) or "date" in answer_kinds(question):
        return None
    if SIGNING.search(question):
        return None  # who signed: the signatures answer
    return next((i for i, c in enumerate(chunks[1:], 1) if not is_opening_part(c)), None)


_BETWEEN = re.compile(r"\b(?:between|tra|fra)\b[^.;]{3,400}?\b(?:and|e)\b", re.IGNORECASE)
_PARTIES = re.compile(
    r"\b(?:who\s+are\s+the\s+parties|parties\s+to|(?:the|our)\s+parties\b|chi\s+sono\s+le\s+parti)", re.I
)


def naming_the_parties(question: str, chunks: list[StoredChunk]) -> int | None:
    """ "who are the parties?": the chunk that says "between A and B" before the recitals that came first."""
    if not chunks or not _PARTIES.search(question) or _names_parties(chunks[0].text):
        return None
    first = chunks[0]
    return next(
        (i for i, c in enumerate(chunks[1:], 1) if c.document == first.document and _names_parties(c.text)), None
    )


def _names_parties(text: str) -> bool:
    return bool(PREAMBLE.search(text) or _BETWEEN.search(text[:1500]))


_SIGNED = re.compile(r"/s/|\\s\\|\bBy:\s*\S|\bName:\s*[A-Z]|\bFirmato\b")  # a signer's line, not "IN WITNESS WHEREOF"


def is_signature(chunk: StoredChunk) -> bool:
    """The signatures: the part after "IN WITNESS WHEREOF", or a chunk with a signer's line ("By: /s/ ...")."""
    return (chunk.section or "").startswith("Signatures") or bool(_SIGNED.search(chunk.text))


def signed_by(question: str, chunks: list[StoredChunk]) -> int | None:
    """Where the first signatures are, when a question asks who signed (or when, or for whom) and another chunk
    came first."""
    if not chunks or not SIGNING.search(question) or is_signature(chunks[0]):
        return None
    return next((i for i, c in enumerate(chunks[1:], 1) if is_signature(c)), None)
