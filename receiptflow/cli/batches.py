"""``receiptflow batches submit | status | collect``: the OpenAI Batch API at half price.

Exit codes: 0 done; 1 some file could not be read (submit) or some stored result failed
(collect); 2 a wrong setting (an extractor without the Batch API, no endpoint configured).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from receiptflow.batches import BATCH_EXTRACTORS, Batches, open_engine
from receiptflow.errors import ReceiptflowError
from receiptflow.extractors.base import ExtractionStatus
from receiptflow.settings import Settings

stderr = Console(stderr=True, soft_wrap=True)
app = typer.Typer(help="OpenAI Batch API: submit receipts tonight, collect them at half price.")

IdArgument = Annotated[
    str | None,
    typer.Argument(help="Batch id (batch_...), or local-N before it was submitted; default: all."),
]


def _extractor(name: str) -> str:
    if name not in BATCH_EXTRACTORS:
        raise typer.BadParameter(f"{name!r}; choose one of: {', '.join(BATCH_EXTRACTORS)}")
    return name


@app.command("submit")
def submit_command(
    paths: Annotated[list[Path], typer.Argument(help="Receipt files or folders.", readable=False)],
    extractor: Annotated[
        str, typer.Option("--extractor", "-e", callback=_extractor, help="openai or nemo.")
    ] = "openai",
) -> None:
    """Store the documents, upload one request per document and create the batch(es);
    prints each batch id (one per line)."""
    from receiptflow.batches.submit import submit
    from receiptflow.ingest import iter_input_files

    settings = Settings()
    files = iter_input_files(paths)
    if not files:
        stderr.print("[red]no receipt files found[/] in: " + escape(", ".join(map(str, paths))))
        raise typer.Exit(1)
    engine = open_engine(extractor, settings)  # ConfigError: exit 2 (cli.main)
    batches = Batches.open(settings)
    try:
        out = submit(files, batches, engine)
    finally:
        engine.api.close()
    for path, error in out.failed.items():
        stderr.print(f"[red]error:[/] {escape(path.name)}: {escape(error)}")
    for path, batch_id in out.waiting.items():
        stderr.print(f"{escape(path.name)}: already waiting in {batch_id}")
    for batch in out.batches:
        sys.stdout.write(batch.shown_id + "\n")
    stderr.print(
        f"{len(out.documents)} document(s) in {len(out.batches)} batch(es); "
        "`receiptflow batches collect --wait` stores the answers"
    )
    if out.failed:
        raise typer.Exit(1)


@app.command("status")
def status_command(
    batch_id: IdArgument = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """Refresh open batches from the API and show their state and request counts."""
    from receiptflow.batches.collect import Engines, refresh

    settings = Settings()
    batches = Batches.open(settings)
    try:
        chosen = [batches.ledger.get(batch_id)] if batch_id else batches.ledger.list()
    except ReceiptflowError as error:  # no such batch
        stderr.print(f"[red]error:[/] {escape(str(error))}")
        raise typer.Exit(1) from None
    engines = Engines(settings)
    try:
        shown = [refresh(batch, batches, engines(batch.extractor)) for batch in chosen]
    finally:
        engines.close()
    rows = [_status_row(batch) for batch in shown]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table("id", "extractor", "state", "status", "total", "completed", "failed", "created")
    for row in rows:
        counts = row["request_counts"]
        table.add_row(
            row["id"],
            row["extractor"],
            row["state"],
            row["status"] or "",
            str(counts.get("total", "")),
            str(counts.get("completed", "")),
            str(counts.get("failed", "")),
            row["created_at"][:19],
        )
    console = Console()
    console.width = max(console.width, 120)
    console.print(table)


def _status_row(batch: Any) -> dict[str, Any]:
    return {
        "id": batch.shown_id,
        "extractor": batch.extractor,
        "model": batch.model,
        "state": batch.state,
        "status": batch.api_status,
        "request_counts": batch.request_counts,
        "documents": len(batch.items),
        "stored": sum(item.state == "stored" for item in batch.items),
        "error": batch.error,
        "created_at": batch.created_at.isoformat(),
        "collected_at": batch.collected_at.isoformat() if batch.collected_at else None,
    }


@app.command("collect")
def collect_command(
    batch_id: IdArgument = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Poll until every chosen batch has finished.")
    ] = False,
) -> None:
    """Store the answers of finished batches (re-asking failures synchronously); safe to
    run again at any time: what is stored is never stored twice."""
    from receiptflow.batches.collect import Engines, collect_all

    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    settings = Settings()
    batches = Batches.open(settings)
    engines = Engines(settings)
    try:
        done = collect_all(batches, engines, wanted=batch_id, wait=wait)
    except ReceiptflowError as error:
        stderr.print(f"[red]error:[/] {escape(str(error))}")
        raise typer.Exit(1) from None
    finally:
        engines.close()
    for collected in done:
        sys.stdout.write(collected.line() + "\n")
    waiting = [b.shown_id for b in batches.ledger.list(open_only=True)]
    if waiting:
        stderr.print(f"still running: {', '.join(waiting)}")
    failed = sum(r.status is ExtractionStatus.FAILED for c in done for r in c.results)
    if failed:
        stderr.print(f"[red]{failed} document(s) failed[/]")
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="batches")
