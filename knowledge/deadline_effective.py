"""A contract's effective date and its own date.

- effective: "'Effective Date' means March 1, 2024", "entered into as of 1 March 2025 (the 'Effective Date')",
  "effective as of", "shall commence on", "takes effect on"; stated by reference ("effective as of the date first
  above written": the cover's date; "the date of the last signature": the signature blocks' latest "Date:");
  with none, the agreement's own date on its first lines ("dated as of", "made this 4th day of February 2019")
  as anchor "signature";
- the agreement's date (`agreement_date`): the cover's, not that of the agreement it is made under, and none
  when the cover leaves it blank ("dated as of ________, 2000").
"""

from __future__ import annotations

import re

from knowledge.deadline_drafts import Anchor, ObligationDraft
from knowledge.deadline_sentences import Sentences, content_sentences
from knowledge.deadline_values import Found, bilingual, dates
from knowledge.slas import Span

_COVER = 3000  # the first characters, where an agreement states its own date
MAX_READ = 2_000_000
_DEFINED_EFFECTIVE = re.compile(
    r"(?i)[\"“”']?(?:effective|commencement)\s+date[\"“”')]{0,3}\s*(?:[^.;:]{0,40}?\s)?(?:shall\s+mean|means|is|will\s+be"
    r"|shall\s+be|:)\s+(?:the\s+)?(?:date\s+of\s+)?$"
)
_NAMED_AFTER = re.compile(
    r"(?i)\s*,?\s*\(\s*(?:the|hereinafter(?:\s+referred\s+to\s+as)?|herein)?\s*[\"“”']*(?:[\w-]+\s+){0,3}effective\s+date"
)
_PARENT = re.compile(
    r"(?i)\b(?:under|to|amends|amending|of)\s+(?:the\s+|that\s+certain\s+)?[^.;]{0,80}?\bdated\s+(?:as\s+of\s+)?$"
)
_ABOUT_EFFECT = bilingual(
    r"(?i)effective|commenc|take[sn]?\s+effect|into\s+(?:force|effect)|\bbegin|\bstart",
    r"|\bdecorr|\bin\s+vigore|\befficac|\bha\s+effetto",
)
_EFFECTIVE_ON = bilingual(
    r"(?i)\b(?:effective|commenc\w*|take[sn]?\s+effect|come[sn]?\s+into\s+(?:force|effect)"
    r"|(?:shall|will|to)\s+(?:begin|start))\s+"
    r"(?:(?:as\s+)?(?:of|from)\s+|on\s+|upon\s+|this\s+)?(?:the\s+)?(?:day\s+of\s+)?$|\bstart\w*\s*:\s*$",
    # "decorre dal 1° aprile 2025", "entra in vigore il 1 marzo 2025", "con efficacia dal", "a decorrere dal"
    r"|\b(?:decorr\w*|entr\w*\s+in\s+vigore|efficac\w*|ha\s+effetto|a\s+decorrere|a\s+partire)\s+"
    r"(?:(?:a\s+(?:decorrere|partire)\s+)?(?:dal|dall['’]|dalla)\s*|il\s+|in\s+data\s+)$",
)
_BLANK_DATE = re.compile(
    r"(?i)\b(?:dated|made|entered\s+into|executed|as\s+of|this)\b[^.;]{0,40}?(?:_{3,}|\[\s*[*\s]*\]|\[\s*·\s*\])"
)
_DATE_LINE = re.compile(r"(?im)^[ \t|]*(?:date|dated|date\s+signed|signature\s+date)[ \t]*[:|][ \t]*")
_HEREOF = re.compile(
    r"(?i)\b(?:effective|commenc\w*|take[sn]?\s+effect|come[sn]?\s+into\s+(?:force|effect))\s+(?:as\s+of\s+|on\s+|from\s+)?"
    r"(?:the\s+)?(?:date\s+(?:first\s+)?(?:above\s+|set\s+forth\s+above\s+|written\s+above\s+)?(?:written|set\s+forth|hereof)"
    r"|(?:day\s+and\s+year|date)\s+first\s+(?:above\s+)?(?:written|set\s+forth)(?:\s+above)?|date\s+of\s+this\s+agreement)"
)
_SIGNED = bilingual(
    r"(?i)effective\s+date[^.]{0,80}?\b(?:last\s+)?(?:signature|execution|signing|signed|executed)",
    # "La Convenzione decorre dalla data della stipula", "entra in vigore il giorno della sua firma"
    r"|\b(?:decorr\w*|entr\w*\s+in\s+vigore|efficac\w*|ha\s+effetto)\s+(?:a\s+(?:decorrere|partire)\s+)?"
    r"(?:dal(?:la|l['’])?|il|alla)\s*(?:data|giorno|momento)\s+(?:della|del|di)\s+(?:sua\s+|relativa\s+)?"
    r"(?:stipula|sottoscrizione|firma|ultima\s+firma)\w*",
)
_DATED = re.compile(
    r"(?i)\b(?:dated|made|entered\s+into|executed|signed|concluded)\b[^.;,]{0,40}?$|\bas\s+of\s+(?:the\s+)?$|\bthis\s+$"
)


