"""``process_batch``: a folder or glob of receipts, fanned out with bounded concurrency.

Each file is one ``process-receipt-file`` task (retried on transient failures) with its
extraction as a nested ``extract-receipt`` task run (cached by content, rate-limited). The
batch ends with a table artifact (counts, receipts that need a person, cost) and shows a
progress bar in the terminal.
With ``FlowSettings.dask_address`` (``--dask-address``) the tasks run on a Dask cluster.
"""

from __future__ import annotations

import glob
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.artifacts import create_table_artifact
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from rich.progress import Progress

from receiptflow.flows.core import FileOutcome
from receiptflow.flows.documents import file_task, outcome_of
from receiptflow.flows.routing import Destinations
from receiptflow.flows.summary import BatchSummary
from receiptflow.settings import Settings

ARTIFACT_KEY = "receiptflow-batch"


def expand_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Folders, files and glob patterns (``'inbox/**/*.jpg'``) -> the receipt files they mean."""
    from receiptflow.ingest import iter_input_files

    paths: list[Path] = []
    for given in inputs:
        text = str(given)
        if glob.has_magic(text) and not Path(text).exists():  # a pattern, not a name
            pattern = Path(text)
            base = Path(pattern.anchor) if pattern.is_absolute() else Path()
            paths.extend(sorted(base.glob(str(pattern.relative_to(base)))))
        else:
            paths.append(Path(text))
    return iter_input_files(paths)


def task_runner_for(settings: Settings, concurrency: int | None = None) -> TaskRunner[Any]:
    """Threads here, or the Dask cluster at ``FlowSettings.dask_address``."""
    workers = concurrency or settings.flows.batch_concurrency
    if settings.flows.dask_address:
        from prefect_dask.task_runners import DaskTaskRunner

        runner: TaskRunner[Any] = DaskTaskRunner(address=settings.flows.dask_address)
        return runner
    return ThreadPoolTaskRunner(max_workers=workers)


@flow(name="process-batch", log_prints=False)
def process_batch(
    inputs: list[str],
    settings: Settings | None = None,
    source: str = "batch",
    destinations: Destinations | None = None,
    concurrency: int | None = None,
    progress: bool | None = None,
) -> BatchSummary:
    """Every receipt under ``inputs``; at most ``concurrency`` files in flight at once.

    With ``destinations`` files are moved to processed/ or quarantine/ (the served inbox);
    without, the originals stay put and failures are only recorded (database + artifact)."""
    settings = settings or Settings()
    started = time.perf_counter()
    files = expand_inputs(inputs)
    if destinations is not None:  # an inbox holds its own processed/ and quarantine/ folders
        files = [path for path in files if not destinations.contains(path)]
    limit = max(1, concurrency or settings.flows.batch_concurrency)
    show = sys.stderr.isatty() if progress is None else progress
    summary = BatchSummary()
    with Progress(disable=not show, transient=not show) as bar:
        bar_task = bar.add_task("receipts", total=len(files))
        for outcome in _fan_out(files, limit, settings, source, destinations):
            summary.outcomes.append(outcome)
            bar.advance(bar_task)
    summary.seconds = time.perf_counter() - started
    create_table_artifact(
        table=summary.table(), key=ARTIFACT_KEY, description=f"receiptflow batch: {summary.line()}"
    )
    return summary


def _fan_out(
    files: list[Path],
    limit: int,
    settings: Settings,
    source: str,
    destinations: Destinations | None,
) -> Iterable[FileOutcome]:
    """Keep ``limit`` files submitted at a time (a sliding window, on threads or on Dask)."""
    one_file = file_task(settings)
    pending = list(reversed(files))
    running: dict[PrefectFuture[FileOutcome], Path] = {}
    while pending or running:
        while pending and len(running) < limit:
            path = pending.pop()
            running[one_file.submit(path, settings, source, destinations)] = path
        done: PrefectFuture[FileOutcome] = next(iter(as_completed(list(running))))
        yield outcome_of(running.pop(done), done.result(raise_on_failure=False))


def run_batch(
    inputs: list[str],
    settings: Settings,
    *,
    source: str = "batch",
    destinations: Destinations | None = None,
    concurrency: int | None = None,
    progress: bool | None = None,
) -> BatchSummary:
    """``process_batch`` on threads, or on the Dask cluster when one is configured."""
    runner = task_runner_for(settings, concurrency)
    configured = process_batch.with_options(task_runner=runner)
    return configured(
        inputs,
        settings=settings,
        source=source,
        destinations=destinations,
        concurrency=concurrency,
        progress=progress,
    )
