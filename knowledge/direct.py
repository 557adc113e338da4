"""The direct answer line: the sentence or table row of the lead clause that holds what was asked.

A question asks for a kind of value: *when* / *how long* a date or a duration, *how much* an amount or
a percentage, *who* a party, *can* / *may* / *is* a yes-or-no cue ("may not", "shall", "no ... unless"),
*what is a X* the sentence that defines X. The lead citation's quote is cut into sentences and table
rows (`knowledge.quotes.sentences_and_rows`); each is scored by whether it holds a value of an asked
kind and by how many of the question's content words (stemmed) it shares. The best one is the line,
quoted verbatim, with the value inside it to be emphasised. No line carries the answer -> None: better
no line than a wrong one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from knowledge.lexical import near, tokenize
from knowledge.quotes import sentences_and_rows, table_header
from knowledge.signals import DATE, answer_kinds
from knowledge.vocabulary import CHAT_WORDS, QUERY_NOISE, expand_query

MIN_COVERAGE = 0.2  # share of the question's content words a line must hold
YES_NO_COVERAGE = 0.34  # a line answering only "can/may/is ...?" must hold more: cues are in every clause
EXPANSION_WEIGHT = 0.6  # a word that only an abbreviation's expansion brought ("sev" -> "severity")


@dataclass(frozen=True)
class Direct:
    """The line that answers: `text == extracted_text[start:end]` of `document`; the value is a span inside it."""

    text: str
    document: str
    start: int
    end: int
    value_start: int
    value_end: int
    kind: str
    title: str = ""
    section: str | None = None
    page: int | None = None
    header: str | None = None  # a table row's header row, verbatim
    header_start: int | None = None

    @property
    def value(self) -> str:
        return self.text[self.value_start - self.start : self.value_end - self.start]

    def parts(self) -> tuple[str, str, str]:
        """(before, value, after): the line around its emphasised value."""
        a, b = self.value_start - self.start, self.value_end - self.start
        return self.text[:a], self.text[a:b], self.text[b:]

    def shifted(self, by: int) -> Direct:
        """The same line with its offsets moved by `by` (found in a quote, placed in its document)."""
        header_start = self.header_start + by if self.header_start is not None else None
        return replace(
            self,
            start=self.start + by,
            end=self.end + by,
            value_start=self.value_start + by,
            value_end=self.value_end + by,
            header_start=header_start,
        )

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "document": self.document,
            "start": self.start,
            "end": self.end,
            "value": {"start": self.value_start, "end": self.value_end, "text": self.value, "kind": self.kind},
            "title": self.title,
            "section": self.section,
            "page": self.page,
        }
        if self.header is not None and self.header_start is not None:
            d["header"] = {"text": self.header, "start": self.header_start, "end": self.header_start + len(self.header)}
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Direct | None:
        """A direct line as `as_dict` recorded it, or None (also for one whose value falls outside it)."""
        if not isinstance(data, dict):
            return None
        try:
            text, start, end = str(data["text"]), int(data["start"]), int(data["end"])
            value = data.get("value") or {}
            v_start, v_end = int(value.get("start", start)), int(value.get("end", start))
        except (KeyError, TypeError, ValueError):
            return None
        if not (start <= v_start <= v_end <= end) or end - start != len(text):
            return None
        header = data.get("header") if isinstance(data.get("header"), dict) else None
        return cls(
            text=text,
            document=str(data.get("document", "")),
            start=start,
            end=end,
            value_start=v_start,
            value_end=v_end,
            kind=str(value.get("kind", "")),
            title=str(data.get("title") or ""),
            section=data.get("section"),
            page=data.get("page"),
            header=str(header["text"]) if header else None,
            header_start=int(header["start"]) if header else None,
        )


# -- what a question asks for --------------------------------------------------------------------
_ASKS_DEFINITION = re.compile(
    r"\b(?:what\s+counts\s+as|what\s+qualifies\s+as|what\s+is\s+meant\s+by|definition\s+of|define|meaning\s+of|"
    r"what(?:'s|\s+is|\s+are)\s+(?:an?\s+)(?=\w)|what\s+does\s+.{2,60}?\s+mean\b)",
    re.IGNORECASE,
)
_ASKS_LAW = re.compile(r"\b(?:governing\s+law|governed\s+by|which\s+law|what\s+law|jurisdiction|venue|courts?)\b", re.I)
_ASKS_PARTY = re.compile(
    r"(?:^|[?.!,;]\s*)\W*who\b|\bwho\s+(?:is|are|pays|bears|owns|has|must|shall|should|will|can|may|does|do)\b|"
    r"\bwhich\s+(?:party|side|company|entity)\b|\bwhose\b|\bby\s+whom\b",
    re.IGNORECASE,
)
_ASKS_FREQUENCY = re.compile(r"\b(?:how\s+often|how\s+frequently|how\s+many\s+times|frequency)\b", re.I)
_ASKS_TIME = re.compile(
    r"\b(?:deadline|due|by\s+when|until\s+when|time\s*(?:limit|frame|line)|turnaround|how\s+soon)\b", re.I
)
_ASKS_DATE = re.compile(r"\b(?:dates?|which\s+day|what\s+day)\b", re.I)
_ASKS_MONEY = re.compile(
    r"\b(?:cost|costs|price|priced|fees?|pay|pays|paid|charge[sd]?|budget|ceiling|spend|usd|eur|gbp|dollars?)\b"
    r"|[$\u20ac\u00a3]",
    re.IGNORECASE,
)
_ASKS_PAYMENT_TERMS = re.compile(r"\b(?:payment\s+terms?|net\s*\d+|pay\s+within)\b", re.I)
_ASKS_LEVEL = re.compile(
    r"\b(?:target|threshold|level|sla|slas|kpi|score|accuracy|availability|uptime|asa|aht|fcr|csat|credits?|"
    r"discount|rebate|interest|penalty|penalties)\b",
    re.IGNORECASE,
)
_ASKS_METHOD = re.compile(
    r"\W*how\s+(?:are|is|do|does|did|was|were|should|can|could|will|would)\s+(?!long\b|much\b|many\b|often\b)", re.I
)
_ASKS_COUNT = re.compile(r"\bhow\s+many\b", re.I)
_ASKS_YES_NO = re.compile(
    r"(?:^|[?.!;:,\-]\s*)(?:(?:so|and|but|also|then|hey|ok|okay|still|just|wait|like|quick\s+q)\W+)?"
    r"(?:can|could|may|might|does|do|did|is|are|was|were|will|would|shall|should|must|has|have|isn't|aren't|"
    r"doesn't|don't|can't)\s|\b(?:allowed|permitted|entitled|prohibited|forbidden|obliged|obligated|required)\b",
    re.IGNORECASE,
)

# the value kinds a question's kind accepts, most wanted first
_ACCEPTS = {
    "definition": ("definition",),
    "law": ("law",),
    "party": ("party",),
    "frequency": ("frequency",),
    "date": ("date", "duration"),
    "duration": ("duration", "date"),
    "amount": ("percent", "money"),
    "money": ("money", "percent"),
    "level": ("percent", "duration", "money"),
    "count": ("count", "duration", "percent", "money"),
    "yesno": ("negative", "permission", "obligation"),
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
    """What kinds of value a question asks for, most specific first (see `_ACCEPTS`)."""
    question = _corrected(question)
    if _ASKS_METHOD.match(question):
        return []  # "how are credits calculated?" asks for a method: no one value answers it
    kinds: list[str] = []
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
    if _ASKS_COUNT.search(question):
        kinds.append("count")
    if _ASKS_LEVEL.search(question):
        kinds.append("level")
    if _ASKS_YES_NO.search(question):
        kinds.append("yesno")
    return list(dict.fromkeys(kinds))


# -- values in a line ----------------------------------------------------------------------------
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_WORD_NUMBER = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)"
)
_QTY = rf"(?:{_NUM}|{_WORD_NUMBER}(?:[\s-]+(?:and\s+)?{_WORD_NUMBER})*(?:\s*\(\s*{_NUM}\s*\))?)"
_QUALIFIER = (
    r"(?:\b(?:within|at\s+least|no\s+later\s+than|not\s+later\s+than|no\s+more\s+than|not\s+more\s+than|"
    r"no\s+less\s+than|not\s+less\s+than|up\s+to|at\s+most|a\s+maximum\s+of|a\s+minimum\s+of|more\s+than|"
    r"less\s+than|fewer\s+than|in\s+excess\s+of)\s+)?"
)
_UNIT = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|quarters?)"
_PATTERNS = {
    "duration": re.compile(
        rf"{_QUALIFIER}\b{_QTY}[\s-]+(?:\(\s*{_NUM}\s*\)\s*)?(?:(?:business|calendar|working|consecutive|banking)"
        rf"[\s-]+)?{_UNIT}\b(?:['\u2019](?:s\b)?)?(?:\s+(?:prior\s+)?(?:written\s+)?notice\b)?",
        re.IGNORECASE,
    ),
    "percent": re.compile(
        rf"{_QUALIFIER}(?:\b{_WORD_NUMBER}(?:[\s-]+{_WORD_NUMBER})*\s+(?:percent|per\s+cent)\s*\(\s*{_NUM}\s*%\s*\)"
        rf"|\b{_NUM}\s?(?:%|percent\b|per\s+cent\b))",
        re.IGNORECASE,
    ),
    "money": re.compile(
        rf"{_QUALIFIER}(?:(?:[$\u20ac\u00a3]|\b(?:USD|EUR|GBP|CAD|AUD|CHF|JPY|INR|US\$)\s?)\s?{_NUM}"
        rf"(?:\s?(?:million|billion|thousand|bn|m|k)\b)?|\b{_NUM}\s?(?:million\s+|billion\s+)?"
        rf"(?:dollars|euros|pounds|USD|EUR|GBP)\b)",
        re.IGNORECASE,
    ),
    "date": re.compile(
        rf"(?:\b(?:no\s+later\s+than|not\s+later\s+than|on\s+or\s+before|by|before|until|from|on|after)\s+)?"
        rf"(?:{DATE.pattern})",
        re.IGNORECASE,
    ),
    "frequency": re.compile(
        rf"\b(?:once|twice|{_QTY}\s+times)\s+(?:per|a|an|each|every|in\s+any|in\s+each)\s+(?:\w+\s+)?"
        rf"(?:year|month|quarter|week|day|period)s?\b|\b(?:annually|quarterly|monthly|weekly|daily|yearly|"
        rf"semi-annually|bi-annually)\b|\bevery\s+(?:{_QTY}\s+)?(?:years?|months?|quarters?|weeks?|days?)\b",
        re.IGNORECASE,
    ),
    "count": re.compile(rf"\b{_QTY}\s+(?!of\b|percent\b|per\b)[A-Za-z][\w-]*", re.IGNORECASE),
    "law": re.compile(
        r"\b(?i:laws?\s+of\s+(?:the\s+)?)(?:(?:State|Commonwealth|Province|Republic|Kingdom)\s+of\s+)?"
        r"[A-Z][\w.]*(?:\s+(?:of\s+)?[A-Z][\w.]*)*"
        r"|\b(?i:courts?\s+(?:of|in|located\s+in|sitting\s+in)\s+(?:the\s+)?)[A-Z][\w.]*(?:\s+(?:of\s+)?[A-Z][\w.]*)*"
    ),
    "party": re.compile(
        r"\bat\s+(?:its|their|(?:the\s+)?[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3}['\u2019]s?)\s+(?:own\s+|sole\s+)?"
        r"(?:cost|expense|charge|risk)\b"
        r"|(?:\b[A-Z][\w&'-]*,?\s+){1,5}(?:Inc|Ltd|LLC|L\.L\.C|plc|GmbH|S\.A\.S|S\.A|Corp|Corporation|Limited|"
        r"LLP|LP|AG|B\.V|N\.V|SE|S\.p\.A|Pty)\b\.?"
        r"|\b(?:(?:Each|Either|Neither|Both|The\s+other)\s+)?(?:Service\s+Provider|Vendor|Supplier|Provider|Client|"
        r"Customer|Company|Contractor|Consultant|Licensor|Licensee|Processor|Controller|Sub-processor|Buyer|"
        r"Seller|Purchaser|Distributor|Reseller|Franchisee|Franchisor|Part(?:y|ies))\b"
    ),
    "negative": re.compile(
        r"\b(?i:shall|may|must|will|can|is|are|does|do|need|has|have)\s+(?i:not|no\s+longer)(?:\s+be)?"
        r"(?:\s+(?!the\b|a\b|an\b|to\b)[a-z][\w-]*)?"
        r"|\b(?i:cannot)(?:\s+[a-z][\w-]*)?"
        r"|\b(?i:not|never)\s+(?:permitted|allowed|entitled|sufficient|required|available|liable|responsible|"
        r"obliged|obligated)\b"
        r"|\b(?i:no)\s+[\w\s,'-]{1,60}?\bunless\b"
        r"|\b(?i:without)\s+(?:[\w'\u2019-]+\s+){0,5}?(?i:consent|approval|authori[sz]ation)\b"
        r"|\b(?i:prohibited|excluded|not\s+(?:a|an)\s+[a-z][\w-]*)\b"
    ),
    "permission": re.compile(
        r"\b(?i:may|can|is\s+entitled\s+to|are\s+entitled\s+to|is\s+permitted\s+to|has\s+the\s+right\s+to|"
        r"have\s+the\s+right\s+to)\s+(?!not\b)[a-z][\w-]*"
        r"|\b(?i:automatically)\s+[a-z][\w-]*"
    ),
    # an obligation answers "does / must / who ..." only when it is the question's own verb ("shall pay")
    "obligation": re.compile(r"\b(?i:shall|must|will|agrees\s+to)\s+(?!not\b)(?:be\s+)?([a-z][\w-]*)"),
}
# how much a kind of value says on its own: a yes/no cue is in nearly every clause, a number is not
_STRENGTH = {"negative": 0.5, "permission": 0.3, "obligation": 0.3}
_REFERENCE = re.compile(
    r"(?:\b(?:section|article|clause|schedule|exhibit|annex|appendix|sow|sl|severity|priority|p|no|page|tier|"
    r"level|step|item|paragraph)\.?|§)\s*$",
    re.IGNORECASE,
)
_DEFINES = re.compile(
    r"[\"\u201c]([^\"\u201d\n]{2,80})[\"\u201d]\s*(?:\([^)\n]{0,60}\)\s*)?,?\s*"
    r"(?:means|shall\s+mean|has\s+the\s+meaning|have\s+the\s+meaning|is\s+defined|are\s+defined|occurs?|"
    r"refers?\s+to|shall\s+refer|includes?|is|are)\b"
    r"|\((?:the|a|an|each\s+a|each\s+an|collectively,?\s+the|together,?\s+the)?\s*[\"\u201c]([^\"\u201d\n]{2,80})"
    r"[\"\u201d]\s*\)"
)
_QUALIFIED = re.compile(
    r"(?i:within|at\s+least|no\s+later|not\s+later|no\s+more|not\s+more|no\s+less|not\s+less|up\s+to|at\s+most|"
    r"a\s+maximum|a\s+minimum|on\s+or\s+before|by|before)\b"
)
_LEADING_MARKER = re.compile(r"[\"\u201c]?(?:\(?[0-9]{1,2}(?:\.[0-9]{1,3})*\.?\)?|\([a-z]{1,4}\)|[A-Z]\.)[ \t]+(?=\S)")


def _values(kind: str, text: str, a: int, b: int, terms: dict[str, float]) -> list[tuple[int, int]]:
    """Spans of values of a kind in text[a:b] (document offsets) that tell more than the question says."""
    pattern = _PATTERNS.get(kind)
    if pattern is None:
        return []
    spans = []
    for m in pattern.finditer(text, a, b):
        if kind == "count" and _REFERENCE.search(text, max(a, m.start() - 12), m.start()):
            continue  # "Section 4 ..." and "Severity 1 ..." name things, they count nothing
        if kind == "obligation" and not _matches_any(m.group(1), terms):
            continue
        if kind not in {"obligation", "negative", "permission"} and set(tokenize(m.group())) <= set(terms):
            continue  # "the Parties" does not answer "who are the parties?"
        start, end = m.start(), m.end()
        while end > start and text[end - 1] in " ,.;:":
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def _definitions(text: str, a: int, b: int, terms: set[str]) -> list[tuple[int, int]]:
    """Spans of terms that text[a:b] defines and that the question names."""
    spans = []
    for m in _DEFINES.finditer(text, a, b):
        group = 1 if m.group(1) else 2
        term = set(tokenize(m.group(group)))
        if term and len(term & terms) >= max(1, math.ceil(len(term) / 2)):
            spans.append((m.start(group), m.end(group)))
    return spans


# -- the question's words ------------------------------------------------------------------------
# chat words that still say what a clause is about when the question asks for a value
_TOPIC_WORDS = frozenset(
    {"cost", "costs", "pay", "pays", "paid", "paying", "end", "ends", "hour", "hours", "minute", "minutes", "month"}
    | {"months", "week", "weeks", "year", "years", "days", "date", "dates", "deadline", "late", "free", "first"}
)


def question_terms(question: str) -> dict[str, float]:
    """The question's content words, stemmed, with their weight (an abbreviation's expansion weighs less)."""
    skip = (CHAT_WORDS | QUERY_NOISE) - _TOPIC_WORDS

    def words(text: str) -> list[str]:
        return [w for w in re.findall(r"[A-Za-z0-9][\w'-]*", text) if w.lower() not in skip]

    own = {t for w in words(question) for t in tokenize(w)}
    expanded = expand_query(question)[len(question) :]
    terms = {t: 1.0 for t in own}
    for w in words(expanded):
        for t in tokenize(w):
            terms.setdefault(t, EXPANSION_WEIGHT)
    return terms


def _matches(term: str, tokens: set[str]) -> bool:
    """A question word found in a line: the same stem, or a prefix of one ("auto" in "automated")."""
    return term in tokens or (len(term) >= 4 and term.isalpha() and any(t.startswith(term) for t in tokens))


# -- choosing the line ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Candidate:
    score: float
    start: int
    end: int
    value: tuple[int, int]
    kind: str
    header: tuple[int, int] | None
    coverage: float


def direct_for(
    question: str,
    text: str,
    *,
    document: str,
    start: int,
    end: int,
    title: str = "",
    section: str | None = None,
    page: int | None = None,
    section_at: Callable[[int], str | None] | None = None,
    around: tuple[int, int] | None = None,
) -> Direct | None:
    """The direct line of the quote text[start:end] of a document, or None when no line carries the answer.

    section_at, when given, labels the line itself (a quote of 5.1 and 5.2 whose line is in 5.2). With
    around, only lines of text[start:end] that overlap it count (a model's quote is a fragment of a clause:
    its line is the whole sentence the fragment is in).
    """
    found = find_direct(question, text, start, end, around)
    if found is None:
        return None
    header = text[found.header[0] : found.header[1]] if found.header else None
    return Direct(
        text=text[found.start : found.end],
        document=document,
        start=found.start,
        end=found.end,
        value_start=found.value[0],
        value_end=found.value[1],
        kind=found.kind,
        title=title,
        section=(section_at(found.start) if section_at else None) or section,
        page=page,
        header=header,
        header_start=found.header[0] if found.header else None,
    )


def find_direct(
    question: str, text: str, start: int, end: int, around: tuple[int, int] | None = None
) -> _Candidate | None:
    """The sentence or table row of text[start:end] (overlapping around) holding the asked value, or None."""
    kinds = asked_kinds(question)
    terms = question_terms(question)
    if not kinds or not terms:
        return None
    wanted: dict[str, float] = {}  # value kind -> how much it is wanted
    for rank, kind in enumerate(kinds):
        for place, value_kind in enumerate(_ACCEPTS[kind]):
            weight = (1.0 if rank == 0 else 0.7) * (1.0 if place == 0 else 0.6)
            wanted[value_kind] = max(wanted.get(value_kind, 0.0), weight * _STRENGTH.get(value_kind, 1.0))
    total = sum(terms.values())
    best: _Candidate | None = None
    heading: set[str] = set()  # the words of the heading the line is under ("6.1 Fees.")
    for index, (a, b) in enumerate(sentences_and_rows(text, start, end)):
        a = _without_marker(text, a, b)
        if _is_heading(text[a:b]):
            heading = set(tokenize(text[a:b]))
            continue  # a heading names a topic, it answers nothing
        if b - a < 8 or (around is not None and not (a < around[1] and around[0] < b)):
            continue
        candidate = _score(text, a, b, index, terms, total, wanted, heading)
        if candidate is not None and (best is None or candidate.score > best.score):
            best = candidate
    return best


def _without_marker(text: str, a: int, b: int) -> int:
    m = _LEADING_MARKER.match(text, a, b)
    return m.end() if m and m.end() < b and not text.startswith("|", a) else a


def _is_heading(line: str) -> bool:
    """A markdown heading, or a clause's title on its own: "Initial Term.", "Service Credits:"."""
    if line.startswith("#"):
        return True
    words = re.findall(r"[A-Za-z][\w'-]*", line)
    long_words = [w for w in words if len(w) > 3]
    return (
        0 < len(words) <= 8
        and bool(re.fullmatch(r"[^.:;\n]+[.:]?", line))
        and all(w[0].isupper() for w in long_words)
        and not any(p.search(line) for p in _PATTERNS.values())
    )


