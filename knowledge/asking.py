"""What a question asks for, and the words it asks with.

A question asks for a kind of value: *when* / *how long* a date or a duration, *how much* an amount or
a percentage, *who* a party, *can* / *may* / *is* a yes-or-no cue ("may not", "shall", "no ... unless"),
*what is a X* the sentence that defines X, *where* an address, *office hours* the hours of a service, *what does
X cover* the line that says it (`asked_kinds`, read through one-letter typos of cue words);
`ACCEPTS` maps each asked kind to the kinds of value that answer it, most wanted first. `question_terms`
gives the question's content words, stemmed and weighted (an abbreviation's expansion weighs less), and
`matches` / `matches_any` tell whether a question word is found in a line's words.
"""

from __future__ import annotations

import functools
import re

from knowledge.glossary import gloss
from knowledge.languages import detect
from knowledge.lexical import near
from knowledge.signals import answer_kinds
from knowledge.stopwords import STOPWORDS_BY_LANGUAGE
from knowledge.text import tokenize
from knowledge.vocabulary import CHAT_WORDS, QUERY_NOISE, expand_query, plain

EXPANSION_WEIGHT = 0.6  # a word that only an abbreviation's expansion brought ("sev" -> "severity")


# -- what a question asks for --------------------------------------------------------------------
# Each cue is written in English, then in Italian (issue #14: the direct line for an Italian question).
_ASKS_DEFINITION = re.compile(
    r"\b(?:what\s+counts\s+as|what\s+qualifies\s+as|what\s+is\s+meant\s+by|definition\s+of|define|meaning\s+of|"
    r"what(?:'s|\s+is|\s+are)\s+(?:an?\s+)(?=\w)|what\s+does\s+.{2,60}?\s+mean\b"
    r"|cosa\s+si\s+intende\s+(?:per|con)|che\s+cos['’]\s?è|cos['’]\s?è\s+(?:un|una|il|la|lo|l['’])|definizione\s+di|"
    r"cosa\s+(?:significa|vuol\s+dire)|cosa\s+conta\s+come)",
    re.IGNORECASE,
)
_ASKS_LAW = re.compile(
    r"\b(?:governing\s+law|governed\s+by|laws?\s+governs?|(?:which|what)(?:\s+(?:state|country|jurisdiction)['\u2019]?s?)?\s+laws?"
    r"|jurisdiction|venue|courts?|sue|sued|suing|lawsuits?|litigat\w*"
    r"|legge\s+applicabile|diritto\s+applicabile|quale\s+legge|foro(?:\s+competente)?|giurisdizione|tribunale)\b",
    re.I,
)
_ASKS_PARTY = re.compile(
    r"(?:^|[?.!,;]\s*)\W*who\b|\bwho\s+(?:is|are|pays|bears|owns|has|must|shall|should|will|can|may|does|do)\b|"
    r"\bwhich\s+(?:party|side|company|entity)\b|\bwhose\b|\bby\s+whom\b"
    r"|(?:^|[?.!,;]\s*)\W*chi\b|\bquale\s+(?:parte|società|ente)\b|\bda\s+chi\b|\ba\s+carico\s+di\s+chi\b",
    re.IGNORECASE,
)
_ASKS_FREQUENCY = re.compile(
    r"\b(?:how\s+often|how\s+frequently|how\s+many\s+times|frequency"
    r"|ogni\s+quanto|con\s+quale\s+frequenza|quante\s+volte|frequenza|periodicità)\b",
    re.I,
)
_NAMES_FREQUENCY = re.compile(  # "paid monthly?"
    r"\b(?:monthly|quarterly|annually|yearly|weekly|daily"
    r"|mensil[ei]|trimestral[ei]|annual[ei]|settimanal[ei]|giornalier[oaie])\b",
    re.I,
)
# where to send, find or read something: an e-mail address, a web address
_ASKS_PLACE = re.compile(
    r"\bwhere\b|\b(?:e-?mail\s+address|which\s+e-?mail|what\s+e-?mail|url|website|web\s*page)\b"
    r"|\bdove\b|\b(?:indirizzo\s+(?:e-?mail|pec)|quale\s+e-?mail|sito(?:\s+web)?|pagina\s+web)\b",
    re.I,
)
# the hours of a service: "office hours", "support hours", "what time", "24x7"
_ASKS_HOURS = re.compile(
    r"\b(?:office|business|working|support|opening|operating|service|call[\s-]in)\s+hours\b"
    r"|\bhours\s+of\s+(?:support|operation|service|coverage|business)\b|\bwhat\s+time\b|\b24\s*[x/]\s*7\b"
    r"|\borari[oe]?\s+(?:di\s+)?(?:ufficio|lavoro|supporto|servizio|assistenza|apertura)\b|\bin\s+che\s+orari\b"
    r"|\ba\s+che\s+ora\b|\bh\s?24\b",
    re.I,
)
# what a thing is, covers or does: the sentence that says it ("what does performance attribution cover")
_ASKS_DESCRIPTION = re.compile(
    r"\bwhat\s+(?:does|do|did|will|would)\s+.{1,60}?\s+(?:cover|include|do|mean|entail|involve|provide|require|say)\b"
    r"|\bwhat(?:'s|s|\s+is|\s+are)\b|\bwhat\s+happens\b|\bwhat\s+(?:services|kind|kinds|type|types|sort)\b"
    r"|\bwhat\s+[a-z-]+(?:\s+[a-z-]+)?\s+(?:does|do|did|will)\s+"
    r"|\bwhich\s+(?!one\b)\w+(?:\s+\w+)?\s+(?:are|is)\s+\w+"
    r"|\bcosa\s+(?:prevede|copre|include|comprende|fa|dice|succede|accade)\b|\bche\s+cosa\s+(?:succede|accade)\b"
    r"|\bquali\s+(?:servizi|attività|obblighi)\b",
    re.I,
)
# what the other side owes: a refund, compensation, "what do we get"
_ASKS_COMPENSATION = re.compile(
    r"\b(?:refunds?|compensat\w*|reimburs\w*|rebates?|owed?|what\s+do\s+(?:we|i)\s+get|get\s+back"
    r"|rimbors\w*|risarciment\w*|indennizz\w*|compensazion\w*|ci\s+spetta|spetta)\b",
    re.I,
)
# any question word: a question with one that asks for no kind of value asks for a method or a comparison
_QUESTION_WORD = re.compile(
    r"\b(?:what|which|who|whom|whose|when|where|why|how|can|could|may|might|does|do|did|is|are|was|were|will|would|"
    r"shall|should|must|has|have"
    r"|che|cosa|quale|quali|chi|quando|dove|perché|come|quanto|quanti|quante|può|possono|possiamo|deve|devono|"
    r"dobbiamo|è|sono|c['’]è|ci\s+sono)\b",
    re.I,
)
_ASKS_TIME = re.compile(
    r"\b(?:deadline|due|by\s+when|until\s+when|time\s*(?:limit|frame|line)|turnaround|how\s+soon|"
    r"(?:response|resolution|fix|restore|restoration|repair|recovery|reaction)\s+times?|notice|at\s+what\s+point|"
    r"after\s+how\s+long"
    r"|scadenza|entro\s+quando|tempi?\s+(?:di|massimo\s+di)\s+(?:risposta|risoluzione|ripristino|intervento|presa\s+in\s+carico)|"
    r"preavviso|dopo\s+quanto)\b",
    re.I,
)
_ASKS_PERCENT = re.compile(r"%|\b(?:percent|percentage|per\s+cent|percentuale|per\s+cento)\b", re.I)
# ("data" alone is English "data" too: Italian asks "quale data", "in che data")
_ASKS_DATE = re.compile(
    r"\b(?:dates?|which\s+day|what\s+day|quale\s+(?:data|giorno)|(?:in\s+)?che\s+(?:data|giorno))\b", re.I
)
_ASKS_MONEY = re.compile(
    r"\b(?:cost|costs|price|priced|fees?|pay|pays|paid|charge[sd]?|budget|ceiling|spend|usd|eur|gbp|dollars?"
    r"|costo|costi|costa|prezzo|prezzi|canone|canoni|tariffa|tariffe|importo|corrispettivo|paga|paghiamo|pagare|"
    r"pagato|euro)\b|[$\u20ac\u00a3]",
    re.IGNORECASE,
)
_ASKS_PAYMENT_TERMS = re.compile(
    r"\b(?:payment\s+terms?|net\s*\d+|pay\s+within|termini\s+di\s+pagamento|pagamento\s+entro)\b", re.I
)
_ASKS_LEVEL = re.compile(
    r"\b(?:target|threshold|level|sla|slas|kpi|score|accuracy|availability|uptime|asa|aht|fcr|csat|credits?|"
    r"discount|rebate|interest|penalty|penalties|min|minimum|max|maximum|cap|caps|capped"
    r"|obiettivo|soglia|livell[oi]|disponibilità|penale|penali|credit[oi]|sconto|minimo|massim[oi]|massimal[ei]|tetto)\b",
    re.IGNORECASE,
)
_ASKS_METHOD = re.compile(
    r"\W*how\s+(?:are|is|do|does|did|was|were|should|can|could|will|would)\s+(?!long\b|much\b|many\b|often\b)"
    r"|\W*come\s+(?:si|viene|vengono|va|vanno|è|sono)\s+(?:calcola|calcolat|misura|misurat|determina|determinat|"
    r"verifica|verificat|gestisc|gestit)",
    re.I,
)
_ASKS_COUNT = re.compile(r"\bhow\s+many\b|\bquant[ie]\b(?!\s+(?:tempo|costa))", re.I)
_ASKS_YES_NO = re.compile(
    r"(?:^|[?.!;:,\-]\s*)(?:(?:so|and|but|also|then|hey|ok|okay|still|just|wait|like|quick\s+q)\W+)?"
    r"(?:can|could|may|might|does|do|did|is|are|was|were|will|would|shall|should|must|has|have|isn't|aren't|"
    r"doesn't|don't|can't)\s|\b(?:allowed|permitted|entitled|prohibited|forbidden|obliged|obligated|required)\b"
    r"|(?:^|[?.!;:,\-]\s*)(?:(?:ma|e|quindi|allora|ok|scusate)\W+)?(?:possiamo|può|possono|posso|deve|devono|dobbiamo|"
    r"è|sono|c['’]è|ci\s+sono|hanno|abbiamo)\s"
    r"|\b(?:consentit[oaie]|permess[oaie]|vietat[oaie]|obbligat[oaie]|obbligatori[oaie]|diritto\s+a|autorizzat[oaie])\b",
    re.IGNORECASE,
)

