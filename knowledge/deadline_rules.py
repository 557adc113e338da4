"""The periodic obligations a sentence states: notice before renewal, notice to terminate for convenience, cure
periods, service-credit claim windows, report due dates and exit assistance periods.

Each reader takes one sentence (text[a:b]) and returns the obligation it states or None. A rule is the period
with the words that qualify it ("at least") and the anchor after it ("before the end of the then-current
term"), cut at the clause's next comma, semicolon or full stop. A period a sentence mentions for another
reason ("meet once each calendar month, within 10 Business Days") is no deadline of these kinds: each kind
needs its own words ("cure", "renew", "for convenience", "report", "assistance") and an anchor it can use.
"""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge.deadline_drafts import Anchor, Direction, Duration, Kind, ObligationDraft, Unit
from knowledge.deadline_values import Bilingual, Period, bilingual, periods, reading_italian, spelled
from knowledge.slas import Span

_QUALIFIER = re.compile(
    r"(?i)(?:(?:at\s+least|not\s+less\s+than|no\s+less\s+than|no\s+later\s+than|not\s+later\s+than|a\s+minimum\s+of"
    r"|within|upon|on|by|with|giving|providing|up\s+to|for\s+up\s+to|for\s+a\s+period\s+of|for"
    # Italian: "entro (e non oltre) (il termine di) (i)", "almeno", "non inferiore a", "con un preavviso (scritto) di"
    r"|entro(?:\s+e\s+non\s+oltre)?(?:\s+il\s+termine\s+(?:massimo\s+)?di)?(?:\s+(?:i|il|le|gli))?|almeno|non\s+meno\s+di"
    r"|non\s+(?:inferiore|superiore)\s+a|con\s+(?:un\s+)?preavviso(?:\s+(?:scritto|formale))?\s+di|un\s+termine\s+di"
    r"|per\s+un\s+periodo\s+di|nel\s+termine\s+di|fino\s+a)\s+(?:\*\*)?){1,2}$"
)
_AFTER_PERIOD = re.compile(
    r"(?i)[\s*]*(?:'s|’s|'|’)?\s*(?:\(\s*\d+\s*\)\s*)?(?:(?:prior|advance|advanced|previous|written|formal|express)\s+){0,3}"
    r"(?:notice\s+)?(?:(?:of\s+)?(?:non-?\s*renewal|termination|its\s+intent\w*|intent\w*)\s+[^.;]{0,80}?)?"
    r"(?P<dir>prior\s+to|before|in\s+advance\s+of|preceding|after|following|from|of"
    r"|prima\s+(?:della|dello|delle|del|di)|antecedent\w*\s+(?:la|il|alla|al)|dopo\s+(?:la|il|l['’])?"
    r"|successiv\w*\s+(?:alla|allo|al|all['’]|a)|a\s+decorrere\s+(?:dalla|dal|dall['’])|a\s+partire\s+(?:dalla|dal|dall['’])"
    r"|decorrenti\s+(?:dalla|dal|dall['’])|dalla|dallo|dalle|dal|dall['’])(?:\s+|(?<=['’]))"
)
_IT_AFTER_PERIOD = re.compile(r"(?i)[\s*]*(?:di\s+preavviso\s+)?(?:(?:solari|lavorativi)\s+)?successiv[ie]\b")
_PERIOD_END = re.compile(
    r"end\s+of\s+(?:the\s+|each\s+|any\s+|such\s+)?(?:calendar\s+)?(?:month|quarter|measurement|period|year)"
    r"|month[\s-]end|quarter[\s-]end|period[\s-]end|close\s+of\s+(?:each|the)\s+month"
    r"|(?:fine|scadenza|chiusura)\s+(?:di\s+|del\s+|della\s+)?(?:ciascun|ogni|ognuno|del|della|dello)?\s*"
    r"(?:mese|trimestre|semestre|anno|periodo|esercizio)|mese\s+in\s+cui"
)
_STOP = re.compile(
    r"(?i)[,;:.(]|\s(?:unless|provided|and\s+shall|in\s+which|which|whereupon|then(?!-)|but)\b"
    r"|\s(?:salvo|purché|a\s+meno\s+che|qualora|trascors\w*|decors\w*|ove|mediante|tramite)\b"
)
_BEFORE = {"prior to", "before", "in advance of", "preceding"}
_BEFORE_IT = re.compile(r"(?i)prima|antecedent")

