"""``receiptflow batch``, ``serve`` and ``watch``: the Prefect side of the command line."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

import receiptflow.flows  # noqa: F401  (offline Prefect defaults before Prefect is imported)
from receiptflow.errors import ConfigError
from receiptflow.extractors import EXTRACTORS
from receiptflow.flows.server import one_prefect_server
from receiptflow.flows.steps import check_extractor
from receiptflow.settings import Settings

stderr = Console(stderr=True)

ExtractorOption = Annotated[
    str | None, typer.Option("--extractor", "-e", help="Extractor name (default: settings).")
]
DaskOption = Annotated[
    str | None,
    typer.Option("--dask-address", help="Run the batch's tasks on this Dask scheduler."),
]
ConcurrencyOption = Annotated[
    int | None, typer.Option("--concurrency", "-c", min=1, help="Files in flight at once.")
]


def _settings(extractor: str | None = None, dask_address: str | None = None) -> Settings:
    settings = Settings()
    if extractor:
        settings.extractor = extractor
    if settings.extractor not in EXTRACTORS:  # a typo must not quarantine every file
        raise typer.BadParameter(
            f"{settings.extractor!r}; choose one of: {', '.join(EXTRACTORS)}",
            param_hint="'--extractor' (or RECEIPTFLOW_EXTRACTOR)",
        )
    if dask_address:
        settings.flows.dask_address = dask_address
    # An extractor that cannot run (openai without a key) would fail every file alike:
    # a configuration error now (one line, exit 2), before any file is read or moved.
    check_extractor(settings)
    return settings


def batch(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders or glob patterns.")],
    extractor: ExtractorOption = None,
    concurrency: ConcurrencyOption = None,
    dask_address: DaskOption = None,
    processed: Annotated[
        Path | None, typer.Option(help="Move finished files here (with --quarantine).")
    ] = None,
    quarantine: Annotated[
        Path | None, typer.Option(help="Move files that cannot be read here, with a reason.")
    ] = None,
) -> None:
    """Process many receipts as one Prefect flow run (table artifact, cached by content)."""
    from receiptflow.flows.batch import run_batch
    from receiptflow.flows.routing import Destinations

    if (processed is None) != (quarantine is None):
        raise typer.BadParameter("give both --processed and --quarantine, or neither")
    destinations = Destinations(processed, quarantine) if processed and quarantine else None
    settings = _settings(extractor, dask_address)
    signal.signal(signal.SIGTERM, _interrupt)  # the temporary Prefect server stops too
    with one_prefect_server():
        summary = run_batch(inputs, settings, destinations=destinations, concurrency=concurrency)
    table = Table("outcome", "files", "cost (USD)", "needs attention")
    for row in summary.table():
        table.add_row(*(str(value) for value in row.values()))
    Console().print(table)
    if summary.counts["failed"]:
        raise typer.Exit(1)


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _cron(value: str) -> str:
    """Refuse a bad schedule as a usage error, before any Prefect server is started."""
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=value)
    except ValidationError:
        raise typer.BadParameter(f'{value!r} is not a cron schedule (e.g. "0 2 * * *")') from None
    return value


def serve(
    inbox: Annotated[Path, typer.Option("--inbox", help="Folder the scheduled batch takes.")],
    cron: Annotated[
        str, typer.Option("--cron", callback=_cron, help='Cron schedule, e.g. "0 2 * * *".')
    ],
    name: Annotated[str, typer.Option(help="Deployment name.")] = "receiptflow-inbox",
    dask_address: DaskOption = None,
    concurrency: ConcurrencyOption = None,
    batch_api: Annotated[
        bool,
        typer.Option(
            "--batch-api",
            help="Each run submits new receipts to the OpenAI Batch API (half price) and "
            "collects finished batches; needs RECEIPTFLOW_EXTRACTOR=openai or nemo.",
        ),
    ] = False,
) -> None:
    """Serve the inbox batch on a cron schedule (needs `prefect server start`; see README)."""
    from prefect.settings import PREFECT_API_URL

    from receiptflow.flows.serve import inbox_deployment, serve_inbox

    if not PREFECT_API_URL.value():
        stderr.print(
            "[yellow]PREFECT_API_URL is not set: the ephemeral server never fires cron "
            "schedules. Run `prefect server start` and "
            "`prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api` first.[/]"
        )
    settings = _settings()  # an unknown RECEIPTFLOW_EXTRACTOR is refused before serving
    if batch_api:
        from receiptflow.batches import open_engine
        from receiptflow.flows.batch_api import batch_extractor

        try:  # refused now, not at 2 a.m. in every scheduled run
            open_engine(batch_extractor(settings), settings).api.close()
        except ConfigError as error:
            stderr.print(f"[red]error:[/] {error}")
            raise typer.Exit(2) from None
    inbox.mkdir(parents=True, exist_ok=True)
    deployment = inbox_deployment(
        inbox,
        cron,
        name=name,
        dask_address=dask_address,
        concurrency=concurrency,
        batch_api=batch_api,
    )
    serve_inbox(deployment)


def watch(
    inbox: Annotated[Path, typer.Argument(help="Folder to watch (created if missing).")],
    extractor: ExtractorOption = None,
    polling: Annotated[
        bool, typer.Option("--polling", help="Poll instead of OS events (network shares).")
    ] = False,
    stable_seconds: Annotated[
        float | None, typer.Option(help="Unchanged this long before a file is taken.")
    ] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Files processed at once.")] = None,
) -> None:
    """Take every receipt dropped into INBOX; move it to processed/ or quarantine/."""
    from receiptflow.watch.watcher import InboxWatcher

    settings = _settings(extractor)
    settings.watch.polling = polling or settings.watch.polling
    if stable_seconds is not None:
        settings.watch.stable_seconds = stable_seconds
    if workers is not None:
        settings.watch.workers = workers
    # Prefect's logging setup prints it; only this logger, or httpx would flood the terminal.
    logging.getLogger("receiptflow.watch").setLevel(logging.INFO)
    watcher = InboxWatcher(inbox, settings)
    stop = threading.Event()
    # SIGTERM (systemd, docker stop, kill) stops like Ctrl-C: the files already taken finish,
    # then the temporary Prefect server is stopped.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with one_prefect_server():
        stderr.print(
            f"watching {watcher.inbox} -> {watcher.destinations.processed}, "
            f"{watcher.destinations.quarantine} (Ctrl-C to stop)"
        )
        watcher.run(stop)


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)
    app.command("serve")(serve)
    app.command("watch")(watch)
