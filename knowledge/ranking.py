"""The second ranking stage: the first stage's top candidates re-scored by a fitted linear model.

The first stage (`knowledge.retrieval`) fuses dense similarity and BM25 with a few hand-set cues.
This stage reads what it cannot: how well the best single sentence of a clause matches (a vector per
sentence is stored at indexing), whether the question's words are the clause's heading (as they are, or
sharing their first letters: "suspend" and "Suspension"), how many of the words few other candidates hold
it has, whether the clause holds the kind of value asked for, whether it only defines a term, whether its
document is the one the question names, an amendment, or the newer of two versions. A chunk's length and its place
in the document are left out on purpose: on CUAD a long clause overlaps a gold span more often (an
artefact of labelling by overlap) and many questions are about the opening (parties, dates); both
taught the model to pass over a table row. The weights are not set by hand:
`scripts/fit_ranker.py` fits them (logistic regression) on CUAD questions outside the service set and
writes `knowledge/data/ranker.json`; here they are applied with numpy alone. A missing file, or one
fitted on another embedder, leaves the first stage's order as it is, with a warning.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge.embeddings import identity
from knowledge.signals import HOLDS, IDENTITY, answer_kinds, looks_like_contents
from knowledge.stored import StoredChunk
from knowledge.text import tokenize

log = logging.getLogger(__name__)

CANDIDATES = 40  # how many of the first stage's best the second stage re-scores
MODEL_PATH = Path(__file__).resolve().parent / "data" / "ranker.json"
OPENING_CHARS = 2000

FEATURES = (
    "score_rel",  # first-stage score / the best candidate's
    "rank_log",  # log(1 + first-stage rank)
    "similarity",  # cosine of question and chunk (the pool's lowest when outside the dense pool)
    "similarity_gap",  # similarity minus the best candidate's
    "lexical_rel",  # BM25 / the best candidate's
    "sentence_best",  # cosine of the question and the chunk's best-matching sentence (or the chunk)
    "sentence_gap",  # sentence_best minus the best candidate's
    "sentence_gain",  # sentence_best minus similarity: one sentence says it better than the whole
    "dense_rank_log",  # log(1 + rank by similarity among the candidates)
    "lexical_rank_log",  # log(1 + rank by BM25 among the candidates)
    "coverage",  # share of the question's words in the chunk
    "sentence_coverage",  # the most of the question's words one sentence (or row) of the chunk holds, as a share
    "heading_match",  # share of the question's words in the chunk's heading, label and breadcrumb
    "heading_prefix",  # ... where a word also matches one sharing its first 5 letters ('suspend', 'suspension')
    "distinct_coverage",  # coverage, each word weighted by how few candidates hold it (its IDF among them)
    "holds_asked",  # share of the kinds of value asked for (date, duration, amount) the chunk holds
    "definition",  # the chunk defines a term ('"X" means ...')
    "definition_unasked",  # ... and the question does not ask what something means
    "contents",  # a table of contents
    "opening_identity",  # "who are the parties?": the document's opening, in reading order
    "opening",  # within the document's first characters
    "named",  # the chunk's document is the one whose title words the question uses (share of the best)
    "routed_named",  # the question was routed to the chunk's document by name
    "amendment",  # the chunk's document is an amendment (with other documents beside it)
    "newer_version",  # +1 the newest of a document family, -1 an older one, 0 alone
    "table_row",  # a table row
)

_DEFINITION = re.compile(
    r"^\W{0,3}(?:\d+(?:\.\d+)*\.?\s+)?"
    r"(?:[\"\u201c\u2018']([^\"\u201d\u2019']{2,80})[\"\u201d\u2019']|\*\*([^*]{2,80}?):?\*\*:?)"  # "X" or **X**
    r"\s*(?:\([^)]{0,80}\)\s*)?(?:shall\s+)?"
    r"(?:means?|has the meaning|refers? to|includes?|is defined|[\u2014\u2013]\s)",
    re.IGNORECASE,
)
_ASKS_MEANING = re.compile(
    r"\b(?:what\s+counts\s+as|what\s+qualifies|meant\s+by|definition|define[sd]?|meaning|what\s+does\s+.{2,60}?\s+mean)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Candidate:
    """One first-stage candidate with the signals that stage computed."""

    chunk: StoredChunk
    score: float
    similarity: float | None  # None when outside the dense pool
    lexical: float
    opening_order: int | None = None  # its place among its document's opening chunks, if one


@dataclass(frozen=True)
class Documents:
    """What the second stage knows about the documents of a search, by document id."""

    named: dict[str, float] = field(default_factory=dict)  # title-word weight / the best one
    routed: frozenset[str] = frozenset()  # ids of the documents the question was routed to by name
    amendments: frozenset[str] = frozenset()
    versions: dict[str, int] = field(default_factory=dict)  # +1 newest of a family, -1 older
    lengths: dict[str, int] = field(default_factory=dict)  # characters of each document (its last chunk's end)


def is_definition(text: str) -> bool:
    return defined_term(text) is not None


def defined_term(text: str) -> str | None:
    """The term a definition defines ('"Service Credit" means ...' -> 'Service Credit'), or None."""
    m = _DEFINITION.search(text[:300])
    return None if m is None else (m.group(1) or m.group(2)).strip("* ")


PREFIX = 5  # letters two words share to count as one for heading_prefix ('suspend', 'suspension')


def _prefixes(words: set[str]) -> set[str]:
    return {w[:PREFIX] for w in words if len(w) >= PREFIX}


def _matched(asked: set[str], words: set[str]) -> set[str]:
    """The asked words found in words, as they are or by their first PREFIX letters."""
    prefixes = _prefixes(words)
    return {w for w in asked if w in words or (len(w) >= PREFIX and w[:PREFIX] in prefixes)}


def _weighted(asked: set[str], weights: dict[str, float], words: set[str]) -> float:
    total = sum(weights[w] for w in asked)
    return sum(weights[w] for w in asked & words) / total if total else 0.0


def features(
    question: str, query_vector: np.ndarray | None, candidates: Sequence[Candidate], docs: Documents
) -> np.ndarray:
    """The rows of FEATURES for each candidate, in the candidates' order."""
    if not candidates:
        return np.zeros((0, len(FEATURES)))
    asked = set(tokenize(question))
    kinds = answer_kinds(question)
    identity = bool(IDENTITY.search(question))
    meaning = bool(_ASKS_MEANING.search(question))
    known = [c.similarity for c in candidates if c.similarity is not None]
    floor = min(known) if known else 0.0
    sims = np.array([floor if c.similarity is None else c.similarity for c in candidates])
    sentences = np.array([_best_sentence(c, query_vector, s) for c, s in zip(candidates, sims, strict=True)])
    top_score = max(c.score for c in candidates) or 1.0
    top_lexical = max(c.lexical for c in candidates) or 1.0
    dense_rank = _ranks(sims)
    lexical_rank = _ranks(np.array([c.lexical for c in candidates]))
    texts = [set(tokenize(f"{c.chunk.heading or ''} {c.chunk.text} {c.chunk.title}")) for c in candidates]
    # a word few candidates hold tells them apart: weight it by its IDF among the candidates
    weights = {w: math.log((len(candidates) + 1) / (0.5 + sum(w in t for t in texts))) for w in asked}
    rows = []
    for rank, (c, sim, sent, words) in enumerate(zip(candidates, sims, sentences, texts, strict=True)):
        chunk = c.chunk
        spans = chunk.sentences.spans or ((chunk.start, chunk.end),)
        best_part = max(len(asked & set(tokenize(chunk.text[a - chunk.start : b - chunk.start]))) for a, b in spans)
        heading = set(tokenize(f"{chunk.heading or ''} {chunk.section or ''} {chunk.context}"))
        definition = is_definition(chunk.text)
        rows.append(
            [
                c.score / top_score,
                math.log1p(rank),
                sim,
                sim - sims.max(),
                c.lexical / top_lexical,
                sent,
                sent - sentences.max(),
                sent - sim,
                math.log1p(dense_rank[rank]),
                math.log1p(lexical_rank[rank]),
                len(asked & words) / len(asked) if asked else 0.0,
                best_part / len(asked) if asked else 0.0,
                len(asked & heading) / len(asked) if asked else 0.0,
                len(_matched(asked, heading)) / len(asked) if asked else 0.0,
                _weighted(asked, weights, words),
                sum(bool(HOLDS[k].search(chunk.text)) for k in kinds) / len(kinds) if kinds else 0.0,
                float(definition),
                float(definition and not meaning),
                float(looks_like_contents(chunk.text)),
                1.0 / (1 + c.opening_order) if identity and c.opening_order is not None else 0.0,
                float(chunk.start < OPENING_CHARS),
                docs.named.get(chunk.doc_id, 0.0),
                float(chunk.doc_id in docs.routed and chunk.doc_id not in docs.amendments),
                float(chunk.doc_id in docs.amendments),
                float(docs.versions.get(chunk.doc_id, 0)),
                float(chunk.text.lstrip().startswith("|")),
            ]
        )
    return np.array(rows, dtype=np.float64)


