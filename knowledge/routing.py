"""Routing by a document's short name: "in the common paper sla", "github: ...", "our SOW with Meridian".

Long names ("In the Hosting Agreement between A and B: ...") are routed by BM25 over document headers
(`Retriever._route`). People in Slack name a document by a word or two of its title instead. Such a
reference routes only when the question says it names a document (a naming phrase: "in the X",
"under our X", "the X deal", "X:" at the start, "our X with Y", "(X)" or "- X" at the end, or two words
after "on", "for", "at"... at the end: "notice for hot storage?"), when most of the phrase's words are
the document's title or file-name words, and when one of them is distinctive: in the titles of at
most a third of the documents (amendments aside), so a word in every title ("SLA", "Agreement")
never routes. The search is then narrowed to the named document(s) and the amendments.

Without a naming phrase, a question may still use a name: a party's or a product's ("sue leader",
"from dolphin", "i-on"), as the documents' titles, file names and parties' clauses write it and their
text never writes it in lower case (`name_route`). Such a question routes the same way, and its search
leaves the name out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

from knowledge.signals import is_amendment
from knowledge.stopwords import STOPWORDS_BY_LANGUAGE
from knowledge.stored import StoredDocument
from knowledge.text import STOPWORDS, TOKEN, stem, tokenize


def _words(text: str) -> list[str]:
    return text.split()


MIN_TITLE_SHARE = 0.6  # of the naming phrase's words, the share that must be the document's title words
MAX_WORDS = 5  # a naming phrase longer than this is a long name (BM25 routing's job) or no name at all

# words that say "document" without naming one: they neither count for nor against a match
_FILLER = frozenset(
    tokenize("deal contract agreement agreements terms doc document one file contratto accordo documento condizioni")
)
_GLUE = frozenset(("with", "from", "that", "this", "their", "there", "what", "when", "which", "about", "under", "into"))
# Italian: the articled prepositions before a document's name, and the words after it that end the name
_IT_BY = (
    r"nel|nello|nella|nei|negli|nelle|del|dello|della|dei|degli|delle|dal|dallo|dalla|col|"
    r"con\s+(?:il|lo|la|i|gli|le)|secondo\s+(?:il|lo|la)|per\s+(?:il|lo|la)|in\s+base\s+(?:al|allo|alla)"
)
_IT_END = (
    r"(?=[?,.;:!]|\s+(?:con|tra|fra|per|su|dice|dicono|prevede|prevedono|è|sono|cosa|come|quando|quanto|quanti|"
    r"quale|quali|si|ci|se|in|sul|sulla|sullo|sui|sugli|nel|nella|riguardo|circa|c['\u2019]è)\b|\s*$)"
)
_NAMING = [
    re.compile(r"^\s*([\w][\w .&'-]{1,40}?)\s*:\s*\S", re.IGNORECASE),  # "github: uptime?"
    re.compile(
        r"\b(?:in|under|per|from|of|for|with|by)\s+(?:the|our|their|this|that)\s+([\w][\w .&'-]{1,60}?)"
        r"\s*(?=[?,.;:!]|\s+(?:with|between|for|about|says?|said|is|are|what|how|when|do|does|did)\b|$)",
        re.IGNORECASE,
    ),  # "in the common paper sla?", "under our msa, ..."
    re.compile(r"\b(?:the|our|their)\s+([\w][\w .&'-]{1,40}?)\s+(?:deal|contract|agreement)\b", re.IGNORECASE),
    re.compile(r"\bour\s+(\w+\s+with\s+[\w&'-]+(?:\s+[\w&'-]+)?)", re.IGNORECASE),  # "our SOW with Meridian"
    # Italian: "nello sla di common paper", "secondo il contratto con dolphin", "per il csa di common paper?"
    re.compile(
        rf"(?<![\w'\u2019])(?:(?:{_IT_BY})\s+|(?:nell|dell|dall|all|con\s+l|per\s+l|secondo\s+l)['\u2019]\s*)"
        rf"([\w][\w .&'-]{{1,60}}?)\s*{_IT_END}",
        re.IGNORECASE,
    ),
    # "il csa di common paper si rinnova?", "lo sla di github": a document word, then whose it is
    re.compile(
        r"(?<![\w'\u2019])(?:contratto|accordo|sla|msa|sow|csa|capitolato|allegato)\s+"
        rf"(?:di|con|del|della|dello|dei|degli|coi|col|dell['\u2019]\s*)\s*([\w][\w .&'-]{{1,40}}?)\s*{_IT_END}",
        re.IGNORECASE,
    ),
    # at the end of the question: "(cloud servers)", "- bonterms"
    re.compile(r"\(([\w][\w .&'-]{1,40}?)\)\s*[?.!]*\s*$"),
    re.compile(r"\s[-\u2013\u2014]\s+([\w][\w .&'-]{1,40}?)\s*[?.!]*\s*$"),
]
# "maintenance notice for hot storage?": no article says a name follows, so it takes two words ("on services" is
# none), every one of them the document's title words ("on service credits for a month" names no "Service Credits")
_BARE_END = re.compile(
    r"(?<![\w-])(?:in|under|per|for|with|on|at|from|su|con|da|di)\s+([\w][\w .&'-]{1,40}?)\s*[?.!]*\s*$", re.I
)


def naming_phrases(question: str) -> list[list[str]]:
    """The (lower-cased) words of each phrase that may name a document, stopwords and filler words left out."""
    return [words for words, _, _ in _phrases(question)]


def _phrases(question: str) -> list[tuple[list[str], tuple[int, int], float]]:
    """(words, span, the share of them that must be title words) of each phrase that may name a document."""
    out = []
    for pattern, least, share in [*((p, 1, MIN_TITLE_SHARE) for p in _NAMING), (_BARE_END, 2, 1.0)]:
        for m in pattern.finditer(question):
            words = [w for w in TOKEN.findall(m.group(1).lower()) if _kept(w)]
            if least <= len(words) <= MAX_WORDS:
                out.append((words, m.span(), share))
    return out


def without_short_name(question: str, docs: Sequence[StoredDocument]) -> str:
    """The question without the phrase that named its document ("... for the photo retouching deal"):
    once the search is narrowed to that document, its title words would only favour its title line."""
    routed = set(short_name_route(question, docs))
    if not routed:
        return question
    title = set().union(*(tokenize(f"{d.title} {d.name.rsplit('.', 1)[0]}") for d in docs if d.name in routed))
    naming = [span for words, span, share in _phrases(question) if _matched(words, title)[0] / len(words) >= share]
    cuts: list[tuple[int, int]] = []
    for a, b in sorted(naming, key=lambda s: s[1] - s[0]):  # the shortest naming phrase first
        if all(b <= c or d <= a for c, d in cuts):
            cuts.append((a, b))
    cut = question
    for a, b in sorted(cuts, reverse=True):
        cut = f"{cut[:a]} {cut[b:]}"
    cut = " ".join(cut.split())
    return cut if len(cut) >= 8 else question


def _kept(word: str) -> bool:
    """A word that may be part of a name: a content word, or a longer one the stopword list holds ('paper')."""
    if word in STOPWORDS_BY_LANGUAGE["it"]:
        return False  # Italian articles and prepositions inside a naming phrase ("lo sla di common paper")
    stemmed = tokenize(word)
    return (stemmed[0] not in _FILLER) if stemmed else len(word) > 3 and word not in _GLUE


def _matched(words: list[str], title: set[str]) -> tuple[int, list[str]]:
    """How many of the phrase's words the title has (alone, or joined with the next: 'common paper' ->
    'commonpaper'), and the title tokens they matched."""
    covered: set[int] = set()
    tokens: list[str] = []
    for i, w in enumerate(words):
        joined = tokenize(w + words[i + 1]) if i + 1 < len(words) else []
        if joined and joined[0] in title:
            covered |= {i, i + 1}
            tokens.append(joined[0])
        elif (t := tokenize(w)) and t[0] in title:
            covered.add(i)
            tokens.append(t[0])
    return len(covered), tokens


def short_name_route(question: str, docs: Sequence[StoredDocument]) -> list[str]:
    """The names of the document(s) a question names by a short name, with the amendments; [] when none."""
    if len(docs) < 2:
        return []
    phrases = _phrases(question)
    if not phrases:
        return []
    main = [d for d in docs if not is_amendment(d.title, d.name)]
    titles = {d.id: set(tokenize(f"{d.title} {d.name.rsplit('.', 1)[0]}")) for d in docs}
    df: dict[str, int] = {}
    for d in main:
        for w in titles[d.id]:
            df[w] = df.get(w, 0) + 1
    limit = max(1, len(main) // 3)
    best: tuple[float, list[StoredDocument]] = (0.0, [])
    for words, _, share in phrases:
        for d in main:
            count, tokens = _matched(words, titles[d.id])
            distinctive = sum(1.0 / df[t] for t in set(tokens) if df.get(t, 0) <= limit)
            if count / len(words) < share or distinctive == 0:
                continue
            if distinctive > best[0]:
                best = (distinctive, [d])
            elif distinctive == best[0] and d not in best[1]:
                best[1].append(d)
    named = best[1]
    if not named or len(named) > limit:
        return []
    amendments = [d.name for d in docs if is_amendment(d.title, d.name) and d not in named]
    return [d.name for d in named] + amendments


# -- routing by a party's or a product's name ------------------------------------------------------
# "who pays legal fees if we sue leader", "maintenance window for i-on", "cap on compensation from vk":
# no naming phrase, but a word that names a party or a product where documents say who they are: their
# title and file name, and in their opening (the parties' clause) a company's name before its legal form
# ('Intellisense Solutions, Inc.') or the short name in quotes it is given ('("Dolphin")', '("MMI")'). It counts
# as a name when the documents always write
# it capitalised (never "dolphin" in running text, only "Dolphin"), counted only where case says something
# (not at the start of a sentence, a heading or a list item, not in an all-caps line), and when few of the
# documents (a third at most, amendments aside) name it so: a word every title or opening has never routes.
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[.'\u2019\-][A-Za-z0-9]+)*")
_CASE_BLIND_BEFORE = frozenset(".!?:;#*|>-\u2022/=@_")  # before a word capitalised for its place, or in a path
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201c\u201d\n]{2,40})[\"\u201d]")
_LEGAL_FORM = re.compile(
    r"((?:[A-Z][\w.&'-]*[\s,]+){1,4})(?i:Inc|LLC|L\.L\.C|Ltd|Limited|Corp|Corporation|Company|Co|GmbH|plc|PLC|S\.A|AG|N\.V|B\.V|"
    r"L\.P|LLP|S\.p\.A|S\.r\.l|SAS|Pty)\b"
)
NAME_LOWER_SHARE = 0.02  # a name is (almost) never written in lower case where its case shows


@functools.lru_cache(maxsize=100_000)
def name_key(word: str) -> str:
    """How a name is compared: lower case, no possessive, no hyphen or dot ('I-On' and 'i-on' -> 'ion', 'gov.uk' and
    the file name's 'govuk' -> 'govuk'), stemmed."""
    w = re.sub(r"['\u2019]s$", "", word.lower())
    w = w.replace("-", "").replace("'", "").replace("\u2019", "").replace(".", "")
    return stem(w)


def _case_counts(texts: Sequence[str]) -> dict[str, list[int]]:
    """Per name key: [capitalised, lower-case] occurrences where a word's case is its own."""
    counts: dict[str, list[int]] = {}
    for text in texts:
        for line in text.splitlines():
            letters = sum(map(str.isalpha, line))
            if not letters or sum(map(str.isupper, line)) > 0.6 * letters:
                continue  # an all-caps line (a heading, a title block) capitalises everything
            for m in _WORD.finditer(line):
                j = m.start() - 1
                while j >= 0 and line[j].isspace():
                    j -= 1
                if j < 0 or line[j] in _CASE_BLIND_BEFORE or line[j].isdigit():
                    continue
                count = counts.setdefault(name_key(m.group()), [0, 0])
                count[0 if m.group()[0].isupper() else 1] += 1
    return counts


def _opening_names(header: str) -> list[str]:
    """The words of an opening that say who a party is: names before a legal form ('Intellisense Solutions,
    Inc.'), and a short name in quotes that repeats or abbreviates the name just before it ('Dolphin Industries
    Limited ("Dolphin")', 'Modus Media International ("MMI")'); a defined term ('the "Service Credits"') is none."""
    words = [w for m in _LEGAL_FORM.finditer(header) for w in _WORD.findall(m.group(1))]
    for m in _QUOTED.finditer(header):
        alias = _WORD.findall(m.group(1))
        before = _WORD.findall(header[max(0, m.start() - 600) : m.start()])[-12:]  # title blocks pad with spaces
        if not alias or len(alias) > 4:
            continue
        first = alias[0].lower()
        initials = "".join(w[0].lower() for w in before if w[0].isupper())
        if any(w.lower() == first for w in before) or (len(first) >= 2 and first in initials):
            words += alias
    return words


# the words a company's name ends with in a filer's glued file name ("ELANDIAINTERNATIONALINC", "DRAGONSYSTEMSINC"):
# what is left once they are peeled off is what people call the company ("elandia", "dragon")
_COMPANY_ENDINGS = tuple(
    sorted(
        _words(
            "inc incorporated corp corporation co company ltd limited llc plc lp llp sa ag nv bv gmbh spa srl "
            "holdings holding group international intl technologies technology tech systems solutions services "
            "pharmaceuticals pharmaceutical pharma therapeutics biopharma industries enterprises global worldwide "
            "networks network communications software financial bancorp energy capital partners"
        ),
        key=len,
        reverse=True,
    )
)
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def file_name_names(name: str) -> list[str]:
    """The short company names a file name holds (lower case), beside its own words: 'ELANDIAINTERNATIONALINC_04_25_2007
    -EX-10.21-Outsourcing Agreement.txt' -> ['elandia'], 'VitalibisInc_20180316_8-K...' -> ['vitalibis']. Only the
    first word of the name is read (where filers put theirs), and only a word that peels to four letters or more."""
    stem_name = name.rsplit(".", 1)[0]
    first = re.split(r"[\s_\-,.()]+", stem_name.strip(), maxsplit=1)[0]
    if not first.isalpha():
        return []
    parts = _CAMEL.findall(first) if not first.isupper() and not first.islower() else [first]
    word = "".join(parts).lower()
    if len(parts) > 1:  # CamelCase: 'VitalibisInc' -> 'vitalibis' once its company words are dropped
        kept = [p.lower() for p in parts]
        while len(kept) > 1 and kept[-1] in _COMPANY_ENDINGS:
            kept.pop()
        word = "".join(kept)
        return [word] if len(word) >= 4 and word != first.lower() else []
    peeled = word
    while True:
        ending = next((e for e in _COMPANY_ENDINGS if peeled.endswith(e) and len(peeled) - len(e) >= 4), None)
        if ending is None:
            break
        peeled = peeled[: -len(ending)]
    return [peeled] if peeled != word else []


def document_names(
    docs: Sequence[StoredDocument], headers: Sequence[str], texts: Mapping[str, Sequence[str]]
) -> dict[str, frozenset[str]]:
    """Name key -> the ids of the documents whose header (title, file name, opening: `headers`, one per
    document) names it. `texts` (each document's text, or its chunks', by id) tell a name from a common word
    (written in lower case somewhere) and from a defined term that other documents use too ('Downtime')."""
    case = _case_counts([t for d in docs for t in texts.get(d.id, ())])
    used: dict[str, set[str]] = {}
    shaped: set[str] = set()  # written with a hyphen, a dot or a digit ('i-on', 'mail.ru'): no common word
    for d, header in zip(docs, headers, strict=True):
        title = f"{d.title} {d.name.rsplit('.', 1)[0]}"
        words = TOKEN.findall(title.lower()) + _opening_names(header)
        for word in words:
            key = name_key(word)
            used.setdefault(key, set()).add(d.id)
            if not re.sub(r"['\u2019]s$", "", word).isalpha():
                shaped.add(key)
    for d in docs:  # 'elandia' of the file name ELANDIAINTERNATIONALINC, though the text never writes it
        for word in file_name_names(d.name):
            used.setdefault(name_key(word), set()).add(d.id)
    for d in docs:  # 'centrack' of the file name CENTRACKINTERNATIONALINC: a name the text writes at its start
        long = [t for t in TOKEN.findall(d.name.rsplit(".", 1)[0].lower()) if len(t) >= 10 and t.isalpha()]
        for key, (upper, lower) in case.items() if long else ():
            if len(key) >= 4 and upper and not lower and any(t.startswith(key) and t != key for t in long):
                used.setdefault(key, set()).add(d.id)
    out: dict[str, frozenset[str]] = {}
    for key, ids in used.items():
        if len(key) < 2 or not key[0].isalpha() or key in STOPWORDS or key in _FILLER:
            continue
        upper, lower = case.get(key, (0, 0))
        if lower <= NAME_LOWER_SHARE * (upper + lower) or key in shaped:
            out[key] = frozenset(ids)
    for d in docs:  # a document that uses a name more than in passing without naming it in its header
        if is_amendment(d.title, d.name):
            continue
        seen: dict[str, int] = {}
        for t in texts.get(d.id, ()):
            for w in _WORD.findall(t):
                key = name_key(w)
                if key in out and d.id not in out[key]:
                    seen[key] = seen.get(key, 0) + 1
        for key, n in seen.items():
            if n >= 2:
                out.pop(key, None)  # ... makes it a word of the documents' subject, not the name of some
    return out


def name_route(question: str, docs: Sequence[StoredDocument], names: dict[str, frozenset[str]]) -> list[str]:
    """The names of the document(s) whose names the question uses, with the amendments; [] when none."""
    if len(docs) < 2:
        return []
    main = {d.id for d in docs if not is_amendment(d.title, d.name)}
    limit = max(1, len(main) // 3)
    words = [name_key(w) for w in _WORD.findall(question)]
    words += [a + b for a, b in zip(words, words[1:], strict=False)]  # 'shi farms' -> 'shifarm' as one word
    weights: dict[str, float] = {}
    for key in dict.fromkeys(words):
        named = names.get(key, frozenset()) & main
        if not named or len(named) > limit:
            continue
        for doc_id in named:
            weights[doc_id] = weights.get(doc_id, 0.0) + 1.0 / len(named)
    if not weights:
        return []
    best = max(weights.values())
    chosen = _by_title_words(question, [d for d in docs if weights.get(d.id) == best], set(words) & set(names))
    if len(chosen) > limit:
        return []
    return [d.name for d in chosen] + [d.name for d in docs if d.id not in main and d not in chosen]


def _by_title_words(question: str, chosen: list[StoredDocument], keys: set[str]) -> list[StoredDocument]:
    """Of the documents one name names ("vk": its servers, hot storage and support agreements), those whose title
    holds the most of the words beside the name ("the vk support sla": "vk cloud support sla"; the word before it
    and the two after); all of them when no title holds one the others lack. A word further off says what is
    asked, not which document ("export data from the service while the bonterms subscription ...")."""
    if len(chosen) < 2:
        return chosen
    words = _WORD.findall(question)
    beside = [
        words[j]
        for i, w in enumerate(words)
        if name_key(w) in keys
        for j in (i - 1, i + 1, i + 2)
        if 0 <= j < len(words) and name_key(words[j]) not in keys
    ]
    asked = set(tokenize(" ".join(beside)))
    held = [asked & set(tokenize(f"{d.title} {d.name.rsplit('.', 1)[0]}")) for d in chosen]
    common = set.intersection(*held)
    counts = [len(h - common) for h in held]
    if not max(counts):
        return chosen
    return [d for d, n in zip(chosen, counts, strict=True) if n == max(counts)]


def without_names(
    question: str, names: dict[str, frozenset[str]], routed: Sequence[str], docs: Sequence[StoredDocument]
) -> str:
    """The question without the names that routed it ('... from dolphin'): once the search is narrowed to
    their document, a name only favours the clauses that happen to repeat it."""
    ids = {d.id for d in docs if d.name in routed}
    cut = " ".join(
        w for w in question.split() if not any(names.get(name_key(t), frozenset()) & ids for t in _WORD.findall(w))
    )
    return cut if len(cut) >= 8 else question


def own_amendments(
    routed: Sequence[str], docs: Sequence[StoredDocument], names: Mapping[str, frozenset[str]]
) -> list[str]:
    """A route (document names, amendments among them) with only the amendments of its documents: an amendment
    that shares a name with other documents but none with these amends another contract ('the FASC amendment'
    is not the SLA's). An amendment that shares no name with any document is kept, as nothing tells."""
    by_name = {d.name: d for d in docs}
    chosen = {by_name[n].id for n in routed if n in by_name and not is_amendment(by_name[n].title, by_name[n].name)}
    if not chosen:
        return list(routed)
    most = max(2, len(docs) // 2)  # a word in most documents' names ('EX-10' of every file name) tells nothing
    out = []
    for n in routed:
        d = by_name.get(n)
        if d is None or d.id in chosen:
            out.append(n)
            continue
        shared = [ids - {d.id} for ids in names.values() if d.id in ids and 1 < len(ids) <= most]
        if not shared or any(ids & chosen for ids in shared):
            out.append(n)
    return out
