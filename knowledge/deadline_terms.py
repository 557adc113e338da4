"""A contract's dates of life: its effective date, its initial term and end, and how it renews.

- effective: "'Effective Date' means March 1, 2024", "entered into as of 1 March 2025 (the 'Effective Date')",
  "effective as of", "shall commence on", "takes effect on"; with none, the agreement's own date on its first
  lines ("dated as of", "made this 4th day of February 2019") as anchor "signature";
- term-end: "for an initial term of three (3) years from the Effective Date", "until December 31, 2027",
  "expire on", "the fifth (5th) anniversary of the Effective Date"; the best of the sentences about the
  agreement's term (an initial term and this agreement count for, a licence's or a warranty's against);
- renewal: automatic ("shall automatically renew for successive one (1) year periods", "unless either party
  gives notice of non-renewal"), by option ("may extend", "option to renew"), evergreen ("shall continue until
  terminated"), none ("shall not be renewed").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from knowledge.deadline_drafts import Anchor, Duration, ObligationDraft, Renewal, Unit
from knowledge.deadline_rules import ordinal
from knowledge.deadline_values import Found, Period, dates, periods
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
_EFFECTIVE_ON = re.compile(
    r"(?i)\b(?:effective|commenc\w*|take[sn]?\s+effect|come[sn]?\s+into\s+(?:force|effect)"
    r"|(?:shall|will|to)\s+(?:begin|start))\s+"
    r"(?:(?:as\s+)?(?:of|from)\s+|on\s+|upon\s+|this\s+)?(?:the\s+)?(?:day\s+of\s+)?$|\bstart\w*\s*:\s*$"
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
_SIGNED = re.compile(r"(?i)effective\s+date[^.]{0,80}?\b(?:last\s+)?(?:signature|execution|signing|signed|executed)")
_DATED = re.compile(
    r"(?i)\b(?:dated|made|entered\s+into|executed|signed|concluded)\b[^.;,]{0,40}?$|\bas\s+of\s+(?:the\s+)?$|\bthis\s+$"
)
_TERM_SENTENCE = re.compile(
    r"(?i)\bterm\b|\bthis\s+(?:agreement|contract)\b|\bcontract\s+period\b|\bcommenc\w*|\beffective\s+until\b"
)
_TERM_VERB = re.compile(
    r"(?i)\b(?:continu\w*|remain\w*|expir\w*|in\s+(?:full\s+)?(?:force|effect)|commenc\w*|until|through|ending|end\s+on"
    r"|terminat\w*|conclud\w*|(?:shall|will)\s+(?:begin|end)"
    r"|period\s+of|term\s+of|be\s+for|valid)\b"
)
_AGAINST = re.compile(
    r"(?i)\b(?:licen[cs]e\w*|royalt\w*|warrant\w*|compet\w*|confidential\w*|surviv\w*|employ\w*|lease|solicit\w*"
    r"|insurance|retain|records|payment|invoice|renewal\s+term\s+of)\b"
)
_HEAD = 150  # what a term sentence is about is in its first words ("The term of the license ...")
_END_WORDS = re.compile(
    r"(?i)(?:until|through|thru|ending|end|ends|expir\w*|terminat\w*|conclud\w*|to\s+and\s+including|up\s+to)\b"
    r"[^.;]{0,40}$"
)
_ENDS_AS_OF = re.compile(r"(?i)\b(?:end|ends|expir\w*|terminat\w*|conclud\w*)\s+(?:as\s+of|on|at)\s+$")
_START_WORDS = re.compile(r"(?i)(?:commenc\w*|effective|from|dated|as\s+of|beginning|starting|begin\w*)\s+(?:on\s+)?$")
_ANNIVERSARY = re.compile(
    r"(?i)\b(?:the\s+)?(?P<n>(?:\w+(?:-\w+)?\s*\(\s*)?\d{1,2}(?:st|nd|rd|th)\s*\)?|\w+(?:-\w+)?"
    r"|(?:\w+\s*)?\(\s*\d{1,2}\s*\)[\s-]*years?|\d{1,2}[\s-]*years?)\s+"
    r"\(?anniversary\s+of\s+(?:the\s+)?(?P<of>[^.,;]{3,60})"
)
_LENGTH_BEFORE = re.compile(
    r"(?i)(?:\bof|\bfor|\bbe|\bis|\bcontinu\w*|\blast|\bremain\w*(?:\s+in\s+(?:full\s+)?(?:force|effect))?|:)\s+"
    r"(?:a\s+(?:period|term)\s+of\s+)?(?:an?\s+)?(?:initial\s+)?(?:(?:period|term)\s+of\s+)?$"
)
_NOT_INITIAL = re.compile(
    r"(?i)\b(?:renew\w*|successive|additional|further|subsequent|consecutive|extend\w*|extension|notice|thereafter)\b"
)
_NOT_LENGTH_AFTER = re.compile(
    r"(?i)^\W{0,3}\s*(?:(?:prior|advance|written)\s+)?(?:notice|prior|before|in\s+advance"
    r"|(?:after|following)\s+(?:the\s+|its\s+|such\s+|any\s+)?(?:termination|expir))"
)
_SURVIVING = re.compile(r"(?i)\band\s+for\s+(?:a\s+(?:continuous\s+)?(?:period|term)\s+of\s+)?(?:an?\s+)?$")
_TERM_WORD = re.compile(r"(?i)\bterm\b")
_FROM = re.compile(
    r"(?i)^\W{0,3}\s*(?:\(\s*\d+\s*\)\s*)?(?:\(the\s+[^)]{0,40}\)\s*)?(?:from|after|following|commencing|beginning|starting|of)\s+(?:on\s+)?(?:the\s+)?(?P<of>[^.,;]{3,60})"
)

_AUTOMATIC = re.compile(
    r"(?i)\bautomatic\w*\s+(?:be\s+)?(?:renew\w*|extend\w*)|\b(?:renew\w*|extend\w*)\s+(?:itself\s+)?(?:automatically|tacitly)"
    r"|\bautomatic\s+(?:[\w-]+\s+){0,3}(?:renewals?|extensions?)\b|\btacit\w*\s+renew\w*|\bcontinu\w*\s+automatically"
    r"|\b(?:continu\w*|effective|renew\w*)\s+(?:on\s+a\s+)?(?:month[\s-]+to[\s-]+month|year[\s-]+to[\s-]+year)"
    r"|\bunless\b[^.]{0,120}?\bnotice\b[^.]{0,80}?\b(?:not\s+to\s+renew|non-?\s*renewal|intention\s+not|desire\s+not)"
    r"|\b(?:renew\w*|extend\w*)\b[^.]{0,160}?\bunless\b[^.]{0,100}?\b(?:notice|notif\w*)\b"
)
_OPTION = re.compile(
    r"(?i)\b(?:option|right|elect\w*)\s+to\s+(?:renew|extend)|\bmay\s+(?:\w+\s+){0,3}(?:be\s+)?(?:renew\w*|extend\w*)"
    r"|\boption\w*,?\s+(?:to\s+)?(?:renew|extend)|\b(?:at|in)\s+(?:\S+\s+){1,3}option\b[^.]{0,60}?\b(?:renew|extend)\w*"
    r"|\brenewable\b|\b(?:shall|will)\s+(?:be\s+)?(?:renewed|extended|extend|renew)\s+(?:\S+\s+){0,8}?for\b"
    r"|\b(?:renew\w*|extend\w*)\b[^.]{0,60}?\bmutual\w*|\bmutually\s+agree\w*\s+(?:in\s+writing\s+)?to\s+(?:renew|extend)"
)
_EVERGREEN = re.compile(
    r"(?i)\b(?:continu\w*|remain\w*)\s+(?:in\s+(?:full\s+)?(?:force|effect)\s+(?:and\s+effect\s+)?)?(?:thereafter\s+)?"
    r"(?:indefinitely|in\s+perpetuity|perpetually|(?:unless\s+and\s+)?until\s+(?:it\s+is\s+)?(?:earlier\s+)?terminated"
    r"|unless\s+and\s+until\b)"
    r"|\bindefinite\s+(?:period|term|duration)|\bshall\s+be\s+perpetual\b|\b(?:and|remain\s+in\s+effect)\s+perpetually\b"
    r"|\bend\w*\s+when\s+terminated\b"
)
_NO_RENEWAL = re.compile(r"(?i)\b(?:shall|will)\s+not\s+(?:be\s+)?(?:automatically\s+)?(?:renew\w*|extend\w*)\b")
_RENEWAL_NEAR = re.compile(
    r"(?i)\b(?:renew\w*|successive|additional|further|subsequent|consecutive|extend\w*|extension)\b"
)
_ABOUT_TERM = re.compile(r"(?i)\b(?:agreement|term|terms|contract|franchise)\b")
_ANNUAL = re.compile(
    r"(?i)\b(?:annual(?:ly)?|year[\s-]+to[\s-]+year|yearly|every\s+year|each\s+year)\b|\bmonth[\s-]+to[\s-]+month\b"
)


def _anchor_named(words: str) -> Anchor | None:
    w = words.casefold()
    if re.search(r"effective\s+date|date\s+(?:hereof|of\s+this|first|set\s+forth|above)|commencement\s+date|hereof", w):
        return "effective"
    if re.search(r"signature|execution|signing|executed|signed", w):
        return "signature"
    if re.search(r"go-?\s*live|launch|cut-?\s*over", w):
        return "go-live"
    return None


class Sentences:
    """A document's sentence spans, and the one holding an offset."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self._starts = [a for a, _ in spans]

    def at(self, offset: int) -> tuple[int, int] | None:
        i = bisect_right(self._starts, offset) - 1
        if i >= 0 and self.spans[i][0] <= offset < self.spans[i][1]:
            return self.spans[i]
        return None


