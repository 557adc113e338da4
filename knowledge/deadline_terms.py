"""A contract's term: its initial term and end, and how it renews.

- term-end: "for an initial term of three (3) years from the Effective Date", "until December 31, 2027",
  "expire on", "the fifth (5th) anniversary of the Effective Date"; the best of the sentences about the
  agreement's term (an initial term and this agreement count for, a licence's or a warranty's against); a term
  that "continues until terminated" is a term-end with no end to count to;
- renewal: automatic ("shall automatically renew for successive one (1) year periods", "unless either party
  gives notice of non-renewal"), by option ("may extend", "option to renew"), evergreen ("shall continue until
  terminated"), none ("shall not be renewed").
"""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge.deadline_drafts import Anchor, Duration, ObligationDraft, Renewal, Unit
from knowledge.deadline_rules import ordinal
from knowledge.deadline_sentences import Sentences
from knowledge.deadline_values import Found, Period, bilingual, dates, periods, reading_italian
from knowledge.slas import Span

_TERM_SENTENCE = bilingual(
    r"(?i)\bterm\b|\bthis\s+(?:agreement|contract)\b|\bcontract\s+period\b|\bcommenc\w*|\beffective\s+until\b",
    r"|\bdurata\b|\b(?:la|il|del|della|presente)\s+(?:convenzione|contratto|accordo)\b|\bdecorr\w*"
    r"|\b(?:scade|scadrà)\b",
)
_TERM_VERB = bilingual(
    r"(?i)\b(?:continu\w*|remain\w*|expir\w*|in\s+(?:full\s+)?(?:force|effect)|commenc\w*|until|through|ending|end\s+on"
    r"|terminat\w*|conclud\w*|(?:shall|will)\s+(?:begin|end)"
    r"|period\s+of|term\s+of|be\s+for|valid)\b",
    r"|\b(?:durata|scad\w*|sino\s+al|fino\s+al|decorr\w*|valid\w*|in\s+vigore|efficac\w*)\b",
)
# "ha durata quinquennale": the term as an adjective
_TERM_ADJECTIVE = re.compile(
    r"(?i)\bdurata\s+(?:complessiva\s+)?(?P<adj>annuale|biennale|triennale|quadriennale|quinquennale|decennale|semestrale)\b"
)
_INITIAL = bilingual(r"(?i)initial\s+(?:term|period)", r"|\bdurata\b")
_THIS_AGREEMENT = bilingual(
    r"(?i)\b(?:this|the)\s+(?:agreement|contract)\b|\bthe\s+term\b",
    r"|\b(?:la|il|presente)\s+(?:convenzione|contratto|accordo)\b",
)
_EFFECTIVE_DATE = bilingual(r"(?i)effective\s+date", r"|\bdecorr\w*")
_ADJECTIVE_YEARS = {"annuale": 1, "biennale": 2, "triennale": 3, "quadriennale": 4, "quinquennale": 5, "decennale": 10}
_AGAINST = bilingual(
    r"(?i)\b(?:licen[cs]e\w*|royalt\w*|warrant\w*|compet\w*|confidential\w*|surviv\w*|employ\w*|lease|solicit\w*"
    r"|insurance|retain|records|payment|invoice|renewal\s+term\s+of)\b",
    r"|\b(?:licenz\w*|garanzi\w*|riservatezza|assicura\w*|pagament\w*|fattur\w*|periodo\s+di\s+transizione)\b",
)
_HEAD = 150  # what a term sentence is about is in its first words ("The term of the license ...")
_END_WORDS = re.compile(
    r"(?i)(?:until|through|thru|ending|end|ends|expir\w*|terminat\w*|conclud\w*|to\s+and\s+including|up\s+to"
    r"|fino|sino|scad\w*|termin[ae]\w*)\b[^.;]{0,40}$"
)
_ENDS_AS_OF = re.compile(r"(?i)\b(?:end|ends|expir\w*|terminat\w*|conclud\w*)\s+(?:as\s+of|on|at)\s+$")
_START_WORDS = re.compile(
    r"(?i)(?:commenc\w*|effective|from|dated|as\s+of|beginning|starting|begin\w*|decorr\w*|dal|dalla|a\s+partire\s+dal)"
    r"\s+(?:on\s+|il\s+)?$"
)
_ANNIVERSARY = re.compile(
    r"(?i)\b(?:the\s+)?(?P<n>(?:\w+(?:-\w+)?\s*\(\s*)?\d{1,2}(?:st|nd|rd|th)\s*\)?|\w+(?:-\w+)?"
    r"|(?:\w+\s*)?\(\s*\d{1,2}\s*\)[\s-]*years?|\d{1,2}[\s-]*years?)\s+"
    r"\(?anniversary\s+of\s+(?:the\s+)?(?P<of>[^.,;]{3,60})"
)
_LENGTH_BEFORE = re.compile(
    r"(?i)(?:\bof|\bfor|\bbe|\bis|\bcontinu\w*|\blast|\bremain\w*(?:\s+in\s+(?:full\s+)?(?:force|effect))?|:)\s+"
    r"(?:a\s+(?:period|term)\s+of\s+)?(?:an?\s+)?(?:initial\s+)?(?:(?:period|term)\s+of\s+)?$"
    # "ha durata di cinque anni", "avrà una durata pari a 5 (cinque) anni", "per un periodo di 36 mesi"
    r"|\b(?:durata|periodo)(?:\s+(?:complessiva|iniziale|contrattuale))?\s+(?:di|pari\s+a|non\s+superiore\s+a)\s+$"
)
_NOT_INITIAL = re.compile(
    r"(?i)\b(?:renew\w*|successive|additional|further|subsequent|consecutive|extend\w*|extension|notice|thereafter"
    r"|rinnov\w*|ulterior\w*|proroga\w*|preavviso|transizione)\b"
)
_NOT_LENGTH_AFTER = re.compile(
    r"(?i)^\W{0,3}\s*(?:(?:prior|advance|written)\s+)?(?:notice|prior|before|in\s+advance"
    r"|(?:after|following)\s+(?:the\s+|its\s+|such\s+|any\s+)?(?:termination|expir))"
)
_SURVIVING = re.compile(r"(?i)\band\s+for\s+(?:a\s+(?:continuous\s+)?(?:period|term)\s+of\s+)?(?:an?\s+)?$")
_TERM_WORD = re.compile(r"(?i)\bterm\b")
_FROM = re.compile(
    r"(?i)^\W{0,3}\s*(?:\(\s*\d+\s*\)\s*)?(?:\(the\s+[^)]{0,40}\)\s*)?(?:from|after|following|commencing|beginning"
    r"|starting|of|a\s+decorrere\s+dal(?:la|l['’])?|a\s+partire\s+dal(?:la|l['’])?|dalla|dal|dall['’])\s*(?:on\s+)?(?:the\s+)?"
    r"(?P<of>[^.,;]{3,60})"
)

