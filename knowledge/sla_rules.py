"""The rules around service levels, read from a document's sentences: the credit cap, the claim window, the
exclusions, the credit rules written in prose (per point, a fixed amount, an at-risk pool) and the
document's own effective date. Each is returned with the sentence it is written in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from knowledge.sla_drafts import CreditDraft, Span, TierDraft
from knowledge.sla_values import amounts, durations, percentages

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        )
    )
}
_IT_MONTHS = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
    "novembre", "dicembre",
)  # fmt: skip
MONTHS.update({m: i + 1 for i, m in enumerate(_IT_MONTHS)})
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?i:gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre))"
)
_DATE = re.compile(
    rf"(?P<d1>\d{{1,2}})(?:st|nd|rd|th|°|º)?[ \t]+(?P<m1>{_MONTH}),?[ \t]+(?P<y1>\d{{4}})"
    rf"|(?P<m2>{_MONTH})[ \t]+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?[ \t]+(?P<y2>\d{{4}})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2})"
    r"|(?P<d4>\d{1,2})[./](?P<m4>\d{1,2})[./](?P<y4>\d{4})"  # Italian numeric dates are day first: "01.09.2025"
)
_EFFECTIVE = re.compile(
    r"(?i)(?:takes?[ \t]+effect|(?:shall[ \t]+)?(?:be(?:comes?)?[ \t]+)?effective|comes?[ \t]+into[ \t]+force|"
    r"effective[ \t]+date[ \t]*(?:is|:|means)?)[ \t]+(?:as[ \t]+(?:of|from)[ \t]+|on[ \t]+|from[ \t]+)?(?:the[ \t]+)?"
    # "entra in vigore il 1° settembre 2025", "ha efficacia dal", "con decorrenza dal", "a decorrere dal"
    r"|(?i:(?:entra|entrerà|entrano)[ \t]+in[ \t]+vigore|ha[ \t]+efficacia|con[ \t]+(?:efficacia|decorrenza)|decorre"
    r"|a[ \t]+decorrere|a[ \t]+partire)[ \t]+"
    r"(?i:(?:a[ \t]+(?:decorrere|partire)[ \t]+)?(?:dal|dall['’]|il|in[ \t]+data)[ \t]*)"
)
_ITALIAN_EFFECT = re.compile(r"(?i)entra|entrer|ha[ \t]+efficacia|con[ \t]+|decorre|a[ \t]+(?:decorrere|partire)")
_CAP = re.compile(
    r"(?i)(?:(?:shall|will|may|must|cannot|can|does|do|will[ \t]+in[ \t]+no[ \t]+event)[ \t]+not[ \t]+"
    r"(?:exceed|accumulate|be[ \t]+more[ \t]+than)|not[ \t]+to[ \t]+exceed|cannot[ \t]+exceed|"
    r"capped[ \t]+at|limited[ \t]+to|"
    r"maximum[ \t]+(?:of|credit)|in[ \t]+no[ \t]+event[ \t]+(?:exceed|more[ \t]+than)|may[ \t]+not[ \t]+exceed"
    r"|non[ \t]+(?:potr[àa]nno|potr[àa]|può|possono)[ \t]+(?:in[ \t]+ogni[ \t]+caso[ \t]+)?(?:superare|eccedere)"
    r"|fino[ \t]+a[ \t]+(?:un[ \t]+)?massimo[ \t]+del|nel[ \t]+limite[ \t]+(?:massimo[ \t]+)?del)"
)
_CREDIT_WORD = re.compile(
    r"(?i)\b(?:service[ \t]+credits?|credits?|compensation|refunds?|penalt(?:y|ies)"
    r"|credit[oi](?:[ \t]+di[ \t]+servizio)?|penal[ei]|penalità|risarciment[oi]|rimbors[oi])\b"
)
_FEES = re.compile(
    r"(?i)[^.;]{0,80}?\b(?:the[ \t]+)?(?:amount|fees?|charges?|funds)\b"
    r"[^.;]{0,40}?\b(?:paid|debited|payable|due|charged)"
)
_CLAIM = re.compile(
    r"(?i)\b(?:request|claim|notify|notice|submit|apply|redeem)\w*\b"
    r"|\b(?:richied\w*|richiest\w*|reclam\w*|presentar\w*|contest\w*|segnal\w*|domand\w*)"
)
_EXCLUSION = re.compile(
    r"(?i)\b(?:exclu(?:ded|des|ding|sion|sions)|force[ \t]+majeure|scheduled[ \t]+(?:maintenance|downtime)|"
    r"planned[ \t]+maintenance|not[ \t]+(?:be[ \t]+)?(?:responsible|liable)[ \t]+for[ \t]+a[ \t]+service[ \t]+level|"
    r"not[ \t]+subject[ \t]+to[ \t]+compensation|caused[ \t]+by)\b"
    r"|(?i:\b(?:esclus[eiao]|esclusion[ei]|escludendo|forza[ \t]+maggiore|"
    r"manutenzion[ei][ \t]+(?:programmat|pianificat|concordat)\w*|interventi[ \t]+concordati|"
    r"non[ \t]+sono[ \t]+(?:\*\*)?considerat[ie])\b)"
)
_WITHIN = re.compile(r"(?i)within|no[ \t]+(?:more|later)[ \t]+than|\bentro\b")
# a flat credit for a missed level: "Se il Tasso di Disponibilità Mensile del 99,9 % non viene raggiunto ..., il Cliente
# ha diritto a un Credito di Servizio del 10 % dell'importo mensile fatturato"
_MISSED = re.compile(
    r"(?i)\bnon[ \t]+(?:viene|venga|è|sia|fosse|venisse)[ \t]+(?:raggiunt|rispettat|garantit)\w*"
    r"|\bmancato[ \t]+rispetto\b"
)
_IT_BASE = re.compile(
    r"(?i)(?:in[ \t]+percentuale|%)[ \t*]*(?:del(?:l['’]|la|lo|le)?|sul(?:l['’]|la|lo)?|dei|degli)[ \t]*"
    r"(?P<base>(?:importo|canone|corrispettiv|fattur|costo|prezzo|compenso)[^.;:\n]{0,120}?)[ \t*]*(?=[.;:\n]|$)"
)
_PER_POINT = re.compile(
    r"(?i)(?:for[ \t]+)?(?:each|every|per)[ \t]+(?P<kind>full[ \t]+|whole[ \t]+|complete[ \t]+|partial[ \t]+)?"
    r"(?:percentage[ \t]+point|point|percent(?:age)?|1[ \t]*%|0[.,]1[ \t]*%)"
    r"|(?i:\bper[ \t]+(?:ogni|ciascun)[ \t]+(?:punto(?:[ \t]+percentuale)?|0[.,]1[ \t]*%|1[ \t]*%))"
)
_FIXED = re.compile(
    r"(?i)\b(?:per|for[ \t]+each|each)[ \t]+(?:breach|failure|incident|occurrence|miss|missed|ticket|event)"
    # (not "per ogni ora / giorno di ritardo": an amount per unit of delay is no amount per failure)
    r"|(?i:\bper[ \t]+(?:ogni|ciascun[oa]?)[ \t]+(?:inadempiment|violazion|incident|evento|ticket)\w*)"
)
_AT_RISK = re.compile(r"(?i)at[- ]risk[ \t]+amount")
_BASED_ON = re.compile(
    r"(?i)^[“\"*]*service[ \t]+credits?[”\"*]*[ \t]+means\b[^.]{0,200}?\bbased[ \t]+on[ \t]+(?:the[ \t]+)?"
    r"([^.,;]{3,120}?)(?=[ \t]+in[ \t]+(?:such|that|the|each)\b|[.,;]|$)"
)
_POOL = re.compile(r"(?i)pool[ \t]+(?:allocation|percentage)")


@dataclass
class Rules:
    """The document-wide rules found in its sentences."""

    cap: Span | None = None
    cap_pct: Decimal | None = None
    cap_value: Span | None = None
    claim: Span | None = None
    claim_days: int | None = None
    claim_business: bool = False
    exclusions: list[Span] = field(default_factory=list)
    prose_credits: list[CreditDraft] = field(default_factory=list)
    at_risk: Span | None = None
    at_risk_pct: Decimal | None = None
    formula: Span | None = None
    pool_pct: Decimal | None = None
    credit_base: str | None = None  # what the Service Credit definition says credits are based on
    # flat credits for a missed level, keyed by the target the sentence names ("del 99,9 % non viene raggiunto")
    missed_credits: list[tuple[Decimal, CreditDraft]] = field(default_factory=list)


def read_rules(text: str, sentences: list[tuple[int, int]], headings: dict[int, str]) -> Rules:
    """The rules of the sentences (spans into text); `headings` maps a sentence start to its heading."""
    rules = Rules()
    for a, b in sentences:
        sentence = text[a:b]
        credit_word = _CREDIT_WORD.search(sentence) is not None
        if rules.cap_pct is None and credit_word:
            _cap(text, a, b, rules)
        if rules.claim is None and credit_word and _CLAIM.search(sentence):
            _claim(text, a, b, rules)
        heading = headings.get(a, "").casefold()
        if _EXCLUSION.search(sentence) or "exclusion" in heading or "esclusion" in heading:
            rules.exclusions.append(Span.of(text, a, b))
        if rules.credit_base is None and (based := _BASED_ON.search(sentence)):
            rules.credit_base = " ".join(based.group(1).split())
        if _AT_RISK.search(sentence):
            _pool(text, a, b, rules)
        if credit_word:
            credit = _prose_credit(text, a, b)
            if credit is not None:
                rules.prose_credits.append(credit)
            elif (missed := _missed_credit(text, a, b)) is not None:
                rules.missed_credits.append(missed)
    return rules


def base_in(text: str, a: int, b: int) -> str | None:
    """What an Italian credit is a percentage of: "in percentuale dell'importo mensile fatturato per il servizio VPC"
    -> "importo mensile fatturato per il servizio VPC", "10% del canone mensile" -> "canone mensile"."""
    m = _IT_BASE.search(text, a, b)
    return " ".join(m.group("base").replace("*", "").split()) if m else None


def _missed_credit(text: str, a: int, b: int) -> tuple[Decimal, CreditDraft] | None:
    """A flat credit earned when the level named by its target is missed: one tier below the target."""
    missed = _MISSED.search(text, a, b)
    pcts = percentages(text, a, b)
    if missed is None or len(pcts) != 2 or pcts[0].end > missed.start() or pcts[1].start < missed.end():
        return None
    target, paid = pcts
    tier = TierDraft(None, target.number, paid.number, None, False)
    credit = CreditDraft("tiers", Span.of(text, a, b), tiers=(tier,), base=base_in(text, paid.start, b))
    return target.number, credit


def _cap(text: str, a: int, b: int, rules: Rules) -> None:
    """A cap on the credits: a percentage ("shall not exceed 12% of the Monthly Fees"), or the fees themselves
    ("cannot exceed the amount paid ... for the Reporting Period": 100%). A cap in days of service has no pct."""
    m = _CAP.search(text, a, b)
    if not m:
        return
    near = percentages(text, m.end(), min(b, m.end() + 120))
    if near:
        rules.cap_pct, rules.cap_value = near[0].number, Span.of(text, near[0].start, near[0].end)
    elif _FEES.match(text, m.end(), b):
        rules.cap_pct, rules.cap_value = Decimal(100), Span.of(text, *_trim(text, m.end(), b))
    elif rules.cap is not None:
        return
    rules.cap = Span.of(text, a, b)


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    return a, b


def _claim(text: str, a: int, b: int, rules: Rules) -> None:
    for value in durations(text, a, b):
        if value.unit in {"days", "business days"} and _WITHIN.search(text, max(a, value.start - 25), value.start):
            rules.claim, rules.claim_days = Span.of(text, a, b), int(value.number)
            rules.claim_business = value.unit == "business days"
            return


def _pool(text: str, a: int, b: int, rules: Rules) -> None:
    sentence = text[a:b]
    pct = percentages(text, a, b)
    if pct and re.search(
        r"(?i)%[ \t]*of[ \t]+(?:the[ \t]+)?(?:monthly|annual|quarterly)?[ \t]*(?:fees|charges|invoice)", sentence
    ):
        rules.at_risk, rules.at_risk_pct = Span.of(text, a, b), pct[0].number
    elif re.search(r"(?i)\bx\b|×|multipl|\*", sentence) and rules.formula is None:
        rules.formula = Span.of(text, a, b)
    if _POOL.search(sentence) and pct:
        rules.pool_pct = pct[-1].number


def _prose_credit(text: str, a: int, b: int) -> CreditDraft | None:
    """A per-point or fixed-amount credit written in the sentence text[a:b]."""
    sentence = text[a:b]
    per_point = _PER_POINT.search(sentence)
    pcts = percentages(text, a, b)
    if per_point and pcts:
        kind = (per_point.group("kind") or "").strip().casefold()
        partial = (
            kind == "partial"
            or re.search(r"(?i)or[ \t]+(?:any[ \t]+)?(?:part|fraction)[ \t]+(?:thereof|of[ \t]+a[ \t]+point)", sentence)
            is not None
            or re.search(r"(?i)\bo[ \t]+(?:sua[ \t]+)?(?:frazione|parte)\b", sentence) is not None
        )
        base = _base_after(sentence, pcts[0].end - a)
        return CreditDraft("per-point", Span.of(text, a, b), pct_per_point=pcts[0].number, partial=partial, base=base)
    money = amounts(text, a, b)
    if money and _FIXED.search(sentence):
        return CreditDraft("fixed", Span.of(text, a, b), amount=money[0].number, currency=money[0].unit)
    return None


def _base_after(sentence: str, at: int) -> str | None:
    m = re.match(
        r"[ \t]*of[ \t]+(?:the[ \t]+)?([^.;,]{3,100}?)(?=[ \t]+(?:for|per|if|in|when)\b|[.;,]|$)"
        # "1% del canone mensile per ogni punto": Italian
        r"|[ \t*]*(?:del(?:l['’]|la|lo|le)?|sul(?:l['’]|la|lo)?|dei|degli)[ \t]*([^.;,]{3,100}?)"
        r"(?=[ \t]+(?:per|se|in|qualora|quando)\b|[.;,]|$)",
        sentence[at:],
    )
    return (m.group(1) or m.group(2)).strip() if m else None


def effective_date(text: str) -> tuple[date, Span] | None:
    """A document's own effective date ("takes effect on 1 September 2025"), if it states one."""
    for m in _EFFECTIVE.finditer(text, 0, min(len(text), 200_000)):
        d = _DATE.match(text, m.end(), min(len(text), m.end() + 40))
        if d is None or (d.group("d4") and "/" in d.group(0) and not _ITALIAN_EFFECT.match(m.group(0))):
            continue  # "effective as of 09/01/2025" in English is month first: not read as a day-first date
        parsed = _parse_date(d)
        if parsed is not None:
            return parsed, Span.of(text, m.start(), d.end())
    return None


def _parse_date(m: re.Match[str]) -> date | None:
    try:
        if m.group("y1"):
            return date(int(m.group("y1")), MONTHS[m.group("m1").casefold()], int(m.group("d1")))
        if m.group("y2"):
            return date(int(m.group("y2")), MONTHS[m.group("m2").casefold()], int(m.group("d2")))
        if m.group("y3"):
            return date(int(m.group("y3")), int(m.group("m3")), int(m.group("d3")))
        return date(int(m.group("y4")), int(m.group("m4")), int(m.group("d4")))
    except ValueError:
        return None
