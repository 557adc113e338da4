"""Kinds of clause a question asks for by name, and whether a contract has one at all.

"is there a force majeure clause in the gridiron supply agreement?" asks whether a kind of clause exists. A
contract without one still has clauses that come close in meaning (a delay, a termination), so similarity
cannot say no; the words can. Each kind lists the ways any clause of that kind is written, generously (a force
majeure clause speaks of "force majeure", "acts of God" or events "beyond its reasonable control"), as patterns
over the documents' text: words in their order, so that "data" and "protection" apart are no "data protection",
and whole words, so that "insurrection" is no insurance. When the documents a question is about match none of
them, they have no such clause. A kind is only asked about when the question names it in so many words, in
English or in Italian; a clause may be written in either.

The kinds follow CUAD's clause categories that people ask about by name (The Atticus Project's category list,
`../shared/bench/cuad/category_descriptions.csv`), with the words their clauses use in CUAD's contracts
(`benchmarks/clause_types.py` measures both error rates there), the remedies of SLAs, and two fees people ask
about (a termination fee, late-payment interest), which are no CUAD category and are unmeasured.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ClauseType:
    name: str  # "force majeure"
    asked: re.Pattern[str]  # the question names the kind
    written: re.Pattern[str]  # any clause of the kind matches it


_ENDING = r"\b(?:terminat|cancel|recesso|recedere|risoluzione|disdetta)\w*"
_OWED_ON_ENDING = (
    r"\bliquidated\b|\bremaining\s+(?:\S+\s+){0,4}(?:fees|payments|charges|term|months)\b"
    r"|\b(?:balance|remainder)\s+of\s+the\s+(?:\S+\s+){0,3}(?:fees|term|payments)\b|\bpenal[ei]\b|\bindennit\w*"
)


def _kind(name: str, asked: str, written: str) -> ClauseType:
    return ClauseType(name, re.compile(asked, re.IGNORECASE), re.compile(written, re.IGNORECASE))


CLAUSE_TYPES = (
    _kind(
        "force majeure",
        r"\bforce[\s-]*majeure\b|\bacts?\s+of\s+god\b|\bforza\s+maggiore\b|\bcaso\s+fortuito\b",
        r"\bmajeure\b|\bacts?\s+of\s+god\b|\bbeyond\s+(?:\S+\s+){0,4}control\b|\bunforeseeable\b"
        r"|\bforza\s+maggiore\b|\bcaso\s+fortuito\b|\bimprevedibil[ei]\b",
    ),
    _kind(
        "non-compete",
        r"\bnon[\s-]?compete\b|\bnoncompet\w*|\bnon[\s-]?competition\b|\bnot\s+to\s+compete\b"
        r"|\bnon\s+concorrenza\b|\bdivieto\s+di\s+concorrenza\b",
        r"\bcompet(?:e|es|ed|ing|ition|itive|itor|itors)\b|\bconcorren(?:za|te|ti|ziale|ziali)\b"
        # "neither party shall, directly or indirectly, sell ...": CUAD's lawyers count such covenants too
        r"|\b(?:(?:shall|will|may)\s+not|neither\s+(?:\S+\s+){0,8}(?:shall|will|may)\b,?)\s+(?:\S+\s+){0,6}"
        r"(?:engage|participate|sell|offer|market|promote)\b"
        r"|\bagrees?\s+not\s+to\s+engage\b",
    ),
    _kind(
        "non-solicitation",
        r"\bnon[\s-]?solicit\w*|\bno[\s-]?poach\w*|\bno[\s-]?hire\b"
        r"|\bstorno\s+(?:del|dei|di)\s+(?:personale|dipendenti)\b|\bnon\s+sollecitazione\b",
        # "employ" the verb ("shall not employ any person ..."), not "employees", which every contract names
        r"\bsolicit\w*|\bhir(?:e|es|ed|ing)\b|\brecruit\w*|\bemploy(?:s|ed|ing|ment)?\b|\bstorno\b|\bsollecit\w*"
        r"|\bassun\w*",
    ),
    _kind(
        "escrow",
        r"\bescrow\b|\bdeposito\s+(?:del\s+)?codice\s+sorgente\b",
        # not "seek to access the source code", which a restriction on reverse engineering says
        r"\bescrow\w*|\bsource\s+code\s+(?:\S+\s+){0,3}(?:deposit\w*|releas\w*)|\bsource\s+code\s+access\b"
        r"|\b(?:deposit\w*|releas\w*)\s+(?:\S+\s+){0,4}source\s+code\b|\bcodice\s+sorgente\b",
    ),
    _kind(
        "insurance",
        r"\binsurance\b|\binsured\b|\be&o\b|\berrors\s+(?:and|&)\s+omissions\b|\bassicurazion[ei]\b|\bpolizz[ae]\b",
        # not "assicura" / "assicurare" alone: the Italian verb is "to ensure" as much as "to insure"
        r"\binsur(?:e|es|ed|er|ers|ing|ance|ances|able)\b(?!\s+portability)|\bassicurazion[ei]\b|\bassicurativ[aoei]\b"
        r"|\bassicurator[ei]\b|\bpolizz[ae]\b",
    ),
    _kind(
        "audit",
        r"\baudits?\b|\bauditing\b|\bispezion[ei]\b|\bverifiche\s+ispettive\b",
        r"\baudit\w*|\binspect\w*|\bexamin\w*|\bbooks\b|\brecords?\s+(?:\S+\s+){0,6}(?:available|review\w*)"
        r"|\bavailable\s+(?:\S+\s+){0,4}records\b|\benter\s+(?:\S+\s+){0,6}premises\b|\bispezion[ei]\b"
        r"|\bispettiv[aei]\b",
    ),
    _kind("jury trial waiver", r"\bjury\b", r"\bjury\b"),
    _kind(  # a support SLA without remedies: "do we get credits if they miss a P1 response?"
        "service credits",
        r"\bcredits?\b|\brefunds?\b|\bcompensation\b|\bcompensated\b|\bpenalt(?:y|ies)\b|\brebates?\b"
        r"|\bcredit[oi]\b|\bindennizz[oi]\b|\brimbors[oi]\b|\bpenal[ei]\b",
        r"\bcredit\w*|\bcompensat\w*|\brefund\w*|\brebate\w*|\bpenalt(?:y|ies)\b|\bliquidated\b|\bdiscount\w*"
        r"|\breduc(?:e|ed|es|tion|tions)\b|\bcredit[oi]\b|\bindennizz\w*|\brimbors\w*|\bpenal[ei]\b",
    ),
    _kind(  # "does the common paper csa have an uptime sla": its SLA is another document
        "uptime",
        r"\buptime\b|\bavailability\s+(?:sla|target|commitment|guarantee|level)s?\b|\bdowntime\b"
        r"|\b(?:livello|livelli|garanzia)\s+di\s+disponibilit\w*|\bindisponibilit\w*",
        r"\buptime\b|\bavailability\b|\bdowntime\b|\bunavailab\w*|\boutages?\b|\bservice[\s-]+levels?\b"
        r"|\bsla\b|\bdisponibilit\w*|\bindisponibilit\w*|\blivell[oi]\s+di\s+servizio\b|\binterruption\w*"
        r"|\binterruzion\w*",
    ),
    # the service levels of a contact centre, asked by their names: a contract without the measure has no target
    _kind(
        "average speed of answer",
        r"\basa\b|\baverage\s+speed\s+(?:of|to)\s+answer\b|\btempo\s+medio\s+di\s+risposta\b",
        r"\basa\b|\bspeed\s+(?:of|to)\s+answer\w*|\baverage\s+(?:speed|time)\s+(?:\S+\s+){0,2}answer\w*"
        r"|\b(?:calls?|chats?)\s+(?:\S+\s+){0,3}answered\s+within\b|\btempo\s+medio\s+di\s+risposta\b",
    ),
    _kind(
        "average handle time",
        r"\baht\b|\baverage\s+handl\w*\s+time\b|\btempo\s+medio\s+di\s+gestione\b",
        r"\baht\b|\bhandl\w*\s+times?\b|\btalk\s+time\b|\btempo\s+medio\s+di\s+gestione\b",
    ),
    _kind(
        "first contact resolution",
        r"\bfcr\b|\bfirst[\s-]+(?:call|contact|time)\s+resolution\b|\brisoluzione\s+al\s+primo\s+contatto\b",
        r"\bfcr\b|\bfirst[\s-]+(?:call|contact|time)\s+(?:resolution|fix)\w*|\bresolved\s+(?:on|at|during|in)\s+"
        r"(?:the\s+)?first\b|\bprimo\s+contatto\b",
    ),
    _kind(
        "customer satisfaction",
        r"\bcsat\b|\bcustomer\s+satisfaction\b|\bnps\b|\bnet\s+promoter\b|\bsoddisfazione\s+del\s+cliente\b",
        r"\bsatisf\w*|\bcsat\b|\bnet\s+promoter\b|\bnps\b|\bsurvey\w*|\bsoddisfazione\b",
    ),
    _kind(
        "abandonment rate",
        r"\babandon\w*\s+(?:rate|calls?)\b|\btasso\s+di\s+abbandono\b|\bchiamate\s+abbandonate\b",
        r"\babandon\w*|\babbandon\w*",
    ),
    _kind(
        "confidentiality",
        r"\bconfidentiality\b|\bnon[\s-]?disclosure\b|\bnda\b|\briservatezza\b|\bnon\s+divulgazione\b",
        r"\bconfidential\w*|\bdisclos\w*|\bsecre(?:t|ts|cy)\b|\bproprietary\b|\briservat\w*|\bconfidenzial\w*"
        r"|\bsegret\w*|\bdivulga\w*",
    ),
    _kind(
        "governing law",
        r"\bgoverning\s+law\b|\b(?:which|what)\s+(?:state'?s?\s+|country'?s?\s+)?laws?\s+(?:govern|appl(?:y|ies))\w*"
        r"|\bchoice\s+of\s+law\b|\bapplicable\s+law\s+of\s+the\s+(?:contract|agreement)\b"
        r"|\blegge\s+applicabile\b|\bdiritto\s+applicabile\b|\bquale\s+legge\b",
        r"\bgovern\w*\s+(?:\S+\s+){0,10}laws?\b|\b(?:accordance\s+with|under|application\s+of)\s+(?:\S+\s+){0,2}laws?\s+of\b"
        r"|\binterpret\w*\s+(?:\S+\s+){0,10}laws?\b|\blaws?\s+(?:\S+\s+){0,6}(?:govern|appl(?:y|ies|icable))\w*"
        r"|\bconstru\w*\s+(?:\S+\s+){0,10}laws?\b|\bchoice\s+of\s+law\b|\bgoverning\s+law\b"
        r"|\blegge\s+(?:applicabile|italiana)\b|\bdiritto\s+(?:applicabile|italiano)\b"
        r"|\b(?:disciplinat|regolat|sottopost)[oaie]\s+(?:\S+\s+){0,4}(?:legge|leggi|diritto)\b",
    ),
    _kind(
        "non-disparagement",
        r"\b(?:non[\s-]?)?disparag\w*|\bbad[\s-]?mouth\w*|\bdenigra\w*",
        r"\bdisparag\w*|\bdenigra\w*|\bdefam\w*|\b(?:negative|derogatory|critical)\s+(?:\S+\s+){0,2}"
        r"(?:statements?|comments?|remarks?)\b|\breputation\w*|\bdiscredit\w*|\bprejudicial\b|\binjurious\b"
        r"|\battack\w*|\bimpair\w*",
    ),
    _kind(
        "third-party beneficiaries",
        r"\bthird[\s-]+party\s+beneficiar\w*|\bterz[oi]\s+beneficiari\w*",
        r"\bbeneficiar\w*|\benforce\w*\s+(?:\S+\s+){0,6}third\s+part\w*|\bthird\s+part\w*\s+(?:\S+\s+){0,6}"
        r"(?:rights?|enforce\w*|benefit\w*)\b|\bbenefit\w*\s+(?:\S+\s+){0,8}(?:third|person|other\s+than)\b"
        r"|\bconfer\w*\s+(?:\S+\s+){0,8}(?:rights?|remed\w*|benefit\w*)|\binure\w*|\bsole\s+benefit\b"
        r"|\bfavore\s+di\s+terzi\b|\bterz[oi]\s+beneficiari\w*",
    ),
    _kind(
        "change of control",
        r"\bchange[sd]?\s+(?:of|in)\s+(?:\S+\s+)?control\b|\bcambio\s+(?:di|del)\s+controllo\b",
        r"\bchange[sd]?\s+(?:of|in)\s+(?:\S+\s+)?control\b|\bmerg\w*|\bacqui\w*|\bconsolidat\w*"
        r"|\b(?:sale|transfer)\s+of\s+(?:all|substantially|a\s+majority|more\s+than)\b|\bcontrolling\s+interest\b"
        r"|\b(?:operation\s+of\s+law|by\s+operation)\b|\breorgani[sz]\w*|\bcontroll\w*\b|\bfusion[ei]\b"
        r"|\bcession[ei]\b",
    ),
    _kind(
        "termination fee",
        r"\b(?:early\s+)?termination\s+(?:fees?|charges?|penalt(?:y|ies)|payments?)\b|\bexit\s+fees?\b"
        r"|\bbreak\s+fees?\b|\bcancell?ation\s+(?:fees?|charges?)\b|\bpenal[ei]\s+(?:di|per\s+il)\s+recesso\b",
        r"\b(?:termination|cancell?ation|exit|break|early[\s-]+terminat\w*)\s+(?:\S+\s+){0,2}"
        r"(?:fees?|charges?|payments?|penalt(?:y|ies)|costs?)\b|\bcorrispettiv\w*\s+(?:\S+\s+){0,6}recesso\b"
        # what is owed on ending early, in the sentence that ends it: "upon termination ... the remaining fees",
        # not "Service Credits constitute liquidated damages" or a liability cap's "remaining prepaid fees"
        rf"|{_ENDING}[^.;]{{0,200}}(?:{_OWED_ON_ENDING})|(?:{_OWED_ON_ENDING})[^.;]{{0,200}}{_ENDING}",
    ),
    _kind(
        "late payment interest",
        r"\blate[\s-]+(?:payments?\s+)?(?:interest|fees?|charges?|penalt(?:y|ies))\b"
        r"|\binterest\s+(?:\S+\s+){0,2}(?:late|overdue|unpaid|past[\s-]+due)\b|\binteressi\s+(?:di\s+)?mora\w*"
        r"|\binteressi\s+moratori\b",
        r"\binterest\b|\blate[\s-]+(?:payments?\s+)?(?:fees?|charges?|penalt\w*)|\d\s?%\s+(?:\S+\s+){0,3}"
        r"(?:per\s+(?:month|annum|year)|a\s+month|monthly|annually)\b|\binteress\w*|\bmora\b",
    ),
    _kind(
        "data protection",
        r"\bgdpr\b|\bdata\s+protection\b|\bprivacy\b|\bdpa\b|\bdati\s+personali\b|\bprotezione\s+dei\s+dati\b",
        r"\bdata\s+protection\b|\bpersonal\s+(?:data|information)\b|\bprivacy\b|\bgdpr\b|\bpersonally\s+identifiable\b"
        r"|\bdati\s+personali\b|\bprotezione\s+dei\s+dati\b|\btrattamento\s+dei\s+dati\b",
    ),
)


def absent_clause_type(question: str, texts: Iterable[str]) -> str | None:
    """The kind of clause the question asks for by name, as it names it ("force majeure", "forza maggiore"),
    when none of `texts` (the documents the question is about) is written the way such a clause is; else None."""
    asked = [(kind, m) for kind in CLAUSE_TYPES if (m := kind.asked.search(question))]
    if not asked:
        return None
    found = {kind.name: False for kind, _ in asked}
    for text in texts:
        for kind, _ in asked:
            if not found[kind.name] and kind.written.search(text):
                found[kind.name] = True
        if all(found.values()):
            return None
    return next(m.group(0).lower() for kind, m in asked if not found[kind.name])