def effective(text: str, sentences: Sentences) -> ObligationDraft | None:
    """The effective date as stated, else the agreement's own date (anchor "signature")."""
    best: tuple[int, Found, tuple[int, int]] | None = None
    signed: tuple[int, int, int] | None = None
    hereof: tuple[int, int, int, int] | None = None  # "effective as of the date first above written"
    for a, b in sentences.spans:
        if b - a > 3000 or not re.search(
            r"(?i)effective|commenc|take[sn]?\s+effect|into\s+(?:force|effect)|\bbegin|\bstart", text[a:b]
        ):
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
        from knowledge.deadlines import sentence_spans_of

        sentences = Sentences(sentence_spans_of(text[:MAX_READ]))
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


def term_end(text: str, sentences: Sentences) -> ObligationDraft | None:
    """The end of the initial term, as a written date or a length from its anchor, in the best term sentence."""
    best: tuple[int, int, ObligationDraft] | None = None
    for i, (a, b) in enumerate(sentences.spans):
        sentence = text[a:b]
        if b - a > 3000 or not (_TERM_SENTENCE.search(sentence) and _TERM_VERB.search(sentence)):
            continue
        draft = _term_in(text, a, b)
        if draft is None:
            continue
        score = (
            3 * bool(re.search(r"(?i)initial\s+(?:term|period)", sentence))
            + 2 * bool(re.search(r"(?i)\b(?:this|the)\s+(?:agreement|contract)\b|\bthe\s+term\b", sentence))
            + bool(re.search(r"(?i)effective\s+date", sentence))
            - 3 * bool(_AGAINST.search(sentence[:_HEAD]))
        )
        if best is None or score > best[0]:
            best = (score, -i, draft)
    return best[2] if best is not None and best[0] >= 0 else None