_RENEW = bilingual(
    r"(?i)renew\w*|\b(?:non-?\s*renewal|extension\s+of\s+(?:the|this)\s+(?:term|agreement)|extension\s+(?:period|term)s?"
    r"|extend\w*\s+(?:the|this)\s+(?:term|agreement)|year[\s-]+to[\s-]+year|month[\s-]+to[\s-]+month)\b"
    r"|\bautomatic\w*\s+(?:(?:be\s+)?extend|continu)\w*",
    r"|\brinnov\w*|\bproroga\w*|\bprorogat\w*",
)
_ROLLS = bilingual(
    r"(?i)\bautomatic\w*|\bnon-?\s*renewal|\bnot\s+to\s+(?:renew|extend)|\bintent\w*\s+not|\bdesire\s+not|\btacit\w*"
    r"|\bunless\b|\belect\w*\s+not|year[\s-]+to[\s-]+year|month[\s-]+to[\s-]+month",
    r"|\bsalvo\s+disdetta|\bdisdett\w*|\btacit\w*|\bautomaticamente",
)
_NOTICE = bilingual(
    r"(?i)\bnoti(?:ce|fy|fies|fied|fication)\b",
    r"|\bpreavvis\w*|\bdisdett\w*|\bcomunicazion\w*|\bcomunicat\w*|\braccomandata\b|\bPEC\b|\bnotific\w*",
)
_CONVENIENCE = bilingual(
    r"(?i)for\s+(?:its\s+)?convenience|without\s+cause|for\s+any\s+reason|for\s+no\s+reason|at\s+any\s+time"
    r"|with\s+or\s+without\s+cause|in\s+its\s+(?:sole\s+)?discretion",
    r"|\bin\s+qualsiasi\s+momento|\bin\s+ogni\s+momento|\bsenza\s+(?:giusta\s+)?causa|\bad\s+nutum"
    r"|\bper\s+qualsiasi\s+(?:motivo|ragione)|\bsenza\s+(?:alcun\s+)?obbligo\s+di\s+motivazione|\bdi\s+recedere"
    # "recesso" is itself the right to leave without cause; "può recedere", "facoltà di recesso"
    r"|\b(?:può|possono|potrà|potranno)\s+recedere|\b(?:facoltà|diritto)\s+di\s+recesso|\brecesso\s+unilaterale",
)
_TERMINATE = bilingual(r"(?i)\bterminat\w*", r"|\brecede\w*|\brecesso\b")
_BREACH = bilingual(r"(?i)\bbreach", r"|\binadempi\w*|\bviolazion\w*|\bdiffida")
_CURE = bilingual(
    r"(?i)\b(?:cure[sd]?|curing|remed(?:y|ied|ies))\b",
    r"|\b(?:diffida\w*(?:\s+ad\s+adempiere)?|adempiere|(?:porre|pon\w*)\s+rimedio|rimedia\w*|sanare|san\w*\s+l['’]inadempimento"
    r"|eliminare\s+l['’]inadempimento)",
)
_NO_CURE = re.compile(r"(?i)\bwithout\s+(?:any\s+|a\s+)?(?:cure|remedy)\s+period")
_WITHIN_IT = (
    r"entro(?:\s+e\s+non\s+oltre)?(?:\s+il\s+termine\s+(?:massimo\s+)?di)?(?:\s+(?:i|il|le|gli|un\s+massimo\s+di))?"
)
_WITHIN = Bilingual(r"(?i)within\s+$", rf"(?i)(?:within|\b{_WITHIN_IT})\s+(?:\*\*)?$")
_CURE_REACH = 120  # a cure period is stated this close after the word "cure"
_CREDIT = bilingual(r"(?i)\b(?:service\s+)?credits?\b", r"|\bcredit[oi]\b|\bpenal[ei]\b")
_CLAIM = bilingual(
    r"(?i)\b(?:claim|request|submit|notify|apply\s+for|redeem)\w*",
    r"|\b(?:richiest\w*|richied\w*|reclam\w*|presentar\w*|contest\w*)",
)
_REPORT = bilingual(r"(?i)\breports?\b", r"|\brapport[oi]\b|\brelazion[ei]\b|\brendicont\w*")
_DELIVERED = bilingual(
    r"(?i)\b(?:deliver|provide|submit|issue|send|furnish|produce|prepare)\w*\s+(?:[\w-]+\s+){0,6}?reports?\b"
    r"|\breports?\s+(?:[\w-]+\s+){0,4}?(?:shall|will|must)\s+be\s+(?:delivered|provided|submitted|due|issued|sent)"
    r"|\breports?\s+(?:is|are)\s+due\b",
    r"|\b(?:invi|trasmett|consegn|fornisc|fornir|present|predispon|inoltr|produc)\w*\s+(?:[\w'’-]+\s+){0,8}?"
    r"(?:report|rapport[oi]|relazion[ei]|rendicont\w*)\b",
)
_EXIT = bilingual(
    r"(?i)\b(?:termination|transition|exit|disengagement|wind-?\s*down)\s+(?:assistance|services?|plan|period)\b",
    r"|\bperiodo\s+di\s+(?:transizione|uscita|affiancamento|phase-?out)|\bassistenza\s+(?:alla\s+)?(?:transizione|"
    r"cessazione|uscita|migrazione|subentro)|\bfase\s+di\s+(?:uscita|transizione|phase-?out)|\bphase-?out\b",
)
# a reply, approval or decision due within a period ("potrà esprimere le proprie osservazioni entro i 60 (sessanta)
# giorni solari successivi, trascorsi i quali la stessa si intenderà approvata"; "comunicare gli esiti ... entro 90
# giorni dal ricevimento"); a silence deemed approval is kept as values["deemed"]
_REPLY = re.compile(
    r"(?i)\b(?:osservazion\w*|riscontr\w*|approva\w*|esit[oi]|parere|pareri|rispost\w*|rispond\w*|decid\w*|decision\w*"
    r"|pronunc\w*|valuta\w*)"
)
_DEEMED = re.compile(
    r"(?i)\bsi\s+intender[àa]\s+(?:tacitamente\s+)?(?:approvat|accettat|accolt)\w*|\bsilenzio[\s-]+assenso\b"
    r"|\btacitamente\s+(?:approvat|accettat)\w*|\bdeemed\s+(?:approved|accepted)\b"
)
_AT = re.compile(r"(?i)\ba\s+$")
_INVOICE_DATE = re.compile(r"(?i)\s+(?:data\s+fattura|d\.?\s?f\.?)(?:\s+fine\s+mese|\s+f\.?\s?m\.?)?")
_PAYMENT = re.compile(r"(?i)\bpagament\w*|\bpagat\w*|\bsald\w*\s+(?:la|le)\s+fattur|\bliquidazion\w*")
_DAY_OF_MONTH = re.compile(
    r"(?i)\bby\s+(?:no\s+later\s+than\s+)?the\s+(?P<n>(?:\w+(?:-\w+)?\s*\(\s*)?\d{1,2}(?:st|nd|rd|th)\s*\)?|\w+(?:-\w+)?)\s+"
    r"(?P<kind>business\s+|working\s+|calendar\s+)?(?P<day>day)\s+of\s+(?:the\s+|each\s+)?(?:following|next|each|every|succeeding)?"
    r"\s*(?:calendar\s+)?month\b"
)
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "fifteenth": 15, "twentieth": 20, "last": 0,
}  # fmt: skip


