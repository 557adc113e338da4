"""The values a line may hold: durations, hours of service, e-mail and web addresses, quantities in units,
percentages, money, dates, frequencies, counts, governing law, parties, and the yes-or-no cues (a negative, a
permission, an obligation), as `PATTERNS` by kind, with
`STRENGTH` for how much a cue says on its own and `QUALIFIED` for a value that carries its bound ("within",
"no later than"). `values_in` finds the spans of one kind in part of a text that tell more than the question
says; `defined_spans` finds the terms a text defines that the question names.
"""

from __future__ import annotations

import math
import re

from knowledge.asking import matches_any
from knowledge.signals import DATE
from knowledge.sla_words import ITALIAN_NUMBER
from knowledge.text import tokenize

# -- values in a line ----------------------------------------------------------------------------
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_WORD_NUMBER = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)"
)
_WORDS = rf"{_WORD_NUMBER}(?:[\s-]+(?:and\s+)?{_WORD_NUMBER})*"
# "30", "thirty (30)", and "24 (twenty four)" as translated contracts write it
_QTY = rf"(?:{_NUM}\s*\(\s*{_WORDS}\s*\)|{_NUM}|{_WORDS}(?:\s*\(\s*{_NUM}\s*\))?)"
_QUALIFIER = (
    r"(?:\b(?:within|at\s+least|no\s+later\s+than|not\s+later\s+than|no\s+more\s+than|not\s+more\s+than|"
    r"no\s+less\s+than|not\s+less\s+than|up\s+to|at\s+most|a\s+maximum\s+of|a\s+minimum\s+of|more\s+than|"
    r"less\s+than|fewer\s+than|in\s+excess\s+of)\s+)?"
)
_UNIT = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|quarters?)"
_CLOCK = r"\b(?:[01]?\d|2[0-3])(?:[.:][0-5]\d)?\s?(?:am|pm|a\.m\.|p\.m\.)|\b(?:[01]?\d|2[0-3]):[0-5]\d\b(?:\s?hrs\b)?"
_DAY = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\b"
_ZONE = r"(?:(?:[A-Z][a-z]+\s+){1,2}(?:Standard\s+)?Time\b|GMT|UTC|BST|CET|[ECMP][SD]?T\b)"
# Italian: "entro 20 (venti) giorni solari", "trenta (30) giorni", "99,95 %", "€ 11.291.100,00", "1° aprile 2025"
_NUM_IT = r"(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"
_QTY_IT = rf"(?:\d+\s*\(\s*{ITALIAN_NUMBER}\s*\)|\d+|{ITALIAN_NUMBER}(?:\s*\(\s*\d+\s*\))?)"
_QUALIFIER_IT = (
    r"(?:\b(?:entro(?:\s+e\s+non\s+oltre)?(?:\s+il\s+termine\s+(?:massimo\s+)?di)?(?:\s+(?:i|il|le|gli))?|almeno|non\s+oltre"
    r"|non\s+più\s+di|non\s+meno\s+di|non\s+inferiore\s+a(?:l|i|lla|lle)?|non\s+superiore\s+a(?:l|i|lla|lle)?|fino\s+a(?:l)?"
    r"|al\s+massimo|per\s+un\s+periodo\s+di|con\s+(?:un\s+)?preavviso(?:\s+scritto)?\s+di(?:\s+almeno)?|pari\s+a(?:l)?)\s+)?"
)
_UNIT_IT = r"(?:secondi|minut[oi]|ore|giorn[oi]|settiman[ae]|mes[ei]|trimestr[ei]|ann[oi])"
_HOUR_IT = r"\b(?:[01]?\d|2[0-3])(?:[:.][0-5]\d)?\b"
_DAY_IT = r"(?i:lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica)\b"
_MONTH_IT = r"(?:gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre)"
PATTERNS = {
    "duration": re.compile(
        rf"{_QUALIFIER}\b{_QTY}(?:\s+(?:or|and)\s+(?:more|less|fewer|longer))?[\s-]+(?:\(\s*{_NUM}\s*\)\s*)?"
        rf"(?:(?:business|calendar|working|consecutive|banking)[\s-]+)?{_UNIT}\b(?:['\u2019](?:s\b)?)?"
        rf"(?:\s+(?:prior\s+)?(?:written\s+)?notice\b)?"
        rf"|{_QUALIFIER}\b{_NUM}\s?(?:h|hrs?|mins?|d)\b"  # "12h", "30 min", as support tables write them
        # "on the third business day following such mailing", "the next business day"
        r"|\b(?:on\s+)?the\s+(?:first|second|third|fourth|fifth|sixth|seventh|tenth|next|following)\s+"
        r"(?:(?:business|working|calendar|banking)\s+)?day\b(?:\s+(?:after|following)\s+(?:\S+\s+){0,2}?"
        r"(?:mailing|delivery|dispatch|receipt|sending|posting|transmission|notice|date))?"
        rf"|{_QUALIFIER_IT}\b{_QTY_IT}\s+{_UNIT_IT}\b(?:\s+(?:lavorativ[ie]|solari|di\s+calendario|calendario"
        r"|naturali(?:\s+e\s+consecutivi)?|consecutiv[ie])\b)?(?:\s+di\s+preavviso\b)?",
        re.IGNORECASE,
    ),
    # hours of the day and days of the week: "9.30am to 5.30pm, Monday to Friday", "6:30 a.m. and 6:30 p.m. Eastern
    # Time Monday through Friday", "24x7"
    "time": re.compile(
        rf"(?i:between\s+)?(?i:{_CLOCK})(?:\s*(?i:to|-|\u2013|until|till|and|through)\s*(?i:{_CLOCK}))?(?:\s+{_ZONE})?"
        rf"(?:,?\s+(?i:on\s+)?{_DAY}(?:\s*(?i:to|-|\u2013|through|thru)\s*{_DAY})?)?"
        rf"|\b{_DAY}\s*(?i:to|-|\u2013|through|thru)\s*{_DAY}"
        r"|\b24\s*(?:x|/)\s*7\b|\b24\s+hours\s+a\s+day,?\s+(?:7|seven)\s+days\s+(?:a|per)\s+week\b"
        # Italian: "dalle 8:00 alle 18:00", "8:00 - 18:00; lunedì – venerdì", "dal lunedì al venerdì", "24h/24, 7g/7"
        rf"|(?i:dalle\s+){_HOUR_IT}\s*(?i:alle|-|\u2013)\s*{_HOUR_IT}(?:,?\s+(?i:dal\s+)?{_DAY_IT}\s*(?i:al|-|\u2013)\s*{_DAY_IT})?"
        rf"|(?i:dal\s+)?\b{_DAY_IT}\s*(?i:al|-|\u2013)\s*{_DAY_IT}"
        r"|\b24\s*(?i:h)\s*/\s*24\b(?:,?\s+7\s*(?i:g)\s*/\s*7\b)?|\b24\s+(?i:ore\s+su)\s+24\b(?:\s+(?i:e\s+)?7\s+(?i:giorni\s+su)\s+7\b)?"
    ),
    # where to write or look: an e-mail address, a web address
    "place": re.compile(
        r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\bhttps?://[^\s)>\]|]+|\bwww\.[^\s)>\]|]+"
        r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/[\w/.-]*[\w/]"
    ),
    # a quantity in a unit that is no time or money: "150 MB", "30,000 lbs", "10 Mbps", "50 seats"
    "measure": re.compile(
        rf"{_QUALIFIER}\b{_QTY}\s?(?:[KMGTP]i?B|[KMG]bps|GHz|MHz|kWh?|MWp?|lbs?\b\.?|kg|tonnes?|tons?|"
        rf"(?i:units?|seats?|users?|licen[cs]es?|named\s+users?))\b",
    ),
    "percent": re.compile(
        rf"{_QUALIFIER}(?:\b{_WORD_NUMBER}(?:[\s-]+{_WORD_NUMBER})*\s+(?:percent|per\s+cent)\s*\(\s*{_NUM}\s*%\s*\)"
        rf"|\b{_NUM}\s?(?:%|percent\b|per\s+cent\b))"
        rf"|{_QUALIFIER_IT}(?:\b\d+(?:,\d+)?\s?(?:%|per\s?cento\b)"
        rf"|\b{ITALIAN_NUMBER}\s+per\s?cento\b(?:\s*\(\s*{_NUM_IT}\s*%\s*\))?)",
        re.IGNORECASE,
    ),
    "money": re.compile(
        # "€ 11.291.100,00", "1.500 euro": Italian thousands and cents first, where they are written so
        rf"{_QUALIFIER_IT}(?:\u20ac\s?\d{{1,3}}(?:\.\d{{3}})+(?:,\d{{2}})?(?![\d.,])|\b\d{{1,3}}(?:\.\d{{3}})*(?:,\d{{2}})?\s?euro\b)|"
        rf"{_QUALIFIER}(?:(?:[$\u20ac\u00a3]|\b(?:USD|EUR|GBP|CAD|AUD|CHF|JPY|INR|US\$)\s?)\s?{_NUM}"
        rf"(?:\s?(?:million|billion|thousand|bn|m|k)\b)?|\b{_NUM}\s?(?:million\s+|billion\s+)?"
        rf"(?:dollars|euros|pounds|USD|EUR|GBP)\b|\b{_NUM}\s?[\u20ac$\u00a3](?!\w))",  # "200,000 €": the sign after
        re.IGNORECASE,
    ),
    "date": re.compile(
        rf"(?:\b(?:no\s+later\s+than|not\s+later\s+than|on\s+or\s+before|by|before|until|from|on|after)\s+)?"
        rf"(?:{DATE.pattern})"
        rf"|(?:\b(?:entro\s+(?:e\s+non\s+oltre\s+)?il|a\s+decorrere\s+dal|a\s+partire\s+dal|dal|fino\s+al|sino\s+al|il)\s+)?"
        rf"\b\d{{1,2}}°?\s+{_MONTH_IT}\s+\d{{4}}\b",
        re.IGNORECASE,
    ),
    "frequency": re.compile(
        rf"\b(?:once|twice|{_QTY}\s+times)\s+(?:per|a|an|each|every|in\s+any|in\s+each)\s+(?:\w+\s+)?"
        rf"(?:year|month|quarter|week|day|period)s?\b|\b(?:annually|quarterly|monthly|weekly|daily|yearly|"
        rf"semi-annually|bi-annually)\b|\bevery\s+(?:{_QTY}\s+)?(?:years?|months?|quarters?|weeks?|days?)\b"
        # "measured in a calendar month", "per calendar quarter"
        r"|\b(?:in|per|each|every|during)\s+(?:(?:a|an|each|any|every|the)\s+)?calendar\s+(?:month|quarter|year|week)\b"
        r"|\b(?:mensil(?:e|i|mente)|trimestral(?:e|i|mente)|semestral(?:e|i|mente)|annual(?:e|i|mente)|settimanal(?:e|i|mente)"
        r"|giornalier[oaie]|quotidian(?:o|a|i|e|amente))\b|\bogni\s+(?:mese|trimestre|semestre|anno|settimana|giorno)\b"
        rf"|\b(?:una|{_QTY_IT})\s+volt[ae]\s+(?:al|all['’]|a|per|ogni)\s*(?:mese|anno|settimana|trimestre|semestre|giorno)\b",
        re.IGNORECASE,
    ),
    "count": re.compile(rf"\b{_QTY}\s+(?!of\b|percent\b|per\b)[A-Za-z][\w-]*", re.IGNORECASE),
    "law": re.compile(
        r"\b(?i:laws?\s+(?:and\s+(?:[a-z]+\s+){1,3})?of\s+(?:the\s+)?)(?:(?:State|Commonwealth|Province|Republic|Kingdom)\s+of\s+)?"
        r"[A-Z][\w.]*(?:\s+(?:of\s+)?[A-Z][\w.]*)*"
        r"|\b(?i:courts?\s+(?:of|in|located\s+in|sitting\s+in)\s+(?:the\s+)?)[A-Z][\w.]*(?:\s+(?:of\s+)?[A-Z][\w.]*)*"
        # "il Foro competente è quello di Palermo", "il diritto francese", "la legge italiana"
        r"|\b(?i:foro\s+(?:competente|esclusivo)(?:\s+\w+){0,4}?\s+(?:di|è\s+quello\s+di)\s+)[A-Z]\w*(?:\s+[A-Z]\w*)*"
        r"|\b(?i:(?:legge|diritto|ordinamento)\s+(?:italian[oa]|frances[ei]|ingles[ei]|tedesc[oa]|spagnol[oa]|svizzer[oa]))\b"
    ),
    "party": re.compile(
        r"\bat\s+(?:its|their|(?:the\s+)?[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3}['\u2019]s?)\s+(?:own\s+|sole\s+)?"
        r"(?:cost|expense|charge|risk)\b"
        r"|(?:\b[A-Z][\w&'-]*,?\s+){1,5}(?:Inc|Ltd|LLC|L\.L\.C|plc|GmbH|S\.A\.S|S\.A|Corp|Corporation|Limited|"
        r"LLP|LP|AG|B\.V|N\.V|SE|S\.p\.A|Pty|S\.r\.l|Srl|SpA|S\.n\.c|S\.a\.s"
        r"|INC|LTD|CORP|CORPORATION|COMPANY|Company|LIMITED|TRUST|Trust|BANK|Bank)\b\.?"  # "FEDERATED ... COMPANY"
        r"|\b(?:(?:Each|Either|Neither|Both|The\s+other)\s+)?(?:Service\s+Provider|Vendor|Supplier|Provider|Client|"
        r"Customer|Company|Contractor|Consultant|Licensor|Licensee|Processor|Controller|Sub-processor|Buyer|"
        r"Seller|Purchaser|Distributor|Reseller|Franchisee|Franchisor|Part(?:y|ies))\b"
    ),
    "negative": re.compile(
        r"\b(?i:shall|may|must|will|can|is|are|does|do|need|has|have)\s+(?i:not|no\s+longer)(?:\s+be)?"
        r"(?:\s+(?!the\b|a\b|an\b|to\b)[a-z][\w-]*)?"
        r"|\b(?i:cannot)(?:\s+[a-z][\w-]*)?"
        r"|\b(?i:not|never)\s+(?:permitted|allowed|entitled|sufficient|required|available|liable|responsible|"
        r"obliged|obligated|included|covered|counted|eligible|considered|deemed|paid|payable|owed|due)\b"
        # a restriction: "for P1 (critical) incidents only", "only if", "excluding unavailability caused by"
        r"|\b(?i:for|to|by|in|on|with)\s+(?:[\w()'\u2019-]+\s+){1,6}(?i:only)\b"
        r"|\b(?i:only)\s+(?i:if|when|after|for|to|in|on|with|upon|where)\b"
        r"|\b(?i:excluding|except\s+for)\s+[a-z][\w-]*"
        r"|\b(?i:no)\s+[\w\s,'-]{1,60}?\bunless\b"
        r"|\b(?i:without)\s+(?:[\w'\u2019-]+\s+){0,5}?(?i:consent|approval|authori[sz]ation)\b"
        r"|\b(?i:prohibited|excluded|not\s+(?:a|an)\s+[a-z][\w-]*)\b"
        # Italian: "non può", "non è tenuto", "senza il preventivo consenso", "è vietato", "solo se"
        r"|\b(?i:non)\s+(?i:può|possono|potrà|potranno|deve|devono|dovrà|dovranno|è|sono|sarà|saranno|ha|hanno)\b"
        r"(?:\s+(?!il\b|lo\b|la\b|un\b|una\b)[a-zà-ù][\w-]*)?"
        r"|\b(?i:senza)\s+(?:[\w'’-]+\s+){0,4}?(?i:consenso|autorizzazione|approvazione)\b"
        r"|\b(?i:vietat[oaie]|esclus[oaie]|escluso|ad\s+eccezione\s+d[ei])\b"
        r"|\b(?i:solo|soltanto|esclusivamente)\s+(?i:se|qualora|quando|per|in|nel|nei|dopo)\b"
    ),
    "permission": re.compile(
        r"\b(?i:may|can|is\s+entitled\s+to|are\s+entitled\s+to|is\s+permitted\s+to|has\s+the\s+right\s+to|"
        r"have\s+the\s+right\s+to|(?:shall|will)\s+be\s+(?:entitled|permitted|allowed)\s+to|"
        r"(?:shall|will)\s+have\s+the\s+right\s+to)\s+(?!not\b)[a-z][\w-]*"
        r"|\b(?i:automatically)\s+[a-z][\w-]*"
        r"|\b(?i:può|possono|potrà|potranno|ha\s+(?:il\s+)?diritto\s+(?:di|a)|hanno\s+(?:il\s+)?diritto\s+(?:di|a)|"
        r"ha\s+(?:la\s+)?facoltà\s+di|hanno\s+(?:la\s+)?facoltà\s+di|è\s+autorizzat[oa]\s+a)"
        r"(?:\s+(?!non\b|un\b|una\b|il\b|lo\b|la\b|i\b|gli\b|le\b)[a-zà-ù][\w-]*)?"
        r"|\b(?i:automaticamente|tacitamente)\s+[a-zà-ù][\w-]*"
    ),
    # an obligation answers "does / must / who ..." only when it is the question's own verb ("shall pay")
    "obligation": re.compile(r"\b(?i:shall|must|will|agrees\s+to)\s+(?!not\b)(?:be\s+)?([a-z][\w-]*)"),
}
# how much a kind of value says on its own: a yes/no cue is in nearly every clause, a number is not
STRENGTH = {"negative": 0.5, "permission": 0.3, "obligation": 0.3}
_REFERENCE = re.compile(
    r"(?:\b(?:section|article|clause|schedule|exhibit|annex|appendix|sow|sl|severity|priority|p|no|page|tier|"
    r"level|step|item|paragraph)\.?|§)\s*$",
    re.IGNORECASE,
)
_DEFINES = re.compile(
    r"[\"\u201c](?:\*\*|__)?([^\"\u201d*\n]{2,80})(?:\*\*|__)?[\"\u201d](?:\*\*|__)?\s*(?:\([^)\n]{0,60}\)\s*)?,?\s*"
    r"(?:means|shall\s+mean|has\s+the\s+meaning|have\s+the\s+meaning|is\s+defined|are\s+defined|occurs?|"
    r"refers?\s+to|shall\s+refer|includes?|is|are)\b"
    r"|\((?:the|a|an|each\s+a|each\s+an|collectively,?\s+the|together,?\s+the)?\s*[\"\u201c]([^\"\u201d\n]{2,80})"
    r"[\"\u201d]\s*\)"
    # a bold term, or a listed one, defined without quotes: "**Compensation** is", "- Essential Services: means"
    r"|(?:\*\*|__)([^*_\n]{2,80}?)(?:\*\*|__)\s*(?:[:\u2014\u2013]|-\s|(?:means|shall\s+mean|refers?\s+to|is|are)\b)"
    r"|^[ \t]*[-*][ \t]+([A-Z][^:\n]{1,60}):[ \t]*(?:means|refers?\s+to)\b",
    re.MULTILINE,
)
QUALIFIED = re.compile(
    r"(?i:within|at\s+least|no\s+later|not\s+later|no\s+more|not\s+more|no\s+less|not\s+less|up\s+to|at\s+most|"
    r"a\s+maximum|a\s+minimum|on\s+or\s+before|by|before|"
    r"entro|almeno|non\s+oltre|non\s+più|non\s+meno|non\s+inferiore|non\s+superiore|fino\s+a|al\s+massimo|prima\s+del)\b"
)


