"""Review app fixtures: a temp home (SQLite + archive), one reviewer, an ASGI test client."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from review_support import PASSWORD, log_in

from receiptflow.review import create_app
from receiptflow.review.security import hash_password
from receiptflow.settings import Settings
from receiptflow.storage import Store

sys.path.insert(0, str(Path(__file__).parents[1] / "storage"))
from storage_support import create_pg_database, drop_pg_database  # noqa: E402


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", database_url=None)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with Store.from_settings(settings) as opened:
        opened.add_user("alice", hash_password(PASSWORD))
        yield opened


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=store), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def reviewer(client: TestClient) -> str:
    """A logged-in client; the value is the session's CSRF token."""
    return log_in(client)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store on SQLite and on the PostgreSQL server at 127.0.0.1:5432 (a throwaway database)."""
    if request.param == "sqlite":
        with Store(f"sqlite:///{tmp_path / 'review.db'}", tmp_path / "archive") as opened:
            yield opened
        return
    url = create_pg_database("receiptflow_review_test")
    try:
        with Store(url, tmp_path / "archive") as opened:
            yield opened
    finally:
        drop_pg_database(url)