_ORDINALS_IT = {
    "primo": 1, "secondo": 2, "terzo": 3, "quarto": 4, "quinto": 5, "sesto": 6, "settimo": 7, "ottavo": 8,
    "nono": 9, "decimo": 10, "quindicesimo": 15, "ventesimo": 20,
}  # fmt: skip
# "entro il quinto giorno lavorativo del mese successivo", "entro il giorno 10 del mese successivo", "entro il 15 del
# mese successivo alla chiusura del trimestre"
_DAY_OF_MONTH_IT = re.compile(
    r"(?i)\bentro\s+(?:e\s+non\s+oltre\s+)?il\s+(?:(?P<day0>giorno)\s+)?(?P<n>\d{1,2}|[a-z]+)\s*(?:°\s*)?"
    r"(?:(?P<day>giorno)\s+)?(?P<kind>lavorativo\s+)?(?:solare\s+)?"
    r"del\s+mese\s+successivo\b"
)


def italian_ordinal(words: str) -> int | None:
    """'quinto' -> 5, '10' -> 10 (None when it is no day of the month)."""
    w = words.casefold().strip()
    if w.isdigit():
        return int(w) if 1 <= int(w) <= 31 else None
    return _ORDINALS_IT.get(w)


def ordinal(words: str) -> int | None:
    """'fifth (5th)' -> 5, '15th' -> 15, 'twenty-fifth' -> 25, 'four (4) year' -> 4."""
    m = re.search(r"(\d{1,2})(?:st|nd|rd|th)|\(\s*(\d{1,2})\s*\)|^(\d{1,2})\b", words)
    if m:
        return int(next(g for g in m.groups() if g))
    w = words.casefold().strip()
    if w in _ORDINALS:
        return _ORDINALS[w] or None
    head, _, tail = w.partition("-")
    if tail in _ORDINALS and (tens := spelled(head)) is not None:
        return tens + _ORDINALS[tail]
    return None