# the value kinds a question's kind accepts, most wanted first
ACCEPTS = {
    "definition": ("definition",),
    "law": ("law",),
    "party": ("party",),
    "frequency": ("frequency",),
    "date": ("date", "duration"),
    "duration": ("duration", "date"),
    "amount": ("percent", "money", "measure"),
    "money": ("money", "percent"),
    "level": ("percent", "duration", "money"),
    "count": ("count", "measure", "duration", "percent", "money"),
    "yesno": ("negative", "permission", "obligation"),
    "place": ("place",),
    "hours": ("time", "duration"),
    "description": ("definition",),
}


# cue words worth recognising through a typo ("dedline", "percantage"): one edit away, five letters or more
_CUE_WORDS = frozenset(
    {"deadline", "notice", "within", "period", "duration", "percent", "percentage", "minimum", "maximum", "limit"}
    | {"amount", "often", "frequency", "governing", "jurisdiction", "allowed", "permitted", "entitled", "target"}
)


def _corrected(question: str) -> str:
    """The question with cue words typed one letter off put right, for reading what it asks."""

    def fix(m: re.Match[str]) -> str:
        word = m.group().lower()
        if word in _CUE_WORDS or not near(word, _CUE_WORDS):
            return m.group()
        return next((c for c in sorted(_CUE_WORDS) if near(word, frozenset({c}))), m.group())

    return re.sub(r"[A-Za-z]{5,}", fix, question)


