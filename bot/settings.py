"""One settings object for the whole application: environment variables and `.env`, checked at start-up."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

import platformdirs
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Our libraries must stay quiet and offline whoever starts us: set before they are imported.
for _name, _value in {
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime
    "ANONYMIZED_TELEMETRY": "False",  # chromadb
    "HF_HUB_OFFLINE": "1",  # nothing may download model weights at run time
    "TOKENIZERS_PARALLELISM": "false",
    "LANGCHAIN_TRACING_V2": "false",
}.items():
    os.environ.setdefault(_name, _value)


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("liaison", appauthor=False))


class Settings(BaseSettings):
    """Liaison's configuration. Every default runs offline on this machine."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir, validation_alias="LIAISON_DATA_DIR")
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    chroma_url: str | None = Field(default=None, validation_alias="CHROMA_URL")
    embedder: str = Field(default="minilm", validation_alias="LIAISON_EMBEDDER")
    llm: str | None = Field(default=None, validation_alias="LIAISON_LLM")
    min_similarity: float = Field(default=0.30, ge=0.0, le=1.0, validation_alias="LIAISON_MIN_SIMILARITY")
    max_file_mb: float = Field(default=50.0, gt=0, validation_alias="LIAISON_MAX_FILE_MB")
    default_k: int = Field(default=8, ge=1, le=100, validation_alias=AliasChoices("LIAISON_K", "LIAISON_DEFAULT_K"))

    slack_bot_token: str | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("llm", "chroma_url", "database_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("SLACK_API_URL must be an http(s) URL, e.g. https://slack.com/api/")
        return value if value.endswith("/") else value + "/"  # slack_sdk joins method names onto it

    @field_validator("embedder")
    @classmethod
    def _known_embedder(cls, value: str) -> str:
        provider = value.split(":", 1)[0].strip().lower()
        if provider not in {"minilm", "openai", "ollama", "fake"}:
            raise ValueError("LIAISON_EMBEDDER must be minilm, openai:MODEL or ollama:MODEL")
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'liaison.db'}"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)