def _term_in(text: str, a: int, b: int) -> ObligationDraft | None:
    on: Found | None = None
    for found in dates(text, a, b):
        before = text[max(a, found.start - 60) : found.start]
        if _ENDS_AS_OF.search(before) or (_END_WORDS.search(before) and not _START_WORDS.search(before)):
            on = found
            break
    length: tuple[Duration, Anchor | None, int, int] | None = None
    if (m := _ANNIVERSARY.search(text, a, b)) and (n := ordinal(m.group("n"))):
        span = Span.of(text, m.start("n"), m.end("n"))
        length = (Duration(n, "year", span), _anchor_named(m.group("of")), m.start(), m.end("of"))
    else:
        for p in periods(text, a, b):
            if (lead := _LENGTH_BEFORE.search(text, max(a, p.start - 40), p.start)) is None:
                continue
            if _NOT_INITIAL.search(text, max(a, p.start - 50), p.start) or _NOT_LENGTH_AFTER.match(
                text[p.end : p.end + 40]
            ):
                continue
            if _SURVIVING.search(text, max(a, p.start - 40), p.start):
                continue  # "while this Agreement is in force and for a period of five (5) years thereafter"
            if p.unit in ("day", "business-day") and not _TERM_WORD.search(text, a, b):
                continue  # "is 45 days": a term in days says it is one
            frm = _FROM.match(text, p.end, b)
            anchor = _anchor_named(frm.group("of")) if frm else "effective"
            end = frm.end("of") if frm and anchor is not None else p.end
            length = (_duration(text, p), anchor, lead.start(), end)
            break
    if on is None and length is None:
        evergreen = _EVERGREEN.search(text, a, b)
        if evergreen is None:
            return None
        rule = Span.of(text, evergreen.start(), evergreen.end())
        return ObligationDraft("term-end", rule, Span.of(text, a, b), None, renewal="evergreen")  # no end to count to
    values: dict[str, Span] = {}
    start, stop = (on.start, on.end) if on else (length[2], length[3])  # type: ignore[index]
    if length is not None:
        start, stop = min(start, length[2]), max(stop, length[3])
        values["duration"] = length[0].span
    if on is not None:
        values["date"] = Span.of(text, on.start, on.end)
        stop = max(stop, on.end)
    return ObligationDraft(
        "term-end",
        Span.of(text, start, stop),
        Span.of(text, a, b),
        None,
        duration=length[0] if length else None,
        direction="after" if length else None,
        anchor=length[1] if length else None,
        on=on.on if on else None,
        renewal=_renewal_kind(text[a:b]),
        values=values,
    )


