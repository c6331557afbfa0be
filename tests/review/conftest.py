"""Review app fixtures: a temp home (SQLite + archive), one reviewer, an ASGI test client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from review_support import PASSWORD, csrf_of

from receiptflow.review import create_app
from receiptflow.review.security import hash_password
from receiptflow.settings import Settings
from receiptflow.storage import Store


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


def log_in(client: TestClient, name: str = "alice", password: str = PASSWORD) -> str:
    """Log in through the form; returns the CSRF token of the new session."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"name": name, "password": password, "csrf_token": token, "next": "/"}
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)


@pytest.fixture
def reviewer(client: TestClient) -> str:
    """A logged-in client; the value is the session's CSRF token."""
    return log_in(client)
