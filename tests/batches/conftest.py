"""A scripted OpenAI-compatible server that speaks the Batch API, settings pointing at it,
and a PostgreSQL database for the tests that run on both backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from batches_support import Answers

from receiptflow.batches import Batches
from receiptflow.llm.scripted_server import ScriptedServer
from receiptflow.settings import Settings


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def server(answers: Answers) -> Iterator[ScriptedServer]:
    with ScriptedServer(answers) as running:
        running.batch_api.polls = 0  # finished at the first retrieve
        yield running


@pytest.fixture
def batches_factory(tmp_path: Path, server: ScriptedServer) -> Iterator[Callable[..., Batches]]:
    opened: list[Batches] = []

    def make(database_url: str | None = None, **batch_api: Any) -> Batches:
        settings = Settings(
            home=tmp_path / "home",
            database_url=database_url,
            openai={"api_key": "sk-test", "base_url": server.url, "timeout_s": 5.0},
            trust={"enabled": False},  # validation's status: the trust model is tested apart
            batch_api=batch_api,
        )
        opened.append(Batches.open(settings))
        return opened[-1]

    yield make
    for batches in opened:
        batches.store.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    from storage.storage_support import create_pg_database, drop_pg_database

    url = create_pg_database("receiptflow_batches")
    yield url
    drop_pg_database(url)
