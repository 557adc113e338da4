"""Composition root: Settings in; the knowledge base, the records database and the Slack app out."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from bot.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.embeddings import make_embeddings
from knowledge.errors import ConfigurationError
from knowledge.store import Store, make_client

if TYPE_CHECKING:  # imported where used: `liaison --help` and `ask` load neither Slack nor the records
    from slack_bolt import App

    from bot.deps import Deps

logger = logging.getLogger(__name__)


class LazyEmbeddings(Embeddings):
    """The configured embedder, loaded when something is first embedded: listing or showing the index loads no model."""

    def __init__(self, spec: str, data_dir: Path | None = None) -> None:
        self.spec = spec
        self.model = spec  # in the pipeline a document was indexed with: another embedder re-indexes it
        self.data_dir = data_dir
        self._model: Embeddings | None = None
        self._lock = threading.Lock()

    def load(self) -> Embeddings:
        """The model itself, loaded now if it was not yet (a setting that cannot work raises here)."""
        with self._lock:
            if self._model is None:
                self._model = make_embeddings(self.spec, data_dir=self.data_dir)
            return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.load().embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.load().embed_query(text)


def build_knowledge(settings: Settings, *, lazy_model: bool = False) -> KnowledgeBase:
    """The knowledge base on the configured store, embedder and (optional) LLM; with lazy_model (the CLI), the
    embedding model loads on first use rather than now."""
    client = make_client(data_dir=settings.data_dir, url=settings.chroma_url)
    llm = None
    if settings.llm:
        from knowledge.generation import make_chat_model

        llm = make_chat_model(settings.llm)
    return KnowledgeBase(
        Store(client),
        LazyEmbeddings(settings.embedder, settings.data_dir)
        if lazy_model
        else make_embeddings(settings.embedder, data_dir=settings.data_dir),
        llm=llm,
        min_similarity=settings.min_similarity,
        k=settings.default_k,
        limits=settings.limits,
    )


def build_deps(settings: Settings) -> Deps:
    """Everything the Slack app needs, with the records database migrated to the latest schema."""
    from bot.db import make_engine, upgrade
    from bot.deps import Deps

    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)  # safe with several replicas starting at once (advisory lock / file lock)
    kb = build_knowledge(settings)
    for problem in kb.doctor(repair=True).problems:  # what an interrupted write left behind
        state = "repaired" if problem.repaired else "needs attention"
        logger.warning("knowledge store %s: %s %s: %s", state, problem.engagement, problem.document, problem.detail)
    return Deps(settings=settings, kb=kb, engine=engine)


def build_slack_app(settings: Settings, *, scheduler: bool = True) -> App:
    """The Bolt app for `liaison serve` / `liaison run`, with the background jobs (mediation reminders, the
    weekly digest) started unless `scheduler` is False; refuses to start without Slack credentials."""
    from bot.slack.app import create_app

    missing = [
        name
        for name, value in (
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
            ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
        )
        if not value
    ]
    if missing:
        raise ConfigurationError(f"set {' and '.join(missing)} (see README: Install in Slack)")
    deps = build_deps(settings)
    app = create_app(settings, deps)
    if scheduler:
        from bot.scheduler import start_scheduler

        start_scheduler(deps, app.client)  # reminders and digests; off with LIAISON_SCHEDULER=false
    return app
