"""Alembic environment for Liaison's tables (`bot.records.tables`, `.cases` and `.digests`, on `SQLModel.metadata`).

`bot.db.upgrade()` hands in a connection already inside its migration transaction (through
`config.attributes["connection"]`). Run by hand (`alembic -c bot/migrations/alembic.ini ...`), it connects
to `sqlalchemy.url` if set, else DATABASE_URL / the SQLite file from `bot.settings.Settings`.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

import bot.records.cases  # noqa: F401  (the issues, mediations, their timeline and positions)
import bot.records.deadline_reminders  # noqa: F401  (the deadline reminders' claims and snoozes)
import bot.records.deadlines  # noqa: F401  (the deadlines register: obligations, events, settings)
import bot.records.digests  # noqa: F401  (the digest schedules and posts)
import bot.records.languages  # noqa: F401  (each engagement's and channel's language)
import bot.records.sla  # noqa: F401  (the SLA register: levels, events, measurements, statements)
import bot.records.tables  # noqa: F401  (puts the other tables on SQLModel.metadata)
from bot.db import make_engine, migration_transaction, normalise_url
from bot.settings import Settings

config = context.config
target_metadata = SQLModel.metadata

if config.config_file_name is not None and "connection" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().resolved_database_url


def render_item(type_: str, obj: Any, _autogen_context: AutogenContext) -> str | Literal[False]:
    """Write SQLModel's column types as the plain SQLAlchemy types they create, so revisions need no sqlmodel."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        # Batch operations (copy and move a table where SQLite cannot ALTER it) also run as plain ALTERs on
        # PostgreSQL, so revisions written against either database work on both.
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
        **kwargs,
    )


def _migrate(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    _configure(url=normalise_url(_url()), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection, migration_transaction(connection):
            _migrate(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