def _score(
    text: str,
    a: int,
    b: int,
    index: int,
    terms: dict[str, float],
    total: float,
    wanted: dict[str, float],
    heading: set[str],
) -> _Candidate | None:
    is_row = text.startswith("|", a)
    header = table_header(text, a) if is_row else None
    line_tokens = set(tokenize(text[a:b]))
    header_tokens = set(tokenize(text[header[0] : header[1]])) if header else heading
    matched = {t for t in terms if _matches(t, line_tokens)}
    in_header = {t for t in terms if t not in matched and _matches(t, header_tokens)}
    coverage = (sum(terms[t] for t in matched) + 0.5 * sum(terms[t] for t in in_header)) / total
    only_yes_no = set(wanted) <= {"negative", "permission", "obligation"}
    if not matched or coverage < (YES_NO_COVERAGE if only_yes_no else MIN_COVERAGE):
        return None
    value = _best_value(text, a, b, terms, wanted, header)
    if value is None:
        return None
    span, kind, value_score = value
    # what was asked first, then the question's words; the first, tighter line on ties
    score = 2 * value_score + coverage - 0.01 * index - 0.0005 * (b - a)
    return _Candidate(score, a, b, span, kind, header, coverage)


def _best_value(
    text: str, a: int, b: int, terms: dict[str, float], wanted: dict[str, float], header: tuple[int, int] | None
) -> tuple[tuple[int, int], str, float] | None:
    """The value of a wanted kind in text[a:b] nearest the question's words (in a row: in the best cell)."""
    question_words = [
        (m.start(), m.end()) for m in re.finditer(r"[A-Za-z0-9][\w'-]*", text[a:b]) if _matches_any(m.group(), terms)
    ]
    cells = _cells(text, a, b, header) if header else None
    best: tuple[tuple[int, int], str, float] | None = None
    for kind, weight in wanted.items():
        spans = _definitions(text, a, b, set(terms)) if kind == "definition" else _values(kind, text, a, b, terms)
        for s, e in spans:
            if cells is not None:
                near = _cell_overlap(cells, s, terms)
            else:
                near = sum(1 / (1 + _distance(s - a, e - a, w) / 25) for w in question_words)
            qualified = 0.1 if _QUALIFIED.match(text, s, e) else 0.0  # "within 20 days", "no later than ..."
            score = weight + qualified + 0.1 * min(near, 2.0) + (0.2 if _matches_any(text[s:e], terms) else 0.0)
            if best is None or score > best[2]:
                best = ((s, e), kind, score)
    return best