def obligation_in(text: str, a: int, b: int) -> ObligationDraft | None:
    """The one periodic obligation text[a:b] states, if any (the first kind that reads it)."""
    sentence = text[a:b]
    for read in (_non_renewal, _termination, _cure, _claim, _report, _exit, _reply, _payment):
        found = read(text, a, b, sentence)
        if found is not None:
            return found
    return None


def _draft(
    text: str, a: int, b: int, kind: Kind, period: Period, default: tuple[Direction, Anchor | None]
) -> ObligationDraft:
    """The obligation around `period`: the rule from its qualifier to the end of its anchor's words."""
    head = _QUALIFIER.search(text, max(a, period.start - 40), period.start)
    start = head.start() if head else period.start
    end, direction, anchor = period.end, default[0], default[1]
    m = _AFTER_PERIOD.match(text, period.end, b)
    if m:
        stop = _STOP.search(text, m.end(), min(b, m.end() + 140))
        end = stop.start() if stop else min(b, m.end() + 140)
        words = " ".join(m.group("dir").casefold().split())
        direction = "before" if words in _BEFORE or _BEFORE_IT.match(words) else "after"
        anchor = _anchor_of(text[m.start("dir") : end], kind) or anchor
    elif it := _IT_AFTER_PERIOD.match(text, period.end, b):  # "entro i 60 (sessanta) giorni solari successivi"
        end, direction = it.end(), "after"
    else:
        tail = re.match(r"(?i)(?:'s|’s|'|’)?\s*(?:(?:prior|advance|previous)\s+)?(?:written\s+)?notice", text[end:b])
        if tail:
            end += tail.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    duration = Duration(period.amount, period.unit, Span.of(text, period.start, period.end))  # type: ignore[arg-type]
    return ObligationDraft(
        kind=kind,
        rule=Span.of(text, start, end),
        quote=Span.of(text, a, b),
        section=None,
        duration=duration,
        direction=direction,
        anchor=anchor,
        values={"duration": duration.span},
    )


def _anchor_of(words: str, kind: Kind) -> Anchor | None:
    w = words.casefold()
    if "anniversary" in w or "anniversario" in w:
        return "anniversary"
    if kind == "cure" and re.search(
        r"noti|receipt|receiv|demand|advised|informed|ricev|diffida|contestazion|comunicaz", w
    ):
        return "breach-notice"
    if re.search(r"go-?\s*live|launch|cut-?\s*over|avvio\s+(?:del|in)\s+esercizio|messa\s+in\s+esercizio|collaudo", w):
        return "go-live"
    if re.search(r"scioglimento|cessazione|risoluzione|recesso", w):
        return "termination"
    if kind in ("non-renewal-notice", "termination-notice") and re.search(r"scadenza", w):
        return "term-end"
    if re.search(r"ricevimento|ricezione|trasmissione|richiesta|notifica|comunicazione|invio|segnalazione", w):
        return "notice"
    if re.search(r"data\s+(?:della\s+|di\s+)?(?:stipula|sottoscrizione|firma)", w):
        return "signature"
    if re.search(r"data\s+di\s+(?:decorrenza|efficacia|entrata\s+in\s+vigore)", w):
        return "effective"
    if _PERIOD_END.search(w):
        return "period-end" if kind in ("report", "credit-claim") or "term" not in w else "term-end"
    if kind == "non-renewal-notice" or re.search(r"end\s+of\s+the\s+(?:then|initial|current|renewal)|expir|term\b", w):
        return "term-end" if kind in ("non-renewal-notice", "termination-notice") else "termination"
    if re.search(r"noti|receipt|request", w):
        return "notice"
    if re.search(r"terminat|expir", w):
        return "termination"
    if re.search(r"effective\s+date|date\s+(?:hereof|of\s+this)|date\s+first", w):
        return "effective"
    if re.search(r"signature|execution|signing", w):
        return "signature"
    return None


