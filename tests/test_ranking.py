"""The second ranking stage: sentence vectors at indexing, its features, the shipped model, short-name routing."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import pytest

from knowledge.documents import ExtractedDocument
from knowledge.embeddings import SpanEmbeddings
from knowledge.indexing import Indexer
from knowledge.ranking import (
    FEATURES,
    MODEL_PATH,
    Candidate,
    Documents,
    Ranker,
    defined_term,
    family_versions,
    features,
    is_definition,
    load_ranker,
)
from knowledge.retrieval import Retriever
from knowledge.routing import short_name_route, without_short_name
from knowledge.store import SentenceVectors, Store, StoredChunk, make_client

DIM = 64


class HashedWords(SpanEmbeddings):
    """A small real embedder: hashed bag of words, and a span's vector from the words inside it."""

    def _vector(self, text: str) -> list[float]:
        v = np.zeros(DIM)
        for word in text.lower().split():
            v[int(hashlib.md5(word.strip(".,:;?").encode()).hexdigest(), 16) % DIM] += 1.0
        n = np.linalg.norm(v)
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def embed_with_spans(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> tuple[list[list[float]], list[list[list[float] | None]]]:
        return self.embed_documents(texts), [
            [self._vector(t[a:b]) for a, b in s] for t, s in zip(texts, spans, strict=True)
        ]


def _doc(name: str, title: str, text: str) -> ExtractedDocument:
    return ExtractedDocument(
        name=name, title=title, text=text, kind="md", content_hash=hashlib.sha256(text.encode()).hexdigest()
    )


MSA = """# Master Services Agreement

1. Definitions
1.1 "Service Credit" means the amount credited to the Customer when a service level is missed.

2. Service credits
2.1 The Supplier shall credit the Customer 5% of the monthly fee for each missed service level. Credits are
capped at 20% of the monthly fee. The Customer must claim a credit within 30 days.

3. Term
3.1 This Agreement runs for three years from the Effective Date.
"""


@pytest.fixture
def store() -> Store:
    return Store(make_client(), namespace=f"rank{np.random.default_rng().integers(1 << 30)}")


def test_sentence_vectors_are_stored_per_sentence_with_document_offsets(store: Store) -> None:
    doc = _doc("msa.md", "Master Services Agreement", MSA)
    Indexer(store, HashedWords()).index_document(doc, engagement="e")
    chunks = store.scope_chunks("e")
    credit = next(c for c in chunks if "capped at 20%" in c.text)
    spans = credit.sentences.spans
    assert len(spans) >= 3
    assert [MSA[a:b] for a, b in spans][-1] == "The Customer must claim a credit within 30 days."
    assert all(credit.start <= a < b <= credit.end for a, b in spans)
    m = credit.sentences.matrix()
    expected = np.array(HashedWords().embed_query(MSA[spans[-1][0] : spans[-1][1]]))
    assert m.shape == (len(spans), DIM)
    assert float(m[-1] @ expected) > 0.99  # int8 keeps the cosine


def test_sentence_vectors_are_replaced_and_removed_with_their_chunk(store: Store) -> None:
    indexer = Indexer(store, HashedWords())
    indexer.index_document(_doc("msa.md", "Master Services Agreement", MSA), engagement="e")
    changed = MSA.replace("within 30 days", "within 45 days. Late claims lapse")
    indexer.index_document(_doc("msa.md", "Master Services Agreement", changed), engagement="e")
    chunks = store.scope_chunks("e")
    stored = store.chunks.get(where={"engagement": "e"}, include=["metadatas"])
    assert len(stored["ids"]) == len(chunks)  # the old version's chunks (and their vectors) are gone
    for c in chunks:
        text = store.document_text("e", c.document)
        assert all(c.start <= a < b <= c.end and text[a:b].strip() for a, b in c.sentences.spans)
    assert any(changed[a:b] == "Late claims lapse." for c in chunks for a, b in c.sentences.spans)
    assert store.check("e").remaining == []
    store.forget("e", ["msa.md"])
    assert store.chunks.get(where={"engagement": "e"}, include=[])["ids"] == []


def test_an_embedder_without_spans_stores_no_sentence_vectors(store: Store) -> None:
    from langchain_core.embeddings import DeterministicFakeEmbedding

    Indexer(store, DeterministicFakeEmbedding(size=16)).index_document(
        _doc("msa.md", "Master Services Agreement", MSA), engagement="e"
    )
    assert all(c.sentences == SentenceVectors.empty() for c in store.scope_chunks("e"))


def _chunk(text: str, *, doc_id: str = "d1", start: int = 5000, heading: str | None = None) -> StoredChunk:
    return StoredChunk(
        id=f"{doc_id}:{start}",
        doc_id=doc_id,
        document=f"{doc_id}.md",
        title="Agreement",
        visibility="shared",
        section=None,
        heading=heading,
        page=None,
        start=start,
        end=start + len(text),
        text=text,
        context="",
    )


def test_features_read_value_kind_definition_heading_and_documents() -> None:
    question = "how many days to claim a service credit"
    operative = _chunk("The Customer must claim a service credit within 30 days.", heading="Service credits")
    definition = _chunk('"Service Credit" means the amount credited to the Customer.', start=100)
    other = _chunk("This Agreement is governed by the laws of England.", doc_id="d2")
    docs = Documents(named={"d2": 1.0}, amendments=frozenset({"d2"}), versions={"d1": 1, "d2": -1})
    cands = [
        Candidate(definition, 2.0, 0.6, 3.0),
        Candidate(operative, 1.0, 0.5, 1.5),
        Candidate(other, 0.5, None, 0.0),
    ]
    x = features(question, None, cands, docs)
    row = {name: dict(zip(FEATURES, r, strict=True)) for name, r in zip(("def", "op", "other"), x, strict=True)}
    assert row["def"]["definition"] == row["def"]["definition_unasked"] == 1.0
    assert row["op"]["definition"] == 0.0
    assert row["op"]["holds_asked"] == 1.0 and row["def"]["holds_asked"] == 0.0  # "how many days": a duration
    assert row["op"]["heading_match"] > 0 and row["other"]["heading_match"] == 0
    assert row["op"]["score_rel"] == 0.5 and row["def"]["rank_log"] == 0.0
    assert row["other"]["similarity"] == 0.5  # outside the dense pool: the pool's lowest
    assert row["other"]["named"] == row["other"]["amendment"] == 1.0 and row["other"]["newer_version"] == -1.0
    assert row["def"]["opening"] == 1.0 and row["op"]["opening"] == 0.0
    assert is_definition('1.1 "Service Credit" means the amount') and not is_definition(operative.text)


def test_features_weigh_the_words_few_candidates_hold_and_match_headings_by_prefix() -> None:
    question = "can they suspend us for late payment"
    suspension = _chunk("Provider may stop access after 30 days. Notice comes first.", heading="Suspension", start=0)
    payment = _chunk("Payment is due within 30 days of the invoice. Late payment bears interest.", heading="Payment")
    fees = _chunk("Fees are set in the Order. Payment is by wire.", heading="Fees", start=9000)
    x = features(question, None, [Candidate(c, 1.0, 0.5, 1.0) for c in (suspension, payment, fees)], Documents())
    row = [dict(zip(FEATURES, r, strict=True)) for r in x]
    assert row[0]["heading_match"] == 0.0 and row[0]["heading_prefix"] == pytest.approx(1 / 3)  # suspend ~ suspension
    assert row[1]["heading_prefix"] == pytest.approx(1 / 3)  # payment, as it is
    # "late" is in one candidate, "payment" in two: the one holding both leads on the weighted share
    assert row[1]["distinct_coverage"] > row[2]["distinct_coverage"] > 0 == row[0]["distinct_coverage"]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ('1.1 "Service Credit" means the amount', "Service Credit"),
        ("\u201c**General Cap**\u201d means the fees paid in the 12 months", "General Cap"),
        ("**Multiple Failures:** means the target is missed twice", "Multiple Failures"),
        ("**Compensation** \u2014 the amount credited to the account", "Compensation"),
        ("The General Cap does not apply to Enhanced Claims.", None),
    ],
)
def test_a_definition_names_its_term(text: str, term: str | None) -> None:
    assert defined_term(text) == term


