"""``receiptflow receipts list|show|totals|approve``, ``receiptflow export``,
``receiptflow db upgrade``."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.table import Table

from receiptflow.cli.books import By, approve_receipts, who
from receiptflow.export import EXPORTERS, export_text, get_exporter
from receiptflow.export.json import receipt_json
from receiptflow.settings import Settings
from receiptflow.storage.records import RECEIPT_STATUSES

if TYPE_CHECKING:
    from receiptflow.storage import Store

stderr = Console(stderr=True)

ExportFormat = StrEnum("ExportFormat", {name.upper(): name for name in EXPORTERS})  # type: ignore[misc]


class TotalsBy(StrEnum):
    MONTH = "month"
    CATEGORY = "category"


def _check_status(status: str | None) -> str | None:
    if status is not None and status not in RECEIPT_STATUSES:
        raise typer.BadParameter(f"{status!r}; choose one of: {', '.join(RECEIPT_STATUSES)}")
    return status


Status = Annotated[
    str | None,
    typer.Option(callback=_check_status, help=f"One of: {', '.join(RECEIPT_STATUSES)}."),
]
Since = Annotated[
    dt.datetime | None,
    typer.Option(formats=["%Y-%m-%d"], help="Receipts dated on or after this day (YYYY-MM-DD)."),
]
Until = Annotated[
    dt.datetime | None,
    typer.Option(formats=["%Y-%m-%d"], help="Receipts dated on or before this day."),
]


def _store() -> Store:
    from receiptflow.storage import Store

    return Store.from_settings(Settings())


def _day(moment: dt.datetime | None) -> dt.date | None:
    return moment.date() if moment is not None else None


def list_receipts(
    status: Status = None,
    merchant: Annotated[str | None, typer.Option(help="Part of the merchant name.")] = None,
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Stored receipts, newest first."""
    with _store() as store:
        records = store.list_receipts(
            status=status,
            merchant=merchant,
            date_from=_day(since),
            date_to=_day(until),
            limit=limit,
        )
    if as_json:
        for record in records:
            sys.stdout.write(json.dumps(receipt_json(record), ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(records)} receipt(s)")
    for column in ("id", "date", "merchant", "total", "status", "flags", "file"):
        table.add_column(column, justify="right" if column in ("id", "total") else "left")
    for record in records:
        receipt = record.receipt
        total = f"{receipt.total} {receipt.currency or ''}".strip() if receipt.total else ""
        table.add_row(
            str(record.id),
            receipt.date.isoformat() if receipt.date else "",
            receipt.merchant.name or "",
            total,
            record.status,
            ", ".join(sorted({flag.code for flag in record.flags})),
            record.document_name,
        )
    console = Console()
    console.width = max(console.width, 120)
    console.print(table)


def show_receipt(receipt_id: Annotated[int, typer.Argument(help="Receipt id.")]) -> None:
    """One receipt as JSON: values, flags, its document, extraction runs and review history."""
    with _store() as store:
        record = store.get_receipt(receipt_id)
        if record is None:
            stderr.print(f"[red]no receipt {receipt_id}[/]")
            raise typer.Exit(1)
        document = store.get_document(record.document_id)
        runs = store.runs(record.document_id)
        history = store.history(receipt_id)
    shown: dict[str, Any] = receipt_json(record)
    if document is not None:
        shown["document"] |= document.model_dump(
            mode="json", include={"media_type", "source", "received_at", "archive_path"}
        )
    shown["runs"] = [run.model_dump(mode="json", exclude={"raw_output"}) for run in runs]
    shown["history"] = [event.model_dump(mode="json") for event in history]
    sys.stdout.write(json.dumps(shown, indent=2, ensure_ascii=False) + "\n")


def totals(
    by: Annotated[TotalsBy, typer.Option(help="Group by month or by line-item category.")] = (
        TotalsBy.MONTH
    ),
    status: Status = None,
    since: Since = None,
    until: Until = None,
) -> None:
    """Totals per month (receipt totals) or per category (line items), per currency."""
    filters = {"status": status, "date_from": _day(since), "date_to": _day(until)}
    with _store() as store:
        rows = (
            [
                (t.month or "undated", t.currency, t.receipts, t.total)
                for t in store.totals_by_month(**filters)
            ]
            if by is TotalsBy.MONTH
            else [
                (t.category or "uncategorised", t.currency, t.line_items, t.total)
                for t in store.totals_by_category(**filters)
            ]
        )
    table = Table(title=f"totals by {by.value}")
    for column in (by.value, "currency", "count", "total"):
        table.add_column(column, justify="right" if column in ("count", "total") else "left")
    for key, currency, count, total in rows:
        table.add_row(key, currency or "", str(count), str(total))
    Console().print(table)


def export(
    export_format: Annotated[
        ExportFormat | None,
        typer.Option("--format", "-f", help="File format (with --export-id: that export's)."),
    ] = None,
    status: Status = None,
    since: Since = None,
    until: Until = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    new: Annotated[
        bool,
        typer.Option(
            "--new",
            help="Only approved receipts no export has booked yet; records this export.",
        ),
    ] = False,
    export_id: Annotated[
        int | None,
        typer.Option("--export-id", min=1, help="Write a recorded export again, exactly."),
    ] = None,
    by: By = None,
) -> None:
    """Export stored receipts. CSV: one row per line item, safe to open in a spreadsheet;
    xero: Xero's bills import; qbo: QuickBooks Online's bank CSV. --new never books a
    receipt twice; --export-id N repeats export N byte for byte."""
    if export_id is not None or new:
        _recorded_export(export_format, export_id, new, (status, since, until), output, by)
        return
    if export_format is None:
        raise typer.BadParameter("choose a format", param_hint="--format")
    exporter = get_exporter(export_format.value)
    with _store() as store:
        chart = store.chart()
        pending = store.iter_receipts(status=status, date_from=_day(since), date_to=_day(until))
        # The first batch is read before anything is written: a database that cannot be
        # reached fails here, not after a CSV header on stdout.
        first = next(pending, None)
        receipts = itertools.chain([] if first is None else [first], pending)
        with _destination(output) as out:
            exporter.export(receipts, out, chart=chart)


def _recorded_export(
    export_format: ExportFormat | None,
    export_id: int | None,
    new: bool,
    filters: tuple[object, ...],
    output: Path | None,
    by: str | None,
) -> None:
    from receiptflow.storage import NotFoundError

    if export_id is not None and new:
        raise typer.BadParameter("use either --new or --export-id", param_hint="--new")
    if any(value is not None for value in filters):
        raise typer.BadParameter(
            "--new and --export-id take no filters: they export approved receipts",
            param_hint="--status/--since/--until",
        )
    # The destination is opened first: a file that cannot be written fails before an
    # export is recorded, and stays untouched when there is nothing new.
    with _store() as store, _destination(output) as out:
        if export_id is not None:
            try:
                recorded, content = store.get_export(export_id)
            except NotFoundError:
                message = f"error: no export {export_id} (see: receiptflow exports list)"
                typer.echo(message, err=True)
                raise typer.Exit(1) from None
            if export_format is not None and export_format.value != recorded.format:
                raise typer.BadParameter(
                    f"export {export_id} was written as {recorded.format}", param_hint="--format"
                )
        else:
            if export_format is None:
                raise typer.BadParameter("choose a format", param_hint="--format")
            name, chart = export_format.value, store.chart()
            made = store.export_new(name, lambda rs: export_text(name, rs, chart), user=who(by))
            if made is None:
                typer.echo(
                    "nothing new to export: every approved receipt is already exported", err=True
                )
                raise typer.Exit(0)
            recorded, content = store.get_export(made.id)
        out.write(content)
    if export_id is None:
        typer.echo(
            f"export {recorded.id}: {len(recorded.receipt_ids)} receipt(s) as {recorded.format}"
            f" by {recorded.user}; again with --export-id {recorded.id}",
            err=True,
        )


@contextmanager
def _destination(output: Path | None) -> Iterator[TextIO]:
    if output is not None:
        with _replaced_on_success(output) as out:
            yield out
        return
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(newline="")  # CSV writes its own CRLF
    yield sys.stdout
    sys.stdout.flush()


@contextmanager
def _replaced_on_success(target: Path) -> Iterator[TextIO]:
    """A temporary file beside ``target``, renamed over it only when the block succeeds: an
    export that fails half-way leaves the previous file as it was, never a truncated one."""
    try:
        handle, temp_name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
        )
    except OSError as error:
        raise typer.BadParameter(
            f"cannot write in {target.parent}: {error.strerror or error}", param_hint="--output"
        ) from None
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            yield out
        temp.chmod(_mode_for(target))  # mkstemp makes it private; keep what open() would give
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def db_upgrade() -> None:
    """Create or update the database tables (also done automatically on first use)."""
    from receiptflow.storage.db import shown_url  # the storage extra is optional

    settings = Settings()
    with _store() as store:
        store.migrate()
    url = shown_url(settings.resolved_database_url)
    typer.echo(f"database at the latest revision: {url}")


def register(app: typer.Typer) -> None:
    receipts_app = typer.Typer(help="Stored receipts.", no_args_is_help=True)
    receipts_app.command("list")(list_receipts)
    receipts_app.command("show")(show_receipt)
    receipts_app.command("totals")(totals)
    receipts_app.command("approve")(approve_receipts)
    app.add_typer(receipts_app, name="receipts")
    app.command("export")(export)
    db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
    db_app.command("upgrade")(db_upgrade)
    app.add_typer(db_app, name="db")