_FROM_IT = re.compile(
    r"(?i)\s*(?:decorrenti\s+|a\s+decorrere\s+|a\s+partire\s+)?(?:dalla|dal|dall['’])\s*(?P<of>[^.,;]{3,60})"
)
_AUTOMATIC = bilingual(
    r"(?i)\bautomatic\w*\s+(?:be\s+)?(?:renew\w*|extend\w*)|\b(?:renew\w*|extend\w*)\s+(?:itself\s+)?(?:automatically|tacitly)"
    r"|\bautomatic\s+(?:[\w-]+\s+){0,3}(?:renewals?|extensions?)\b|\btacit\w*\s+renew\w*|\bcontinu\w*\s+automatically"
    r"|\b(?:continu\w*|effective|renew\w*)\s+(?:on\s+a\s+)?(?:month[\s-]+to[\s-]+month|year[\s-]+to[\s-]+year)"
    r"|\bunless\b[^.]{0,120}?\bnotice\b[^.]{0,80}?\b(?:not\s+to\s+renew|non-?\s*renewal|intention\s+not|desire\s+not)"
    r"|\b(?:renew\w*|extend\w*)\b[^.]{0,160}?\bunless\b[^.]{0,100}?\b(?:notice|notif\w*)\b",
    r"|\btacitamente\s+(?:rinnovat|prorogat)\w*|\b(?:rinnov|prorog)\w*\s+(?:tacitamente|automaticamente)"
    r"|\brinnovo\s+tacito|\btacito\s+rinnovo|\bautomaticamente\s+(?:rinnovat|prorogat)\w*"
    r"|\b(?:rinnov|prorog)\w*\b[^.]{0,160}?\bsalvo\s+disdetta",
)
_OPTION = bilingual(
    r"(?i)\b(?:option|right|elect\w*)\s+to\s+(?:renew|extend)|\bmay\s+(?:\w+\s+){0,3}(?:be\s+)?(?:renew\w*|extend\w*)"
    r"|\boption\w*,?\s+(?:to\s+)?(?:renew|extend)|\b(?:at|in)\s+(?:\S+\s+){1,3}option\b[^.]{0,60}?\b(?:renew|extend)\w*"
    r"|\brenewable\b|\b(?:shall|will)\s+(?:be\s+)?(?:renewed|extended|extend|renew)\s+(?:\S+\s+){0,8}?for\b"
    r"|\b(?:renew\w*|extend\w*)\b[^.]{0,60}?\bmutual\w*|\bmutually\s+agree\w*\s+(?:in\s+writing\s+)?to\s+(?:renew|extend)",
    r"|\b(?:può|possono|potrà|potranno)\s+essere\s+(?:rinnovat|prorogat)\w*|\bfacoltà\s+di\s+(?:rinnov|proroga)\w*"
    r"|\bopzione\s+di\s+(?:rinnovo|proroga)|\b(?:rinnovabile|prorogabile)\b",
)
_EVERGREEN = bilingual(
    r"(?i)\b(?:continu\w*|remain\w*)\s+(?:in\s+(?:full\s+)?(?:force|effect)\s+(?:and\s+effect\s+)?)?(?:thereafter\s+)?"
    r"(?:indefinitely|in\s+perpetuity|perpetually|(?:unless\s+and\s+)?until\s+(?:it\s+is\s+)?(?:earlier\s+)?terminated"
    r"|unless\s+and\s+until\b)"
    r"|\bindefinite\s+(?:period|term|duration)|\bshall\s+be\s+perpetual\b|\b(?:and|remain\s+in\s+effect)\s+perpetually\b"
    r"|\bend\w*\s+when\s+terminated\b",
    r"|\ba\s+tempo\s+indeterminato\b|\bdurata\s+indeterminata\b",
)
_NO_RENEWAL = bilingual(
    r"(?i)\b(?:shall|will)\s+not\s+(?:be\s+)?(?:automatically\s+)?(?:renew\w*|extend\w*)\b",
    r"|\bnon\s+(?:è|sarà|potrà\s+essere|può\s+essere)\s+(?:tacitamente\s+)?(?:rinnov|prorog)(?:at|abil)\w*"
    r"|\besclus[oa]\s+(?:il\s+|ogni\s+)?(?:tacito\s+)?rinnovo|\bsenza\s+(?:tacito\s+)?rinnovo",
)
_RENEWAL_NEAR = re.compile(
    r"(?i)\b(?:renew\w*|successive|additional|further|subsequent|consecutive|extend\w*|extension"
    r"|rinnov\w*|ulterior\w*|proroga\w*|successiv\w*)\b"
)
_ABOUT_TERM = bilingual(
    r"(?i)\b(?:agreement|term|terms|contract|franchise)\b",
    r"|\b(?:convenzione|contratto|accordo|durata|essa|esso)\b",  # "Essa può essere rinnovata": the Convenzione
)
_ANNUAL = re.compile(
    r"(?i)\b(?:annual(?:ly)?|year[\s-]+to[\s-]+year|yearly|every\s+year|each\s+year)\b|\bmonth[\s-]+to[\s-]+month\b"
    r"|\bdi\s+anno\s+in\s+anno\b|\bdi\s+mese\s+in\s+mese\b"
)


