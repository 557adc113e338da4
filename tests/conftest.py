"""Shared fixtures: real small parts (the real embedder, a real Chroma in a temp dir), no mocks."""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import uuid4

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings
from sqlalchemy import pool
from sqlalchemy.engine import Engine

import bot.settings  # noqa: F401  (silences the libraries' telemetry before they load)

# The default embedder (e5) is built once into a models folder every test's data folder shares (its files are
# hash-checked on load), not into each temporary data folder; CLI subprocesses inherit it.
os.environ.setdefault("LIAISON_MODELS_DIR", str(Path(tempfile.gettempdir()) / "liaison-test-models"))
# The suite speaks English whatever the machine's locale (the CLI reads LIAISON_LANGUAGE, then LC_ALL, LC_MESSAGES,
# LANG): set before bot.cli is imported, and inherited by CLI subprocesses. A test of another language says so.
os.environ["LIAISON_LANGUAGE"] = "en"
from bot.cli.demo import samples_dir
from bot.db import make_engine
from knowledge.base import KnowledgeBase
from knowledge.e5.files import ensure_files
from knowledge.embeddings import E5Embeddings, MiniLMEmbeddings
from knowledge.store import Store, make_client

ENGAGEMENT = "acme-customer-care"


class CountingEmbeddings(Embeddings):
    """A real deterministic embedder that counts what it is asked to embed."""

    def __init__(self, size: int = 32, fail_after: int | None = None) -> None:
        self.inner = DeterministicFakeEmbedding(size=size)
        self.documents = 0
        self.queries = 0
        self.fail_after = fail_after

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.fail_after is not None and self.documents + len(texts) > self.fail_after:
            raise RuntimeError("embedder crashed mid-way")
        self.documents += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.queries += 1
        return self.inner.embed_query(text)


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()


@pytest.fixture(scope="session")
def e5_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """multilingual-e5-small's files, built once per session from the pinned package (as at first use)."""
    data_dir = tmp_path_factory.mktemp("e5-data")
    ensure_files(data_dir)
    return data_dir


@pytest.fixture(scope="session")
def e5(e5_dir: Path) -> E5Embeddings:
    """The default embedder (multilingual: Italian and English questions, Italian and English contracts)."""
    return E5Embeddings(e5_dir)


@pytest.fixture(scope="session")
def sample_kb(tmp_path_factory: pytest.TempPathFactory, minilm: MiniLMEmbeddings) -> KnowledgeBase:
    """The bundled sample engagement indexed once with the real embedder: shared, client-only, vendor-only."""
    store = Store(make_client(data_dir=tmp_path_factory.mktemp("sample-kb")))
    kb = KnowledgeBase(store, minilm)
    root = samples_dir()
    for folder, visibility in (
        ("acme-customer-care", "shared"),
        ("acme-customer-care-client-only", "client-only"),
        ("acme-customer-care-vendor-only", "vendor-only"),
    ):
        report = kb.index([root / folder], engagement=ENGAGEMENT, visibility=visibility)
        assert not report.failed, report.failed
    return kb


@pytest.fixture
def counting() -> CountingEmbeddings:
    return CountingEmbeddings()


@pytest.fixture
def fake_kb(tmp_path: Path, counting: CountingEmbeddings) -> Iterator[KnowledgeBase]:
    """A knowledge base on a persistent Chroma in a temp dir with a fast deterministic embedder."""
    yield KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), counting)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def prepare_bot_data(data_dir: Path, env: dict[str, str]) -> None:
    """A data folder as a running bot finds it: a contract indexed with the CLI, channel C1 bound to it."""
    import subprocess
    import sys

    from bot import records
    from bot.db import make_engine, session, upgrade

    sla = write(data_dir / "sla.md", "# SLA\n\n5.3 Credit Cap. Service Credits shall not exceed 12% of the Fees.\n")
    exe = str(Path(sys.executable).with_name("liaison"))
    subprocess.run([exe, "index", str(sla), "-e", "acme"], env=env, check=True, capture_output=True, timeout=120)
    engine = make_engine(f"sqlite:///{data_dir / 'liaison.db'}")
    upgrade(engine)
    with session(engine) as s:
        records.bind_channel(
            session=s, channel_id="C1", team_id="T1", engagement="acme", side="shared", user_id="UADMIN"
        )
    engine.dispose()


POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@functools.cache
def _postgres_unreachable() -> str | None:
    engine = make_engine(POSTGRES_URL, poolclass=pool.NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as error:  # any failure to connect means "not here"
        return f"PostgreSQL not reachable at {POSTGRES_URL} (set TEST_DATABASE_URL): {error}".splitlines()[0]
    finally:
        engine.dispose()
    return None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, str]]:
    """(engine, URL) on an empty database: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'data' / 'liaison.db'}"
        engine = make_engine(url)
        yield engine, url
        engine.dispose()
        return
    problem = _postgres_unreachable()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{problem}; CI must run the PostgreSQL tests")
        pytest.skip(problem)
    schema = f"t_{uuid4().hex}"
    admin = make_engine(POSTGRES_URL, poolclass=pool.NullPool)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield engine, f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def blank(database: tuple[Engine, str]) -> Engine:
    """An engine on an empty database: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    return database[0]


@pytest.fixture
def db(blank: Engine) -> Engine:
    """The same, migrated to the latest schema."""
    from bot.db import upgrade

    upgrade(blank)
    return blank


def count(engine: Engine, model: type) -> int:
    """Rows of a table."""
    from sqlalchemy import func
    from sqlmodel import select

    from bot.db import session

    with session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def at_once(n: int, work: Callable[[], Any]) -> list[Any]:
    """Run `work` in n threads released together; their results (an exception fails the test)."""
    barrier = threading.Barrier(n)

    def run() -> Any:
        barrier.wait(timeout=10)
        return work()

    with ThreadPoolExecutor(n) as executor:
        futures = [executor.submit(run) for _ in range(n)]
        return [f.result(timeout=30) for f in futures]