def effective(text: str, sentences: Sentences) -> ObligationDraft | None:
    """The effective date as stated, else the agreement's own date (anchor "signature")."""
    best: tuple[int, Found, tuple[int, int]] | None = None
    signed: tuple[int, int, int] | None = None
    hereof: tuple[int, int, int, int] | None = None  # "effective as of the date first above written"
    for a, b in sentences.spans:
        if b - a > 3000 or not _ABOUT_EFFECT.search(text, a, b):
            continue
        for found in dates(text, a, b):
            before = text[max(a, found.start - 90) : found.start]
            rank = (
                0
                if _DEFINED_EFFECTIVE.search(before)
                else 1
                if _NAMED_AFTER.match(text, found.end, b)
                else 2
                if _EFFECTIVE_ON.search(before)
                else None
            )
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, found, (a, b))
        if signed is None and (m := _SIGNED.search(text, a, b)):
            signed = (m.start(), m.end(), a)
        if hereof is None and (m := _HEREOF.search(text, a, b)):
            hereof = (m.start(), m.end(), a, b)
        if best is not None and best[0] == 0:
            break
    if best is not None:
        _, found, (a, b) = best
        return _dated("effective", text, found, a, b, None)
    cover = agreement_date(text, sentences, first=False)
    if cover is not None and hereof is not None:  # stated by reference: the effective date is the cover's date
        rule, date_span = Span.of(text, hereof[0], hereof[1]), Span.of(text, cover.start, cover.end)
        quote = Span.of(text, hereof[2], hereof[3])
        return ObligationDraft("effective", rule, quote, None, on=cover.on, values={"date": date_span})
    last = last_signature(text)
    if signed is not None and (where := sentences.at(signed[0])) is not None:
        rule, quote = Span.of(text, signed[0], signed[1]), Span.of(text, *where)
        if last is not None:  # "the date of the last signature", and the signature blocks date theirs
            return ObligationDraft(
                "effective", rule, quote, None, on=last.on, values={"date": Span.of(text, last.start, last.end)}
            )
        return ObligationDraft("effective", rule, quote, None, anchor="signature")
    if cover is not None and (where := sentences.at(cover.start)) is not None:
        return _dated("effective", text, cover, where[0], where[1], "signature")
    return None


def last_signature(text: str) -> Found | None:
    """The latest date written on a signature block's "Date:" line, if any."""
    signed = [f for m in _DATE_LINE.finditer(text) for f in dates(text, m.end(), min(len(text), m.end() + 40))[:1]]
    return max(signed, key=lambda f: f.on) if signed else None


def agreement_date(text: str, sentences: Sentences | None = None, *, first: bool = True) -> Found | None:
    """The date an agreement gives itself on its first lines ("dated as of", "entered into on", "this 4th day
    of February 2019"; not the date of the agreement it is made under), else (with `first`) the first date of
    its sentences. Page furniture ("Source: ..., 8/26/1999" on every page) is no sentence, so never a date."""
    if sentences is None:
        sentences = Sentences(content_sentences(text[:MAX_READ]))
    for a, b in sentences.spans:
        if a >= _COVER:
            break
        for f in dates(text, a, b):
            before = max(a, f.start - 100)
            if _PARENT.search(text, before, f.start):
                continue
            if _DATED.search(text, before, f.start) or _NAMED_AFTER.match(text, f.end, min(b, f.end + 60)):
                return f
        if _BLANK_DATE.search(text, a, b):
            return None  # "dated as of ____________, 2000": a form, its date left blank
    if first:
        if (last := last_signature(text)) is not None:
            return last  # the signature blocks' "Date:" lines
        for a, b in sentences.spans:
            if found := dates(text, a, b):
                return found[0]
    return None


def _dated(kind: str, text: str, found: Found, a: int, b: int, anchor: Anchor | None) -> ObligationDraft:
    span = Span.of(text, found.start, found.end)
    return ObligationDraft(
        kind,  # type: ignore[arg-type]
        span,
        Span.of(text, a, b),
        None,
        anchor=anchor,
        on=found.on,
        values={"date": span},
    )
