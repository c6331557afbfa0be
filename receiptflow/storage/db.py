"""Engines and migrations.

SQLite: WAL, foreign keys, a busy timeout and ``BEGIN IMMEDIATE`` so several processes can
write one file without "database is locked" surprises. PostgreSQL: migrations run under an
advisory lock so workers that start together do not race to create the tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool, StaticPool

from receiptflow.errors import ConfigError

MIGRATIONS = "receiptflow.storage:migrations"
_MIGRATION_LOCK = 7_214_508_330  # any constant; names the advisory lock
_READ_ONLY = "receiptflow_read_only"


def make_engine(database_url: str) -> Engine:
    """ConfigError for a URL SQLAlchemy cannot use or a SQLite folder that cannot be made."""
    try:
        url = make_url(database_url)
        if url.drivername in ("postgresql", "postgres"):  # psycopg 3 is the driver we install
            url = url.set(drivername="postgresql+psycopg")
        if url.get_backend_name() != "sqlite":
            return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as error:  # NoSuchModuleError is an ArgumentError
        raise ConfigError(
            f"RECEIPTFLOW_DATABASE_URL {shown_url(database_url)} cannot be used: {error}"
        ) from None
    if url.database and url.database != ":memory:":
        folder = Path(url.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(
                f"cannot create the database folder {folder}: {error.strerror or error} "
                "(RECEIPTFLOW_HOME or RECEIPTFLOW_DATABASE_URL)"
            ) from None
        engine = create_engine(url, connect_args={"timeout": 60}, poolclass=NullPool)
    else:  # one in-memory database, shared by every session of this engine
        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def shown_url(database_url: str) -> str:
    """The URL without its password, for messages (the raw text if it does not parse)."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(database_url.split("@")[-1])


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # Writers take the write lock up front: a deferred transaction that later upgrades to a
    # write can fail with SQLITE_BUSY at once, without waiting for the busy timeout. Readers
    # (engines from ``reader``) begin deferred, so they never block anyone under WAL.
    if connection.get_execution_options().get(_READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def reader(engine: Engine) -> Engine:
    """The same engine (and pool) for transactions that only read."""
    return engine.execution_options(**{_READ_ONLY: True})


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """``alembic upgrade`` on this engine, serialised between processes."""
    config = alembic_config()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
