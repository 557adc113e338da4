"""What the Slack transport and the workflows need, built once at start-up and passed down."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from sqlalchemy.engine import Engine

from bot.settings import Settings
from knowledge.base import KnowledgeBase


@dataclass(frozen=True)
class Deps:
    settings: Settings
    kb: KnowledgeBase
    engine: Engine
    llm: BaseChatModel | None = None  # the configured chat model (the knowledge base's answerer uses it too)
