"""Whether the indexed contracts cover a question: the words they lack, and a fitted decision.

Two things live here. `missing_words` names the words of a question that no visible clause has in
any form: a word counts as present when it, its stem, a longer word it begins ("auto" of
"automated", "europe" of "European") or one of its expansions ("sla" -> "service level") occurs,
and function words, common verbs and generic contract roles ("move", "vendor", "can") are never
named. `covered` is a small logistic regression over features the answerer already has (the
retrieval scores, how much of the question the top clauses and the whole engagement contain, the
kind of value asked for), fitted on CUAD by `scripts/fit_coverage.py`; only its coefficients ship,
in `knowledge/data/coverage.json`, and they are evaluated here with plain Python.
"""

from __future__ import annotations

import bisect
import functools
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from knowledge.language import looks_non_english
from knowledge.lexical import near
from knowledge.signals import HOLDS, answer_kinds
from knowledge.text import STOPWORDS, TOKEN, stem, tokenize
from knowledge.values import PATTERNS
from knowledge.vocabulary import ABBREVIATIONS, CHAT_WORDS, FOREIGN_MODALS, GENERIC_WORDS, SHORT_FORMS, plain

MODEL = Path(__file__).resolve().parent / "data" / "coverage.json"
TOP = 3  # the clauses whose wording counts as "what the answer would quote"
MIN_PREFIX = 4  # "auto" may stand for "automated"; "sub" may not stand for "subject"
MIN_TYPO = 6  # "breech" may be "breach"; "emiss" (emissions) is not "miss"

FEATURES = (
    "similarity",  # best cosine similarity of the question to a retrieved clause
    "score",  # the lead's fused score (dense + BM25 + cues)
    "coverage_lead",  # share of the question's content words in the lead clause (stems, prefixes, expansions)
    "coverage",  # the same, in the top clauses
    "known",  # share of the question's content words anywhere in the visible documents
    "missing",  # how many content words the visible documents lack in every form (capped at 3)
    "pairs_document",  # share of the question's adjacent word pairs ("governing law") together in the lead's document
    "content_words",  # log(1 + number of content words)
    "asks_value",  # the question asks for a date, a duration or an amount
    "value_absent",  # ... and none of the top clauses holds one
    "coverage_document",  # share of the content words, bar those naming it, in the lead's whole document
    "number_absent",  # a number the question gives ("99.9%", "the 60 minute response") is not in that document
)
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w])")
FLOOR_MARGIN = 0.10  # below min_similarity by this much, no clause is close enough to be the answer
UNKNOWN_SHARE = 0.5  # when at most this share of the question's words occurs anywhere ...
UNKNOWN_MARGIN = 0.15  # ... a clause must be this much closer than min_similarity to answer it
PAIR_WINDOW = 3  # two words are "together" when at most this many tokens apart


class _Hit(Protocol):  # knowledge.retrieval.Hit, without importing retrieval (and its store) here
    @property
    def chunk(self) -> object: ...

    @property
    def score(self) -> float: ...

    @property
    def similarity(self) -> float: ...

    @property
    def lexical(self) -> float: ...


H = TypeVar("H", bound=_Hit)


# -- the words of a question -----------------------------------------------------------------------
# "the people working on our account": the client's account, a way of speaking, not a thing a contract names
_ON_ACCOUNT = re.compile(r"\b(?:on|for)\s+(?:our|your|their|this|the|my)\s+(?:account|side|end)\b")  # "on their side"
# a contraction's or possessive's ending: "there's", "we've", "they're", "don't", "it'll", "mmi's"
_CONTRACTED = re.compile(r"(?:'s|'ve|'re|'ll|'d|n't)$")
# a verb's particle: "if a subcontractor messes up", "can they swap out the team"
_PARTICLE = r"(?:up|out|off|down|over|around|away)\b"


def content_words(question: str) -> list[str]:
    """The words a question is about, lower-cased as typed: no function words, chat words or generic roles."""
    out: list[str] = []
    for word in TOKEN.findall(_ON_ACCOUNT.sub(" ", plain(question).lower())):
        word = _CONTRACTED.sub("", word).replace("'", "")  # "he's" -> "he", "mmi's" -> "mmi", "we've" -> "we"
        if word in STOPWORDS or word in CHAT_WORDS or word in GENERIC_WORDS or word in FOREIGN_MODALS or word in out:
            continue
        if word.isalpha() and len(word) >= 3 or any(ch.isdigit() for ch in word) and len(word) >= 2:
            out.append(word)
    return out