def _matches_any(word: str, terms: dict[str, float]) -> bool:
    tokens = set(tokenize(word))
    return any(_matches(t, tokens) for t in terms)


def _distance(s: int, e: int, word: tuple[int, int]) -> int:
    if word[1] <= s:
        return s - word[1]
    if word[0] >= e:
        return word[0] - e
    return 0


def _cells(text: str, a: int, b: int, header: tuple[int, int]) -> list[tuple[int, int, set[str], set[str]]]:
    """A row's cells as (start, end, the cell's words, its column header's words)."""
    heads = [h.strip() for h in text[header[0] : header[1]].strip().strip("|").split("|")]
    cells, pos, column = [], text.find("|", a, b) + 1, 0
    while 0 < pos < b:
        bar = text.find("|", pos, b)
        stop = bar if bar >= 0 else b
        head = heads[column] if column < len(heads) else ""
        cells.append((pos, stop, set(tokenize(text[pos:stop])), set(tokenize(head))))
        pos, column = stop + 1, column + 1
        if bar < 0:
            break
    return cells


def _cell_overlap(cells: list[tuple[int, int, set[str], set[str]]], position: int, terms: dict[str, float]) -> float:
    for s, e, own, head in cells:
        if s <= position < e:
            return sum(w for t, w in terms.items() if _matches(t, own)) + sum(
                w for t, w in terms.items() if _matches(t, head)
            )
    return 0.0