def _ranks(values: np.ndarray) -> np.ndarray:
    """0 for the largest value, 1 for the next, ... (ties in order)."""
    out = np.empty(len(values), dtype=np.int64)
    out[np.argsort(-values, kind="stable")] = np.arange(len(values))
    return out


def _best_sentence(c: Candidate, query: np.ndarray | None, fallback: float) -> float:
    if query is None or not c.chunk.sentences.spans:
        return float(fallback)
    m = c.chunk.sentences.matrix()
    if m.shape[1] != query.shape[0]:
        return float(fallback)
    return float(max(fallback, float((m @ query).max())))


@dataclass(frozen=True)
class Ranker:
    """A linear model over standardised FEATURES; a higher score ranks first."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    embedder: str

    def scores(self, x: np.ndarray) -> np.ndarray:
        scored: np.ndarray = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return scored

    @staticmethod
    def from_dict(data: dict[str, object]) -> Ranker:
        """A model over FEATURES, or over some of them: one fitted before a feature was added gives it weight 0."""
        names = tuple(str(n) for n in data["features"])  # type: ignore[attr-defined]
        unknown = [n for n in names if n not in FEATURES]
        if unknown or len(set(names)) != len(names):
            raise ValueError(f"features {unknown or names} are not this version's {FEATURES}")
        arrays = [np.asarray(data[key], dtype=np.float64) for key in ("mean", "scale", "coef")]
        if any(a.shape != (len(names),) for a in arrays):
            raise ValueError("mean, scale and coef need one value per feature")
        at = [FEATURES.index(n) for n in names]
        mean, scale, coef = np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros(len(FEATURES))
        mean[at], scale[at], coef[at] = arrays[0], np.where(arrays[1] == 0, 1.0, arrays[1]), arrays[2]
        return Ranker(FEATURES, mean, scale, coef, float(data.get("intercept", 0.0)), str(data["embedder"]))  # type: ignore[arg-type]


def embedder_name(embeddings: object) -> str:
    """How ranker.json names the embedder it was fitted on: class and model (a lazy one names what it loads)."""
    return identity(embeddings)


def load_ranker(embeddings: object, path: Path = MODEL_PATH) -> Ranker | None:
    """The shipped model fitted on this embedder, or None (with a warning) when the file is missing or
    broken or holds none for it. The file holds one model, or several under "models" (one per embedder)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rankers = [Ranker.from_dict(m) for m in data.get("models", [data])]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("second ranking stage off: cannot read %s (%s); using the first stage's order", path, exc)
        return None
    name = embedder_name(embeddings)
    for ranker in rankers:
        if ranker.embedder == name:
            return ranker
    log.warning(
        "second ranking stage off: %s was fitted on %s, not %s; using the first stage's order",
        path.name,
        ", ".join(r.embedder for r in rankers),
        name,
    )
    return None


