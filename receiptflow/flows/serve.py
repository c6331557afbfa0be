"""Schedules: ``receiptflow serve --inbox DIR --cron "0 2 * * *"`` serves ``process-inbox``.

The served flow reads its settings from the environment of the serving process (the
``RECEIPTFLOW_*`` variables), so a run started from the UI or by the schedule behaves like
``receiptflow batch``. Cron schedules fire only on a real Prefect server (``prefect server
start``), never on the ephemeral one a bare ``python`` process starts.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import flow

from receiptflow.flows.batch import run_batch
from receiptflow.flows.batch_api import BatchApiRun, run_inbox_batch_api
from receiptflow.flows.routing import Destinations
from receiptflow.flows.summary import BatchSummary
from receiptflow.settings import Settings

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

DEPLOYMENT_NAME = "receiptflow-inbox"


@flow(name="process-inbox", log_prints=True)
def process_inbox(
    inbox: str,
    dask_address: str | None = None,
    concurrency: int | None = None,
    batch_api: bool = False,
) -> BatchSummary | BatchApiRun:
    """Every receipt waiting in ``inbox``, moved to processed/ or quarantine/ when done.
    ``batch_api``: submit them to the OpenAI Batch API and collect finished batches."""
    settings = Settings()
    if dask_address:
        settings.flows.dask_address = dask_address
    folder = Path(inbox)
    if batch_api:
        run = run_inbox_batch_api(folder, settings)
        print(run.line())
        return run
    summary = run_batch(
        [str(folder)],
        settings,
        destinations=Destinations.for_inbox(folder, settings),
        concurrency=concurrency,
        progress=False,
    )
    print(summary.line())
    return summary


def inbox_deployment(
    inbox: Path,
    cron: str,
    *,
    name: str = DEPLOYMENT_NAME,
    dask_address: str | None = None,
    concurrency: int | None = None,
    batch_api: bool = False,
) -> RunnerDeployment:
    deployment = process_inbox.to_deployment(
        name=name,
        cron=cron,
        parameters={
            "inbox": str(inbox.resolve()),
            "dask_address": dask_address,
            "concurrency": concurrency,
            "batch_api": batch_api,
        },
        description=f"Receipts waiting in {inbox}, on the schedule {cron!r}.",
        tags=["receiptflow"],
    )
    assert not inspect.isawaitable(deployment)  # sync caller: Prefect returns it directly
    return deployment


def serve_inbox(deployment: RunnerDeployment, *, limit: int | None = None) -> None:
    """Serve until interrupted; each scheduled (or UI-started) run is a process-inbox run."""
    from prefect import serve

    serve(deployment, limit=limit)