def asked_kinds(question: str) -> list[str]:
    """What kinds of value a question asks for, most specific first (see `ACCEPTS`)."""
    question = _corrected(question)
    if _ASKS_METHOD.match(question) and not _ASKS_PAYMENT_TERMS.search(question):
        return []  # "how are credits calculated?" asks for a method: no one value answers it ("net 30?" a period)
    kinds: list[str] = []
    if _ASKS_HOURS.search(question):
        kinds.append("hours")
    if _ASKS_DEFINITION.search(question):
        kinds.append("definition")
    if _ASKS_LAW.search(question):
        kinds.append("law")
    if _ASKS_PARTY.search(question):
        kinds.append("party")
    if _ASKS_FREQUENCY.search(question):
        kinds.append("frequency")
    if _ASKS_DATE.search(question):
        kinds.append("date")
    kinds.extend(answer_kinds(question))  # date, duration, amount: the same cues retrieval ranks by
    if _ASKS_PAYMENT_TERMS.search(question) and "duration" not in kinds:
        kinds.append("duration")
    if "amount" in kinds and _ASKS_MONEY.search(question):
        kinds[kinds.index("amount")] = "money"
    elif _ASKS_MONEY.search(question) and not {"date", "duration", "party"} & set(kinds):
        kinds.append("money")
    if _ASKS_TIME.search(question) and not {"date", "duration"} & set(kinds):
        kinds.append("duration")
    if _ASKS_PERCENT.search(question) and not {"amount", "money", "level"} & set(kinds):
        kinds.append("amount")
    if _ASKS_COUNT.search(question):
        kinds.append("count")
    if _ASKS_LEVEL.search(question):
        kinds.append("level")
    if _ASKS_COMPENSATION.search(question) and not {"amount", "money"} & set(kinds):
        kinds.append("amount")
    if _ASKS_PLACE.search(question):
        kinds.append("place")
    if _NAMES_FREQUENCY.search(question):
        kinds.append("frequency")  # after what is asked: "what are the monthly fees" asks for fees
    if _ASKS_YES_NO.search(question):
        kinds.append("yesno")
    if not kinds and _ASKS_DESCRIPTION.search(question):
        kinds.append("description")
    return list(dict.fromkeys(kinds))