# -- document families: which of two versions is newer -----------------------------------------------
_YEAR = re.compile(r"\b(?:19[89]\d|20[0-4]\d)\b")
_VERSION = re.compile(r"\b(?:v(?:ersion)?\.?\s*)(\d+(?:\.\d+)*)\b", re.IGNORECASE)
_NOT_FAMILY = re.compile(
    r"\b(?:19[89]\d|20[0-4]\d|v(?:ersion)?\.?\s*\d+(?:\.\d+)*|\d+|updated|revised|new|old)\b", re.IGNORECASE
)


def family_versions(docs: Sequence[tuple[str, str, str, str]]) -> dict[str, int]:
    """(id, title, file name, opening) per document -> +1 for the newest of a family, -1 for the older ones.

    A family is documents whose titles are the same once years, version numbers and other numbers are
    left out ("GitHub Online Services SLA 2020" and "... 2021") and whose file names start with the same
    word (two "Services Agreement"s of different companies are no family); the newer is told by the version, else
    the latest year in the title and file name, else in the opening. Amendments stay out (they are
    ranked as amendments).
    """
    families: dict[str, list[tuple[tuple[float, ...], str]]] = {}
    for doc_id, title, name, opening in docs:
        if re.search(r"amend", f"{title} {name}", re.IGNORECASE):
            continue
        root = next(iter(re.findall(r"[a-z]{2,}", name.lower())), "")
        key = " ".join(tokenize(_NOT_FAMILY.sub(" ", title)))
        if not key:
            continue
        key = f"{root}|{key}"  # the same title in files named for different parties is no family
        named = f"{title} {name}"
        version = [float(v.split(".")[0]) for v in _VERSION.findall(named)]
        years = [int(y) for y in _YEAR.findall(named)] or [int(y) for y in _YEAR.findall(opening)]
        families.setdefault(key, []).append(((max(version, default=0.0), float(max(years, default=0))), doc_id))
    out: dict[str, int] = {}
    for members in families.values():
        if len(members) < 2:
            continue
        best = max(m[0] for m in members)
        if all(m[0] == best for m in members):
            continue  # nothing tells them apart
        for when, doc_id in members:
            out[doc_id] = 1 if when == best else -1
    return out