@functools.lru_cache(maxsize=64)
def _sorted(vocabulary: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(vocabulary))


def _begins(prefix: str, words: tuple[str, ...]) -> bool:
    """Whether a word of the sorted tuple starts with prefix."""
    i = bisect.bisect_left(words, prefix)
    return i < len(words) and words[i].startswith(prefix)


def _forms(word: str) -> list[str]:
    """The stems a word may appear as: itself, its stem, and the words of its expansion."""
    forms = [word, stem(word)]
    expansion = ABBREVIATIONS.get(word) or SHORT_FORMS.get(word)
    if expansion:
        forms.extend(tokenize(expansion))
    return forms


def occurs(word: str, vocabulary: frozenset[str], *, typos: bool = True) -> bool:
    """Whether a word occurs in a vocabulary of stemmed tokens in some form (see the module docstring)."""
    words = _sorted(vocabulary)
    for form in _forms(word):
        if form in vocabulary:
            return True
        if len(form) >= MIN_PREFIX and form.isalpha() and _begins(form, words):
            return True  # "auto" ~ "automat", "europ" ~ "european", "subcontract" ~ "subcontractor"
        # a shorter indexed word the question's word begins: "subcontractors" ~ "subcontract"
        shortest = max(MIN_PREFIX + 1, math.ceil(0.7 * len(form)))
        if form.isalpha() and any(form[:n] in vocabulary for n in range(shortest, len(form))):
            return True
    stemmed = stem(word)
    return typos and len(stemmed) >= MIN_TYPO and near(stemmed, vocabulary)


def _not_english(question: str) -> bool:
    """A question whose words cannot be looked up in English documents' vocabulary (Italian, say)."""
    return looks_non_english(question) or bool(set(TOKEN.findall(question.lower())) & FOREIGN_MODALS)


def missing_words(question: str, vocabulary: frozenset[str]) -> list[str]:
    """Words of the question that the visible documents lack in every form; [] for a question not in English."""
    if _not_english(question):
        return []
    out = []
    for word in content_words(question):
        if len(word) >= 4 and word.isalpha() and not occurs(word, vocabulary):
            out.append(word)
    return out


def asked_thing_missing(question: str, vocabulary: frozenset[str]) -> str | None:
    """The thing a question asks about, when no visible document mentions it in any form: else None.

    The thing asked about is the question's last content word, the head of its noun phrase ("what is Meridian's
    target gross *margin*?", "what does it cost per *seat*?"). A verb form ("if we get *acquired*", "if a
    subcontractor *messes* up") is not a thing; neither is a word shorter than four letters, a number, or a
    question not in English. When the documents never write that word, they do not answer the question, however
    close its other words come."""
    if _not_english(question):
        return None
    words = [w for w in content_words(question) if w.isalpha()]
    if not words:
        return None
    head = words[-1]
    if len(head) < 4 or head.endswith(("ed", "ing")) or occurs(head, vocabulary):
        return None
    if re.search(rf"\b{re.escape(head)}\s+{_PARTICLE}", question.lower()):
        return None  # a phrasal verb ("messes up"), not the thing asked about
    if re.search(
        rf"\b(?:we|they|you|i|to|will|would|can|could|should|must|may|might|do|does|did)\s+{re.escape(head)}\b",
        plain(question).lower(),
    ):
        return None  # a verb after its subject or a modal ("how often do they bill us"), not the thing asked about
    return head


# -- features --------------------------------------------------------------------------------------
def _chunk_text(hit: _Hit) -> str:
    chunk = hit.chunk
    return f"{getattr(chunk, 'title', '')} {getattr(chunk, 'heading', '') or ''} {getattr(chunk, 'text', '')}"


def _share(words: Sequence[str], vocabulary: frozenset[str]) -> float:
    if not words:
        return 0.0
    return sum(occurs(w, vocabulary) for w in words) / len(words)


@functools.lru_cache(maxsize=32)
def _document_tokens(text: str) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """A document's stemmed tokens and the (unordered) pairs of tokens that stand together in it."""
    tokens = tokenize(text)
    return frozenset(tokens), _pairs_of(tokens)


