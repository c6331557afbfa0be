"""The Alembic migrations build exactly the tables the models describe, on both backends."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, MetaData, inspect, text
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


def _migrate(engine: Engine, action: str, revision: str) -> None:
    config = db.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def _receipt_at_0001(connection: Any, number: int, confidence: dict[str, Any]) -> None:
    """A document and its receipt as revision 0001 stored them (no trust column yet)."""
    now = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    connection.execute(
        text(
            "INSERT INTO documents (id, sha256, original_name, media_type, size_bytes, source,"
            " archive_path, received_at, status) VALUES (:id, :sha, 'r.png', 'image/png', 1,"
            " 'cli', 'x', :now, 'extracted')"
        ),
        {"id": number, "sha": f"{number:064d}", "now": now},
    )
    connection.execute(
        text(
            "INSERT INTO receipts (id, document_id, status, confidence, details, created_at,"
            " updated_at) VALUES (:id, :id, 'extracted', :confidence, '{}', :now, :now)"
        ),
        {"id": number, "confidence": json.dumps(confidence), "now": now},
    )


def _columns(engine: Engine, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table)}


def test_0002_adds_trust_from_stored_confidence_and_downgrades(fresh_engine: Engine) -> None:
    db.upgrade(fresh_engine, "0001")
    stored = {
        1: {"receipt": 0.42, "total": 0.99},  # the receipt's own probability wins
        2: {"total": 0.9, "date": 0.7, "merchant.address": 0.1},  # weakest key field
        3: {"merchant.address": 0.5},  # no key field: unknown
        4: {},
    }
    with fresh_engine.begin() as connection:
        for number, confidence in stored.items():
            _receipt_at_0001(connection, number, confidence)
    db.upgrade(fresh_engine)
    assert {"trust"} <= _columns(fresh_engine, "receipts")
    assert {"details"} <= _columns(fresh_engine, "extraction_runs")
    indexes = {index["name"] for index in inspect(fresh_engine).get_indexes("receipts")}
    assert "ix_receipts_trust" in indexes
    with fresh_engine.connect() as connection:
        trust = dict(connection.execute(text("SELECT id, trust FROM receipts")).all())
    assert trust == {1: 0.42, 2: 0.7, 3: None, 4: None}

    _migrate(fresh_engine, "downgrade", "0001")
    assert "trust" not in _columns(fresh_engine, "receipts")
    assert "details" not in _columns(fresh_engine, "extraction_runs")
    with fresh_engine.connect() as connection:
        kept = connection.execute(text("SELECT count(*) FROM receipts")).scalar_one()
    assert kept == 4  # the table copy on SQLite keeps every row
    _migrate(fresh_engine, "upgrade", "head")
    assert db.current_revision(fresh_engine) == db.head_revision()
    assert _drift(fresh_engine, Base.metadata) == []


def test_the_batch_api_tables_upgrade_and_downgrade(fresh_engine: Engine) -> None:
    db.upgrade(fresh_engine)
    tables = set(inspect(fresh_engine).get_table_names())
    assert {"llm_batches", "llm_batch_items"} <= tables
    _migrate(fresh_engine, "downgrade", "0002")
    assert not {"llm_batches", "llm_batch_items"} & set(inspect(fresh_engine).get_table_names())
    _migrate(fresh_engine, "upgrade", "head")
    assert _drift(fresh_engine, Base.metadata) == []


def test_users_disabled_column_keeps_reviewers_enabled_and_downgrades(
    fresh_engine: Engine,
) -> None:
    db.upgrade(fresh_engine, "0002")
    with fresh_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO users (name, password_hash, created_at) VALUES (:n, :h, :t)"),
            {"n": "alice", "h": "$argon2id$x", "t": dt.datetime(2026, 12, 1, tzinfo=dt.UTC)},
        )
    _migrate(fresh_engine, "upgrade", "revauth_user_disabled")
    with fresh_engine.connect() as connection:
        rows = connection.execute(text("SELECT name, disabled FROM users")).all()
    assert [(name, bool(disabled)) for name, disabled in rows] == [("alice", False)]
    _migrate(fresh_engine, "downgrade", "0002")
    assert "disabled" not in _columns(fresh_engine, "users")
    with fresh_engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM users")).scalars().all() == ["alice"]
