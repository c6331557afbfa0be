"""Prefect tasks over the plain steps, and ``process_document``: one file, one flow run.

Transient failures (LLM transport, database disconnect) are retried with exponential
backoff and jitter; permanent ones (bad input) fail at once and the file is quarantined.
Extractions are cached by content hash + extractor + schema version, never by path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.context import TaskRunContext
from prefect.runtime import flow_run
from prefect.tasks import Task, exponential_backoff

from receiptflow.flows.core import (
    Archived,
    Extraction,
    FileOutcome,
    Outcome,
    Recorded,
    cache_key,
    is_transient,
    receipt_schema_version,
)
from receiptflow.flows.limits import llm_slot
from receiptflow.flows.routing import Destinations, process_and_route
from receiptflow.flows.steps import PlainSteps
from receiptflow.settings import Settings


class FileNotProcessed(Exception):
    """Fails a document's flow run (so the UI shows it) while carrying what happened."""

    def __init__(self, outcome: FileOutcome) -> None:
        self.outcome = outcome
        super().__init__(f"{outcome.path.name}: {outcome.error}")


def _retry_transient(_task: Task[..., Any], _run: TaskRun, state: State[Any]) -> bool:
    error = state.data
    return isinstance(error, BaseException) and is_transient(error)


def _extraction_key(_context: TaskRunContext, parameters: dict[str, Any]) -> str:
    settings: Settings = parameters["settings"]
    return cache_key(parameters["sha256"], settings.extractor, receipt_schema_version())


@task(name="archive-input", cache_policy=NO_CACHE, retry_condition_fn=_retry_transient)
def archive_input(path: Path, settings: Settings, source: str) -> Archived:
    return PlainSteps(settings, source=source).archive(path)


@task(
    name="extract-receipt",
    cache_key_fn=_extraction_key,
    persist_result=True,
    retry_condition_fn=_retry_transient,
)
def extract_receipt(path: Path, sha256: str, settings: Settings) -> Extraction:
    with llm_slot(settings):
        return PlainSteps(settings, source="batch").extract(path, sha256)


@task(name="record-extraction", cache_policy=NO_CACHE, retry_condition_fn=_retry_transient)
def record_extraction(document_id: int, extraction: Extraction, settings: Settings) -> Recorded:
    return PlainSteps(settings, source="batch").record(document_id, extraction)


@task(name="record-failure", cache_policy=NO_CACHE, retry_condition_fn=_retry_transient)
def record_failure(document_id: int, error: str, stage: str, settings: Settings) -> None:
    PlainSteps(settings, source="batch").record_failure(document_id, error, stage)


class PrefectSteps:
    """The steps as Prefect task runs, with this configuration's retries and cache switch."""

    def __init__(self, settings: Settings, *, source: str) -> None:
        self.settings = settings
        self.source = source
        options = settings.flows
        retry: dict[str, Any] = {
            "retries": options.retries,
            "retry_delay_seconds": exponential_backoff(backoff_factor=options.retry_backoff_s),
            "retry_jitter_factor": options.retry_jitter,
        }
        self._archive = archive_input.with_options(**retry)
        self._extract = extract_receipt.with_options(refresh_cache=not options.cache, **retry)
        self._record = record_extraction.with_options(**retry)
        self._failure = record_failure.with_options(**retry)

    def archive(self, path: Path) -> Archived:
        return self._archive(path, self.settings, self.source)

    def extract(self, path: Path, sha256: str) -> Extraction:
        return self._extract(path, sha256, self.settings)

    def record(self, document_id: int, extraction: Extraction) -> Recorded:
        return self._record(document_id, extraction, self.settings)

    def record_failure(self, document_id: int, error: str, stage: str) -> None:
        self._failure(document_id, error, stage, self.settings)


def _document_run_name() -> str:
    return Path(str(flow_run.parameters.get("path", "receipt"))).name


@flow(name="process-document", flow_run_name=_document_run_name, log_prints=False)
def process_document(
    path: str,
    settings: Settings | None = None,
    source: str = "cli",
    destinations: Destinations | None = None,
) -> FileOutcome:
    """ingest -> extract -> validate -> store -> approved or flagged (or quarantined).

    With ``destinations`` the file is moved to ``processed/<date>/`` or ``quarantine/``.
    A file that still fails after retries fails the run and stays where it is."""
    settings = settings or Settings()
    outcome = process_and_route(
        Path(path), PrefectSteps(settings, source=source), destinations, move=True
    )
    if outcome.outcome is Outcome.FAILED:
        raise FileNotProcessed(outcome)
    return outcome