def _pairs_of(tokens: Sequence[str]) -> frozenset[tuple[str, str]]:
    out = set()
    for i, a in enumerate(tokens):
        for b in tokens[i + 1 : i + 1 + PAIR_WINDOW]:
            out.add((a, b) if a <= b else (b, a))
    return frozenset(out)


def _pair_share(words: Sequence[str], pairs: frozenset[tuple[str, str]]) -> float:
    """Share of the question's adjacent content-word pairs standing together in a text (1.0 with no pair)."""
    stems = [stem(w) for w in words]
    asked = [(a, b) if a <= b else (b, a) for a, b in zip(stems, stems[1:], strict=False) if a != b]
    if not asked:
        return 1.0
    return sum(p in pairs for p in asked) / len(asked)


def features(
    question: str,
    hits: Sequence[H],
    vocabulary: frozenset[str],
    text_of: Callable[[H], str] | None = None,
) -> dict[str, float]:
    """The decision's inputs for a question and its retrieved clauses (best first), as named in FEATURES.

    `text_of` gives a hit's whole document text (the answerer's own); without it the lead clause
    stands for its document.
    """
    words = content_words(question)
    top = list(hits[:TOP])
    sims = [h.similarity for h in hits] or [0.0]
    top_vocab = frozenset(tokenize(" ".join(_chunk_text(h) for h in top)))
    lead_vocab = frozenset(tokenize(_chunk_text(top[0]))) if top else frozenset()
    kinds = answer_kinds(question)
    holds = any(HOLDS[k].search(_chunk_text(h)) for k in kinds for h in top)
    missing = [w for w in words if not occurs(w, vocabulary)]
    document = (text_of(top[0]) if text_of is not None else _chunk_text(top[0])) if top else ""
    doc_vocab, doc_pairs = _document_tokens(document)
    naming = set(tokenize(_naming_text(top[0]))) if top else set()
    about = [w for w in words if not (set(_forms(w)) & naming)]
    return {
        "similarity": max(sims),
        "score": top[0].score if top else 0.0,
        "coverage_lead": _share(words, lead_vocab),
        "coverage": _share(words, top_vocab),
        "known": _share(words, vocabulary) if words else 1.0,
        "missing": float(min(len(missing), 3)),
        "pairs_document": _pair_share(words, doc_pairs),
        "content_words": math.log1p(len(words)),
        "asks_value": float(bool(kinds)),
        "value_absent": float(bool(kinds) and not holds),
        "coverage_document": _share(about, doc_vocab) if about else 1.0,
        "number_absent": float(any(not _has_number(n, document) for n in NUMBER.findall(question))),
    }


# A figure a question gives as a share ("99.9", "95%", "99,5 %"): plain integers ("30 days", "a 60 minute
# response") are left out, they are as often the question's own numbers as a contract's.
FIGURE = re.compile(r"(?<![\w.,])\d+[.,]\d+(?:\s?%)?(?![\w])|(?<![\w.,])\d+\s?%")


def absent_figure(question: str, texts: Iterable[str], quoted: Sequence[str]) -> str | None:
    """A share the question gives ("what's the uptime target in the common paper sla, 99.9?") that none of `texts`
    (the documents the question is about) writes, when none of the clauses that would answer (`quoted`) gives any
    percentage either: the contracts are silent on that figure, whatever else they say. None otherwise."""
    figures = [m.group(0) for m in FIGURE.finditer(question)]
    if not figures or any(PATTERNS["percent"].search(q) for q in quoted):
        return None
    texts = list(texts)
    for figure in figures:
        number = figure.rstrip("% ")
        if not any(_has_number(number, t) for t in texts):
            return figure
    return None


def _naming_text(hit: _Hit) -> str:
    """What names a hit's document: its title and file name (words a question uses to point at it)."""
    chunk = hit.chunk
    return f"{getattr(chunk, 'title', '')} {str(getattr(chunk, 'document', '')).rsplit('.', 1)[0]}"


def _has_number(number: str, text: str) -> bool:
    """Whether a number occurs in a text as a number ("99.9" in "99.9%", not in "199.95"; "1,000" as "1000")."""
    forms = {number, number.replace(",", ""), number.replace(",", ".")}
    return any(re.search(rf"(?<![\w.,]){re.escape(f)}(?![\d])", text) for f in forms)


