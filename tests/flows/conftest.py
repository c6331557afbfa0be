"""Prefect test harness (one temporary server per session) and per-test settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flows_support import FakeExtractor, LlmFakeExtractor

import receiptflow.flows  # noqa: F401  (offline Prefect defaults before prefect is imported)
from receiptflow.extractors import EXTRACTORS
from receiptflow.flows.steps import forget_resources
from receiptflow.settings import FlowSettings, Settings, WatchSettings


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A temporary Prefect server, with cached results kept apart from the user's own."""
    from prefect.settings import PREFECT_RESULTS_LOCAL_STORAGE_PATH, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    results = tmp_path_factory.mktemp("prefect-results")
    with (
        temporary_settings({PREFECT_RESULTS_LOCAL_STORAGE_PATH: results}),
        prefect_test_harness(server_startup_timeout=None),
    ):
        yield


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setitem(EXTRACTORS, "fake", "flows_support:build_fake")
    monkeypatch.setitem(EXTRACTORS, "fake-llm", "flows_support:build_llm_fake")
    FakeExtractor.calls.clear()
    FakeExtractor.failures_left.clear()
    FakeExtractor.crash_on.clear()
    FakeExtractor.threads.clear()
    LlmFakeExtractor.most_in_flight = 0
    yield Settings(
        home=tmp_path / "home",
        extractor="fake",
        flows=FlowSettings(retries=3, retry_backoff_s=0.05, retry_jitter=0.5),
        watch=WatchSettings(stable_seconds=0.6, poll_interval_s=0.1, retry_after_s=0.5),
    )
    forget_resources()
