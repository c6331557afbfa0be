"""Every storage test runs twice: on SQLite in a temp dir and on the PostgreSQL server at
127.0.0.1:5432 (trust auth), in a database created for this test session and dropped after."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from storage_support import create_pg_database, drop_pg_database, make_receipt, make_result

from receiptflow.extractors.base import ExtractionResult
from receiptflow.schemas.receipt import Receipt
from receiptflow.storage import Store


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    url = create_pg_database()
    yield url
    drop_pg_database(url)


def _empty_tables(url: str) -> None:
    engine = create_engine(url)
    tables = [name for name in inspect(engine).get_table_names() if name != "alembic_version"]
    if tables:
        with engine.begin() as connection:
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'receiptflow.db'}"
    url: str = request.getfixturevalue("postgres_url")
    _empty_tables(url)
    return url


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[Store]:
    with Store(database_url, tmp_path / "archive") as opened:
        yield opened


@pytest.fixture
def receipt_factory() -> Callable[..., Receipt]:
    return make_receipt


@pytest.fixture
def result_factory() -> Callable[..., ExtractionResult]:
    return make_result


@pytest.fixture
def home(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's home and database, through the environment as a user would set them."""
    home = tmp_path / "home"
    monkeypatch.setenv("RECEIPTFLOW_HOME", str(home))
    monkeypatch.setenv("RECEIPTFLOW_DATABASE_URL", database_url)
    return home
