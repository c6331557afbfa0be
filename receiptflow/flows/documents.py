"""Prefect tasks over the plain steps, and ``process_document``: one file, one flow run.

Transient failures (LLM transport, database disconnect) are retried with exponential
backoff and jitter; permanent ones (bad input) fail at once and the file is quarantined.
Extractions are cached by content hash + extractor (and its settings) + schema version,
never by path.
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
    Extraction,
    FileOutcome,
    Outcome,
    cache_key,
    extractor_fingerprint,
    failed_outcome,
    is_transient,
    process_file,
    receipt_schema_version,
)
from receiptflow.flows.limits import llm_slot
from receiptflow.flows.routing import Destinations, route
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
    return cache_key(
        parameters["sha256"], extractor_fingerprint(settings), receipt_schema_version()
    )


@task(
    name="extract-receipt",
    cache_key_fn=_extraction_key,
    persist_result=True,
    retry_condition_fn=_retry_transient,
)
def extract_receipt(path: Path, sha256: str, settings: Settings) -> Extraction:
    with llm_slot(settings):
        return PlainSteps(settings, source="batch").extract(path, sha256)


def _retry_options(settings: Settings) -> dict[str, Any]:
    options = settings.flows
    return {
        "retries": options.retries,
        "retry_delay_seconds": exponential_backoff(backoff_factor=options.retry_backoff_s),
        "retry_jitter_factor": options.retry_jitter,
    }


class PrefectSteps(PlainSteps):
    """Extraction as its own task run (cached by content, retried, rate-limited); the
    database steps run inside the file's task, whose retries cover a disconnect."""

    def __init__(self, settings: Settings, *, source: str) -> None:
        super().__init__(settings, source=source)
        self._extract = extract_receipt.with_options(
            refresh_cache=not settings.flows.cache, **_retry_options(settings)
        )

    def extract(self, path: Path, sha256: str) -> Extraction:
        return self._extract(path, sha256, self.settings)


@task(name="process-receipt-file", cache_policy=NO_CACHE, retry_condition_fn=_retry_transient)
def process_receipt_file(
    path: Path, settings: Settings, source: str, destinations: Destinations | None
) -> FileOutcome:
    """One file: archive, extract, record, route. Transient failures raise (and retry)."""
    outcome = process_file(path, PrefectSteps(settings, source=source))
    if destinations is not None:
        route(outcome, destinations)
    return outcome


def file_task(settings: Settings) -> Task[..., FileOutcome]:
    """``process_receipt_file`` with this configuration's retries."""
    return process_receipt_file.with_options(**_retry_options(settings))


def outcome_of(path: Path, result: object) -> FileOutcome:
    """A file task's result, or the error it still ended with, as a FileOutcome."""
    if isinstance(result, FileOutcome):
        return result
    error = result if isinstance(result, BaseException) else RuntimeError(repr(result))
    return failed_outcome(path, error)


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
    future = file_task(settings).submit(Path(path), settings, source, destinations)
    outcome = outcome_of(Path(path), future.result(raise_on_failure=False))
    if outcome.outcome is Outcome.FAILED:
        raise FileNotProcessed(outcome)
    return outcome
