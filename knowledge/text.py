"""The text toolkit the application shares with the knowledge base: words, sentences, labels, verbatim places.

`bot/` takes these from here, not from the modules that implement retrieval and answering:
- words: `TOKEN`, `STOPWORDS`, `stem`, `tokenize` (what BM25 and every word-overlap check count; `tokenize(text,
  "it")` stems and drops stop words the Italian way, `stem_in` one word, `SNOWBALL` the languages it knows);
- sentences: `sentences` (a text's sentences and bullet lines, as written);
- where a clause is: `citation_label` ("Master Services Agreement (01-msa.md), §4.2, p. 3");
- verbatim places: `locate` (where a quote sits in a text, whitespace aside);
- template slots: `marked` (placeholders shown as such);
- prompts: `fenced` and `attribute` (text and values made safe inside a prompt's tags), and
  `parse_json_reply` (the JSON object in a chat model's reply).

Light to import (no NumPy, no Chroma, no BM25): the Slack transport and the CLI load it at start.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import snowballstemmer

from knowledge.placeholders import marked
from knowledge.prompting import attribute, fenced
from knowledge.sections import sentence_spans
from knowledge.stopwords import STOPWORDS_BY_LANGUAGE

__all__ = [
    "SNOWBALL",
    "STOPWORDS",
    "TOKEN",
    "attribute",
    "citation_label",
    "fenced",
    "locate",
    "marked",
    "parse_json_reply",
    "sentences",
    "stem",
    "stem_in",
    "tokenize",
]

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "us",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "shall",
        "may",
        "any",
        "all",
        "such",
        "hereunder",
        "thereof",
        "herein",
    ]
)
TOKEN = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_STEMMER = snowballstemmer.stemmer("english")
# The languages whose words BM25 stems with their own Snowball stemmer and stop words (`tokenize(text, "it")`).
SNOWBALL = {"en": "english", "it": "italian", "es": "spanish", "fr": "french", "de": "german", "pt": "portuguese"}
SNOWBALL |= {"nl": "dutch"}
# Words of other languages: letters with their accents; an apostrophe splits ("dell'accordo": "dell", "accordo");
# a decimal comma joins figures ("99,99" reads "99.99", as an English question writes it).
WORD = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+", re.UNICODE)
_ACCENTS = str.maketrans("àáâäèéêëìíîïòóôöùúûüç", "aaaaeeeeiiiioooouuuuc")


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball (Porter 2) stem: 'exclusivity' and 'exclusive' meet at 'exclus'."""
    if len(word) <= 3 or not word.isalpha():
        return word
    return str(_STEMMER.stemWord(word))


@functools.lru_cache(maxsize=16)
def _stemmer(language: str) -> snowballstemmer.BaseStemmer:
    return snowballstemmer.stemmer(SNOWBALL[language])


@functools.lru_cache(maxsize=200_000)
def stem_in(word: str, language: str) -> str:
    """A word's Snowball stem in `language` (English: `stem`), accents dropped so "disponibilita" typed without its
    accent meets "disponibilità"."""
    if language == "en" or language not in SNOWBALL:
        return stem(word)
    if not word.isalpha():
        return word.replace(",", ".")
    stemmed = str(_stemmer(language).stemWord(word)) if len(word) > 3 else word
    return stemmed.translate(_ACCENTS)


def tokenize(text: str, language: str | None = None) -> list[str]:
    """Lower-cased, stemmed words and numbers; stopwords dropped. `language` (an ISO 639-1 code with a Snowball
    stemmer): that language's stemmer and stop words; English by default."""
    if language is None or language == "en" or language not in SNOWBALL:
        return [stem(t.replace("'", "")) for t in TOKEN.findall(text.lower()) if t not in STOPWORDS]
    stop = STOPWORDS_BY_LANGUAGE.get(language, frozenset())
    return [stem_in(t, language) for t in WORD.findall(text.lower()) if t not in stop]


HEADING_LABEL_CHARS = 80  # a heading that places an unnumbered clause, shortened past this
_MID_SENTENCE = re.compile(r"\s*(?![a-z]{1,4}[.)])[a-z\u00e0-\u00ff]")


def starts_mid_sentence(quote: str) -> bool:
    """Whether a quote begins inside a sentence ("of such damages ...": a clause that runs on from the page or the
    part before), not at a lettered or numbered item ("a) the", "iv. the") or a capital: shown after an ellipsis."""
    return bool(_MID_SENTENCE.match(quote))


def citation_label(
    *, title: str | None, document: str | None, section: str | None, page: int | None, heading: str | None = None
) -> str:
    """A citation's label, with the file name beside the title.

    A title is whatever a document says it is (front matter, PDF metadata, its first heading), so a new
    file can call itself "Master Services Agreement"; its file name tells the two apart. A clause without a
    number is placed by its heading instead ('“Impegni di disponibilità”'), when it has one.
    """
    name = (document or "").strip()
    head = (title or "").strip()
    if name and head and head != name:
        head = f"{head} ({name})"
    heading = " ".join((heading or "").split()).strip("#*_ ")
    if len(heading) > HEADING_LABEL_CHARS:
        heading = heading[: HEADING_LABEL_CHARS - 1].rstrip() + "\u2026"
    placed = f"\u201c{heading}\u201d" if heading and heading != head and heading != (title or "").strip() else None
    where = [f"§{section}" if section else placed, f"p. {page}" if page else None]
    return ", ".join([head or name or "a contract", *[w for w in where if w]])


def locate(quote: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    """Where quote sits verbatim in text[start:end]; whitespace runs may differ, nothing else."""
    if not quote.strip():
        return None
    pos = text.find(quote, start, end)
    if pos >= 0:
        return pos, pos + len(quote)
    words = quote.split()
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.compile(pattern).search(text, start, end)
    return (m.start(), m.end()) if m else None


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")


def sentences(text: str) -> list[str]:
    """Sentences and bullet lines of a text, as written (bullet markers dropped): "SOW No. 1" stays one.

    The contracts' own sentence rule (`knowledge.sections.sentence_spans`), line by line."""
    out: list[str] = []
    for line in (text or "").splitlines():
        line = _BULLET.sub("", line).strip()
        out.extend(line[a:b] for a, b in sentence_spans(line, 0, len(line)))
    return [s for s in out if s.strip()]


def parse_json_reply(content: object) -> dict[str, Any] | None:
    """The JSON object in a chat model's reply (code fences and prose around it tolerated), or None."""
    if isinstance(content, list):  # some providers return content blocks
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    raw = _FENCE.sub("", str(content)).strip()
    start, end = raw.find("{"), raw.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        parsed = json.loads(raw[start : end + 1])
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None