def values_in(kind: str, text: str, a: int, b: int, terms: dict[str, float]) -> list[tuple[int, int]]:
    """Spans of values of a kind in text[a:b] (document offsets) that tell more than the question says."""
    pattern = PATTERNS.get(kind)
    if pattern is None:
        return []
    spans = []
    for m in pattern.finditer(text, a, b):
        if kind == "count" and _REFERENCE.search(text, max(a, m.start() - 12), m.start()):
            continue  # "Section 4 ..." and "Severity 1 ..." name things, they count nothing
        if kind == "obligation" and not matches_any(m.group(1), terms):
            continue
        if kind not in {"obligation", "negative", "permission"} and set(tokenize(m.group())) <= set(terms):
            continue  # "the Parties" does not answer "who are the parties?"
        start, end = m.start(), m.end()
        while end > start and text[end - 1] in " ,.;:":
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def defined_spans(text: str, a: int, b: int, terms: set[str], named: bool = True) -> list[tuple[int, int]]:
    """Spans of terms that text[a:b] defines and that the question names; with named=False, not a name given
    in passing ('Statements of Work ("SOWs")'), only a definition ('"SOW" means ...')."""
    spans = []
    for m in _DEFINES.finditer(text, a, b):
        group = next(g for g in (1, 2, 3, 4) if m.group(g))
        if group == 2 and not named:
            continue
        term = set(tokenize(m.group(group)))
        if term and len(term & terms) >= max(1, math.ceil(len(term) / 2)):
            spans.append((m.start(group), m.end(group)))
    return spans