def test_a_model_fitted_before_a_feature_existed_gives_it_weight_zero() -> None:
    old = [n for n in FEATURES if n != "heading_prefix"]
    model = {"features": old, "mean": [0.0] * len(old), "scale": [1.0] * len(old), "embedder": "x"}
    ranker = Ranker.from_dict({**model, "coef": [1.0] * len(old)})
    assert ranker.coef[FEATURES.index("heading_prefix")] == 0.0 and ranker.coef.sum() == len(old)
    with pytest.raises(ValueError):
        Ranker.from_dict({**model, "features": [*old, "no_such_feature"], "coef": [1.0] * (len(old) + 1)})


def test_best_sentence_similarity_uses_the_stored_vectors() -> None:
    emb = HashedWords()
    text = "The Supplier keeps records. The Customer must claim a credit within 30 days."
    spans = [(0, 27), (28, len(text))]
    chunk = _chunk(text, start=0)
    vectors = SentenceVectors.pack(spans, [emb.embed_query(text[a:b]) for a, b in spans])
    chunk = StoredChunk(**{**chunk.__dict__, "sentences": vectors})
    q = np.array(emb.embed_query("claim a credit within 30 days"))
    x = features("claim a credit within 30 days", q, [Candidate(chunk, 1.0, 0.4, 1.0)], Documents())
    best = dict(zip(FEATURES, x[0], strict=True))["sentence_best"]
    assert best == pytest.approx(float(q @ np.array(emb.embed_query(text[28:]))), abs=0.01)
    assert best > 0.4