def asks_for_a_line(question: str, kinds: list[str]) -> bool:
    """Whether a question may be answered by the line that says most of what it asks when no value of the kind
    it asks for is found: not one asking for a method ("how are claims reviewed?") or a comparison ("which one
    wins?"); a bare topic ("data deletion after we terminate") may."""
    if _ASKS_METHOD.match(_corrected(question)) or _ASKS_COMPARISON.search(question):
        return False
    if kinds and kinds[0] in _NAMED_VALUES:
        return False  # a party, a date, a law is a name: a line without one does not say it
    return bool(kinds) or not _QUESTION_WORD.search(question)


_ASKS_COMPARISON = re.compile(
    r"\bwhich\s+(?:one|of\s+them|document)\b|\b(?:prevails?|wins?|takes?\s+precedence)\b", re.I
)


_NAMED_VALUES = frozenset({"party", "date", "law"})

_ASKS_LENGTH = re.compile(
    r"\bhow\s+long\s+(?:is|are|was|will|does|do)\b(?!.{0,40}\b(?:have|get|take)\s+to\b)|\b(?:length|duration)\b"
    r"|\b(?:initial|renewal|subscription|maintenance|contract|agreement)\s+(?:term|period)\b"
    r"|\bquanto\s+dura(?:no)?\b|\bdurata\b|\bper\s+quanto\s+tempo\b",  # Italian: how long it lasts
    re.I,
)
_ASKS_DEADLINE = re.compile(
    r"\b(?:notice|deadline|within|by\s+when|have\s+to|to\s+(?:tell|notify|claim|request|respond|fix|pay|cure)"
    r"|preavviso|scadenza|entro)\b",
    re.I,
)


def asks_for_a_length(question: str) -> bool:
    """Whether a question asks how long something lasts ("initial term of the hosting agreement"), not a
    deadline: a bound ("at least 30 days prior") then says nothing more of the line."""
    return bool(_ASKS_LENGTH.search(question)) and not _ASKS_DEADLINE.search(question)


# -- the question's words ------------------------------------------------------------------------
# chat words that still say what a clause is about when the question asks for a value
_TOPIC_WORDS = frozenset(
    {"cost", "costs", "pay", "pays", "paid", "paying", "end", "ends", "hour", "hours", "minute", "minutes", "month"}
    | {"months", "week", "weeks", "year", "years", "days", "date", "dates", "deadline", "late", "free", "first"}
)


_NUMBER_UNIT = re.compile(r"\b(\d+(?:[.,]\d+)?)(h|hr|hrs|min|mins|d|wk|wks)\b", re.IGNORECASE)
_UNIT_WORDS = {"h": "hours", "hr": "hours", "hrs": "hours", "min": "minutes", "mins": "minutes", "d": "days"}
_UNIT_WORDS |= {"wk": "weeks", "wks": "weeks"}


