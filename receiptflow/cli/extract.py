"""``receiptflow extract PATH...``: one-off extraction, no Prefect, no server.

Extractors that wait on an LLM (``openai``, ``nemo``, ``cascade``: those with ``aextract``)
run ``--concurrency`` files at once (default ``RECEIPTFLOW_LLM__MAX_IN_FLIGHT``), output in
input order; ``local`` is CPU-bound and reads one file after another.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from receiptflow.cli.in_order import run_in_order
from receiptflow.cli.output import result_object, summary_table
from receiptflow.errors import ConfigError, ReceiptflowError
from receiptflow.extractors import EXTRACTORS, ExtractionResult, ExtractionStatus, get_extractor
from receiptflow.ingest import iter_input_files, load_document
from receiptflow.ingest.document import Document
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
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            "-j",
            min=1,
            help="Files extracted at once by the LLM extractors (default: "
            "RECEIPTFLOW_LLM__MAX_IN_FLIGHT). Output stays in input order.",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the HTTP and LLM libraries' logs.")
    ] = False,
) -> None:
    """Extract receipts to JSON. Exit code 1 when any file could not be read or extracted
    (each is reported on stderr; the others are still extracted), 2 for a wrong setting
    (including an API key the LLM endpoint refuses)."""
    settings = Settings()
    _library_logging(verbose)
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

        def emit(path: Path, outcome: Outcome) -> None:
            nonlocal failures
            if outcome is None or outcome[1].status is ExtractionStatus.FAILED:
                failures += 1
            if outcome is not None:
                rows.append((path, outcome[1]))
                if chosen is OutputFormat.JSON and len(files) > 1:
                    objects.append(outcome[0])
                else:
                    _emit(outcome[0], chosen)

        def done(path: Path) -> None:
            progress.update(task, description=path.name, advance=1)

        limit = concurrency or settings.llm.max_in_flight
        try:
            if getattr(engine, "aextract", None) is not None:
                asyncio.run(
                    _extract_concurrently(files, engine, settings, store, limit, emit, done)
                )
            else:
                for path in files:
                    emit(path, _extract_one(path, engine, settings, store))
                    done(path)
        except ConfigError as error:  # e.g. a refused API key: the same for every file
            stderr.print(f"[red]error:[/] {escape(' '.join(str(error).split()))}")
            raise typer.Exit(2) from None
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


Outcome = tuple[dict[str, Any], ExtractionResult] | None
Prepared = tuple[Any, Document] | None  # (the stored document's record or None, document)


def _extract_one(path: Path, engine: Any, settings: Settings, store: Any) -> Outcome:
    prepared = _prepare(path, settings, store)
    if prepared is None:
        return None
    record, document = prepared
    try:
        result = engine.extract(document)
    except Exception as error:
        return _crashed(path, store, record, error)
    return _finish(path, document, result, store, record)


async def _extract_concurrently(
    files: list[Path],
    engine: Any,
    settings: Settings,
    store: Any,
    limit: int,
    emit: Callable[[Path, Outcome], None],
    done: Callable[[Path], None],
) -> None:
    """``limit`` files in flight: ingest and storage in worker threads, the LLM requests on
    this event loop; ``emit`` sees the outcomes in input order, ``done`` as they finish."""

    async def one(path: Path) -> Outcome:
        try:
            prepared = await asyncio.to_thread(_prepare, path, settings, store)
            if prepared is None:
                return None
            record, document = prepared
            try:
                result = await engine.aextract(document)
            except Exception as error:
                return _crashed(path, store, record, error)
            return await asyncio.to_thread(_finish, path, document, result, store, record)
        finally:
            done(path)

    try:
        await run_in_order(files, one, limit, emit)
    finally:
        aclose = getattr(engine, "aclose", None)
        if aclose is not None:  # connections must close before their event loop does
            await aclose()


def _prepare(path: Path, settings: Settings, store: Any) -> Prepared:
    """The file stored (with --save) and read into pages; None, said on stderr, if it can't."""
    record = None
    try:
        record = store.save_input(path, source="cli") if store is not None else None
        return record, load_document(path, settings.ingest)
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


def _crashed(path: Path, store: Any, record: Any, error: Exception) -> Outcome:
    """The extractor raised. ConfigError (a refused key, say) is the same for every file:
    it stops the run (exit 2). Anything else is a bug, not a bad receipt: this file fails
    (said on stderr, kept with the document), the others run."""
    if isinstance(error, ConfigError):
        raise error
    reason = f"{type(error).__name__}: {error}"
    stderr.print(f"[red]error:[/] {escape(f'{path}: extraction failed: {reason}')}")
    if store is not None and record is not None:
        store.record_failure(record.id, reason, stage="extract")
    return None


def _finish(
    path: Path, document: Document, result: ExtractionResult, store: Any, record: Any
) -> Outcome:
    if store is not None and record is not None:
        store.record_extraction(record.id, result, pages=len(document.pages))
    for message in result.errors:
        stderr.print(f"[yellow]{escape(path.name)}:[/] {escape(message)}")
    return result_object(document, result), result


def _library_logging(verbose: bool) -> None:
    """Instructor logs each failed attempt, httpx each request, openai each retry: the
    result's error already says what happened, on one line. ``--verbose`` shows them all."""
    if verbose:
        logging.basicConfig(
            level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
        )
        logging.getLogger("instructor").setLevel(logging.DEBUG)
        return
    for name in ("instructor", "openai", "httpx", "httpx2", "httpcore"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


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
