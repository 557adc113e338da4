"""Composition root: the settings are read here, and the knowledge base, the LLM, the records database, the Slack
client, the Slack app and the scheduler are built here, for the CLI, `serve`, `run`, `chat` and tests alike.
Nothing else reads `Settings()` or makes a `WebClient`."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.embeddings import Embedder, LocalEmbeddings, identity_of, make_embeddings
from knowledge.errors import ConfigurationError
from knowledge.store import Store, make_client

if TYPE_CHECKING:  # imported where used: `liaison --help` and `ask` load neither Slack nor the records
    from langchain_core.language_models import BaseChatModel
    from slack_bolt import App
    from slack_sdk import WebClient

    from bot.deps import Deps

logger = logging.getLogger(__name__)


class LazyEmbeddings(LocalEmbeddings):
    """The configured embedder, loaded when something is first embedded: listing or showing the index loads no model."""

    def __init__(self, spec: str, data_dir: Path | None = None, models_dir: Path | None = None) -> None:
        self.spec = spec
        self.model = spec
        # what the index and the fitted models know this embedder by, the same as once loaded; another
        # embedder re-indexes
        self.identity = identity_of(spec) or f"LazyEmbeddings:{spec}"
        self.data_dir = data_dir
        self.models_dir = models_dir
        self._model: Embedder | None = None
        self._lock = threading.Lock()

    def load(self) -> Embedder:
        """The model itself, loaded now if it was not yet (a setting that cannot work raises here)."""
        with self._lock:
            if self._model is None:
                self._model = make_embeddings(self.spec, data_dir=self.data_dir, models_dir=self.models_dir)
            return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.load().embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.load().embed_query(text)


def load_settings() -> Settings:
    """The settings, read from the environment (and `.env`) and checked: the one place that reads them."""
    return Settings()


def build_llm(settings: Settings) -> BaseChatModel | None:
    """The configured chat model (LIAISON_LLM), or None: the answerer then quotes clauses without one."""
    if not settings.llm:
        return None
    from knowledge.generation import make_chat_model

    return make_chat_model(settings.llm)


def make_slack_client(settings: Settings) -> WebClient:
    """The Web API client: Slack's, or the local stand-in at SLACK_API_URL; retries rate limits."""
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


def build_knowledge(settings: Settings, *, lazy_model: bool = False, llm: BaseChatModel | None = None) -> KnowledgeBase:
    """The knowledge base on the configured store, embedder and (optional) LLM; with lazy_model (the CLI), the
    embedding model loads on first use rather than now. `llm` is the chat model if it is built already."""
    client = make_client(data_dir=settings.data_dir, url=settings.chroma_url)
    llm = llm or build_llm(settings)
    return KnowledgeBase(
        Store(client),
        LazyEmbeddings(settings.embedder, settings.data_dir, settings.models_dir)
        if lazy_model
        else make_embeddings(settings.embedder, data_dir=settings.data_dir, models_dir=settings.models_dir),
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
    llm = build_llm(settings)
    kb = build_knowledge(settings, llm=llm)
    for problem in kb.doctor(repair=True).problems:  # what an interrupted write left behind
        state = "repaired" if problem.repaired else "needs attention"
        logger.warning("knowledge store %s: %s %s: %s", state, problem.engagement, problem.document, problem.detail)
    return Deps(settings=settings, kb=kb, engine=engine, llm=llm)


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
    from knowledge.languages import warm

    warm()  # the question-language models load in the background while the rest starts (bot.slack.language)
    deps = build_deps(settings)
    app = create_app(settings, deps, client=make_slack_client(settings))
    if scheduler:
        from bot.scheduler import start_scheduler

        start_scheduler(deps, app.client)  # reminders and digests; off with LIAISON_SCHEDULER=false
    return app
