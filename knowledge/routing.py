"""Routing by a document's short name: "in the common paper sla", "github: ...", "our SOW with Meridian".

Long names ("In the Hosting Agreement between A and B: ...") are routed by BM25 over document headers
(`Retriever._route`). People in Slack name a document by a word or two of its title instead. Such a
reference routes only when the question says it names a document (a naming phrase: "in the X",
"under our X", "the X deal", "X:" at the start, "our X with Y"), when most of the phrase's words are
the document's title or file-name words, and when one of them is distinctive: in the titles of at
most a third of the documents (amendments aside), so a word in every title ("SLA", "Agreement")
never routes. The search is then narrowed to the named document(s) and the amendments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.lexical import TOKEN, tokenize
from knowledge.signals import is_amendment
from knowledge.stored import StoredDocument

MIN_TITLE_SHARE = 0.6  # of the naming phrase's words, the share that must be the document's title words
MAX_WORDS = 5  # a naming phrase longer than this is a long name (BM25 routing's job) or no name at all

# words that say "document" without naming one: they neither count for nor against a match
_FILLER = frozenset(tokenize("deal contract agreement agreements terms doc document one file"))
_GLUE = frozenset(("with", "from", "that", "this", "their", "there", "what", "when", "which", "about", "under", "into"))
_NAMING = [
    re.compile(r"^\s*([\w][\w .&'-]{1,40}?)\s*:\s*\S", re.IGNORECASE),  # "github: uptime?"
    re.compile(
        r"\b(?:in|under|per|from|of|for|with|by)\s+(?:the|our|their|this|that)\s+([\w][\w .&'-]{1,60}?)"
        r"\s*(?=[?,.;:!]|\s+(?:with|between|for|about|says?|said|is|are|what|how|when|do|does|did)\b|$)",
        re.IGNORECASE,
    ),  # "in the common paper sla?", "under our msa, ..."
    re.compile(r"\b(?:the|our|their)\s+([\w][\w .&'-]{1,40}?)\s+(?:deal|contract|agreement)\b", re.IGNORECASE),
    re.compile(r"\bour\s+(\w+\s+with\s+[\w&'-]+(?:\s+[\w&'-]+)?)", re.IGNORECASE),  # "our SOW with Meridian"
]


def naming_phrases(question: str) -> list[list[str]]:
    """The (lower-cased) words of each phrase that may name a document, stopwords and filler words left out."""
    return [words for words, _ in _phrases(question)]


def _phrases(question: str) -> list[tuple[list[str], tuple[int, int]]]:
    out = []
    for pattern in _NAMING:
        for m in pattern.finditer(question):
            words = [w for w in TOKEN.findall(m.group(1).lower()) if _kept(w)]
            if 0 < len(words) <= MAX_WORDS:
                out.append((words, m.span()))
    return out


def without_short_name(question: str, docs: Sequence[StoredDocument]) -> str:
    """The question without the phrase that named its document ("... for the photo retouching deal"):
    once the search is narrowed to that document, its title words would only favour its title line."""
    routed = set(short_name_route(question, docs))
    if not routed:
        return question
    title = set().union(*(tokenize(f"{d.title} {d.name.rsplit('.', 1)[0]}") for d in docs if d.name in routed))
    naming = [span for words, span in _phrases(question) if _matched(words, title)[0] / len(words) >= MIN_TITLE_SHARE]
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
    phrases = naming_phrases(question)
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
    for words in phrases:
        for d in main:
            count, tokens = _matched(words, titles[d.id])
            distinctive = sum(1.0 / df[t] for t in set(tokens) if df.get(t, 0) <= limit)
            if count / len(words) < MIN_TITLE_SHARE or distinctive == 0:
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