def _duration(text: str, p: Period) -> Duration:
    return Duration(p.amount, p.unit, Span.of(text, p.start, p.end))  # type: ignore[arg-type]


def _renewal_kind(sentence: str) -> Renewal | None:
    if _NO_RENEWAL.search(sentence):
        return "none"
    if _AUTOMATIC.search(sentence):
        return "automatic"
    if _OPTION.search(sentence):
        return "option"
    if _EVERGREEN.search(sentence):
        return "evergreen"
    return None


def renewal(text: str, sentences: Sentences) -> ObligationDraft | None:
    """How the agreement renews, with each renewal period's length: of the sentences that say so, the first that
    states a period of renewal (automatic or by option), else the first automatic or optional one, else the
    first saying it does not renew, else the first evergreen one ("continues until terminated")."""
    best: tuple[int, ObligationDraft] | None = None
    for a, b in sentences.spans:
        if b - a > 3000:
            continue
        sentence = text[a:b]
        kind = _renewal_kind(sentence)
        if kind is None or (kind == "option" and not _ABOUT_TERM.search(sentence)):
            continue
        draft = _renewal_in(text, a, b, kind)
        rank = {"automatic": 1, "option": 1, "none": 2, "evergreen": 3}[kind] - (draft.duration is not None)
        if best is None or rank < best[0]:
            best = (rank, draft)
        if rank == 0:
            break
    return best[1] if best is not None else None


def _renewal_in(text: str, a: int, b: int, kind: Renewal) -> ObligationDraft:
    pattern = {"none": _NO_RENEWAL, "automatic": _AUTOMATIC, "option": _OPTION, "evergreen": _EVERGREEN}[kind]
    m = pattern.search(text, a, b)
    assert m is not None
    period = _renewal_period(text, a, b, m.start()) if kind in ("automatic", "option") else None
    start, end = m.start(), m.end()
    if period is not None:
        start, end = min(start, period.span.start), max(end, period.span.end)
    if end - start > 400:
        start, end = m.start(), m.end()
    draft = ObligationDraft(
        "renewal", Span.of(text, start, end), Span.of(text, a, b), None, duration=period, renewal=kind
    )
    if period is not None:
        draft = replace(draft, direction="after", anchor="term-end", values={"duration": period.span})
    return draft


def _renewal_period(text: str, a: int, b: int, at: int) -> Duration | None:
    """The length of each renewal period: a period near words of renewal, not a notice period."""
    candidates = []
    for p in periods(text, a, b):
        after = text[p.end : min(b, p.end + 40)]
        before = text[max(a, p.start - 60) : p.start]
        if _NOT_LENGTH_AFTER.match(after):
            continue
        if re.search(r"(?i)(?:within|at\s+least|no\s+later\s+than|prior\s+to)\s+$", before):
            continue
        if _RENEWAL_NEAR.search(before) or re.match(
            r"(?i)\W{0,3}\s*(?:renewal|periods?|terms?|each|basis|thereafter)", after
        ):
            candidates.append(p)
    if candidates:
        best = min(candidates, key=lambda p: (p.start < at, abs(p.start - at)))
        return _duration(text, best)
    m = _ANNUAL.search(text, a, b)
    if m:
        unit: Unit = "month" if "month" in m.group(0).casefold() else "year"
        return Duration(1, unit, Span.of(text, m.start(), m.end()))
    return None
