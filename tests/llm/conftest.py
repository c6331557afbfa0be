"""Fixtures of the LLM tests: scripted OpenAI-compatible servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from receiptflow.llm.scripted_server import ScriptedServer


@pytest.fixture
def serve() -> Iterator[Any]:
    """``serve(script, latency_s=...)`` starts a scripted server, stopped after the test."""
    servers: list[ScriptedServer] = []

    def start(script: Any, **options: Any) -> ScriptedServer:
        servers.append(ScriptedServer(script, **options).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()