def _anchor_named(words: str) -> Anchor | None:
    w = words.casefold()
    if re.search(r"data\s+(?:della\s+|di\s+)?(?:stipula|sottoscrizione|firma)|\bstipula", w):
        return "signature"
    if re.search(r"data\s+di\s+(?:decorrenza|efficacia|entrata\s+in\s+vigore)|decorrenza", w):
        return "effective"
    if re.search(r"\bavvio\b|\battivazione\b|\bcollaudo\b|messa\s+in\s+esercizio", w):
        return "go-live"
    if re.search(r"effective\s+date|date\s+(?:hereof|of\s+this|first|set\s+forth|above)|commencement\s+date|hereof", w):
        return "effective"
    if re.search(r"signature|execution|signing|executed|signed", w):
        return "signature"
    if re.search(r"go-?\s*live|launch|cut-?\s*over", w):
        return "go-live"
    return None


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
            3 * bool(_INITIAL.search(sentence))
            + 2 * bool(_THIS_AGREEMENT.search(sentence))
            + bool(_EFFECTIVE_DATE.search(sentence))
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
    if reading_italian() and (adjective := _TERM_ADJECTIVE.search(text, a, b)):  # "ha durata quinquennale"
        word = adjective.group("adj").casefold()
        span = Span.of(text, adjective.start("adj"), adjective.end("adj"))
        duration = (
            Duration(6, "month", span) if word == "semestrale" else Duration(_ADJECTIVE_YEARS[word], "year", span)
        )
        length = (duration, "effective", adjective.start(), adjective.end())
    elif (m := _ANNIVERSARY.search(text, a, b)) and (n := ordinal(m.group("n"))):
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
            if frm is None and reading_italian():
                frm = _FROM_IT.match(text, p.end, b)  # "24 mesi decorrenti dalla data di avvio del servizio"
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
