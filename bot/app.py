"""Composition root: Settings in, the knowledge base (and later the Slack app) out."""

from __future__ import annotations

from bot.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.embeddings import make_embeddings
from knowledge.store import Store, make_client


def build_knowledge(settings: Settings) -> KnowledgeBase:
    """The knowledge base on the configured store, embedder and (optional) LLM."""
    client = make_client(data_dir=settings.data_dir, url=settings.chroma_url)
    llm = None
    if settings.llm:
        from knowledge.generation import make_chat_model

        llm = make_chat_model(settings.llm)
    return KnowledgeBase(
        Store(client),
        make_embeddings(settings.embedder),
        llm=llm,
        min_similarity=settings.min_similarity,
        k=settings.default_k,
        max_bytes=settings.max_file_bytes,
    )