def _notice_period(text: str, a: int, b: int) -> list[Period]:
    """The periods of text[a:b] that a notice is given in ("90 days' prior written notice", "at least 60 days
    prior to the end"), not the lengths of terms ("successive one (1) year periods")."""
    out = []
    for p in periods(text, a, b):
        after = text[p.end : min(b, p.end + 120)].casefold()
        before = text[max(a, p.start - 60) : p.start].casefold()
        if re.match(
            r"\W{0,3}\s*(?:\(\s*\d+\s*\)\s*)?(?:(?:prior|advance|advanced|previous|written|formal)\s+){0,3}"
            r"notice|\s*(?:prior\s+to|before|in\s+advance|preceding)"
            r"|[\s*]*(?:di\s+)?preavviso|[\s*]*prima\s+(?:della|dello|del|di)",
            after,
        ) or re.search(  # fmt: skip
            r"notice\s+(?:period\s+)?(?:of\s+)?(?:at\s+least\s+|not\s+less\s+than\s+)?$"
            r"|preavviso\s+(?:scritto\s+|formale\s+)?(?:di\s+)?(?:almeno\s+|non\s+inferiore\s+a\s+)?(?:\*\*)?$",
            before,
        ):
            out.append(p)
    return out


def _non_renewal(text: str, a: int, b: int, sentence: str) -> ObligationDraft | None:
    if not (_RENEW.search(sentence) and (_NOTICE.search(sentence) or re.search(r"(?i)prior\s+to|before", sentence))):
        return None
    for period in _notice_period(text, a, b):
        draft = _draft(text, a, b, "non-renewal-notice", period, ("before", "term-end"))
        anchored = draft.direction == "before" and draft.anchor in ("term-end", "anniversary")
        if anchored or _ROLLS.search(sentence):
            return draft
    return None


def _termination(text: str, a: int, b: int, sentence: str) -> ObligationDraft | None:
    if not (_TERMINATE.search(sentence) and _CONVENIENCE.search(sentence) and _NOTICE.search(sentence)):
        return None
    if _CURE.search(sentence) or _BREACH.search(sentence):
        return None
    found = _notice_period(text, a, b)
    if not found:
        return None
    return _draft(text, a, b, "termination-notice", found[0], ("before", "termination"))


def _cure(text: str, a: int, b: int, sentence: str) -> ObligationDraft | None:
    cures = [a + m.start() for m in _CURE.finditer(sentence)]
    if not cures or _NO_CURE.search(sentence):
        return None
    found = [
        p
        for p in periods(text, a, b)
        if re.search(
            rf"(?i)(?:within|of|for|{_WITHIN_IT}|di|per|non\s+inferiore\s+a)\s+(?:\*\*)?$",
            text[max(a, p.start - 40) : p.start],
        )
        and any(-_CURE_REACH < p.start - at < _CURE_REACH for at in cures)
    ]
    if not found:
        return None
    best = min(found, key=lambda p: min(abs(p.start - at) for at in cures))
    return _draft(text, a, b, "cure", best, ("after", "breach-notice"))


def _claim(text: str, a: int, b: int, sentence: str) -> ObligationDraft | None:
    if not (_CREDIT.search(sentence) and _CLAIM.search(sentence)):
        return None
    found = [p for p in periods(text, a, b) if _WITHIN.search(text, max(a, p.start - 40), p.start)]
    if not found:
        return None
    return _draft(text, a, b, "credit-claim", found[0], ("after", "period-end"))