def test_the_shipped_model_loads_and_ranks_the_operative_clause_above_a_definition() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert "CUAD" in data["about"]
    assert {m["embedder"].split(":")[0] for m in data["models"]} == {"E5Embeddings", "MiniLMEmbeddings"}
    for model in data["models"]:
        assert set(model["features"]) <= set(FEATURES) and model["training"]["contracts"]
        _ranks_operative_first(Ranker.from_dict(model))


def _ranks_operative_first(ranker: Ranker) -> None:
    question = "how many days to claim a service credit"
    definition = _chunk(
        '"Service Credit" means the credit of a number of days of fees the Customer may claim.', start=100
    )
    operative = _chunk("The Customer may claim a service credit within 30 days of the month end.", start=4000)
    cands = [Candidate(definition, 1.0, 0.62, 2.0), Candidate(operative, 0.95, 0.60, 1.9)]
    scores = ranker.scores(features(question, None, cands, Documents()))
    assert scores[1] > scores[0]


def test_a_missing_or_mismatched_model_falls_back_to_the_first_stage(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    emb = HashedWords()
    with caplog.at_level(logging.WARNING, logger="knowledge.ranking"):
        assert load_ranker(emb, tmp_path / "missing.json") is None
        assert load_ranker(emb, MODEL_PATH) is None  # fitted on another embedder
    assert "first stage" in caplog.text
    Indexer(store, emb).index_document(_doc("msa.md", "Master Services Agreement", MSA), engagement="e")
    retriever = Retriever(store, emb)  # loads the shipped file, which names another embedder
    assert retriever.ranker is None
    hits = retriever.search("how long does this agreement run", engagement="e", k=3)
    assert hits and "three years" in hits[0].chunk.text


def test_the_shipped_model_reorders_search_results(store: Store) -> None:
    emb = HashedWords()
    Indexer(store, emb).index_document(_doc("msa.md", "Master Services Agreement", MSA), engagement="e")
    ranker = Ranker.from_dict(json.loads(MODEL_PATH.read_text(encoding="utf-8"))["models"][0])
    first = Retriever(store, emb, ranker=None).search("claim a service credit: how many days", engagement="e", k=4)
    second = Retriever(store, emb, ranker=ranker).search("claim a service credit: how many days", engagement="e", k=4)
    assert {h.chunk.id for h in first} == {h.chunk.id for h in second}
    assert "30 days" in second[0].chunk.text


SHORT = {
    "common-paper-sla.md": (
        "Common Paper Service Level Agreement",
        "Service credits must be requested within 30 days.",
    ),
    "github-sla.md": ("GitHub Online Services SLA", "Service credits must be requested within 60 days."),
    "kaleyra-msa.md": ("Master Services Agreement - Kaleyra", "Service credits must be requested within 90 days."),
    "vk-cloud-terms.md": ("VK Cloud Servers Terms of Service", "Service credits must be requested within 14 days."),
    "amendment-1.md": ("Amendment No. 1 to the Kaleyra Agreement", "Section 4 is deleted."),
}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how many days do we have to ask for a service credit under the common paper sla?", "common-paper-sla.md"),
        ("github: how long to request credits?", "github-sla.md"),
        ("whats the credit window in the Kaleyra deal", "kaleyra-msa.md"),
        ("what's the deadline for credits in our terms with VK?", "vk-cloud-terms.md"),
        # the same references in Italian
        ("quanti giorni abbiamo per chiedere un credito con lo sla di common paper?", "common-paper-sla.md"),
        ("entro quando si chiedono i crediti nel contratto con kaleyra?", "kaleyra-msa.md"),
        ("il contratto di kaleyra cosa prevede sui crediti?", "kaleyra-msa.md"),
        ("scadenza per i crediti nell'accordo vk cloud", "vk-cloud-terms.md"),
    ],
)
def test_a_short_name_routes_to_its_document_and_the_amendments(store: Store, question: str, expected: str) -> None:
    emb = HashedWords()
    indexer = Indexer(store, emb)
    for name, (title, body) in SHORT.items():
        indexer.index_document(_doc(name, title, f"# {title}\n\n{body}\n"), engagement="e")
    routed = short_name_route(question, store.list_documents("e"))
    assert routed[0] == expected and set(routed[1:]) <= {"amendment-1.md"}
    hits = Retriever(store, emb, ranker=None).search(question, engagement="e", k=8)
    assert {h.chunk.document for h in hits} <= {expected, "amendment-1.md"}