def question_terms(question: str, clause_language: str | None = None) -> dict[str, float]:
    """The question's content words, stemmed, with their weight (an abbreviation's expansion weighs less).

    A question in another language than English has its language's function words left out; read against a clause
    in another language than its own (`clause_language`, None when unknown), each contract word it uses stands as
    its English gloss ("durata" -> "term", "mese" -> "month"), the words a line of an English clause holds."""
    skip = (CHAT_WORDS | QUERY_NOISE) - _TOPIC_WORDS

    def words(text: str) -> list[str]:
        return [w for w in re.findall(r"[A-Za-z0-9][\w'-]*", text) if w.lower() not in skip]

    question = _NUMBER_UNIT.sub(lambda m: f"{m[1]} {_UNIT_WORDS[m[2].lower()]}", question)  # ">73h": 73 hours
    question = plain(question, drop=False)  # "does it stick around after": "does it survive after" (`IDIOMS`)
    frame = _DESCRIPTION_FRAME.search(question)
    if frame:  # "what does X cover": "cover" asks, it names nothing the line must hold
        question = question[: frame.start(1)] + question[frame.end(1) :]
    language = _language(question)
    stop = STOPWORDS_BY_LANGUAGE.get(language or "en", frozenset())
    said = words(question)
    if language in _ELIDING:  # "l'hosting", "dell'uptime": the word after the article
        said = [w.replace("\u2019", "'").rsplit("'", 1)[-1] for w in said]
    other = language not in (None, "en") and clause_language != language
    terms: dict[str, float] = {}
    for w in said:
        if w.lower() in stop:
            continue
        english = tokenize(gloss(w, language)) if other else []
        if clause_language is None:  # a clause whose language does not show (a row, a heading): both readings
            for t in tokenize(w):
                terms.setdefault(t, 1.0)
            for t in english:
                terms.setdefault(t, EXPANSION_WEIGHT)
            continue
        for i, t in enumerate(english or tokenize(w)):
            terms.setdefault(t, 1.0 if i == 0 or not english else EXPANSION_WEIGHT)
    expanded = expand_query(question)[len(question) :]
    if _ASKS_TELLING.search(question):
        terms.setdefault("notic", 1.0)  # "how long do we have to tell them": the clause gives notice
    for w in words(expanded):
        for t in tokenize(w):
            terms.setdefault(t, EXPANSION_WEIGHT)
    for t in list(terms):  # "the contract" is what a contract calls "this Agreement", its "duration" its "Term"
        for same in _SAME_THING.get(t, ()):
            terms.setdefault(same, EXPANSION_WEIGHT)
    return terms


# stems a contract writes for what people call otherwise (the line holding either holds the thing asked about)
_SAME_THING = {"contract": ("agreement",), "agreement": ("contract",), "durat": ("term",)}


_ELIDING = frozenset(("it", "fr"))  # languages that elide an article into the next word


@functools.lru_cache(maxsize=256)
def _language(question: str) -> str | None:
    """The question's language (`knowledge.languages.detect`), read once per question."""
    return detect(question)


_DESCRIPTION_FRAME = re.compile(
    r"\bwhat\s+(?:[a-z-]+\s+){0,2}?(?:does|do|did|will|would)\s+.{1,60}?\s+"
    r"(cover|covers|include|includes|do|mean|entail|involve|provide|require|say)\b\s*\??\s*$",
    re.I,
)
_ASKS_TELLING = re.compile(r"\b(?:tell|telling|told|inform|informing|let\s+\w+\s+know|warn|warning)\b", re.I)

# stems of one word family that stemming leaves apart: "notice" and "notifies"
# A question's word and the stems contracts write for it ("when does the agreement end" -> "shall terminate on"),
# as Snowball stems them; words with an expansion in `vocabulary.ABBREVIATIONS` ("cap", "fix", "bill") get theirs
# from `expand_query` instead.
_FAMILIES = {
    "notic": ("notif",),
    "notif": ("notic",),
    "end": ("termin", "expir"),
    "cancel": ("termin",),
    "uptim": ("avail",),
    "invoic": ("bill",),
    "own": ("properti", "ownership"),
}


def matches(term: str, tokens: set[str]) -> bool:
    """A question word found in a line: the same stem, a prefix of one ("auto" in "automated"), its family, or the
    word without a prefix that only says how ("overbilled" in "billed incorrectly", "misrouted" in "routed")."""
    if term in tokens or (len(term) >= 4 and term.isalpha() and any(t.startswith(term) for t in tokens)):
        return True
    if any(t.startswith(kin) for kin in _FAMILIES.get(term, ()) for t in tokens):
        return True
    bare = _HOW_PREFIX.sub("", term)
    return bare != term and len(bare) >= 3 and any(t.startswith(bare) for t in tokens)


_HOW_PREFIX = re.compile(r"^(?:over|under|mis)(?=[a-z]{3})")


def matches_any(word: str, terms: dict[str, float]) -> bool:
    """Whether a word (or a value's text) holds one of the question's words, as `matches` reads them."""
    tokens = set(tokenize(word))
    return any(matches(t, tokens) for t in terms)
