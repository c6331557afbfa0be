"""The Alembic migrations build exactly the tables the models describe, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, MetaData, inspect
from storage_support import create_pg_database, drop_pg_database

from receiptflow.storage import db
from receiptflow.storage.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield engine
        engine.dispose()
        return
    url = create_pg_database("receiptflow_migration")
    engine = db.make_engine(url)
    yield engine
    engine.dispose()
    drop_pg_database(url)


def _drift(engine: Engine, metadata: MetaData) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_migrations_match_the_models(fresh_engine: Engine) -> None:
    db.upgrade(fresh_engine)
    assert db.current_revision(fresh_engine) == db.head_revision()
    assert _drift(fresh_engine, Base.metadata) == []


def test_drift_is_detected(fresh_engine: Engine) -> None:
    db.upgrade(fresh_engine)
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        copy = table.to_metadata(changed)
        if table.name == "receipts":
            copy.append_column(Column("tip_percent", Integer))
    diff = _drift(fresh_engine, changed)
    assert [entry[0] for entry in diff] == ["add_column"]


def test_downgrade_and_upgrade_again(fresh_engine: Engine) -> None:
    db.upgrade(fresh_engine)
    config = db.alembic_config()
    with fresh_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(fresh_engine).get_table_names()) <= {"alembic_version"}
    db.upgrade(fresh_engine)
    assert set(inspect(fresh_engine).get_table_names()) >= set(Base.metadata.tables)
