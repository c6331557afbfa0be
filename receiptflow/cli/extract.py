"""``receiptflow extract PATH...``: one-off extraction, no Prefect, no server."""

from __future__ import annotations

import json
import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from receiptflow.cli.output import result_object, summary_table
from receiptflow.errors import ConfigError, ReceiptflowError
from receiptflow.extractors import EXTRACTORS, ExtractionResult, ExtractionStatus, get_extractor
from receiptflow.ingest import iter_input_files, load_document
from receiptflow.settings import Settings

stderr = Console(stderr=True, soft_wrap=True)  # one message per line, greppable


class OutputFormat(StrEnum):
    JSON = "json"
    JSONL = "jsonl"
    TABLE = "table"


def _check_extractor(name: str | None) -> str | None:
    if name is not None and name not in EXTRACTORS:
        raise typer.BadParameter(f"{name!r}; choose one of: {', '.join(EXTRACTORS)}")
    return name


def extract(
    paths: Annotated[
        list[Path],
        # readable=False: an unreadable file is that file's error (below), not a usage error
        # that stops the others from being extracted.
        typer.Argument(help="Receipt files or folders.", readable=False),
    ],
    extractor: Annotated[
        str | None,
        typer.Option(
            "--extractor",
            "-e",
            callback=_check_extractor,
            help=f"One of: {', '.join(EXTRACTORS)} (default: settings, 'local').",
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="json for one file (an array for several), jsonl for several (default).",
        ),
    ] = None,
    save: Annotated[bool, typer.Option("--save", help="Store documents and results.")] = False,
) -> None:
    """Extract receipts to JSON. Exit code 1 when a file could not be read or extracted
    (each is reported on stderr; the others are still extracted), 2 for a wrong setting."""
    settings = Settings()
    # Instructor logs each failed attempt; the result's error already says it, on one line.
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    files = iter_input_files(paths)
    if not files:
        stderr.print("[red]no receipt files found[/] in: " + escape(", ".join(map(str, paths))))
        raise typer.Exit(1)
    chosen = output_format or (
        OutputFormat.JSON if len(files) == 1 and files[0] == paths[0] else OutputFormat.JSONL
    )
    try:
        engine = get_extractor(extractor or settings.extractor, settings)
    except ReceiptflowError as error:  # e.g. ConfigError: openai without a key
        stderr.print(f"[red]error:[/] {escape(str(error))}")
        raise typer.Exit(2) from None
    store = _open_store(settings) if save else None
    failures = 0
    rows: list[tuple[Path, ExtractionResult]] = []
    objects: list[dict[str, Any]] = []  # --format json with several files: one JSON array
    with _progress(enabled=len(files) > 1) as progress:
        task = progress.add_task("extracting", total=len(files))
        for path in files:
            progress.update(task, description=path.name)
            try:
                outcome = _extract_one(path, engine, settings, store)
            except ConfigError as error:  # e.g. openai without a key: same for every file
                stderr.print(f"[red]error:[/] {escape(str(error))}")
                raise typer.Exit(2) from None
            if outcome is None or outcome[1].status is ExtractionStatus.FAILED:
                failures += 1
            if outcome is not None:
                rows.append((path, outcome[1]))
                if chosen is OutputFormat.JSON and len(files) > 1:
                    objects.append(outcome[0])
                else:
                    _emit(outcome[0], chosen)
            progress.advance(task)
    if chosen is OutputFormat.JSON and len(files) > 1:
        sys.stdout.write(json.dumps(objects, indent=2, ensure_ascii=False) + "\n")
    if chosen is OutputFormat.TABLE:
        console = Console()
        # Piped output defaults to 80 columns, too narrow for a receipt summary.
        console.width = max(console.width, 130)
        console.print(summary_table(rows))
    if failures:
        stderr.print(f"[red]{failures} of {len(files)} file(s) failed[/]")
        raise typer.Exit(1)


def _extract_one(
    path: Path, engine: Any, settings: Settings, store: Any
) -> tuple[dict[str, Any], ExtractionResult] | None:
    record = None
    try:
        record = store.save_input(path, source="cli") if store is not None else None
        document = load_document(path, settings.ingest)
    except ConfigError:
        raise  # an unwritable archive folder: every file would fail alike (exit 2)
    except ReceiptflowError as error:
        stderr.print(f"[red]error:[/] {escape(str(error))}")
        if store is not None and record is not None:
            store.record_failure(record.id, str(error), stage="ingest")
        return None
    except OSError as error:  # the archive's disk is full: this file fails, the others run
        stderr.print(f"[red]error:[/] {escape(f'{path}: cannot be archived: {error}')}")
        return None
    try:
        result = engine.extract(document)
    except ConfigError:
        raise  # the same for every file: stop with one line, exit 2
    except Exception as error:  # a bug, not a bad receipt: this file fails, the others run
        reason = f"{type(error).__name__}: {error}"
        stderr.print(f"[red]error:[/] {escape(f'{path}: extraction failed: {reason}')}")
        if store is not None and record is not None:
            store.record_failure(record.id, reason, stage="extract")
        return None
    if store is not None and record is not None:
        store.record_extraction(record.id, result, pages=len(document.pages))
    for message in result.errors:
        stderr.print(f"[yellow]{escape(path.name)}:[/] {escape(message)}")
    return result_object(document, result), result


def _emit(obj: dict[str, Any], chosen: OutputFormat) -> None:
    if chosen is OutputFormat.JSON:
        sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")
    elif chosen is OutputFormat.JSONL:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _open_store(settings: Settings) -> Any:
    from receiptflow.storage.service import Store  # optional extra: only with --save

    return Store.from_settings(settings)


def _progress(*, enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        disable=not enabled,
        transient=True,
        # The bar draws on stderr; rich would otherwise route our stdout through it, and
        # `extract folder/ > receipts.jsonl` in a terminal would leave the file empty.
        redirect_stdout=sys.stdout.isatty(),
    )


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)
