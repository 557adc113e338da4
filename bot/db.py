"""The database: engines for SQLite and PostgreSQL, Alembic migrations run from code, and sessions.

SQLite (the default, one file under the data dir) runs in WAL mode with foreign keys on and a 5 s busy
timeout, and every transaction is `BEGIN IMMEDIATE`: writers queue on the file lock instead of failing
with "database is locked" when a transaction that has read goes on to write. PostgreSQL (for several
replicas) is used through psycopg 3 whatever the URL's spelling.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, pool, text
from sqlalchemy.engine import URL, Connection, Engine, create_engine, make_url
from sqlmodel import Session

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 5000
# One key for every Liaison process sharing a PostgreSQL database: upgrades take turns on it.
MIGRATION_LOCK_KEY = 0x4C49414953_4F4E  # "LIAISON"


def normalise_url(url: str | URL) -> URL:
    """The URL to connect with: `postgres://` and `postgresql://` become `postgresql+psycopg://` (psycopg 3)."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine for a SQLite or PostgreSQL URL; extra keyword arguments go to `create_engine`.

    SQLite: the file's folder is created, and each new connection gets WAL, foreign keys and a busy timeout.
    An in-memory SQLite database is one connection shared by all threads (for tests and demos).
    PostgreSQL: connections are checked before use (`pool_pre_ping`), so a restarted server costs no request.
    """
    parsed = normalise_url(url)
    connect_args = dict(kwargs.pop("connect_args", None) or {})
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, connect_args=connect_args, **kwargs)

    connect_args.setdefault("check_same_thread", False)
    if _is_memory(parsed):
        kwargs.setdefault("poolclass", pool.StaticPool)
    elif parsed.database and parsed.query.get("uri") not in ("true", "1"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args=connect_args, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy emits BEGIN itself (below) instead of the sqlite3 module's partial, DML-only one: real
    # transactions for reads and DDL, and SAVEPOINTs that nest in them.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # first: switching to WAL may wait for a lock
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    # IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so transactions never deadlock
    # on upgrading a read lock, and a migration run holds the file for its whole length.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def session(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends, or rolls back if it raises.

    Objects stay readable after the block (no expiry on commit).
    """
    with Session(engine, expire_on_commit=False) as s:
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise


@contextmanager
def records_session(url: str) -> Iterator[Session]:
    """A committing session on the records database at url, migrated first (for short CLI commands)."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with session(engine) as s:
            yield s
    finally:
        engine.dispose()


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    # Outside any transaction, straight on the driver connection (SQLAlchemy would BEGIN first).
    driver = connection.connection.dbapi_connection
    assert driver is not None, "the connection is open: it was just checked out"
    driver.execute(f"PRAGMA {pragma}")


@contextmanager
def migration_transaction(connection: Connection) -> Iterator[Connection]:
    """One transaction for a whole migration run, taken in turns by concurrent processes.

    PostgreSQL: a transaction-scoped advisory lock (`pg_advisory_xact_lock`), so a second process waits, then
    finds the first one's work committed and has nothing to do. SQLite: `BEGIN IMMEDIATE` holds the file's
    write lock for the run; foreign keys are off meanwhile (as SQLite asks for table rebuilds, so that a
    batch migration's DROP TABLE cascades to nothing) and checked before the commit.
    """
    dialect = connection.dialect.name
    if connection.in_transaction():  # the caller's transaction: it commits
        if dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        yield connection
        return
    if dialect == "sqlite":
        _sqlite_pragma(connection, "foreign_keys=OFF")
    try:
        with connection.begin():
            if dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            yield connection
            if dialect == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows with dangling foreign keys: {broken[:5]}")
    finally:
        if dialect == "sqlite":
            _sqlite_pragma(connection, "foreign_keys=ON")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the packaged migrations; `connection` is what env.py will migrate."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(target: Engine | Connection | str, revision: str = "head") -> None:
    """Migrate the database to `revision` (the latest by default). Safe at every start-up and concurrently.

    `target` is an engine, a connection (migrated in its transaction if it has one, which the caller commits),
    or a URL (a throwaway engine is made for it).
    """
    if isinstance(target, str):
        engine = make_engine(target, poolclass=pool.NullPool)
        try:
            upgrade(engine, revision)
        finally:
            engine.dispose()
        return
    if isinstance(target, Engine):
        with target.connect() as connection:
            upgrade(connection, revision)
        return
    with migration_transaction(target) as connection:
        command.upgrade(alembic_config(connection), revision)


def head_revision() -> str | None:
    """The newest migration shipped with this code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None before the first `upgrade`."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