@pytest.mark.parametrize(
    "question",
    [
        "in the sla, how many days to ask for a credit?",  # a word of several titles
        "what happens in the event of a breach?",
        "how many days to ask for a service credit?",
        "agreement: who pays?",
        "entro quanti giorni va chiesto un credito nello sla?",  # Italian, a word of several titles
        "cosa succede in caso di violazione del contratto?",
    ],
)
def test_words_that_name_no_one_document_do_not_route(store: Store, question: str) -> None:
    indexer = Indexer(store, HashedWords())
    for name, (title, body) in SHORT.items():
        indexer.index_document(_doc(name, title, f"# {title}\n\n{body}\n"), engagement="e")
    assert short_name_route(question, store.list_documents("e")) == []


def test_the_newer_of_two_versions_is_told_by_the_year_in_the_title() -> None:
    docs = [
        ("a", "GitHub Online Services SLA 2020", "gh-2020.md", ""),
        ("b", "GitHub Online Services SLA 2021", "gh-2021.md", ""),
        ("c", "Master Services Agreement", "msa.md", "dated 2019"),
        ("d", "Amendment 2021 to the SLA", "amendment.md", ""),
    ]
    assert family_versions(docs) == {"a": -1, "b": 1}
    same = [("a", "Data Processing Addendum", "dpa.md", "2020"), ("b", "Data Processing Addendum", "dpa-v2.md", "")]
    assert family_versions(same) == {"a": -1, "b": 1}  # a version number beats a year in the opening


def test_once_routed_the_naming_phrase_leaves_the_query(store: Store) -> None:
    indexer = Indexer(store, HashedWords())
    for name, (title, body) in SHORT.items():
        indexer.index_document(_doc(name, title, f"# {title}\n\n{body}\n"), engagement="e")
    docs = store.list_documents("e")
    assert without_short_name("whats the credit window in the Kaleyra deal", docs) == "whats the credit window"
    assert without_short_name("how many days to ask for a credit?", docs) == "how many days to ask for a credit?"
