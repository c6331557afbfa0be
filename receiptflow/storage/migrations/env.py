"""Alembic environment, configured from code (``receiptflow.storage.db.alembic_config``) so the
migrations run from an installed package, with no alembic.ini."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from receiptflow.storage.db import make_engine
from receiptflow.storage.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by table copy
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set config.attributes['connection'] or sqlalchemy.url")
    with make_engine(url).begin() as new_connection:
        _run(new_connection)


_main()