def _report(text: str, a: int, b: int, sentence: str) -> ObligationDraft | None:
    if not (_DELIVERED.search(sentence) or (_REPORT.search(sentence) and sentence.startswith("|"))):
        return None
    m = _DAY_OF_MONTH.search(text, a, b)
    if m is None and reading_italian() and (m := _DAY_OF_MONTH_IT.search(text, a, b)):
        n = italian_ordinal(m.group("n"))
        if n:  # "entro il quinto giorno lavorativo del mese successivo", "entro il giorno 10 del mese successivo"
            lavorativo = bool(m.group("kind"))
            first = m.start("day0") if m.group("day0") else m.start("n")
            last = max(m.end(g) for g in ("n", "day", "kind") if m.group(g))
            last = len(text[:last].rstrip())
            duration = Duration(n, "business-day" if lavorativo else "day", Span.of(text, first, last))
            return _monthly_report(text, m, a, b, n, duration)
    if m and m.re is _DAY_OF_MONTH and (n := ordinal(m.group("n"))):
        unit: Unit = "business-day" if m.group("kind") and "calendar" not in m.group("kind").casefold() else "day"
        duration = Duration(n, unit, Span.of(text, m.start("n"), m.end("day")))
        return _monthly_report(text, m, a, b, n, duration)
    for p in periods(text, a, b):
        if not _WITHIN.search(text, max(a, p.start - 40), p.start):
            continue
        draft = _draft(text, a, b, "report", p, ("after", None))
        if draft.anchor == "period-end":
            return draft
    return None


def _exit(text: str, a: int, b: int, sentence: str) -> ObligationDraft | None:
    if not _EXIT.search(sentence):
        return None
    for p in periods(text, a, b):
        draft = _draft(text, a, b, "exit", p, ("after", None))
        if draft.anchor in ("termination", "term-end", "notice") and draft.direction == "after":
            return draft
    return None


def _reply(text: str, a: int, b: int, sentence: str) -> ObligationDraft | None:
    """A reply, approval or decision due within a period of a submission (Italian contracts), anchor "notice"."""
    if not reading_italian() or not _REPLY.search(sentence):
        return None
    for p in periods(text, a, b):
        if not _WITHIN.search(text, max(a, p.start - 40), p.start) or p.unit in ("year",):
            continue
        draft = _draft(text, a, b, "other", p, ("after", "notice"))
        if draft.direction != "after" or draft.anchor not in ("notice", None):
            continue
        draft = replace(draft, anchor="notice")
        deemed = _DEEMED.search(text, p.end, b)
        if deemed is not None:
            draft = replace(draft, values={**draft.values, "deemed": Span.of(text, deemed.start(), deemed.end())})
        return draft
    return None


def _payment(text: str, a: int, b: int, sentence: str) -> ObligationDraft | None:
    """A payment term ("pagamento entro 30 (trenta) giorni dal ricevimento della fattura"), anchor "notice"."""
    if not reading_italian() or not _PAYMENT.search(sentence) or not re.search(r"(?i)\bfattur\w*|\binvoice", sentence):
        return None
    for p in periods(text, a, b):
        if not (_WITHIN.search(text, max(a, p.start - 40), p.start) or _AT.search(text, max(a, p.start - 4), p.start)):
            continue  # "entro 30 giorni dal ricevimento della fattura", "a 60 giorni data fattura fine mese"
        draft = _draft(text, a, b, "other", p, ("after", "notice"))
        if draft.direction == "after" and draft.anchor in ("notice", None):
            tail = _INVOICE_DATE.match(text, p.end, b)
            if tail is not None and draft.rule.end < tail.end():
                draft = replace(draft, rule=Span.of(text, draft.rule.start, tail.end()))
            return replace(draft, anchor="notice")
    return None


def _monthly_report(text: str, m: re.Match[str], a: int, b: int, n: int, duration: Duration) -> ObligationDraft:
    """A report due on the n-th (business) day of the month after each period, the rule `m` stating it."""
    return ObligationDraft(
        kind="report",
        rule=Span.of(text, m.start(), m.end()),
        quote=Span.of(text, a, b),
        section=None,
        duration=duration,
        direction="after",
        anchor="period-end",
        day_of_month=n,
        values={"duration": duration.span, "day_of_month": Span.of(text, m.start("n"), m.end("n"))},
    )
