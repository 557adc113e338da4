"""What a question asks for and what a clause holds, read from their wording.

These are cheap, general cues that help rank clauses: a question asking "when" wants a clause with
a date, "how long" a duration, "how much" an amount; "who are the parties" is answered by a
contract's opening; a table of contents names every topic and answers none.
"""

from __future__ import annotations

import re

# Questions about a document's identity (its name, parties, date) are answered by its opening.
IDENTITY = re.compile(
    r"\b(?:(?:name|title)\b[^?]{0,12}?\bof (?:this|the|our)|(?:called|titled)\b|who are the parties|parties to|"
    r"(?<!expiration )(?<!termination )(?<!expiry )(?<!end )(?<!renewal )(?:date|dated) of (?:this|the|our)|"
    r"when (?:was|is|were) \w+(?: \w+)? (?:signed|dated|executed|entered)|"
    r"effective date|become effective|take effect|commence|"
    r"(?:agreement|contract)\s+(?:(?:is|was|becomes?|became|goes|went|into)\s+){0,2}effective\b)",
    re.IGNORECASE,
)

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
MONTH_NAMES = tuple(_MONTHS.split("|"))
_MESI = "gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre"
DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}\s*(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?(?:{_MONTHS}),?\s+\d{{4}}"
    rf"|\d{{1,2}}\s*(?:°|º)?\s+(?:{_MESI})\s+\d{{4}}"  # "1° aprile 2025", "17 gennaio 2025"
    rf"|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{1,2}}\.\d{{1,2}}\.\d{{4}}"  # "20.04.2018", never a section "4.2.10"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|day of (?:{_MONTHS}))",
    re.IGNORECASE,
)
_NUMBER = (
    r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|forty-five|sixty|ninety|hundred"
    # Italian: "trenta (30) giorni", "novanta giorni", "sei mesi"
    r"|un|uno|una|due|tre|quattro|cinque|sei|sette|otto|nove|dieci|dodici|quindici|venti|trenta|quaranta|"
    r"quarantacinque|sessanta|novanta|cento|centoventi|centottanta)"
)
DURATION = re.compile(
    rf"\b{_NUMBER}(?:\s*\(\s*[\w\d]+\s*\))?[\s-]+(?:business\s+|calendar\s+|consecutive\s+)?"
    r"(?:minutes?|hours?|days?|weeks?|months?|years?|quarters?"
    r"|minut[oi]|or[ae]|giorn[oi]|settiman[ae]|mes[ei]|ann[oi]|trimestr[ei])\b",
    re.IGNORECASE,
)
AMOUNT = re.compile(
    r"(?:[$\u20ac\u00a3]\s?\d|\b(?:usd|eur|gbp|euro)\s?\d|\d+(?:[.,]\d+)?\s?%|\bpercent\b|\bper\s?cento\b"
    r"|\d(?:[\d.,]*\d)?\s?(?:euro|\u20ac)|\b\d+(?:[.,]\d+)?[x\u00d7](?!\w))",  # "three times (3x) the cap"
    re.IGNORECASE,
)
PREAMBLE = re.compile(
    r"\b(?:by and between|entered into|is made (?:and entered )?(?:as of|on|this)|dated as of)\b",
    re.IGNORECASE,
)

# kind of value -> the wording of a question that asks for it
_ASKS = {
    "date": re.compile(
        r"\b(?:when|what date|which date|date of|dated|deadline|by when"
        r"|quando|che data|quale data|data di|entro quando|scadenza|termine ultimo)\b",
        re.IGNORECASE,
    ),
    "duration": re.compile(
        r"\b(?:how long|how many (?:days|months|years|hours|minutes|weeks)|how soon|how quickly|how fast|"
        r"period|duration|notice|within|term"
        r"|quanto tempo|quant[ie] (?:giorni|mesi|anni|ore|minuti|settimane)|entro quanto|in quanto tempo|"
        r"durata|periodo|preavviso|entro|tempi|tempo|quanto dura|quanto durano|per quanto)\b",
        re.IGNORECASE,
    ),
    "amount": re.compile(
        r"\b(?:how much|cost|price|fee|fees|rate|cap|capped|amount|percent|percentage|minimum|maximum|limit"
        r"|quanto costa|(?<!ogni\s)(?<!per\s)quanto(?!\s+(?:tempo|dura|durano))"
        r"|costo|costi|prezzo|tariffa|canone|importo|percentuale"
        r"|minimo|massimo|massimale|massimali|limite|tetto"
        r"|penale|penali)\b",
        re.IGNORECASE,
    ),
}
HOLDS = {"date": DATE, "duration": DURATION, "amount": AMOUNT}


def answer_kinds(question: str) -> list[str]:
    """The kinds of value a question asks for: 'date', 'duration', 'amount'."""
    return [kind for kind, pattern in _ASKS.items() if pattern.search(question)]


_CONTENTS_ENTRY = re.compile(
    r"(?:\b\d{1,2}(?:\.\d{1,2})*\.?|\b[A-Z][A-Za-z]+)[^.\n]{2,80}?(?:\.{3,}|\s)\s*\d{1,3}(?=\s|$)"
)


_CURRENCY = re.compile(r"[$\u20ac\u00a3]|\b(?:USD|EUR|GBP|CAD|AUD)\b")
_NUMBERED_ENTRY = re.compile(r"\b\d{1,2}(?:\.\d{1,2})+\.?\s+[A-Z][^.\n\d]{2,80}?(?:\.{3,}|\s)\s*\d{1,3}(?=\s|$)")


SENTENCE_END = re.compile(r"[a-z]{3}\.(?:\s|$)")  # a word's end and a full stop: "Appointment; Exclusivity" has none


def looks_like_contents(text: str) -> bool:
    """A table of contents: many 'heading ... page' entries and almost no sentences."""
    if "table of contents" in text.lower()[:200]:
        return True
    if text.count("|") >= 4:
        return False  # a table of figures (service levels, rates), not of contents
    found = _CONTENTS_ENTRY.findall(text)
    entries = len(found)
    sentences = len(SENTENCE_END.findall(text))
    if entries >= 4 and sentences <= entries // 4:
        return True
    # a piece of one cut at its clause numbers: "17.1   Insurance Coverage   36 17.2   Terms Of Insurance   37",
    # numbered entries, each with its page, and nothing else
    # (pages that never go back, and no currency: "1.1 Set-up fee $ 500 1.2 Monthly fee 200" is a price list)
    numbered = _NUMBERED_ENTRY.findall(text)
    if len(numbered) < 2 or sentences or _CURRENCY.search(text):
        return False
    pages = [int(e.split()[-1]) for e in numbered]
    covered = sum(len(e.strip()) for e in numbered)
    return pages == sorted(pages) and covered >= 0.85 * len(text.strip())


_DOCUMENT_REFERENCE = re.compile(
    r"^\s*(?:in|under|per|for|according to|regarding)\s+(?:the|our|this|that|their)\s+[^:?]{3,300}?:\s*",
    re.IGNORECASE,
)


def without_document_reference(question: str) -> str:
    """'In the Hosting Agreement between A and B: what is ...' -> 'what is ...' (once routed)."""
    rest = _DOCUMENT_REFERENCE.sub("", question, count=1)
    return rest if len(rest) >= 8 else question


def is_amendment(title: str, name: str) -> bool:
    return bool(re.search(r"amend", f"{title} {name}", re.IGNORECASE))