# -- the fitted decision ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Model:
    """A logistic regression over standardised features, as fitted by scripts/fit_coverage.py."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    embedder: str = "minilm"  # the embedder whose similarities it was fitted on
    similarity_floor: float = 0.20  # below this best similarity, nothing retrieved is close enough to answer
    unknown_similarity: float = 0.45  # a question mostly about unknown words must come this close

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Model:
        return cls(
            tuple(data["features"]),  # type: ignore[arg-type]
            tuple(float(v) for v in data["mean"]),  # type: ignore[attr-defined]
            tuple(float(v) for v in data["scale"]),  # type: ignore[attr-defined]
            tuple(float(v) for v in data["coef"]),  # type: ignore[attr-defined]
            float(data["intercept"]),  # type: ignore[arg-type]
            float(data["threshold"]),  # type: ignore[arg-type]
            str(data.get("embedder", "minilm")),
            float(data.get("similarity_floor", 0.20)),  # type: ignore[arg-type]
            float(data.get("unknown_similarity", 0.45)),  # type: ignore[arg-type]
        )

    @classmethod
    def load_all(cls, path: Path = MODEL) -> list[Model]:
        """Every model of a file: one per embedder under "models", or a file holding one."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return [cls.from_dict(m) for m in data.get("models", [data])]

    @classmethod
    def load(cls, path: Path = MODEL, embedder: str | None = None) -> Model:
        """The model fitted on an embedder (its `knowledge.embeddings.identity`, or a setting such as "e5");
        for an embedder none was fitted on, the file's first (MiniLM's)."""
        models = cls.load_all(path)
        return next((m for m in models if embedder and _same_embedder(m.embedder, embedder)), models[0])

    def probability(self, values: dict[str, float]) -> float:
        """P(covered) for a question's features."""
        z = self.intercept + sum(
            c * (values[name] - m) / (s or 1.0)
            for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def covered(self, values: dict[str, float]) -> bool:
        return self.probability(values) >= self.threshold


def _same_embedder(fitted_on: str, embedder: str) -> bool:
    """ "e5" names E5Embeddings:multilingual-e5-small-int8; an identity names itself."""
    short = {"E5Embeddings": "e5", "MiniLMEmbeddings": "minilm"}
    return fitted_on == embedder or short.get(embedder.partition(":")[0]) == fitted_on


@functools.lru_cache(maxsize=8)
def model(embedder: str | None = None) -> Model:
    """The shipped model for an embedder (read once)."""
    return Model.load(embedder=embedder)


def decide(values: dict[str, float], *, min_similarity: float | None = None, fitted: Model | None = None) -> bool:
    """Covered or not: a similarity floor, then closeness asked of questions mostly about unknown words, then
    the fitted model.

    The two similarity bounds come with the model (fitted on its embedder's similarities) unless
    `min_similarity` (LIAISON_MIN_SIMILARITY) is given: then the floor is 0.10 below it and the bound for
    unknown words 0.15 above it. 0 turns the floor and the model off, leaving only the rule on unknown words
    (for an embedder the model was not fitted on)."""
    m = fitted or model()
    if min_similarity is None:
        floor, unknown = m.similarity_floor, m.unknown_similarity
    else:
        floor, unknown = min_similarity - FLOOR_MARGIN, min_similarity + UNKNOWN_MARGIN
    off = min_similarity is not None and min_similarity <= 0  # no floor asked for
    if values["similarity"] < floor and not off:
        return False  # nothing retrieved is even close in meaning
    if values["missing"] and values["known"] <= UNKNOWN_SHARE and values["similarity"] < unknown:
        return False  # it is mostly about things no visible clause mentions ("crypto payments")
    if off:
        return True  # an embedder whose similarities the model was not fitted on
    return m.covered(values)


def explain(values: dict[str, float], fitted: Model | None = None) -> list[tuple[str, float]]:
    """Each feature's pull on the decision (coefficient times standardised value), strongest first."""
    m = fitted or model()
    pulls = [
        (n, c * (values[n] - mu) / (s or 1.0)) for n, mu, s, c in zip(m.features, m.mean, m.scale, m.coef, strict=True)
    ]
    return sorted(pulls, key=lambda p: -abs(p[1]))


def named(words: Iterable[str], limit: int = 3) -> str:
    """'“europe”, “escrow”' for a message."""
    return ", ".join(f"\u201c{w}\u201d" for w in list(words)[:limit])
