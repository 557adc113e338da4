"""One settings object for the whole application: environment variables and `.env`, checked at start-up."""

from __future__ import annotations

import os
from datetime import time
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import AliasChoices, Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.i18n import COMPLETE, normalise
from knowledge.limits import Limits

# Our libraries must stay quiet and offline whoever starts us: set before they are imported.
for _name, _value in {
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime
    "ANONYMIZED_TELEMETRY": "False",  # chromadb
    "HF_HUB_OFFLINE": "1",  # nothing may download model weights at run time
    "TOKENIZERS_PARALLELISM": "false",
    "LANGCHAIN_TRACING_V2": "false",
}.items():
    os.environ.setdefault(_name, _value)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DOCUMENT_LIMITS = {  # field -> (lowest, highest) accepted: below, nothing real fits; above, one file can stall us
    "max_decompressed_mb": (1, 4096),
    "max_pages": (1, 100_000),
    "max_chars": (10_000, 100_000_000),
    "max_chunks": (10, 200_000),
}


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("liaison", appauthor=False))


class Settings(BaseSettings):
    """Liaison's configuration. Every default runs offline on this machine."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir, validation_alias="LIAISON_DATA_DIR")
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    chroma_url: str | None = Field(default=None, validation_alias="CHROMA_URL")
    embedder: str = Field(default="e5", validation_alias="LIAISON_EMBEDDER")
    llm: str | None = Field(default=None, validation_alias="LIAISON_LLM")
    # unset: the similarity bounds fitted with the covered / not-covered model for the embedder in use
    min_similarity: float | None = Field(default=None, ge=0.0, le=1.0, validation_alias="LIAISON_MIN_SIMILARITY")
    # where built models (e5's graph and tokenizer) are kept: default <data dir>/models; data folders may share one
    models_dir: Path | None = Field(default=None, validation_alias="LIAISON_MODELS_DIR")
    max_file_mb: float = Field(default=50.0, gt=0, validation_alias="LIAISON_MAX_FILE_MB")
    # What one document may cost to read (knowledge.limits.Limits): a document over any is refused by name.
    max_decompressed_mb: float = Field(default=100.0, validation_alias="LIAISON_MAX_DECOMPRESSED_MB")
    max_pages: int = Field(default=2_000, validation_alias="LIAISON_MAX_PAGES")
    max_chars: int = Field(default=2_000_000, validation_alias="LIAISON_MAX_CHARS")
    max_chunks: int = Field(default=5_000, validation_alias="LIAISON_MAX_CHUNKS")
    default_k: int = Field(default=8, ge=1, le=100, validation_alias=AliasChoices("LIAISON_K", "LIAISON_DEFAULT_K"))

    # Mediations: the deadline a new one gets, and when Liaison reminds the thread.
    mediation_deadline_days: int = Field(default=14, ge=1, le=365, validation_alias="LIAISON_MEDIATION_DEADLINE_DAYS")
    mediation_idle_hours: float = Field(default=72.0, gt=0, validation_alias="LIAISON_MEDIATION_IDLE_HOURS")
    mediation_remind_days: int = Field(default=2, ge=0, le=60, validation_alias="LIAISON_MEDIATION_REMIND_DAYS")
    reminder_interval_minutes: float = Field(default=15.0, gt=0, validation_alias="LIAISON_REMINDER_INTERVAL_MINUTES")
    # The weekly digest: when (unless an engagement sets its own), in which time zone, and a managers' channel.
    digest_day: str = Field(default="mon", validation_alias="LIAISON_DIGEST_DAY")
    digest_time: str = Field(default="08:00", validation_alias="LIAISON_DIGEST_TIME")
    timezone: str | None = Field(default=None, validation_alias="LIAISON_TIMEZONE")
    managers_channel: str | None = Field(default=None, validation_alias="LIAISON_MANAGERS_CHANNEL")
    scheduler: bool = Field(default=True, validation_alias="LIAISON_SCHEDULER")
    # The SLA register: a month's credits are computed this many days after it ends (for late measurements).
    sla_close_grace_days: int = Field(default=3, ge=0, le=27, validation_alias="LIAISON_SLA_CLOSE_GRACE_DAYS")
    # The deadlines register: days before an approved obligation's date that it is reminded ("0": on the day).
    deadline_reminder_days: str = Field(default="90,30,7,0", validation_alias="LIAISON_DEADLINE_REMINDER_DAYS")
    # The language Liaison speaks when nothing else says (no channel or engagement setting, no Slack locale).
    language: str = Field(default="en", validation_alias="LIAISON_LANGUAGE")

    slack_bot_token: str | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    # `liaison serve` refuses bodies over this before reading them all (Slack's largest, a modal's state, are
    # a few hundred KB at most).
    max_request_kb: int = Field(default=1024, ge=16, le=65536, validation_alias="LIAISON_MAX_REQUEST_KB")
    # Signs what Liaison carries in Slack (button values, modal metadata); default: derived from the signing secret.
    secret: str | None = Field(default=None, validation_alias="LIAISON_SECRET")

    @field_validator("max_decompressed_mb", "max_pages", "max_chars", "max_chunks")
    @classmethod
    def _document_limit(cls, value: float, info: ValidationInfo) -> float:
        low, high = _DOCUMENT_LIMITS[info.field_name or ""]
        if not low <= value <= high:
            setting = cls.model_fields[info.field_name or ""].validation_alias
            raise ValueError(f"{setting} must be between {low:,} and {high:,}, not {value:,}")
        return value

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("llm", "chroma_url", "database_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("deadline_reminder_days")
    @classmethod
    def _reminder_days(cls, value: str) -> str:
        days = [part.strip() for part in value.split(",") if part.strip()]
        if not days or not all(d.isdigit() and int(d) <= 3660 for d in days):
            raise ValueError(f"LIAISON_DEADLINE_REMINDER_DAYS is days before the date, e.g. 90,30,7,0, not {value!r}")
        return ",".join(str(n) for n in sorted({int(d) for d in days}, reverse=True))

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        code = normalise(value) if value.strip() else "en"
        if code not in COMPLETE:
            raise ValueError(f"LIAISON_LANGUAGE must be one of {', '.join(COMPLETE)} (e.g. it or it_IT), not {value!r}")
        return code

    @property
    def deadline_offsets(self) -> tuple[int, ...]:
        """The days before an obligation's date it is reminded, latest first: (90, 30, 7, 0)."""
        return tuple(int(d) for d in self.deadline_reminder_days.split(","))

    @field_validator("timezone", "managers_channel")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"LIAISON_TIMEZONE must be an IANA time zone such as Europe/Paris, not {value!r}"
                ) from None
        return value

    @field_validator("digest_day")
    @classmethod
    def _weekday(cls, value: str) -> str:
        day = value.strip().lower()[:3]
        if day not in WEEKDAYS:
            raise ValueError(f"LIAISON_DIGEST_DAY must be a weekday (mon..sun), not {value!r}")
        return day

    @field_validator("digest_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        try:
            return time.fromisoformat(value.strip()).strftime("%H:%M")
        except ValueError:
            raise ValueError(f"LIAISON_DIGEST_TIME must be HH:MM (24-hour), not {value!r}") from None

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
        if provider not in {"e5", "minilm", "openai", "ollama", "fake"}:
            raise ValueError("LIAISON_EMBEDDER must be e5, minilm, openai:MODEL or ollama:MODEL")
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'liaison.db'}"

    @cached_property
    def seal_key(self) -> bytes:
        """The key of the HMAC over button values and modal metadata: LIAISON_SECRET, else derived from the Slack
        signing secret (so every replica agrees), else a random key kept in the data folder."""
        import hashlib
        import hmac
        import secrets

        if self.secret:
            return hashlib.sha256(b"liaison-seal\x00" + self.secret.encode()).digest()
        if self.slack_signing_secret:
            return hmac.new(self.slack_signing_secret.encode(), b"liaison-seal-v1", hashlib.sha256).digest()
        path = self.data_dir / "seal.key"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made by an earlier run (or another process just now)
            return path.read_bytes()
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
        return path.read_bytes()

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def limits(self) -> Limits:
        """The per-document limits the knowledge base enforces when it reads a file."""
        return Limits(
            max_bytes=self.max_file_bytes,
            max_decompressed_bytes=int(self.max_decompressed_mb * 1024 * 1024),
            max_pages=self.max_pages,
            max_chars=self.max_chars,
            max_chunks=self.max_chunks,
        )

    @property
    def max_request_bytes(self) -> int:
        return self.max_request_kb * 1024
